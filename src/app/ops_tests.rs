//! Operating from the dashboard, with plain values: keys and answers in, dialogs and effects
//! out. Only a confirmed dialog becomes an `Execute`. (What is followed after it ran:
//! `follow_tests.rs`.)

use super::fixtures::{
    self, command, decline, execute, key, plan, planned, purge, redeploy, state_with, typed, NOW,
};
use super::keys::Key;
use super::ops::Dialog;
use super::*;
use crate::config::StackConfig;
use crate::model::mutation::{Mutation, PlanError, Request};
use crate::model::rollback::{Choice, RollbackChoices, Target, Wanted};

#[test]
fn a_redeploy_is_planned_confirmed_with_yes_and_only_then_executed() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        key(&mut state, Key::Ctrl('r')),
        vec![plan(&state, Request::Redeploy)]
    );
    assert!(state.activity().unwrap().contains("reading redeploy"));
    // A second press while the first is in flight does nothing but say so.
    assert_eq!(key(&mut state, Key::Ctrl('r')), vec![]);
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("one action at a time"));
    planned(&mut state, redeploy());
    assert!(state.ops.in_flight.is_none());
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Confirm(c)) if !c.yes),
        "default No"
    );
    // Keys of the dashboard do not leak through the dialog.
    assert_eq!(key(&mut state, Key::Char('r')), vec![]);
    assert_eq!(key(&mut state, Key::Char('y')), vec![]);
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![execute(&state, redeploy())]
    );
    assert!(state.ops.dialog.is_none());
    assert!(state.activity().unwrap().contains("redeploying"));
    assert_eq!(key(&mut state, Key::Ctrl('r')), vec![], "still in flight");
}

#[test]
fn enter_on_the_default_no_and_esc_decline_and_nothing_runs() {
    for press in [Key::Enter, Key::Esc, Key::Char('n')] {
        let mut state = state_with(fixtures::healthy());
        key(&mut state, Key::Ctrl('r'));
        planned(&mut state, redeploy());
        assert_eq!(
            key(&mut state, press),
            vec![decline(&state, redeploy())],
            "{press:?}"
        );
        assert!(state.ops.dialog.is_none() && state.ops.in_flight.is_none());
    }
    // Moving to Yes and back to No, then Enter: still declined.
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('r'));
    planned(&mut state, redeploy());
    key(&mut state, Key::Right);
    key(&mut state, Key::Left);
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![decline(&state, redeploy())]
    );
}

#[test]
fn a_purge_needs_the_queue_name_typed_and_a_wrong_name_does_nothing() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        key(&mut state, Key::Ctrl('p')),
        vec![plan(&state, Request::Purge { dlq: false })]
    );
    planned(&mut state, purge());
    let Some(Dialog::Confirm(confirm)) = &state.ops.dialog else {
        panic!("a confirmation: {:?}", state.ops.dialog)
    };
    assert!(
        confirm
            .details
            .iter()
            .any(|d| d.starts_with("oldest message:")),
        "the oldest message's age from the last refresh: {:?}",
        confirm.details
    );
    // `y` is a letter of the name here, not a yes.
    assert_eq!(typed(&mut state, "y"), vec![]);
    assert_eq!(key(&mut state, Key::Backspace), vec![]);
    typed(&mut state, "courier-local-dlq");
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![],
        "wrong name: nothing happens"
    );
    assert!(matches!(&state.ops.dialog, Some(Dialog::Confirm(c)) if c.mismatch));
    for _ in 0.."dlq".len() {
        key(&mut state, Key::Backspace);
    }
    typed(&mut state, "work");
    assert_eq!(key(&mut state, Key::Enter), vec![execute(&state, purge())]);
}

#[test]
fn commands_ask_for_the_same_plans_and_bad_arguments_are_explained() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "purge dlq"),
        vec![plan(&state, Request::Purge { dlq: true })]
    );
    update(
        &mut state,
        Msg::Planned(Err(PlanError::Refused("no".into()))),
    );
    key(&mut state, Key::Esc);
    assert_eq!(
        command(&mut state, "redrive"),
        vec![plan(&state, Request::Redrive)]
    );
    update(
        &mut state,
        Msg::Planned(Err(PlanError::Refused("no".into()))),
    );
    key(&mut state, Key::Esc);
    assert_eq!(
        command(&mut state, "rollback"),
        vec![Effect::RollbackChoices(state.scope())]
    );
    update(
        &mut state,
        Msg::Planned(Err(PlanError::Refused("no".into()))),
    );
    key(&mut state, Key::Esc);
    assert_eq!(
        command(&mut state, "rollback 3"),
        vec![plan(
            &state,
            Request::Rollback {
                to: Wanted::Revision(3)
            }
        )]
    );
    update(
        &mut state,
        Msg::Planned(Err(PlanError::Refused("no".into()))),
    );
    key(&mut state, Key::Esc);
    assert_eq!(command(&mut state, "rollback soon"), vec![]);
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains(":rollback takes"));
    assert_eq!(command(&mut state, "purge all"), vec![]);
    assert!(state.message.as_deref().unwrap().contains("takes no `all`"));
    assert_eq!(command(&mut state, "audit"), vec![Effect::LoadAudit]);
}

#[test]
fn read_only_refuses_every_mutation_command_and_audits_the_attempt() {
    let mut per_stack = std::collections::BTreeMap::new();
    per_stack.insert(
        "courier-local".to_owned(),
        StackConfig {
            read_only: true,
            ..Default::default()
        },
    );
    let mut state = State::new(
        fixtures::resources(),
        Settings {
            per_stack,
            ..Default::default()
        },
    )
    .unwrap();
    for key_press in [
        Key::Ctrl('r'),
        Key::Ctrl('b'),
        Key::Ctrl('p'),
        Key::Char('x'),
    ] {
        assert_eq!(key(&mut state, key_press), vec![], "not bound");
    }
    for (line, action) in [
        ("redeploy", "redeploy"),
        ("rollback", "rollback"),
        ("purge", "purge"),
        ("purge dlq", "purge"),
        ("redrive", "redrive"),
        ("scale 3", "scale"),
        ("stop-task", "stop-task"),
        ("stop-task 0f3c9a7be1d24c55", "stop-task"),
    ] {
        let effects = command(&mut state, line);
        assert_eq!(effects.len(), 1, "{line}: {effects:?}");
        assert!(
            matches!(&effects[0], Effect::Refuse { action: a, message, .. } if a == action && message.contains("read-only")),
            "{line}: {effects:?}"
        );
    }
    assert_eq!(
        command(&mut state, "audit"),
        vec![Effect::LoadAudit],
        "reading is fine"
    );
}

#[test]
fn refusals_and_nothing_to_do_show_in_the_dialog() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('p'));
    update(
        &mut state,
        Msg::Planned(Err(PlanError::Refused(
            "queue courier-local-work was purged less than 60 s ago: try again in 42 s".into(),
        ))),
    );
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Outcome { ok: false, lines, .. }) if lines[0].contains("42 s"))
    );
    assert!(state.ops.in_flight.is_none());
    key(&mut state, Key::Esc);
    assert!(state.ops.dialog.is_none());
}

fn choices() -> RollbackChoices {
    let td = |n: u32| format!("arn:aws:ecs:us-east-1:000000000000:task-definition/courier:{n}");
    RollbackChoices {
        cluster: "courier-local".into(),
        service: "courier-local-courier".into(),
        running: td(4),
        options: (1..=3)
            .rev()
            .map(|n| Choice {
                task_definition: td(n),
                label: if n == 2 {
                    "last completed".into()
                } else {
                    String::new()
                },
                diff: vec![format!("courier image: courier:4 → courier:{n}")],
            })
            .collect(),
        selected: 1,
        reason: "courier:2 ran the last completed deployment before courier:4".into(),
        interrupts_deployment: false,
        note: None,
    }
}

#[test]
fn the_rollback_picker_preselects_moves_and_confirms_the_chosen_revision() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        key(&mut state, Key::Ctrl('b')),
        vec![Effect::RollbackChoices(state.scope())]
    );
    update(&mut state, Msg::Choices(Ok(choices())));
    assert!(matches!(
        &state.ops.dialog,
        Some(Dialog::Picker { cursor: 1, .. })
    ));
    // Enter on the preselected one: the confirmation names it, with the reason and the diff.
    key(&mut state, Key::Enter);
    let Some(Dialog::Confirm(confirm)) = &state.ops.dialog else {
        panic!("{:?}", state.ops.dialog)
    };
    let Mutation::Rollback { target, .. } = &confirm.mutation else {
        panic!("{:?}", confirm.mutation)
    };
    assert!(target.task_definition.ends_with("courier:2"));
    assert!(confirm.details.iter().any(|d| d.contains("last completed")));
    assert!(confirm
        .details
        .iter()
        .any(|d| d.contains("courier:4 → courier:2")));
    assert_eq!(key(&mut state, Key::Esc).len(), 1, "declined");

    // Another revision: the cursor moves, the reason says it was chosen.
    key(&mut state, Key::Ctrl('b'));
    update(&mut state, Msg::Choices(Ok(choices())));
    key(&mut state, Key::Down);
    key(&mut state, Key::Down);
    key(&mut state, Key::Down);
    key(&mut state, Key::Enter);
    key(&mut state, Key::Char('y'));
    let effects = key(&mut state, Key::Enter);
    let [Effect::Execute {
        mutation:
            Mutation::Rollback {
                target:
                    Target {
                        task_definition,
                        reason,
                        ..
                    },
                ..
            },
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert!(
        task_definition.ends_with("courier:1"),
        "clamped at the oldest"
    );
    assert!(reason.contains("chosen in the picker"));
}

#[test]
fn the_production_banner_matches_the_stack_or_the_account() {
    let mut state = state_with(fixtures::healthy());
    assert!(!state.production());
    state.production_patterns = vec!["123456789012".into()];
    update(
        &mut state,
        Msg::Identity(Some("arn:aws:iam::123456789012:user/alice".into())),
    );
    assert_eq!(state.account.as_deref(), Some("123456789012"));
    assert!(state.production());
    state.production_patterns = vec!["*-local".into()];
    assert!(state.production());
}

#[test]
fn the_audit_view_lists_newest_first() {
    let mut state = state_with(fixtures::healthy());
    let record = |action: &str| crate::model::audit::Record {
        time: "2026-01-01T12:00:00Z".into(),
        unix: NOW,
        user: "arn:aws:iam::000000000000:user/alice".into(),
        profile: "default".into(),
        region: "us-east-1".into(),
        stack: "courier-local".into(),
        action: action.into(),
        target: "courier-local/courier-local-courier".into(),
        parameters: serde_json::json!({}),
        result: "ok".into(),
        error: None,
    };
    update(
        &mut state,
        Msg::AuditLoaded(Ok(vec![record("redeploy"), record("purge")])),
    );
    let Some(Dialog::Audit { records, .. }) = &state.ops.dialog else {
        panic!("{:?}", state.ops.dialog)
    };
    assert_eq!(records[0].action, "purge");
    key(&mut state, Key::Esc);
    assert!(state.ops.dialog.is_none());
}

#[test]
fn letters_typed_before_the_dialog_opened_cannot_confirm_it() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('r'));
    // The user starts typing a command while the plan is read…
    key(&mut state, Key::Char(':'));
    typed(&mut state, "r");
    planned(&mut state, redeploy());
    assert_eq!(
        state.mode,
        Mode::Normal,
        "the command line closed under the dialog"
    );
    // …and finishes the word: `l` (or `h`) must not move the button to Yes.
    assert_eq!(typed(&mut state, "eload"), vec![]);
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![decline(&state, redeploy())]
    );
}

#[test]
fn no_action_starts_while_the_stack_is_being_switched() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "stack courier-prod"),
        vec![Effect::SwitchStack("courier-prod".into())]
    );
    assert_eq!(key(&mut state, Key::Ctrl('r')), vec![]);
    assert!(state.message.as_deref().unwrap().contains("being switched"));
    update(&mut state, Msg::StackLoaded(Err("no such stack".into())));
    assert_eq!(
        key(&mut state, Key::Ctrl('r')),
        vec![plan(&state, Request::Redeploy)]
    );
}

#[test]
fn every_way_out_of_a_decision_is_audited() {
    // Esc in the picker.
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('b'));
    update(&mut state, Msg::Choices(Ok(choices())));
    let effects = key(&mut state, Key::Esc);
    assert!(
        matches!(effects.as_slice(), [Effect::Refuse { action, .. }] if action == "rollback"),
        "{effects:?}"
    );
    // Ctrl-c on an open confirmation: declined, then quit.
    key(&mut state, Key::Ctrl('r'));
    planned(&mut state, redeploy());
    assert_eq!(
        key(&mut state, Key::Ctrl('c')),
        vec![decline(&state, redeploy()), Effect::Quit]
    );
    // The audit view arriving over a confirmation does not push it aside.
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('r'));
    planned(&mut state, redeploy());
    assert_eq!(update(&mut state, Msg::AuditLoaded(Ok(Vec::new()))), vec![]);
    assert!(matches!(state.ops.dialog, Some(Dialog::Confirm(_))));
}

#[test]
fn a_picker_that_cannot_be_filled_says_why() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Ctrl('b'));
    update(
        &mut state,
        Msg::Choices(Err(PlanError::Refused(
            "task definition family courier has no revision other than the running courier:1"
                .into(),
        ))),
    );
    assert!(state.ops.in_flight.is_none());
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Outcome { ok: false, lines, .. }) if lines[0].contains("no revision other than"))
    );
}
