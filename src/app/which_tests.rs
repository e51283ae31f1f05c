//! A purge or a redrive in a stack of several queues asks which queue first, a redeploy in a
//! stack of several services which service; the plan is then made on that one (a queue with its
//! DLQ, a service with its cluster), and Esc is an attempt refused and audited.

use super::fixtures::{self, key, state_with};
use super::keys::Key;
use super::ops::Dialog;
use super::*;
use crate::model::mutation::Request;

const EVENTS: &str = "http://127.0.0.1:4566/000000000000/courier-local-events";
const EVENTS_DLQ: &str = "http://127.0.0.1:4566/000000000000/courier-local-events-dlq";

fn two_queues() -> State {
    let mut state = state_with(fixtures::healthy());
    let values = &mut state.resources.values;
    values.insert("queue_url_2".into(), EVENTS.into());
    values.insert("dlq_url_2".into(), EVENTS_DLQ.into());
    state
}

#[test]
fn purge_asks_which_queue_and_plans_on_the_one_chosen() {
    let mut state = two_queues();
    assert_eq!(key(&mut state, Key::Ctrl('p')), vec![], "nothing read yet");
    let Some(Dialog::Which {
        options, cursor, ..
    }) = &state.ops.dialog
    else {
        panic!("{:?}", state.ops.dialog)
    };
    assert_eq!(*cursor, 0);
    let names: Vec<(&str, &str)> = options
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("courier-local-work", "DLQ courier-local-dlq"),
            ("courier-local-events", "DLQ courier-local-events-dlq")
        ]
    );
    key(&mut state, Key::Down);
    let effects = key(&mut state, Key::Enter);
    let [Effect::Plan { request, scope }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(*request, Request::Purge { dlq: false });
    assert_eq!(scope.stack.get("queue_url"), Some(EVENTS));
    assert_eq!(scope.stack.get("dlq_url"), Some(EVENTS_DLQ));
    assert!(state.activity().unwrap().contains("reading purge"));
    assert_eq!(
        state.resources.get("queue_url_2"),
        Some(EVENTS),
        "the stack as it was"
    );
}

#[test]
fn esc_in_the_chooser_is_refused_and_one_queue_asks_nothing() {
    let mut state = two_queues();
    key(&mut state, Key::Char(':'));
    for c in "redrive".chars() {
        key(&mut state, Key::Char(c));
    }
    key(&mut state, Key::Enter);
    assert!(matches!(state.ops.dialog, Some(Dialog::Which { .. })));
    let effects = key(&mut state, Key::Esc);
    assert!(
        matches!(&effects[..], [Effect::Refuse { action, message, .. }]
            if action == "redrive" && message == "no queue chosen"),
        "{effects:?}"
    );
    assert!(state.ops.dialog.is_none());
    // One queue: the plan is read at once, as before.
    let mut one = state_with(fixtures::healthy());
    let effects = key(&mut one, Key::Ctrl('p'));
    assert!(matches!(&effects[..], [Effect::Plan { .. }]), "{effects:?}");
}

#[test]
fn redeploy_asks_which_service_and_plans_on_it_in_its_cluster() {
    let mut state = state_with(fixtures::healthy());
    let values = &mut state.resources.values;
    values.insert("service_2".into(), "courier-local-worker".into());
    values.insert("cluster_2".into(), "workers".into());
    key(&mut state, Key::Ctrl('r'));
    let Some(Dialog::Which { options, .. }) = &state.ops.dialog else {
        panic!("{:?}", state.ops.dialog)
    };
    assert_eq!(
        options[1],
        ("courier-local-worker".into(), "cluster workers".into())
    );
    key(&mut state, Key::Char('j'));
    let effects = key(&mut state, Key::Enter);
    let [Effect::Plan { scope, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(scope.stack.get("service"), Some("courier-local-worker"));
    assert_eq!(scope.stack.get("cluster"), Some("workers"));
    assert_eq!(scope.stack.get("service_2"), Some("courier-local-courier"));
    assert_eq!(scope.stack.get("cluster_2"), Some("courier-local"));
}
