//! The warning rules on plain series: each fires on its condition and on nothing else — a healthy
//! busy queue, an idle empty one, missing points and empty series stay quiet.

use super::dashboard::{Metrics, Series, Target, QUEUE_DELETED, QUEUE_DEPTH, QUEUE_RECEIVED};
use super::ecs::Rollout;
use super::health::{Deployment, QueueHealth, ServiceEvent, ServiceHealth, Snapshot, Verdict};
use super::warnings::*;
use std::collections::BTreeMap;

const NOW: i64 = 1_800_000_000;

/// Minute points ending at the minute before NOW, oldest first.
fn minutes(values: &[f64]) -> Series {
    let n = values.len() as i64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (NOW - 60 * (n - i as i64), *v))
        .collect()
}

fn queue(depth: &[f64], received: &[f64], deleted: &[f64]) -> WarningInput {
    WarningInput {
        queue: "courier-local-work".into(),
        depth: minutes(depth),
        received: minutes(received),
        deleted: minutes(deleted),
        now: NOW,
        ..Default::default()
    }
}

fn codes(input: &WarningInput) -> Vec<&'static str> {
    warnings(input, &Thresholds::default())
        .iter()
        .map(|w| w.code)
        .collect()
}

#[test]
fn not_consumed_fires_on_a_stall_and_on_nothing_else() {
    let zeros = [0.0; 6];
    let busy = [40.0, 55.0, 38.0, 61.0, 70.0, 52.0];
    let table: [(&str, WarningInput, bool); 8] = [
        (
            "healthy busy queue: depth high and rising, but messages consumed",
            queue(
                &[900.0, 1000.0, 1100.0, 1200.0, 1300.0, 1400.0],
                &busy,
                &busy,
            ),
            false,
        ),
        ("idle empty queue", queue(&zeros, &zeros, &zeros), false),
        (
            "stall: +5/s, nothing received or deleted",
            queue(&[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0], &zeros, &zeros),
            true,
        ),
        (
            "a rise of only two minutes",
            queue(&[0.0, 0.0, 0.0, 0.0, 300.0, 600.0], &zeros, &zeros),
            false,
        ),
        (
            "received but never deleted is still consumption",
            queue(&[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0], &busy, &zeros),
            false,
        ),
        ("empty series", queue(&[], &[], &[]), false),
        (
            "no consumption points at all: unknown, not zero",
            queue(&[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0], &[], &[]),
            false,
        ),
        (
            "falling depth with nothing consumed (purged)",
            queue(&[1500.0, 1200.0, 900.0, 600.0, 300.0, 0.0], &zeros, &zeros),
            false,
        ),
    ];
    for (what, input, fires) in table {
        let got = queue_not_consumed(&input, &Thresholds::default());
        assert_eq!(got.is_some(), fires, "{what}: {got:?}");
    }
}

#[test]
fn a_stall_names_the_queue_the_rate_and_the_minutes() {
    let zeros = [0.0; 6];
    let mut input = queue(&[0.0, 0.0, 0.0, 300.0, 600.0, 900.0], &zeros, &zeros);
    let w = queue_not_consumed(&input, &Thresholds::default()).unwrap();
    assert_eq!(
        w.message,
        "courier-local-work +5/s, nothing consumed for 4 min"
    );
    assert_eq!(
        w.since,
        Some(NOW - 4 * 60),
        "the last flat point: the rise began there"
    );
    input.depth = minutes(&[0.0, 0.0, 0.0, 3.0, 6.0, 9.0]);
    let w = queue_not_consumed(&input, &Thresholds::default()).unwrap();
    assert!(w.message.contains("+3/min"), "{}", w.message);
}

#[test]
fn a_gap_in_the_points_ends_the_run() {
    let zeros = [0.0; 6];
    let mut input = queue(&[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0], &zeros, &zeros);
    input.received.remove(3);
    assert!(queue_not_consumed(&input, &Thresholds::default()).is_none());
    // The newest minute's consumption not published yet: judged on the minutes before it.
    let mut input = queue(&[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0], &zeros, &zeros);
    input.deleted.pop();
    assert!(queue_not_consumed(&input, &Thresholds::default()).is_some());
}

#[test]
fn age_rising_needs_a_steady_rise_and_an_old_message() {
    let t = Thresholds::default();
    let with_age = |values: &[f64]| WarningInput {
        queue: "q".into(),
        age: minutes(values),
        now: NOW,
        ..Default::default()
    };
    let stall = with_age(&[0.0, 60.0, 120.0, 180.0, 240.0]);
    let w = queue_age_rising(&stall, &t).unwrap();
    assert_eq!(w.message, "q: oldest message 4 min old and rising");
    assert_eq!(w.since, Some(NOW - 5 * 60));
    for (what, values) in [
        (
            "busy queue: young and jittering",
            &[2.0, 3.0, 4.0, 5.0, 6.0][..],
        ),
        ("old but steady", &[420.0, 420.0, 420.0, 420.0]),
        ("rising, then drained", &[100.0, 160.0, 220.0, 280.0, 5.0]),
        ("too short a rise", &[300.0, 360.0, 420.0]),
        ("empty", &[]),
    ] {
        assert!(queue_age_rising(&with_age(values), &t).is_none(), "{what}");
    }
}

#[test]
fn restarts_count_stops_in_the_window_outside_rollouts() {
    let t = Thresholds::default();
    let event = |ago: i64, message: &str| ServiceEvent {
        at: Some(NOW - ago),
        message: message.into(),
    };
    let mut service = ServiceHealth {
        service: "courier".into(),
        events: vec![
            event(
                60,
                "(service courier) has stopped 2 running tasks: (task a) (task b).",
            ),
            event(200, "(service courier) has reached a steady state."),
            event(300, "has stopped 1 running tasks: (task c)."),
            event(1200, "has stopped 1 running tasks: (task d)."),
        ],
        ..Default::default()
    };
    let stops = task_stops(&service);
    assert_eq!(stops.len(), 4);
    let input = WarningInput {
        service: "courier".into(),
        task_stops: stops,
        now: NOW,
        ..Default::default()
    };
    let w = tasks_restarting(&input, &t).unwrap();
    assert_eq!(
        w.message,
        "service courier: 3 tasks stopped in the last 10 min"
    );
    assert_eq!(w.since, Some(NOW - 300));

    // A rollout replaces tasks: its stops are not restarts.
    service.deployments.push(Deployment {
        id: "ecs-svc/1".into(),
        created: Some(NOW - 400),
        rollout_state: Rollout::Completed,
        ..Default::default()
    });
    service.events.insert(
        1,
        event(
            100,
            "(service courier) (deployment ecs-svc/1) deployment completed.",
        ),
    );
    assert_eq!(task_stops(&service), vec![NOW - 60, NOW - 60, NOW - 1200]);
    service.events.remove(1);
    assert_eq!(
        task_stops(&service).len(),
        4,
        "completed long ago: its event is gone"
    );
    service.deployments[0].rollout_state = Rollout::InProgress;
    assert_eq!(task_stops(&service), vec![NOW - 1200], "still rolling");
    assert!(tasks_restarting(
        &WarningInput {
            task_stops: vec![NOW - 30],
            now: NOW,
            ..Default::default()
        },
        &t
    )
    .is_none());
}

#[test]
fn unhealthy_targets_are_named() {
    let target = |state: &str, reason: &str| Target {
        id: "127.0.0.1".into(),
        port: Some(5678),
        state: state.into(),
        reason: reason.into(),
    };
    let mut input = WarningInput {
        target_group: "courier-local".into(),
        targets: vec![target("healthy", ""), target("initial", "")],
        ..Default::default()
    };
    assert!(codes(&input).is_empty());
    input
        .targets
        .push(target("unhealthy", "Target.FailedHealthChecks"));
    let w = targets_unhealthy(&input, &Thresholds::default()).unwrap();
    assert_eq!(
        w.message,
        "target group courier-local: 1 of 3 targets unhealthy (Target.FailedHealthChecks)"
    );
}

#[test]
fn the_input_comes_from_a_refresh_and_warnings_degrade_the_verdict() {
    let zeros = minutes(&[0.0; 5]);
    let mut metrics = Metrics::new();
    metrics.insert(
        QUEUE_DEPTH.into(),
        minutes(&[0.0, 100.0, 200.0, 300.0, 400.0]),
    );
    metrics.insert(QUEUE_RECEIVED.into(), zeros.clone());
    metrics.insert(QUEUE_DELETED.into(), zeros);
    let health = Snapshot {
        stack: "s".into(),
        service: Ok(ServiceHealth::default()),
        queue: Ok(QueueHealth {
            name: "work".into(),
            ..Default::default()
        }),
        alarms: Ok(Vec::new()),
        more: Default::default(),
    };
    let arn = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/courier-local/0123";
    let input = WarningInput::from_parts(&health, &metrics, None, arn, NOW);
    assert_eq!(input.target_group, "courier-local");
    let found = warnings(&input, &Thresholds::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.starts_with("work +1.7/s"), "{found:?}");
    let Verdict::Degraded(reasons) = degrade(Verdict::Healthy, &found) else {
        panic!("a warning degrades")
    };
    assert!(reasons[0].starts_with("WARNING: work"), "{reasons:?}");
    assert_eq!(degrade(Verdict::Healthy, &[]), Verdict::Healthy);
    let error = Verdict::Error(vec!["queue: throttled".into()]);
    assert_eq!(degrade(error.clone(), &found), error);
}

#[test]
fn thresholds_take_overrides_and_name_unknown_keys() {
    let mut overrides = BTreeMap::new();
    overrides.insert("age_seconds".to_owned(), 300);
    let t = Thresholds::with_overrides(&overrides).unwrap();
    assert_eq!(t.age_seconds, 300);
    assert_eq!(t.not_consumed_minutes, 3);
    overrides.insert("age_secs".to_owned(), 1);
    let err = Thresholds::with_overrides(&overrides).unwrap_err();
    assert!(
        err.contains("`age_secs`") && err.contains("age_seconds"),
        "{err}"
    );
}
