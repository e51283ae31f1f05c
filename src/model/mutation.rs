//! Mutations and their plans: what the user asked for ([`Request`]), what it resolved to
//! ([`Mutation`]), why it did not ([`PlanError`]), and the words a confirmation shows.

use super::ecs::{short, ServiceRef};
use super::rollback::{Target, Wanted};
use super::sqs::queue_name;
use serde::Serialize;

/// A mutation, fully resolved (targets chosen), ready to confirm and run.
/// Its [`name`](Mutation::name) is the `action` of its JSON and of the audit line.
#[derive(Clone, Debug, PartialEq, Serialize, strum::IntoStaticStr)]
#[serde(tag = "action", rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
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
    /// UpdateService's desired count, from `from` to `to`.
    Scale {
        cluster: String,
        service: String,
        from: i32,
        to: i32,
    },
    /// StopTask of one of the service's tasks (its id); the service starts a replacement.
    #[serde(rename = "stop-task")]
    #[strum(serialize = "stop-task")]
    StopTask {
        cluster: String,
        service: String,
        task: String,
    },
    /// StopServiceDeployment ROLLBACK of the deployment in progress (its ARN), from the
    /// task definition `source` to `target`: ECS deploys `source` again.
    #[serde(rename = "stop-deployment")]
    #[strum(serialize = "stop-deployment")]
    StopDeployment {
        cluster: String,
        service: String,
        deployment: String,
        target: String,
        source: String,
    },
}

impl Mutation {
    /// `redeploy`, `rollback`, `purge`, `redrive`, `scale`, `stop-task`.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// The resource acted on, as the audit log names it.
    pub fn target(&self) -> String {
        match self {
            Mutation::Redeploy { cluster, service }
            | Mutation::Rollback {
                cluster, service, ..
            }
            | Mutation::Scale {
                cluster, service, ..
            }
            | Mutation::StopDeployment {
                cluster, service, ..
            } => {
                format!("{cluster}/{service}")
            }
            Mutation::Purge { queue_url } => queue_url.clone(),
            Mutation::Redrive { dlq_url, .. } => dlq_url.clone(),
            Mutation::StopTask { cluster, task, .. } => format!("{cluster}/{task}"),
        }
    }

    /// What must be typed to confirm a destructive action; `None` means a yes/no suffices.
    pub fn typed_confirmation(&self) -> Option<String> {
        match self {
            Mutation::Purge { queue_url } => Some(queue_name(queue_url).to_owned()),
            _ => None,
        }
    }

    /// The audit line's `parameters`.
    pub fn parameters(&self) -> serde_json::Value {
        match self {
            Mutation::Rollback { target, .. } => serde_json::json!({
                "task_definition": target.task_definition,
                "reason": target.reason,
                "interrupts_deployment": target.interrupts_deployment,
            }),
            Mutation::Redrive { dlq_arn, .. } => serde_json::json!({ "source_arn": dlq_arn }),
            Mutation::Scale { from, to, .. } => serde_json::json!({ "from": from, "to": to }),
            Mutation::StopTask { service, .. } => serde_json::json!({ "service": service }),
            Mutation::StopDeployment {
                deployment,
                target,
                source,
                ..
            } => serde_json::json!({
                "service_deployment": deployment, "target": target, "source": source,
            }),
            _ => serde_json::json!({}),
        }
    }
}

/// What the user asked for, before targets are resolved.
#[derive(Clone, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Request {
    Redeploy,
    Rollback {
        to: Wanted,
    },
    Purge {
        dlq: bool,
    },
    Redrive,
    /// Set the service's desired count.
    Scale {
        count: i32,
    },
    /// Stop one task of the service (its id); `None`: the only one, else ask which.
    #[strum(serialize = "stop-task")]
    StopTask {
        task: Option<String>,
    },
    /// Exec into a task's container. No mutation: never planned nor confirmed (`ops::exec`
    /// checks and runs it); a request only so that the dashboard's task chooser asks which
    /// task, as it does for a stop-task, and its refusals are audited the same way.
    Exec(super::exec::ExecAsk),
    /// Stop the service's deployment in progress and roll it back.
    #[strum(serialize = "stop-deployment")]
    StopDeployment,
}

impl Request {
    /// The name of the mutation it asks for ([`Mutation::name`]).
    pub fn name(&self) -> &'static str {
        self.into()
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

/// Why a mutation is refused in read-only mode.
pub fn read_only_message(action: &str, stack: &str) -> String {
    format!("refusing to {action}: stackdeck is read-only for stack {stack}")
}

/// The reason stackdeck gives StopTask: ECS shows it as the task's stopped reason.
pub const STOP_REASON: &str = "Task stopped by user (stackdeck stop-task)";

/// A service's scalable target: Application Auto Scaling keeps its desired count within these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleRange {
    pub min: i32,
    pub max: i32,
}

/// The refusal of a count outside the service's scalable target.
pub fn scale_out_of_range(svc: &ServiceRef, count: i32, min: i32, max: i32) -> String {
    format!(
        "cannot scale {svc} to {count}: its Application Auto Scaling target allows {min} to {max}; change the scalable target's minimum or maximum (RegisterScalableTarget or the stack's Terraform) first"
    )
}

/// What a scale's confirmation says: the current and new desired count, and the autoscaling
/// range (`(min, max)`) where the service has a scalable target.
pub fn scale_details(
    svc: &ServiceRef,
    from: i32,
    to: i32,
    range: Option<ScaleRange>,
) -> Vec<String> {
    let mut details = vec![format!(
        "set the desired count of {svc} from {from} to {to}"
    )];
    match range {
        Some(r) => details.push(format!(
            "Application Auto Scaling keeps it within {} to {}: its policies may move it again",
            r.min, r.max
        )),
        None => {
            details.push("no Application Auto Scaling target: the count stays until changed".into())
        }
    }
    details
}

/// What a stop-task's confirmation says.
pub fn stop_task_details(svc: &ServiceRef, task: &str, desired: i32) -> Vec<String> {
    vec![
        format!("stop task {task} of {svc} (SIGTERM, then SIGKILL after the stop timeout)"),
        format!(
            "the service will replace it: it starts a new task to keep its desired count of {desired}"
        ),
    ]
}

/// What a stop-deployment's confirmation says: the deployment, its target and its source.
pub fn stop_deployment_details(
    svc: &ServiceRef,
    id: &str,
    target: &str,
    source: &str,
) -> Vec<String> {
    vec![
        format!(
            "stop deployment {id} of {svc} (to {}) and roll it back",
            short(target)
        ),
        format!(
            "ECS deploys the source revision {} again (StopServiceDeployment ROLLBACK)",
            short(source)
        ),
    ]
}

/// What a rollback's confirmation says: from and to, why, and the differences between the two
/// revisions (`None`: they could not be compared). The dashboard's picker says the same.
pub fn rollback_details(
    svc: &ServiceRef,
    running: &str,
    target: &Target,
    changes: Option<&[String]>,
) -> Vec<String> {
    let mut details = vec![
        format!(
            "roll {svc} back from {} to {}",
            short(running),
            short(&target.task_definition)
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn names_are_the_audit_log_actions() {
        let target = Target {
            task_definition: "td:1".into(),
            reason: String::new(),
            interrupts_deployment: false,
        };
        let mutations = [
            Mutation::Redeploy {
                cluster: "c".into(),
                service: "s".into(),
            },
            Mutation::Rollback {
                cluster: "c".into(),
                service: "s".into(),
                target,
            },
            Mutation::Purge {
                queue_url: "q".into(),
            },
            Mutation::Redrive {
                dlq_arn: "a".into(),
                dlq_url: "d".into(),
            },
            Mutation::Scale {
                cluster: "c".into(),
                service: "s".into(),
                from: 1,
                to: 2,
            },
            Mutation::StopTask {
                cluster: "c".into(),
                service: "s".into(),
                task: "t".into(),
            },
            Mutation::StopDeployment {
                cluster: "c".into(),
                service: "s".into(),
                deployment: "d".into(),
                target: "td:2".into(),
                source: "td:1".into(),
            },
        ];
        let requests = [
            Request::Redeploy,
            Request::Rollback {
                to: Wanted::Previous,
            },
            Request::Purge { dlq: false },
            Request::Redrive,
            Request::Scale { count: 2 },
            Request::StopTask { task: None },
            Request::StopDeployment,
        ];
        assert_eq!(Request::Exec(Default::default()).name(), "exec");
        for ((mutation, request), name) in mutations.iter().zip(&requests).zip([
            "redeploy",
            "rollback",
            "purge",
            "redrive",
            "scale",
            "stop-task",
            "stop-deployment",
        ]) {
            assert_eq!(mutation.name(), name);
            assert_eq!(request.name(), name);
            assert_eq!(serde_json::to_value(mutation).unwrap()["action"], name);
        }
    }
}
