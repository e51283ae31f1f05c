//! The timeline overlay with plain values: `t` and `:timeline` open it over what the state holds,
//! the runner's answer merges in, the keys select, show the detail and close. `incident()` is the
//! state the view's snapshots draw too.

use super::fixtures::{self, command, key, state_with, NOW};
use super::keys::Key;
use super::ops::Dialog;
use super::timeline::{TimelineView, TIMELINE_SECONDS};
use super::*;
use crate::model::audit::Record;
use crate::model::dashboard::LogLine;
use crate::model::logs::TailEvent;
use crate::model::timeline::{AlarmTransition, Kind, Loaded};

/// A failed deployment, rolled back, with an error burst in the logs.
pub fn incident() -> State {
    let mut data = fixtures::failing_deployment();
    if let Ok(s) = data.health.service.as_mut() {
        s.deployments[0].updated = Some(NOW - 60);
        s.deployments[1].updated = Some(NOW - 3 * 3600 + 300);
        s.events.insert(
            0,
            crate::model::health::ServiceEvent {
                at: Some(NOW - 59),
                message: "(service courier-local-courier) (deployment ecs-svc/2) rolling back to the previous task definition courier-local:7.".into(),
            },
        );
    }
    let mut state = state_with(data);
    let generation = state.logs.generation;
    let quiet = (1..5).map(|m| (NOW - 600 + m * 60, "INFO fine"));
    let burst = (0..12).map(|i| (NOW - 120 + i, "ERROR worker gave up: database timeout"));
    let lines: Vec<LogLine> = quiet
        .chain(burst)
        .enumerate()
        .map(|(i, (at, m))| LogLine {
            id: format!("x{i}"),
            at_ms: at * 1000,
            stream: "courier/courier/0f3c9a7be1d24c55".into(),
            message: m.into(),
        })
        .collect();
    let event = TailEvent::Lines(lines);
    update(&mut state, Msg::Log { generation, event });
    state
}

fn loaded() -> Loaded {
    Loaded {
        alarms: Ok(vec![AlarmTransition {
            alarm: "courier-local-queue-depth".into(),
            at: NOW - 90,
            from: "OK".into(),
            to: "ALARM".into(),
            reason:
                "Threshold Crossed: 1 datapoint [250.0] was greater than the threshold (100.0)."
                    .into(),
        }]),
        records: Ok(vec![Record {
            time: String::new(),
            unix: NOW - 30,
            user: "arn:aws:sts::000000000000:assumed-role/oncall/alice".into(),
            profile: "default".into(),
            region: "us-east-1".into(),
            stack: "courier-local".into(),
            action: "rollback".into(),
            target: "courier-local-courier".into(),
            parameters: serde_json::json!({}),
            result: "ok".into(),
            error: None,
        }]),
        diffs: [(
            "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:8".to_owned(),
            vec!["courier image: courier:7 → courier:8".to_owned()],
        )]
        .into(),
    }
}

/// `incident()` with its timeline open and the runner's answer in.
pub fn incident_timeline() -> State {
    let mut state = incident();
    key(&mut state, Key::Char('t'));
    let msg = Msg::TimelineLoaded {
        stack: "courier-local".into(),
        loaded: Box::new(loaded()),
    };
    update(&mut state, msg);
    state
}

fn view(state: &State) -> &TimelineView {
    match &state.ops.dialog {
        Some(Dialog::Timeline(view)) => view,
        other => panic!("no timeline: {other:?}"),
    }
}

#[test]
fn t_and_the_command_open_the_timeline_and_ask_for_the_rest() {
    for open in ["key", "command"] {
        let mut state = incident();
        let effects = match open {
            "key" => key(&mut state, Key::Char('t')),
            _ => command(&mut state, "timeline"),
        };
        let Some(Effect::LoadTimeline(ask)) = effects.last() else {
            panic!("{open}: {effects:?}");
        };
        assert_eq!(
            (ask.since, ask.until),
            (NOW - TIMELINE_SECONDS, NOW),
            "{open}"
        );
        assert_eq!(ask.deployments.len(), 2, "{open}");
        let v = view(&state);
        assert!(v.loaded.is_none());
        let kinds: Vec<&Kind> = v.entries.iter().map(|e| &e.kind).collect();
        assert!(
            kinds.contains(&&Kind::DeploymentStarted),
            "{open}: {kinds:?}"
        );
        assert!(
            kinds.contains(&&Kind::DeploymentRolledBack),
            "{open}: {kinds:?}"
        );
        assert!(kinds.contains(&&Kind::ErrorSpike), "{open}: {kinds:?}");
        assert_eq!(v.cursor, v.entries.len() - 1, "the newest is selected");
    }
}

#[test]
fn the_runners_answer_merges_in_and_keeps_the_selection() {
    let mut state = incident();
    key(&mut state, Key::Char('t'));
    key(&mut state, Key::Home);
    let first = view(&state).selected().unwrap().title.clone();
    // Another stack's answer is not this one's.
    let other = Msg::TimelineLoaded {
        stack: "other".into(),
        loaded: Box::new(loaded()),
    };
    update(&mut state, other);
    assert!(view(&state).loaded.is_none());
    let msg = Msg::TimelineLoaded {
        stack: "courier-local".into(),
        loaded: Box::new(loaded()),
    };
    update(&mut state, msg);
    let v = view(&state);
    assert!(v.loaded.is_some());
    assert_eq!(v.selected().unwrap().title, first);
    let titles: Vec<&str> = v.entries.iter().map(|e| e.title.as_str()).collect();
    assert!(
        titles.contains(&"alarm courier-local-queue-depth: OK → ALARM"),
        "{titles:?}"
    );
    assert!(titles.contains(&"rollback by alice: ok"), "{titles:?}");
    let start = v
        .entries
        .iter()
        .find(|e| e.kind == Kind::DeploymentStarted && e.subject.as_deref() == Some("ecs-svc/2"))
        .unwrap();
    assert!(start
        .detail
        .iter()
        .any(|l| l.contains("courier image: courier:7 → courier:8")));
}

#[test]
fn keys_select_show_the_detail_and_close() {
    let mut state = incident_timeline();
    let last = view(&state).entries.len() - 1;
    key(&mut state, Key::Down);
    assert_eq!(view(&state).cursor, last, "the bottom holds");
    key(&mut state, Key::Up);
    key(&mut state, Key::Char('k'));
    assert_eq!(view(&state).cursor, last - 2);
    key(&mut state, Key::Enter);
    assert!(view(&state).detail);
    key(&mut state, Key::Esc);
    assert!(!view(&state).detail, "Esc closes the detail first");
    assert!(key(&mut state, Key::Esc).is_empty());
    assert!(state.ops.dialog.is_none());
    // Closed, the answer of a read still under way changes nothing.
    let msg = Msg::TimelineLoaded {
        stack: "courier-local".into(),
        loaded: Box::new(loaded()),
    };
    update(&mut state, msg);
    assert!(state.ops.dialog.is_none());
}
