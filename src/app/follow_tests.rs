//! After a confirmed action ran, with plain values: the deployment of a redeploy or rollback is
//! followed until it ends (its new tasks' log lines marked), a redrive until its move task ends.

use super::fixtures::{self, key, plan, refresh, state_with, NOW};
use super::keys::Key;
use super::ops::Dialog;
use super::*;
use crate::model::ecs::Rollout;
use crate::model::mutation::{Mutation, Request};

#[test]
fn after_a_redeploy_the_deployment_is_followed_and_new_tasks_logs_are_marked() {
    let mut state = state_with(fixtures::healthy());
    // A refresh is under way when the action is confirmed: it started before the action.
    assert!(state.refresh.refreshing);
    let before_action = state.refresh.seq;
    let effects =
        fixtures::executed_redeploy(&mut state, Ok("started deployment ecs-svc/2".into()));
    assert_eq!(effects, vec![refresh(&state)], "refresh at once");
    assert!(matches!(
        &state.ops.dialog,
        Some(Dialog::Outcome { ok: true, .. })
    ));
    key(&mut state, Key::Enter);
    assert!(state.ops.following());

    // That earlier refresh answers with the old deployment, COMPLETED: not the followed one.
    update(
        &mut state,
        Msg::Refreshed {
            seq: before_action,
            at: NOW + 1,
            stack: "courier-local".into(),
            data: Box::new(fixtures::healthy()),
        },
    );
    assert!(
        state.ops.following(),
        "an answer from before the action ends nothing"
    );

    // The new deployment rolls out: one new task, the old ones still there.
    let mut rolling = fixtures::healthy();
    if let Ok(service) = rolling.health.service.as_mut() {
        service.deployments[0].id = "ecs-svc/2".into();
        service.deployments[0].rollout_state = Rollout::InProgress;
    }
    if let Ok(tasks) = rolling.tasks.as_mut() {
        let mut new = tasks[0].clone();
        new.id = "aaaabbbbccccdddd".into();
        tasks.push(new);
    }
    update(&mut state, Msg::Tick(NOW + 1));
    fixtures::refreshed(&mut state, NOW + 1, rolling.clone());
    assert!(state.ops.following());
    assert!(state.activity().unwrap().contains("IN_PROGRESS"));
    // Followed refreshes come every 2 s, not every 5.
    let effects = update(&mut state, Msg::Tick(NOW + 3));
    assert_eq!(effects, vec![refresh(&state)]);
    let line = |task: &str| crate::model::dashboard::LogLine {
        id: "x".into(),
        at_ms: NOW * 1000,
        stream: format!("courier/courier/{task}"),
        message: "hello".into(),
    };
    assert!(state.from_new_task(&line("aaaabbbbccccdddd")));
    assert!(!state.from_new_task(&line("0f3c9a7be1d24c55")));

    // Completed: following stops, the footer says so.
    if let Ok(service) = rolling.health.service.as_mut() {
        service.deployments[0].rollout_state = Rollout::Completed;
    }
    fixtures::refreshed(&mut state, NOW + 3, rolling);
    assert!(!state.ops.following());
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("deployment COMPLETED"));
    assert!(state.from_new_task(&line("aaaabbbbccccdddd")));
    // A later deployment's tasks are not this action's.
    let mut later = fixtures::healthy();
    if let Ok(tasks) = later.tasks.as_mut() {
        let mut other = tasks[0].clone();
        other.id = "eeeeffff00001111".into();
        tasks.push(other);
    }
    fixtures::refreshed(&mut state, NOW + 8, later);
    assert!(!state.from_new_task(&line("eeeeffff00001111")));
    assert!(state.from_new_task(&line("aaaabbbbccccdddd")));
}

#[test]
fn a_failed_action_shows_the_aws_error_and_frees_the_keys() {
    let mut state = state_with(fixtures::healthy());
    fixtures::executed_redeploy(&mut state, Err("AccessDeniedException on UpdateService for service courier-local/courier-local-courier".into()));
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Outcome { ok: false, lines, .. }) if lines[0].contains("AccessDenied"))
    );
    assert!(!state.ops.following() && state.ops.in_flight.is_none());
    key(&mut state, Key::Esc);
    assert_eq!(
        key(&mut state, Key::Ctrl('r')),
        vec![plan(&state, Request::Redeploy)]
    );
}

#[test]
fn a_redrive_is_followed_until_its_move_task_ends() {
    let mut state = state_with(fixtures::healthy());
    let redrive = Mutation::Redrive {
        dlq_arn: "arn:dlq".into(),
        dlq_url: "http://h/0/courier-local-dlq".into(),
    };
    let effects = update(
        &mut state,
        Msg::Executed {
            mutation: redrive,
            result: Ok("started".into()),
        },
    );
    assert_eq!(effects, vec![Effect::RedriveProgress("arn:dlq".into())]);
    let task = |status: &str, moved: i64| crate::model::sqs::MoveTask {
        handle: Some("h".into()),
        status: status.into(),
        moved,
        to_move: Some(10),
        failure: None,
    };
    update(&mut state, Msg::Redrive(Ok(vec![task("RUNNING", 3)])));
    assert_eq!(
        state.activity().as_deref(),
        Some("redrive RUNNING: 3 of 10 moved")
    );
    assert_eq!(
        update(&mut state, Msg::Tick(NOW + 2)),
        vec![Effect::RedriveProgress("arn:dlq".into())]
    );
    update(&mut state, Msg::Redrive(Ok(vec![task("COMPLETED", 10)])));
    assert_eq!(state.activity(), None);
    assert_eq!(
        state.message.as_deref(),
        Some("redrive COMPLETED: 10 of 10 moved")
    );
}

#[test]
fn a_redrive_whose_move_task_never_shows_is_given_up() {
    let mut state = state_with(fixtures::healthy());
    let redrive = Mutation::Redrive {
        dlq_arn: "arn:dlq".into(),
        dlq_url: "http://h/0/courier-local-dlq".into(),
    };
    update(
        &mut state,
        Msg::Executed {
            mutation: redrive,
            result: Ok("started".into()),
        },
    );
    for _ in 0..ops::MAX_EMPTY_READS {
        update(&mut state, Msg::Redrive(Ok(Vec::new())));
    }
    assert!(state.ops.redrive.as_ref().unwrap().done);
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("lists no move task"));
}

#[test]
fn a_deployment_without_rollout_state_is_not_followed_forever() {
    let mut state = state_with(fixtures::healthy());
    fixtures::executed_redeploy(&mut state, Ok("started".into()));
    let mut external = fixtures::healthy();
    if let Ok(service) = external.health.service.as_mut() {
        service.deployments[0].id = "ecs-svc/2".into();
        service.deployments[0].rollout_state = Rollout::Unknown;
    }
    fixtures::refreshed(&mut state, NOW + 1, external);
    assert!(!state.ops.following());
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("no rollout state"));
}
