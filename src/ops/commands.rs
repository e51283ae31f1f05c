//! The scriptable mutations: `stackdeck redeploy | rollback | purge | redrive`. The TUI's
//! confirmed actions run the same functions ([`execute`]), so a runbook and a key press take
//! the same code path, write the same audit line, and fail the same way.

use super::audit::{self, Record};
use super::rollback::{self, Target, Wanted};
use crate::aws::ecs_actions::{diff, EcsActions, ServiceRef};
use crate::aws::error::AwsError;
use crate::aws::sqs_actions::{queue_name, SqsActions};
use crate::model::stack::StackResources;
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// A mutation, fully resolved (targets chosen), ready to confirm and run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Mutation {
    Redeploy {
        cluster: String,
        service: String,
    },
    Rollback {
        cluster: String,
        service: String,
        target: Target,
    },
    Purge {
        queue_url: String,
    },
    Redrive {
        dlq_arn: String,
        dlq_url: String,
    },
}

impl Mutation {
    pub fn name(&self) -> &'static str {
        match self {
            Mutation::Redeploy { .. } => "redeploy",
            Mutation::Rollback { .. } => "rollback",
            Mutation::Purge { .. } => "purge",
            Mutation::Redrive { .. } => "redrive",
        }
    }

    /// The resource acted on, as the audit log names it.
    pub fn target(&self) -> String {
        match self {
            Mutation::Redeploy { cluster, service }
            | Mutation::Rollback {
                cluster, service, ..
            } => {
                format!("{cluster}/{service}")
            }
            Mutation::Purge { queue_url } => queue_url.clone(),
            Mutation::Redrive { dlq_url, .. } => dlq_url.clone(),
        }
    }

    /// What must be typed to confirm a destructive action; `None` means a yes/no suffices.
    pub fn typed_confirmation(&self) -> Option<String> {
        match self {
            Mutation::Purge { queue_url } => Some(queue_name(queue_url).to_owned()),
            _ => None,
        }
    }

    fn parameters(&self) -> serde_json::Value {
        match self {
            Mutation::Rollback { target, .. } => serde_json::json!({
                "task_definition": target.task_definition,
                "reason": target.reason,
                "interrupts_deployment": target.interrupts_deployment,
            }),
            Mutation::Redrive { dlq_arn, .. } => serde_json::json!({ "source_arn": dlq_arn }),
            _ => serde_json::json!({}),
        }
    }
}

/// Who is acting, where, and how carefully.
pub struct Context {
    pub sdk: aws_config::SdkConfig,
    pub profile: String,
    pub stack: StackResources,
    pub audit_path: PathBuf,
    pub read_only: bool,
    pub assume_yes: bool,
}

/// Exit codes of the scriptable commands.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_REFUSED: i32 = 2;

impl Context {
    pub fn region(&self) -> String {
        self.sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn ecs(&self) -> EcsActions {
        EcsActions::new(&self.sdk, self.profile.clone())
    }

    pub fn sqs(&self) -> SqsActions {
        SqsActions::new(&self.sdk, self.profile.clone())
    }

    fn require(&self, key: &str) -> Result<String, String> {
        self.stack.get(key).map(str::to_owned).ok_or_else(|| {
            format!(
                "stack {} has no `{key}` discovery parameter (/stackdeck/{}/{key}): apply the stack's Terraform, or name it in the config file",
                self.stack.stack, self.stack.stack
            )
        })
    }

    pub fn service(&self) -> Result<ServiceRef, String> {
        Ok(ServiceRef {
            cluster: self.require("cluster")?,
            service: self.require("service")?,
        })
    }

    /// The caller's ARN for the audit log (STS GetCallerIdentity needs no permission).
    pub async fn caller(&self) -> String {
        match aws_sdk_sts::Client::new(&self.sdk)
            .get_caller_identity()
            .send()
            .await
        {
            Ok(id) => id.arn().unwrap_or("unknown").to_owned(),
            Err(e) => format!("unknown ({})", aws_sdk_sts::error::DisplayErrorContext(&e)),
        }
    }

    /// Append one audit line. A failure to write it is returned as the sentence to show: the
    /// caller must report it (stderr for a command, the dialog or footer in the dashboard).
    pub async fn audit(
        &self,
        mutation_name: &str,
        target: &str,
        parameters: serde_json::Value,
        result: Result<(), &str>,
        refused: bool,
    ) -> Result<(), String> {
        let now = jiff::Timestamp::now();
        let record = Record {
            time: now.to_string(),
            unix: now.as_second(),
            user: self.caller().await,
            profile: self.profile.clone(),
            region: self.region(),
            stack: self.stack.stack.clone(),
            action: mutation_name.to_owned(),
            target: target.to_owned(),
            parameters,
            result: match (refused, result) {
                (true, _) => "refused".into(),
                (false, Ok(())) => "ok".into(),
                (false, Err(_)) => "error".into(),
            },
            error: result.err().map(str::to_owned),
        };
        audit::append(&self.audit_path, &record).map_err(|e| {
            format!(
                "could not write the audit log {}: {e} (the action itself {}); fix the file's directory or permissions",
                self.audit_path.display(),
                if record.result == "ok" {
                    "succeeded"
                } else {
                    "did not succeed"
                }
            )
        })
    }
}

/// What the user asked for, before targets are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Redeploy,
    Rollback { to: Wanted },
    Purge { dlq: bool },
    Redrive,
}

impl Request {
    pub fn name(&self) -> &'static str {
        match self {
            Request::Redeploy => "redeploy",
            Request::Rollback { .. } => "rollback",
            Request::Purge { .. } => "purge",
            Request::Redrive => "redrive",
        }
    }
}

/// Why a request did not become a mutation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// It cannot or must not be done (missing parameter, AWS error, 60-second rule, ...).
    Refused(String),
    /// The stack is already where the action would take it (a rollback after ECS's own).
    NothingToDo(String),
}

impl From<String> for PlanError {
    fn from(message: String) -> Self {
        PlanError::Refused(message)
    }
}

/// What choosing a rollback target reads: the service's deployments, its deployment history
/// (empty where the endpoint lacks it) and the family's revisions.
pub(crate) struct RollbackInputs {
    pub svc: ServiceRef,
    pub current: Vec<rollback::CurrentDeployment>,
    pub history: Vec<rollback::PastDeployment>,
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
            .map(|d| rollback::family_of(&d.task_definition).to_owned())
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
                    rollback::short(&primary.task_definition)
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
                    rollback::NoTarget::NothingToDo(message) => PlanError::NothingToDo(message),
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

/// `message`, followed by the audit log's failure if there was one.
pub fn with_audit_failure(message: String, audited: Result<(), String>) -> String {
    match audited {
        Ok(()) => message,
        Err(failure) => format!("{message}; and {failure}"),
    }
}

/// Audit an attempt refused before anything was planned (read-only, a missing parameter).
pub async fn refuse(ctx: &Context, action: &str, message: &str) -> Result<(), String> {
    ctx.audit(
        action,
        &ctx.stack.stack,
        serde_json::json!({}),
        Err(message),
        true,
    )
    .await
}

/// Why a mutation is refused in read-only mode.
pub fn read_only_message(action: &str, stack: &str) -> String {
    format!("refusing to {action}: stackdeck is read-only for stack {stack}")
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

/// What a rollback's confirmation says: from and to, why, and the differences between the two
/// revisions (`None`: they could not be compared). The dashboard's picker says the same.
pub fn rollback_details(
    svc: &ServiceRef,
    running: &str,
    target: &rollback::Target,
    changes: Option<&[String]>,
) -> Vec<String> {
    let mut details = vec![
        format!(
            "roll {svc} back from {} to {}",
            rollback::short(running),
            rollback::short(&target.task_definition)
        ),
        format!("why this revision: {}", target.reason),
    ];
    if target.interrupts_deployment {
        details.push("a deployment is still in progress: this rolls it back".into());
    }
    match changes {
        Some([]) => details
            .push("the two revisions run the same image, command, environment and size".into()),
        Some(changes) => details.extend(changes.iter().map(|c| format!("  {c}"))),
        None => {}
    }
    details
}

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
                        rollback::short(&target.task_definition)
                    )
                })
        }
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

/// Wait until the service's primary deployment completes (Ok) or fails (Err), or time runs out.
pub async fn wait_stable(ctx: &Context, timeout: Duration) -> Result<String, String> {
    wait_for_deployment(&ctx.ecs(), &ctx.service()?, None, timeout).await
}

/// The polling behind [`wait_stable`], for callers without an operations context (`status`).
/// With `expect`, the wait succeeds only if the completed deployment runs that task definition:
/// a service that ECS's circuit breaker rolled back to the old revision is stable, but the deploy
/// that was being gated failed.
pub async fn wait_for_deployment(
    ecs: &EcsActions,
    svc: &ServiceRef,
    expect: Option<&str>,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let deployments = ecs.deployments(svc).await.map_err(|e| e.message)?;
        if let Some(primary) = deployments.first() {
            let expected = expect.is_none_or(|want| {
                want == primary.task_definition
                    || rollback::short(want) == rollback::short(&primary.task_definition)
            });
            match primary.rollout {
                rollback::Rollout::Completed if !expected => {
                    return Err(format!(
                        "{svc} is stable on {}, not on {}: the deployment was rolled back",
                        rollback::short(&primary.task_definition),
                        rollback::short(expect.unwrap_or_default())
                    ))
                }
                rollback::Rollout::Completed => {
                    return Ok(format!(
                        "{svc} is stable on {}",
                        rollback::short(&primary.task_definition)
                    ))
                }
                rollback::Rollout::Failed => {
                    return Err(format!(
                        "the deployment of {} to {svc} FAILED",
                        rollback::short(&primary.task_definition)
                    ))
                }
                _ => {}
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "{svc} did not become stable within {}: its primary deployment is still in progress",
                humanize(timeout)
            ));
        }
        tokio::time::sleep(Duration::from_secs(2).min(deadline - tokio::time::Instant::now()))
            .await;
    }
}

fn humanize(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// Parse `10m`, `90s`, `1h` (the `--timeout` flag).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.trim().split_at(
        text.trim()
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.trim().len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("--timeout takes a duration like 90s, 10m or 1h, not {text:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "--timeout takes a duration like 90s, 10m or 1h, not {text:?}"
            ))
        }
    };
    Ok(Duration::from_secs(secs))
}

/// Ask on the terminal. `Ok(true)` only for an explicit yes (or the typed name).
fn confirm_on_terminal(mutation: &Mutation) -> bool {
    let stdin = std::io::stdin();
    let mut stderr = std::io::stderr();
    match mutation.typed_confirmation() {
        Some(name) => {
            let _ = write!(stderr, "type the queue name ({name}) to confirm: ");
        }
        None => {
            let _ = write!(stderr, "proceed? [y/N] ");
        }
    }
    let _ = stderr.flush();
    let mut answer = String::new();
    if stdin.lock().read_line(&mut answer).is_err() {
        return false;
    }
    let answer = answer.trim();
    match mutation.typed_confirmation() {
        Some(name) => answer == name,
        None => matches!(answer, "y" | "Y" | "yes"),
    }
}

/// The whole scriptable command: refuse in read-only mode, plan, confirm, execute, wait.
pub async fn run(ctx: &Context, request: Request, wait: Option<Duration>) -> i32 {
    if ctx.read_only {
        let message = read_only_message(request.name(), &ctx.stack.stack);
        let audited = refuse(ctx, request.name(), &message).await;
        eprintln!("stackdeck: {}", with_audit_failure(message, audited));
        return EXIT_REFUSED;
    }
    let (mutation, details) = match plan_audited(ctx, &request).await {
        Ok(planned) => planned,
        Err(PlanError::NothingToDo(message)) => {
            println!("{message}");
            return match wait {
                Some(timeout) => match wait_stable(ctx, timeout).await {
                    Ok(stable) => {
                        println!("{stable}");
                        EXIT_OK
                    }
                    Err(message) => {
                        eprintln!("stackdeck: {message}");
                        EXIT_FAILED
                    }
                },
                None => EXIT_OK,
            };
        }
        Err(PlanError::Refused(message)) => {
            eprintln!("stackdeck: {message}");
            return EXIT_REFUSED;
        }
    };
    for line in &details {
        println!("{line}");
    }
    if !ctx.assume_yes {
        let confirmed = if std::io::stdin().is_terminal() {
            confirm_on_terminal(&mutation)
        } else {
            eprintln!(
                "stackdeck: refusing to {} without --yes: standard input is not a terminal",
                mutation.name()
            );
            false
        };
        if !confirmed {
            if let Err(failure) = decline(ctx, &mutation).await {
                eprintln!("stackdeck: {failure}");
            }
            eprintln!(
                "stackdeck: {} not confirmed; nothing changed",
                mutation.name()
            );
            return EXIT_REFUSED;
        }
    }
    match execute(ctx, &mutation).await {
        Ok(done) => println!("{done}"),
        Err(message) => {
            eprintln!("stackdeck: {message}");
            return EXIT_FAILED;
        }
    }
    match (wait, &mutation) {
        (Some(timeout), Mutation::Redeploy { .. } | Mutation::Rollback { .. }) => {
            match wait_stable(ctx, timeout).await {
                Ok(stable) => {
                    println!("{stable}");
                    EXIT_OK
                }
                Err(message) => {
                    eprintln!("stackdeck: {message}");
                    EXIT_FAILED
                }
            }
        }
        (Some(timeout), Mutation::Redrive { dlq_arn, .. }) => {
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                match ctx.sqs().redrive_progress(dlq_arn).await {
                    Ok(tasks) => match tasks.first() {
                        Some(t) if t.status == "COMPLETED" => {
                            println!("redrive completed: {} message(s) moved", t.moved);
                            return EXIT_OK;
                        }
                        Some(t) if t.status == "FAILED" || t.status == "CANCELLED" => {
                            eprintln!(
                                "stackdeck: redrive {}: {}",
                                t.status,
                                t.failure.as_deref().unwrap_or("no reason given")
                            );
                            return EXIT_FAILED;
                        }
                        Some(t) => println!(
                            "redrive {}: {} of {} moved",
                            t.status,
                            t.moved,
                            t.to_move.map_or("?".into(), |n| n.to_string())
                        ),
                        None => {}
                    },
                    Err(e) => {
                        eprintln!("stackdeck: {}", e.message);
                        return EXIT_FAILED;
                    }
                }
                if tokio::time::Instant::now() >= deadline {
                    eprintln!(
                        "stackdeck: the redrive did not finish within {}",
                        humanize(timeout)
                    );
                    return EXIT_FAILED;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
        _ => EXIT_OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_in_seconds_minutes_and_hours() {
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_timeout("45"), Ok(Duration::from_secs(45)));
        assert!(parse_timeout("soon").is_err());
        assert!(parse_timeout("10d").is_err());
    }

    #[test]
    fn only_purge_needs_the_typed_name() {
        let purge = Mutation::Purge {
            queue_url: "http://h/0/courier-local-work".into(),
        };
        assert_eq!(
            purge.typed_confirmation().as_deref(),
            Some("courier-local-work")
        );
        let redeploy = Mutation::Redeploy {
            cluster: "c".into(),
            service: "s".into(),
        };
        assert_eq!(redeploy.typed_confirmation(), None);
        assert_eq!(redeploy.target(), "c/s");
    }
}
