//! The rollout decision, case by case: a service with deployment `new` (the primary) and, in
//! a rolling deployment, `old`; tasks named after their deployment.

use super::*;
use crate::agent::ecs::state::{Deployment, DeploymentStatus, Task};
use RolloutState::{Completed, Failed, InProgress};

/// A task of the table: its ARN (`old1`, `new2`: the deployment is the name without its
/// digit) and whether it passed its readiness probe.
type T = (&'static str, bool);

struct Case {
    name: &'static str,
    desired: i32,
    limits: Limits,
    /// The primary deployment's rollout state and failed tasks.
    primary: (RolloutState, u32),
    tasks: &'static [T],
    last_completed: Option<&'static str>,
    start: bool,
    stop: &'static [(&'static str, Stop)],
    outcome: Outcome,
}

fn deployment(id: &str, status: DeploymentStatus, state: RolloutState, failed: u32) -> Deployment {
    Deployment {
        id: id.into(),
        status,
        task_definition: format!("td:{id}"),
        rollout_state: state,
        rollout_reason: String::new(),
        failed_tasks: failed,
        created_at: 0.0,
        updated_at: 0.0,
    }
}

fn service(case: &Case) -> ServiceState {
    let (state, failed) = case.primary;
    let mut deployments = vec![deployment("new", DeploymentStatus::Primary, state, failed)];
    if case.tasks.iter().any(|(arn, _)| arn.starts_with("old")) {
        deployments.push(deployment("old", DeploymentStatus::Active, Completed, 0));
    }
    ServiceState {
        desired: case.desired,
        deployments,
        tasks: (case.tasks.iter())
            .map(|&(arn, ready)| Task {
                arn: arn.into(),
                deployment: arn.trim_end_matches(char::is_numeric).into(),
                ready,
                ..Task::default()
            })
            .collect(),
        last_completed: case.last_completed.map(str::to_owned),
        ..ServiceState::default()
    }
}

const DEFAULT: Limits = Limits {
    minimum_healthy_percent: 100,
    maximum_percent: 200,
    circuit_breaker: true,
    rollback: true,
};

fn limits(minimum_healthy_percent: i32, maximum_percent: i32) -> Limits {
    Limits {
        minimum_healthy_percent,
        maximum_percent,
        ..DEFAULT
    }
}

fn failed(rollback_to: Option<&str>) -> Outcome {
    Outcome::Failed {
        rollback_to: rollback_to.map(str::to_owned),
        alarm: None,
    }
}

#[test]
fn the_decision_follows_the_deployment_configuration() {
    use Outcome::Unchanged;
    use Stop::{Replaced, RollBack, ScaleIn};
    let no_breaker = Limits {
        circuit_breaker: false,
        ..DEFAULT
    };
    let no_rollback = Limits {
        rollback: false,
        ..DEFAULT
    };
    #[rustfmt::skip]
    let cases = [
        // Rolling deployment: minimum healthy and maximum percent.
        Case { name: "rolling: a new task starts beside the old ones, under maximum percent", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", true), ("old2", true)], last_completed: None, start: true, stop: &[], outcome: Unchanged },
        Case { name: "rolling: maximum percent caps the tasks running at once", desired: 2, limits: limits(100, 150), primary: (InProgress, 0), tasks: &[("old1", true), ("old2", true), ("new1", false)], last_completed: None, start: false, stop: &[], outcome: Unchanged },
        Case { name: "rolling: a ready new task lets an old one stop at 100 % minimum healthy", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", true), ("old2", true), ("new1", true)], last_completed: None, start: true, stop: &[("old1", Replaced)], outcome: Unchanged },
        Case { name: "rolling: healthy at the minimum, a new task ready and a surplus: an old one stops", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", true), ("new1", true), ("new2", false)], last_completed: None, start: false, stop: &[("old1", Replaced)], outcome: Unchanged },
        Case { name: "rolling: 50 % minimum healthy stops an old task before any new one runs", desired: 2, limits: limits(50, 100), primary: (InProgress, 0), tasks: &[("old1", true), ("old2", true)], last_completed: None, start: false, stop: &[("old1", Replaced)], outcome: Unchanged },
        Case { name: "rolling: 100 % minimum healthy and 100 % maximum allow no step", desired: 2, limits: limits(100, 100), primary: (InProgress, 0), tasks: &[("old1", true), ("old2", true)], last_completed: None, start: false, stop: &[], outcome: Unchanged },
        Case { name: "rolling: an unready old task does not count as healthy", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", true), ("old2", false), ("new1", false)], last_completed: None, start: true, stop: &[], outcome: Unchanged },
        Case { name: "rolling: the last old task stops once the new ones are ready", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old2", true), ("new1", true), ("new2", true)], last_completed: None, start: false, stop: &[("old2", Replaced)], outcome: Unchanged },
        // Scaling.
        Case { name: "scale out: a task starts while fewer than desired run", desired: 3, limits: DEFAULT, primary: (Completed, 0), tasks: &[("new1", true), ("new2", true)], last_completed: Some("td:new"), start: true, stop: &[], outcome: Unchanged },
        Case { name: "scale out from nothing", desired: 1, limits: DEFAULT, primary: (InProgress, 0), tasks: &[], last_completed: None, start: true, stop: &[], outcome: Unchanged },
        Case { name: "scale in: the newest surplus task stops", desired: 1, limits: DEFAULT, primary: (Completed, 0), tasks: &[("new1", true), ("new2", true)], last_completed: Some("td:new"), start: false, stop: &[("new2", ScaleIn)], outcome: Unchanged },
        Case { name: "scale in to zero stops an old task even when none is healthy", desired: 0, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", false)], last_completed: None, start: false, stop: &[("old1", Replaced)], outcome: Unchanged },
        Case { name: "scale in to zero completes once nothing runs", desired: 0, limits: DEFAULT, primary: (InProgress, 0), tasks: &[], last_completed: None, start: false, stop: &[], outcome: Outcome::Completed },
        // Completion.
        Case { name: "completed: every desired task ready and no old one left", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("new1", true), ("new2", true)], last_completed: None, start: false, stop: &[], outcome: Outcome::Completed },
        Case { name: "not completed while a new task is not ready", desired: 2, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("new1", true), ("new2", false)], last_completed: None, start: false, stop: &[], outcome: Unchanged },
        Case { name: "not completed while the last old task stops: that comes first", desired: 1, limits: DEFAULT, primary: (InProgress, 0), tasks: &[("old1", false), ("new1", true)], last_completed: None, start: false, stop: &[("old1", Replaced)], outcome: Unchanged },
        Case { name: "not completed while an old task runs (200 % minimum healthy keeps it)", desired: 1, limits: limits(200, 200), primary: (InProgress, 0), tasks: &[("old1", false), ("new1", true)], last_completed: None, start: false, stop: &[], outcome: Unchanged },
        Case { name: "a completed deployment does not complete again", desired: 1, limits: DEFAULT, primary: (Completed, 0), tasks: &[("new1", true)], last_completed: Some("td:new"), start: false, stop: &[], outcome: Unchanged },
        // The circuit breaker (3 failed tasks for up to 6 desired).
        Case { name: "circuit breaker: trips and rolls back, stopping every task, newest first", desired: 2, limits: DEFAULT, primary: (InProgress, 3), tasks: &[("old1", true), ("old2", true), ("new1", false)], last_completed: Some("td:old"), start: false, stop: &[("new1", RollBack), ("old2", RollBack), ("old1", RollBack)], outcome: failed(Some("td:old")) },
        Case { name: "circuit breaker without rollback: fails, stops nothing", desired: 2, limits: no_rollback, primary: (InProgress, 3), tasks: &[("old1", true), ("new1", false)], last_completed: Some("td:old"), start: false, stop: &[], outcome: failed(None) },
        Case { name: "circuit breaker with no completed deployment to go back to", desired: 1, limits: DEFAULT, primary: (InProgress, 4), tasks: &[], last_completed: None, start: false, stop: &[], outcome: failed(None) },
        Case { name: "circuit breaker: below the threshold the deployment goes on", desired: 2, limits: DEFAULT, primary: (InProgress, 2), tasks: &[("old1", true), ("old2", true)], last_completed: Some("td:old"), start: true, stop: &[], outcome: Unchanged },
        Case { name: "circuit breaker switched off: the deployment goes on", desired: 2, limits: no_breaker, primary: (InProgress, 9), tasks: &[("old1", true), ("old2", true)], last_completed: Some("td:old"), start: true, stop: &[], outcome: Unchanged },
        Case { name: "a failed deployment does not fail again and keeps its tasks up", desired: 2, limits: DEFAULT, primary: (Failed, 9), tasks: &[("new1", false)], last_completed: None, start: true, stop: &[], outcome: Unchanged },
    ];
    for case in &cases {
        let expected = Decision {
            start: case.start,
            stop: (case.stop.iter())
                .map(|&(arn, why)| (arn.to_owned(), why))
                .collect(),
            outcome: case.outcome.clone(),
        };
        assert_eq!(
            decide(&service(case), case.limits),
            Some(expected),
            "{}",
            case.name
        );
    }
}

#[test]
fn the_circuit_breaker_threshold_is_half_the_desired_count_from_3_to_200() {
    for (desired, threshold) in [
        (0, 3),
        (1, 3),
        (6, 3),
        (7, 4),
        (10, 5),
        (400, 200),
        (1000, 200),
    ] {
        assert_eq!(failure_threshold(desired), threshold, "desired {desired}");
    }
}

#[test]
fn no_primary_deployment_no_decision() {
    assert_eq!(decide(&ServiceState::default(), DEFAULT), None);
}

#[test]
fn stop_reasons_are_ecs_s() {
    assert_eq!(
        Stop::Replaced.reason("ecs-svc/1"),
        "Scaling activity initiated by (deployment ecs-svc/1)"
    );
    assert_eq!(
        Stop::ScaleIn.reason("ecs-svc/1"),
        "Scaling activity initiated by (service scale-in)"
    );
    assert_eq!(
        Stop::RollBack.reason("ecs-svc/1"),
        "Deployment circuit breaker: rolling back"
    );
}

#[test]
fn a_deployment_alarm_fails_the_deployment_and_rolls_back_only_when_asked() {
    let case = Case {
        name: "alarm",
        desired: 1,
        limits: DEFAULT,
        primary: (InProgress, 0),
        tasks: &[("old1", true), ("new1", false)],
        last_completed: Some("td:old"),
        start: false,
        stop: &[],
        outcome: Outcome::Unchanged,
    };
    let state = service(&case);
    let rolled = fail(&state, true, Some("guard".into()));
    assert_eq!(
        rolled.outcome,
        Outcome::Failed {
            rollback_to: Some("td:old".into()),
            alarm: Some("guard".into()),
        },
        "{}",
        case.name
    );
    assert_eq!(rolled.stop.len(), 2, "every task stops for the rollback");
    let failed_only = fail(&state, false, Some("guard".into()));
    assert!(failed_only.stop.is_empty());
    assert_eq!(
        failed_only.outcome,
        Outcome::Failed {
            rollback_to: None,
            alarm: Some("guard".into()),
        }
    );
}
