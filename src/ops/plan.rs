//! Planning a mutation: the [`Request`] resolved to a [`Mutation`] (targets chosen) and the lines
//! its confirmation shows, or why it cannot be (audited when the attempt ends there).

use super::context::{refuse, with_audit_failure, Context};
use super::{audit, rollback};
use crate::model::deployments::in_progress;
use crate::model::ecs::{diff, family_of, short, CurrentDeployment, PastDeployment, ServiceRef};
use crate::model::mutation::{
    rollback_details, scale_details, scale_out_of_range, stop_deployment_details,
    stop_task_details, Mutation, PlanError, Request, ScaleRange,
};
use crate::model::rollback::NoTarget;

/// What choosing a rollback target reads: the service's deployments, its deployment history
/// (empty where the endpoint lacks it) and the family's revisions.
pub(crate) struct RollbackInputs {
    pub svc: ServiceRef,
    pub current: Vec<CurrentDeployment>,
    pub history: Vec<PastDeployment>,
    pub revisions: Vec<String>,
}

/// Read the [`RollbackInputs`]; the family is the `task_family` parameter, else the running one's.
pub(crate) async fn rollback_inputs(ctx: &Context) -> Result<RollbackInputs, PlanError> {
    let svc = ctx.service()?;
    let ecs = ctx.ecs();
    let current = ecs.deployments(&svc).await.map_err(|e| e.message)?;
    let history = ecs.history(&svc).await;
    let family = match ctx.stack.get("task_family") {
        Some(f) => f.to_owned(),
        None => current
            .first()
            .map(|d| family_of(&d.task_definition).to_owned())
            .ok_or_else(|| format!("{svc} has no deployments: nothing to roll back"))?,
    };
    let revisions = ecs.revisions(&family).await.map_err(|e| e.message)?;
    Ok(RollbackInputs {
        svc,
        current,
        history,
        revisions,
    })
}

/// Resolve targets and gather what the confirmation shows: the mutation and its details lines.
pub async fn plan(ctx: &Context, request: &Request) -> Result<(Mutation, Vec<String>), PlanError> {
    match request {
        Request::Redeploy => {
            let svc = ctx.service()?;
            let deployments = ctx.ecs().deployments(&svc).await.map_err(|e| e.message)?;
            let mut details = vec![format!("force a new deployment of {svc}")];
            if let Some(primary) = deployments.first() {
                details.push(format!(
                    "tasks will be replaced with new ones of {}",
                    short(&primary.task_definition)
                ));
            }
            Ok((
                Mutation::Redeploy {
                    cluster: svc.cluster,
                    service: svc.service,
                },
                details,
            ))
        }
        Request::Rollback { to } => {
            let RollbackInputs {
                svc,
                current,
                history,
                revisions,
            } = rollback_inputs(ctx).await?;
            let ecs = ctx.ecs();
            let target = rollback::choose(&svc.service, to, &current, &history, &revisions)
                .map_err(|e| match e {
                    NoTarget::NothingToDo(message) => PlanError::NothingToDo(message),
                    other => PlanError::Refused(other.to_string()),
                })?;
            let running = current
                .first()
                .map(|d| d.task_definition.clone())
                .unwrap_or_default();
            let changes = match (
                ecs.summary(&running).await,
                ecs.summary(&target.task_definition).await,
            ) {
                (Ok(from), Ok(to)) => Some(diff(&from, &to)),
                _ => None,
            };
            let details = rollback_details(&svc, &running, &target, changes.as_deref());
            Ok((
                Mutation::Rollback {
                    cluster: svc.cluster,
                    service: svc.service,
                    target,
                },
                details,
            ))
        }
        Request::Purge { dlq } => {
            let url = ctx.require(if *dlq { "dlq_url" } else { "queue_url" })?;
            let facts = ctx.sqs().facts(&url).await.map_err(|e| e.message)?;
            let recent = audit::tail(&ctx.audit_path, 500).unwrap_or_default();
            if let Some(left) = audit::purge_wait(&recent, &url, jiff::Timestamp::now().as_second())
            {
                return Err(PlanError::Refused(format!(
                    "queue {} was purged less than 60 s ago (SQS allows one purge per queue per 60 s): try again in {left} s",
                    facts.name
                )));
            }
            let details = vec![
                format!(
                    "purge queue {}: delete every message in it, for good",
                    facts.name
                ),
                format!(
                    "now: {} visible, {} in flight, {} delayed",
                    facts.visible, facts.in_flight, facts.delayed
                ),
            ];
            Ok((Mutation::Purge { queue_url: url }, details))
        }
        Request::Scale { count } => plan_scale(ctx, *count).await,
        Request::StopTask { task } => plan_stop_task(ctx, task.as_deref()).await,
        // Not a mutation: `ops::exec` checks and runs it; nothing asks for its plan.
        Request::Exec(_) => Err(PlanError::Refused(
            "exec is not planned: run it with stackdeck exec, e or :exec".into(),
        )),
        Request::StopDeployment => plan_stop_deployment(ctx).await,
        Request::Redrive => {
            let url = ctx.require("dlq_url")?;
            let facts = ctx.sqs().facts(&url).await.map_err(|e| e.message)?;
            let details = vec![format!(
                "move the {} message(s) of dead-letter queue {} back to the queue they came from",
                facts.visible, facts.name
            )];
            Ok((
                Mutation::Redrive {
                    dlq_arn: facts.arn,
                    dlq_url: url,
                },
                details,
            ))
        }
    }
}

/// A scale: refused outside the scalable target's range; nothing to do at the same count.
async fn plan_scale(ctx: &Context, count: i32) -> Result<(Mutation, Vec<String>), PlanError> {
    let svc = ctx.service()?;
    if count < 0 {
        return Err(PlanError::Refused(format!(
            "cannot scale {svc} to {count}: a desired count is 0 or more"
        )));
    }
    let from = ctx.ecs().desired(&svc).await.map_err(|e| e.message)?;
    // The range is advice: a role without application-autoscaling:DescribeScalableTargets can
    // still scale, told that the range is unknown.
    let (range, unread) = match ctx.autoscaling().service_range(&svc).await {
        Ok(range) => (range, None),
        Err(e) => (
            None,
            Some(format!("Autoscaling range not read: {}", e.message)),
        ),
    };
    if let Some(ScaleRange { min, max }) = range {
        if count < min || count > max {
            return Err(PlanError::Refused(scale_out_of_range(
                &svc, count, min, max,
            )));
        }
    }
    if from == count {
        return Err(PlanError::NothingToDo(format!(
            "{svc} already has a desired count of {count}: nothing to scale"
        )));
    }
    Ok((
        Mutation::Scale {
            cluster: svc.cluster.clone(),
            service: svc.service.clone(),
            from,
            to: count,
        },
        scale_details(&svc, from, count, range)
            .into_iter()
            .chain(unread)
            .collect(),
    ))
}

/// A stop-task: the task must be one the service runs; without an id, its only one.
async fn plan_stop_task(
    ctx: &Context,
    task: Option<&str>,
) -> Result<(Mutation, Vec<String>), PlanError> {
    let svc = ctx.service()?;
    let ecs = ctx.ecs();
    let running = ecs.running_task_ids(&svc).await.map_err(|e| e.message)?;
    let task = match (task, running.as_slice()) {
        (Some(task), _) => task.rsplit('/').next().unwrap_or(task).to_owned(),
        (None, [only]) => only.clone(),
        (None, []) => {
            return Err(PlanError::Refused(format!(
                "{svc} has no running task to stop"
            )))
        }
        (None, many) => {
            return Err(PlanError::Refused(format!(
                "{svc} runs {} tasks: name the one to stop (stop-task ID; running: {})",
                many.len(),
                many.join(", ")
            )))
        }
    };
    if !running.contains(&task) {
        return Err(PlanError::Refused(format!(
            "task {task} is not a running task of {svc} (running: {}): name one of those",
            if running.is_empty() {
                "none".into()
            } else {
                running.join(", ")
            }
        )));
    }
    let desired = ecs.desired(&svc).await.map_err(|e| e.message)?;
    Ok((
        Mutation::StopTask {
            cluster: svc.cluster.clone(),
            service: svc.service.clone(),
            task: task.clone(),
        },
        stop_task_details(&svc, &task, desired),
    ))
}

/// A stop-deployment: the service's deployment in progress, from its history; refused where
/// the endpoint has no service-deployment APIs or nothing is in progress.
async fn plan_stop_deployment(ctx: &Context) -> Result<(Mutation, Vec<String>), PlanError> {
    let svc = ctx.service()?;
    let history = (ctx.ecs().service_deployments(&svc).await)
        .map_err(|e| e.message)?
        .ok_or_else(|| format!("cannot stop a deployment of {svc}: the endpoint has no ECS service-deployment APIs (StopServiceDeployment); roll back instead (stackdeck rollback)"))?;
    let d = in_progress(&history).ok_or_else(|| {
        format!("{svc} has no deployment in progress: nothing to stop (stackdeck status shows its deployments)")
    })?;
    let source = d.source.clone().ok_or_else(|| {
        format!("deployment {} of {svc} has no source revision to roll back to: it is the service's first; stop it with stackdeck scale 0 or deploy a fix", d.id())
    })?;
    Ok((
        Mutation::StopDeployment {
            cluster: svc.cluster.clone(),
            service: svc.service.clone(),
            deployment: d.arn.clone(),
            target: d.target.clone(),
            source: source.clone(),
        },
        stop_deployment_details(&svc, d.id(), &d.target, &source),
    ))
}

/// [`plan`], with the audit line of an attempt that ends there: a refusal (missing parameter,
/// AWS error, the 60-second rule) or nothing to do. A planned mutation is audited when it runs
/// or is declined.
pub async fn plan_audited(
    ctx: &Context,
    request: &Request,
) -> Result<(Mutation, Vec<String>), PlanError> {
    match plan(ctx, request).await {
        Ok(planned) => Ok(planned),
        Err(PlanError::NothingToDo(message)) => {
            let audited = ctx
                .audit(
                    request.name(),
                    &ctx.stack.stack,
                    serde_json::json!({ "noop": true }),
                    Ok(()),
                    false,
                )
                .await;
            Err(PlanError::NothingToDo(with_audit_failure(message, audited)))
        }
        Err(PlanError::Refused(message)) => {
            let audited = refuse(ctx, request.name(), &message).await;
            Err(PlanError::Refused(with_audit_failure(message, audited)))
        }
    }
}
