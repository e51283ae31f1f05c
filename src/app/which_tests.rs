//! A purge or a redrive in a stack of several queues asks which queue first; the plan is then
//! made on that queue (its DLQ with it), and Esc is an attempt refused and audited.

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
    let Some(Dialog::Which { queues, cursor, .. }) = &state.ops.dialog else {
        panic!("{:?}", state.ops.dialog)
    };
    assert_eq!(*cursor, 0);
    assert_eq!(
        queues,
        &[
            ("courier-local-work".into(), "courier-local-dlq".into()),
            (
                "courier-local-events".into(),
                "courier-local-events-dlq".into()
            )
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
