//! Carrying out a confirmed mutation, or auditing one that was declined.

use super::context::{with_audit_failure, Context};
use crate::aws::error::AwsError;
use crate::model::ecs::{short, ServiceRef};
use crate::model::mutation::{Mutation, STOP_REASON};
use crate::model::sqs::queue_name;

/// Run a confirmed mutation and write its audit line. Returns what happened, in words.
pub async fn execute(ctx: &Context, mutation: &Mutation) -> Result<String, String> {
    let result: Result<String, AwsError> = match mutation {
        Mutation::Redeploy { cluster, service } => {
            let svc = ServiceRef {
                cluster: cluster.clone(),
                service: service.clone(),
            };
            ctx.ecs()
                .force_new_deployment(&svc)
                .await
                .map(|id| format!("started deployment {id} of {svc}"))
        }
        Mutation::Rollback {
            cluster,
            service,
            target,
        } => {
            let svc = ServiceRef {
                cluster: cluster.clone(),
                service: service.clone(),
            };
            ctx.ecs()
                .deploy(&svc, &target.task_definition)
                .await
                .map(|id| {
                    format!(
                        "started deployment {id} of {svc} on {}",
                        short(&target.task_definition)
                    )
                })
        }
        Mutation::Scale {
            cluster,
            service,
            from,
            to,
        } => {
            let svc = ServiceRef {
                cluster: cluster.clone(),
                service: service.clone(),
            };
            ctx.ecs()
                .set_desired(&svc, *to)
                .await
                .map(|_| format!("set the desired count of {svc} to {to} (from {from})"))
        }
        Mutation::StopTask {
            cluster,
            service,
            task,
        } => ctx
            .ecs()
            .stop_task(cluster, task, STOP_REASON)
            .await
            .map(|()| {
                format!(
                    "stopped task {task} of {cluster}/{service}; the service starts a replacement"
                )
            }),
        Mutation::StopDeployment {
            cluster,
            service,
            deployment,
            source,
            ..
        } => ctx.ecs().stop_deployment(deployment).await.map(|()| {
            let id = deployment.rsplit('/').next().unwrap_or(deployment);
            format!(
                "stopped deployment {id} of {cluster}/{service}; ECS rolls back to {}",
                short(source)
            )
        }),
        Mutation::Purge { queue_url } => ctx
            .sqs()
            .purge(queue_url)
            .await
            .map(|()| format!("purged queue {}", queue_name(queue_url))),
        Mutation::Redrive { dlq_arn, dlq_url } => {
            ctx.sqs().start_redrive(dlq_arn).await.map(|handle| {
                format!(
                    "started moving the messages of {} back (task {handle})",
                    queue_name(dlq_url)
                )
            })
        }
    };
    let result = result.map_err(|e| e.message);
    let audited = ctx
        .audit(
            mutation.name(),
            &mutation.target(),
            mutation.parameters(),
            result.as_ref().map(|_| ()).map_err(String::as_str),
            false,
        )
        .await;
    match result {
        Ok(done) => Ok(with_audit_failure(done, audited)),
        Err(failed) => Err(with_audit_failure(failed, audited)),
    }
}

/// Audit a planned mutation the user did not confirm.
pub async fn decline(ctx: &Context, mutation: &Mutation) -> Result<(), String> {
    ctx.audit(
        mutation.name(),
        &mutation.target(),
        mutation.parameters(),
        Err("not confirmed"),
        true,
    )
    .await
}
