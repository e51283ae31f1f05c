//! The rollout decision, pure: from the service's deployments and tasks and its deployment
//! configuration, which task to start or stop and what becomes of the primary deployment. No
//! I/O and no clock: [`super::reconcile`] gathers the state and carries the decision out.

use super::state::{RolloutState, ServiceState};

/// The service's deployment configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Of the desired count, the percentage that must stay healthy during a deployment.
    pub minimum_healthy_percent: i32,
    /// Of the desired count, the percentage that may run at once during a deployment.
    pub maximum_percent: i32,
    /// The deployment circuit breaker: fail a deployment whose tasks keep failing…
    pub circuit_breaker: bool,
    /// … and then roll back to the last completed deployment's task definition.
    pub rollback: bool,
}

impl Default for Limits {
    /// ECS's defaults, with the circuit breaker the stack's Terraform sets (enabled, with
    /// rollback).
    fn default() -> Self {
        Limits {
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            circuit_breaker: true,
            rollback: true,
        }
    }
}

/// Why a task is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Its deployment is no longer the primary one.
    Replaced,
    /// The service runs more tasks than it wants.
    ScaleIn,
    /// The circuit breaker rolls the service back.
    RollBack,
}

impl Stop {
    /// The stopped reason StopTask records, `primary` being the primary deployment's id.
    pub fn reason(self, primary: &str) -> String {
        match self {
            Stop::Replaced => format!("Scaling activity initiated by (deployment {primary})"),
            Stop::ScaleIn => "Scaling activity initiated by (service scale-in)".into(),
            Stop::RollBack => "Deployment circuit breaker: rolling back".into(),
        }
    }
}

/// What becomes of the primary deployment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changes.
    #[default]
    Unchanged,
    /// Every desired task of it is ready and no older task is left.
    Completed,
    /// The circuit breaker tripped, or the deployment alarm `alarm` went to ALARM; with
    /// `rollback_to`, a new deployment of that task definition (the last completed one) follows.
    Failed {
        rollback_to: Option<String>,
        alarm: Option<String>,
    },
}

/// What [`decide`] says to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Start one task of the primary deployment.
    pub start: bool,
    /// The tasks to stop (by ARN), in this order, and why.
    pub stop: Vec<(String, Stop)>,
    pub outcome: Outcome,
}

/// How many failed tasks trip the circuit breaker: half the desired count, 3 to 200.
pub fn failure_threshold(desired: usize) -> u32 {
    (desired as u32).div_ceil(2).clamp(3, 200)
}

/// The next step of the service's rollout; `None` when it has no primary deployment.
///
/// The circuit breaker comes first: when it trips, the primary deployment fails and, with
/// rollback and a completed deployment to go back to, every task is stopped. Otherwise one task
/// of the primary deployment starts while it has fewer than the desired count and the total is
/// under maximum percent; one task of an older deployment stops when the healthy count stays
/// at minimum healthy percent (or above), else one surplus primary task stops (scale in); and
/// the deployment completes when its desired tasks are all ready and nothing else runs.
pub fn decide(state: &ServiceState, limits: Limits) -> Option<Decision> {
    let primary = state.primary()?;
    let desired = state.desired.max(0) as usize;
    let in_progress = primary.rollout_state == RolloutState::InProgress;
    if limits.circuit_breaker && in_progress && primary.failed_tasks >= failure_threshold(desired) {
        return Some(fail(state, limits.rollback, None));
    }
    let max_total = (desired * limits.maximum_percent.max(100) as usize / 100)
        .max(desired + usize::from(desired == 0));
    let min_healthy = (desired * limits.minimum_healthy_percent.max(0) as usize).div_ceil(100);
    let total = state.tasks.len();
    let ours = |t: &&super::state::Task| t.deployment == primary.id;
    let primary_tasks = state.tasks.iter().filter(ours).count();
    let healthy = state.running();
    let primary_ready = state.tasks.iter().filter(ours).filter(|t| t.ready).count();

    let mut decision = Decision {
        start: primary_tasks < desired && total < max_total.max(1),
        ..Decision::default()
    };
    // Stop an old task when the healthy count allows.
    if let Some(old) = state.tasks.iter().find(|t| t.deployment != primary.id) {
        let allowed = healthy > min_healthy
            || (primary_ready > 0 && healthy >= min_healthy && total > desired);
        if allowed || desired == 0 {
            decision.stop.push((old.arn.clone(), Stop::Replaced));
        }
    } else if primary_tasks > desired {
        let last = state.tasks.last().expect("more tasks than desired");
        decision.stop.push((last.arn.clone(), Stop::ScaleIn));
    }
    let no_old = primary_tasks == total && decision.stop.is_empty();
    if no_old && primary_ready == desired && in_progress {
        decision.outcome = Outcome::Completed;
    }
    Some(decision)
}

/// The primary deployment fails (the circuit breaker, or the deployment alarm `alarm`); with
/// `rollback` and a completed deployment to go back to, every task is stopped.
pub fn fail(state: &ServiceState, rollback: bool, alarm: Option<String>) -> Decision {
    let rollback_to = state.last_completed.clone().filter(|_| rollback);
    let stop = match rollback_to {
        Some(_) => (state.tasks.iter().rev())
            .map(|t| (t.arn.clone(), Stop::RollBack))
            .collect(),
        None => Vec::new(),
    };
    Decision {
        start: false,
        stop,
        outcome: Outcome::Failed { rollback_to, alarm },
    }
}

#[cfg(test)]
#[path = "rollout_tests.rs"]
mod tests;
