use super::*;
use crate::model::dashboard::LogLine;

const NOW: i64 = 1_795_000_000;
const TD7: &str = "arn:aws:ecs:us-east-1:000000000000:task-definition/courier:7";
const TD8: &str = "arn:aws:ecs:us-east-1:000000000000:task-definition/courier:8";

fn dep(id: &str, td: &str, state: Rollout, created: i64, updated: i64, reason: &str) -> Deployment {
    Deployment {
        id: id.into(),
        status: "PRIMARY".into(),
        task_definition: td.into(),
        rollout_state: state,
        rollout_reason: reason.into(),
        created: Some(created),
        updated: Some(updated),
        ..Default::default()
    }
}

fn event(at: i64, message: &str) -> ServiceEvent {
    ServiceEvent {
        at: Some(at),
        message: message.into(),
    }
}

fn kinds(entries: &[Entry]) -> Vec<Kind> {
    entries.iter().map(|e| e.kind.clone()).collect()
}

#[test]
fn deployments_start_and_end_as_their_rollout_says() {
    let breaker = "ECS deployment circuit breaker: tasks failed to start.";
    let rollback_event = event(NOW - 50, "(service s) (deployment ecs-svc/3) rolling back to the previous task definition courier:7.");
    let cases: [(&str, Deployment, &[ServiceEvent], Vec<Kind>); 5] = [
        (
            "in progress: only started",
            dep(
                "ecs-svc/1",
                TD8,
                Rollout::InProgress,
                NOW - 100,
                NOW - 90,
                "",
            ),
            &[],
            vec![Kind::DeploymentStarted],
        ),
        (
            "completed",
            dep(
                "ecs-svc/1",
                TD8,
                Rollout::Completed,
                NOW - 100,
                NOW - 10,
                "",
            ),
            &[],
            vec![Kind::DeploymentStarted, Kind::DeploymentCompleted],
        ),
        (
            "failed, no rollback",
            dep(
                "ecs-svc/2",
                TD8,
                Rollout::Failed,
                NOW - 100,
                NOW - 10,
                breaker,
            ),
            &[],
            vec![Kind::DeploymentStarted, Kind::DeploymentFailed],
        ),
        (
            "failed, an event says rolling back",
            dep(
                "ecs-svc/3",
                TD8,
                Rollout::Failed,
                NOW - 100,
                NOW - 50,
                breaker,
            ),
            std::slice::from_ref(&rollback_event),
            vec![Kind::DeploymentStarted, Kind::DeploymentRolledBack],
        ),
        (
            "failed, its reason says rolling back",
            dep(
                "ecs-svc/4",
                TD8,
                Rollout::Failed,
                NOW - 100,
                NOW - 50,
                "Deployment circuit breaker: rolling back",
            ),
            &[],
            vec![Kind::DeploymentStarted, Kind::DeploymentRolledBack],
        ),
    ];
    for (name, d, events, want) in cases {
        let got = deployments(std::slice::from_ref(&d), events, &Diffs::new());
        assert_eq!(kinds(&got), want, "{name}");
        assert_eq!(got[0].at, NOW - 100, "{name}");
        assert!(
            got[0].title.contains("courier:8"),
            "{name}: {}",
            got[0].title
        );
        if let Some(end) = got.get(1) {
            assert_eq!(end.at, d.updated.unwrap(), "{name}");
        }
    }
    let mut unknown = dep("ecs-svc/5", TD8, Rollout::Completed, NOW, NOW, "");
    unknown.created = None;
    unknown.updated = None;
    assert!(deployments(&[unknown], &[], &Diffs::new()).is_empty());
}

#[test]
fn a_deployment_start_shows_its_diff_from_the_one_before() {
    let old = dep(
        "ecs-svc/1",
        TD7,
        Rollout::Completed,
        NOW - 3600,
        NOW - 3500,
        "",
    );
    let new = dep(
        "ecs-svc/2",
        TD8,
        Rollout::InProgress,
        NOW - 60,
        NOW - 60,
        "",
    );
    assert_eq!(
        diff_base(&new, &[new.clone(), old.clone()]).as_deref(),
        Some(TD7)
    );
    assert_eq!(
        diff_base(&new, std::slice::from_ref(&new)).as_deref(),
        Some("courier:7")
    );
    let first = dep("ecs-svc/0", "courier:1", Rollout::Completed, NOW, NOW, "");
    assert_eq!(diff_base(&first, &[]), None);
    let diffs: Diffs = [(
        TD8.to_owned(),
        vec!["courier image: courier:7 → courier:8".to_owned()],
    )]
    .into();
    let entries = deployments(&[new, old], &[], &diffs);
    let start = entries
        .iter()
        .find(|e| e.subject.as_deref() == Some("ecs-svc/2"))
        .unwrap();
    assert!(
        start.detail.contains(&"changes from courier:7:".to_owned()),
        "{:?}",
        start.detail
    );
    assert!(start
        .detail
        .contains(&"  courier image: courier:7 → courier:8".to_owned()));
}

#[test]
fn events_stops_alarms_and_operators_become_rows() {
    let events = service_events(&[
        event(
            NOW - 5,
            "(service courier-local-courier) has reached a steady state.",
        ),
        ServiceEvent {
            at: None,
            message: "undated".into(),
        },
    ]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].title, "has reached a steady state.");

    let stopped = Task {
        id: "abc".into(),
        last_status: "STOPPED".into(),
        stopped: Some(NOW - 30),
        stopped_reason: "Essential container in task exited".into(),
        ..Default::default()
    };
    let running = Task {
        id: "def".into(),
        ..Default::default()
    };
    let stops = task_stops(&[stopped, running]);
    assert_eq!(stops.len(), 1);
    assert_eq!(
        stops[0].title,
        "task abc stopped: Essential container in task exited"
    );

    let alarms = alarm_transitions(&[AlarmTransition {
        alarm: "courier-local-queue-depth".into(),
        at: NOW - 20,
        from: "OK".into(),
        to: "ALARM".into(),
        reason: "Threshold Crossed".into(),
    }]);
    assert_eq!(
        alarms[0].kind,
        Kind::Alarm {
            to_state: "ALARM".into()
        }
    );
    assert_eq!(
        alarms[0].title,
        "alarm courier-local-queue-depth: OK → ALARM"
    );

    let record = |stack: &str| Record {
        time: String::new(),
        unix: NOW - 40,
        user: "arn:aws:sts::1:assumed-role/oncall/alice".into(),
        profile: "default".into(),
        region: "us-east-1".into(),
        stack: stack.into(),
        action: "redeploy".into(),
        target: "svc".into(),
        parameters: serde_json::json!({}),
        result: "ok".into(),
        error: None,
    };
    let ops = operator_actions(&[record("courier-local"), record("other")], "courier-local");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].title, "redeploy by alice: ok");
}

fn minutes(counts: &[(i64, u32)]) -> BTreeMap<i64, u32> {
    counts
        .iter()
        .map(|(m, n)| (NOW / 60 * 60 + m * 60, *n))
        .collect()
}

#[test]
fn an_error_spike_is_a_minute_well_above_the_quarter_hour_before() {
    let since = NOW / 60 * 60;
    let steady: Vec<(i64, u32)> = (0..16).map(|m| (m, 4)).collect();
    // (what, minute → errors, the spikes' minutes)
    type Case = (&'static str, Vec<(i64, u32)>, Vec<i64>);
    let cases: Vec<Case> = vec![
        ("nothing", vec![], vec![]),
        (
            "the window's first minute is not judged",
            vec![(0, 50)],
            vec![],
        ),
        ("five from silence is a spike", vec![(3, 5)], vec![3]),
        ("four from silence is not", vec![(3, 4)], vec![]),
        ("a steady rate is not", steady.clone(), vec![]),
        (
            "three times the steady rate is",
            [steady.clone(), vec![(16, 12)]].concat(),
            vec![16],
        ),
        (
            "just under three times is not",
            [steady, vec![(16, 11)]].concat(),
            vec![],
        ),
        (
            "consecutive minutes make one spike",
            vec![(1, 2), (2, 20), (3, 40)],
            vec![2],
        ),
        ("two apart make two", vec![(2, 9), (6, 9)], vec![2, 6]),
        // The baseline is the previous 15 minutes only: an old burst is forgotten.
        (
            "an old burst ages out",
            vec![(1, 100), (17, 10)],
            vec![1, 17],
        ),
    ];
    for (name, counts, want) in cases {
        let got = error_spikes(&minutes(&counts), since);
        let at: Vec<i64> = got.iter().map(|e| (e.at - since) / 60).collect();
        assert_eq!(at, want, "{name}: {got:?}");
    }
    let run = error_spikes(&minutes(&[(1, 2), (2, 20), (3, 40)]), since);
    assert_eq!(
        run[0].title,
        "error spike for 2 min: 40 errors/min (the quarter hour before: 1.0/min)"
    );
}

#[test]
fn errors_are_counted_per_minute_by_level() {
    let line = |at_ms: i64, message: &str| LogLine {
        id: at_ms.to_string(),
        at_ms,
        stream: "s".into(),
        message: message.into(),
    };
    let lines = [
        line(60_000, r#"{"level":"ERROR"}"#),
        line(119_999, "ERROR boom"),
        line(120_000, "INFO fine"),
        line(125_000, "error again"),
    ];
    assert_eq!(
        errors_per_minute(lines.iter().map(|l| (l.at_ms, l.level()))),
        [(60, 2), (120, 1)].into()
    );
}

#[test]
fn merge_sorts_stably_and_drops_events_that_repeat_a_deployment() {
    let d = dep(
        "ecs-svc/2",
        TD8,
        Rollout::Completed,
        NOW - 300,
        NOW - 100,
        "",
    );
    let events = [
        event(
            NOW - 99,
            "(service s) (deployment ecs-svc/2) deployment completed.",
        ),
        event(NOW - 98, "(service s) has reached a steady state."),
        // Another deployment's completion is not a repeat of this one's.
        event(
            NOW - 97,
            "(service s) (deployment ecs-svc/9) deployment completed.",
        ),
        // Too far from the deployment entry to be obviously the same.
        event(
            NOW - 1000,
            "(service s) (deployment ecs-svc/2) deployment completed.",
        ),
    ];
    let merged = merge([
        service_events(&events),
        deployments(&[d], &events, &Diffs::new()),
        vec![
            warning(NOW - 300, "W1", "first"),
            warning(NOW - 300, "W2", "second"),
        ],
    ]);
    let titles: Vec<&str> = merged.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "(deployment ecs-svc/2) deployment completed.",
            "courier:8 started (deployment ecs-svc/2)",
            "first",
            "second",
            "courier:8 completed (deployment ecs-svc/2)",
            "has reached a steady state.",
            "(deployment ecs-svc/9) deployment completed.",
        ]
    );
}

fn sample() -> Vec<Entry> {
    let d = dep(
        "ecs-svc/2",
        TD8,
        Rollout::Failed,
        NOW - 1800,
        NOW - 1500,
        "ECS deployment circuit breaker: tasks failed to start.",
    );
    let events = [event(NOW - 1500, "(service s) (deployment ecs-svc/2) rolling back to the previous task definition courier:7.")];
    let diffs: Diffs = [(TD8.to_owned(), vec!["courier env MODE: a → b|c".to_owned()])].into();
    merge([
        deployments(&[d], &events, &diffs),
        service_events(&events),
        alarm_transitions(&[AlarmTransition {
            alarm: "courier-local-queue-depth".into(),
            at: NOW - 1600,
            from: "OK".into(),
            to: "ALARM".into(),
            reason:
                "Threshold Crossed: 1 datapoint [250.0] was greater than the threshold (100.0)."
                    .into(),
        }]),
        error_spikes(&minutes(&[(-40, 1), (-27, 30)]), NOW - 3600),
    ])
}

#[test]
fn text_has_relative_and_absolute_times() {
    let text = to_text(&sample(), NOW);
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("30 min ago") && first.contains("2026-11-18 "),
        "{text}"
    );
    assert!(first.contains("deploy started"), "{text}");
    assert!(text.contains("deploy ROLLED BACK"), "{text}");
    assert!(
        !text.contains("rolling back to the previous"),
        "the repeating event is dropped: {text}"
    );
    assert_eq!(to_text(&[], NOW), "nothing happened in the window\n");
}

#[test]
fn markdown_is_a_postmortem_table() {
    insta::assert_snapshot!("timeline_markdown", to_markdown(&sample(), NOW));
}

#[test]
fn json_has_the_kind_and_an_rfc3339_time() {
    let json = to_json(&sample());
    let alarm = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "alarm")
        .unwrap();
    assert_eq!(alarm["to_state"], "ALARM");
    assert_eq!(alarm["at"], NOW - 1600);
    assert!(alarm["time"].as_str().unwrap().ends_with('Z'), "{alarm}");
    assert_eq!(alarm["subject"], "courier-local-queue-depth");
}
