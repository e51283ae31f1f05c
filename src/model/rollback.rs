//! A rollback's plan: what `--to` asks for, the target chosen and why, and the picker's
//! revisions to choose from.

use super::ecs::short;
use serde::Serialize;

/// What to roll back to, and why, in words for the picker and the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub task_definition: String,
    pub reason: String,
    /// A deployment is still in progress: the rollback stops it by going back to what served
    /// before it.
    pub interrupts_deployment: bool,
}

/// Why no target could be chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoTarget {
    #[error("service {0} has no deployments: nothing to roll back")]
    NoDeployments(String),
    #[error("no completed deployment other than the running revision {0} is known, and the family has no older revision: nothing to roll back to")]
    NothingOlder(String),
    #[error("revision {0} is not a revision of the service's task definition family {1}")]
    NotInFamily(String, String),
    #[error("{0} is already the running task definition")]
    AlreadyRunning(String),
    /// Not an error for the caller: the service is already where a rollback would take it.
    #[error("{0}")]
    NothingToDo(String),
}

/// What `--to` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The revision the last completed deployment ran (the default).
    LastCompleted,
    /// The newest registered revision older than the running one.
    Previous,
    /// A revision number of the family.
    Revision(u32),
}

impl std::str::FromStr for Wanted {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "last-completed" => Ok(Wanted::LastCompleted),
            "previous" => Ok(Wanted::Previous),
            other => other.parse().map(Wanted::Revision).map_err(|_| {
                format!(
                    "--to takes a revision number, `previous` or `last-completed`, not {other:?}"
                )
            }),
        }
    }
}

/// The most revisions the picker lists (and describes); older ones stay reachable with
/// `stackdeck rollback --to REVISION`.
pub const MAX_CHOICES: usize = 20;

/// One revision the picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub task_definition: String,
    /// What the deployments say about it: "last completed", "failed", "draining", or empty.
    pub label: String,
    /// Its differences from the running revision (empty: the same image, command, env, size).
    pub diff: Vec<String>,
}

/// Everything the picker shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollbackChoices {
    pub cluster: String,
    pub service: String,
    pub running: String,
    /// Newest first; the running revision is not among them.
    pub options: Vec<Choice>,
    /// The index of the preselected option.
    pub selected: usize,
    /// Why that one is preselected.
    pub reason: String,
    /// A deployment is in progress: choosing rolls it back.
    pub interrupts_deployment: bool,
    /// Something to say first, e.g. ECS's circuit breaker is already rolling back.
    pub note: Option<String>,
}

impl RollbackChoices {
    /// The rollback target for option `index`.
    pub fn target(&self, index: usize) -> Option<Target> {
        let choice = self.options.get(index)?;
        Some(Target {
            task_definition: choice.task_definition.clone(),
            reason: if index == self.selected {
                self.reason.clone()
            } else {
                format!("{}, chosen in the picker", short(&choice.task_definition))
            },
            interrupts_deployment: self.interrupts_deployment,
        })
    }
}
