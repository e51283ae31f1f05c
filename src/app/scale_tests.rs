//! Scale and stop-task from the dashboard: `:scale N` and `:stop-task [ID]` ask for the same
//! plans as the subcommands; `x` on a service of several tasks asks which task in the chooser;
//! the confirmation defaults to No, and a confirmed one is the only `Execute`.

use super::fixtures::{self, command, execute, key, plan, state_with};
use super::keys::Key;
use super::ops::Dialog;
use super::*;
use crate::model::mutation::{Mutation, Request};

fn scale() -> Mutation {
    Mutation::Scale {
        cluster: "courier-local".into(),
        service: "courier-local-courier".into(),
        from: 2,
        to: 3,
    }
}

fn stop(task: &str) -> Mutation {
    Mutation::StopTask {
        cluster: "courier-local".into(),
        service: "courier-local-courier".into(),
        task: task.into(),
    }
}

#[test]
fn scale_is_planned_from_the_command_and_confirmed_before_it_runs() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "scale 3"),
        vec![plan(&state, Request::Scale { count: 3 })]
    );
    assert!(state.activity().unwrap().contains("reading scale"));
    update(
        &mut state,
        Msg::Planned(Ok((scale(), vec!["set the desired count".into()]))),
    );
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Confirm(c)) if !c.yes),
        "default No"
    );
    key(&mut state, Key::Char('y'));
    assert_eq!(key(&mut state, Key::Enter), vec![execute(&state, scale())]);
    assert!(state.activity().unwrap().contains("scaling to 3"));
    // Done: the outcome, and a refresh to show the new count.
    let effects = update(
        &mut state,
        Msg::Executed {
            mutation: scale(),
            result: Ok("set the desired count of courier-local/courier-local-courier to 3".into()),
        },
    );
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Refresh { .. })),
        "{effects:?}"
    );
    assert!(matches!(
        &state.ops.dialog,
        Some(Dialog::Outcome { ok: true, .. })
    ));
    key(&mut state, Key::Esc);
    command(&mut state, "scale");
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("needs the desired count"));
}

#[test]
fn x_asks_which_of_the_running_tasks_and_plans_the_one_chosen() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(key(&mut state, Key::Char('x')), vec![], "nothing read yet");
    let Some(Dialog::Which { options, .. }) = &state.ops.dialog else {
        panic!("{:?}", state.ops.dialog)
    };
    let names: Vec<&str> = options.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["0f3c9a7be1d24c55", "7d1e2f3a4b5c6d7e"]);
    assert_eq!(options[0].1, "RUNNING · HEALTHY");
    key(&mut state, Key::Down);
    let effects = key(&mut state, Key::Enter);
    let [Effect::Plan { request, scope }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        *request,
        Request::StopTask {
            task: Some("7d1e2f3a4b5c6d7e".into())
        }
    );
    assert_eq!(scope.stack, state.resources, "the same stack");
    update(
        &mut state,
        Msg::Planned(Ok((stop("7d1e2f3a4b5c6d7e"), vec!["stop task".into()]))),
    );
    // Enter on the default No declines, audited.
    let effects = key(&mut state, Key::Enter);
    assert!(
        matches!(&effects[..], [Effect::Decline { mutation, .. }] if *mutation == stop("7d1e2f3a4b5c6d7e")),
        "{effects:?}"
    );
}

#[test]
fn esc_in_the_task_chooser_is_refused_and_one_task_or_an_id_asks_nothing() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Char('x'));
    let effects = key(&mut state, Key::Esc);
    assert!(
        matches!(&effects[..], [Effect::Refuse { action, message, .. }]
            if action == "stop-task" && message == "no task chosen"),
        "{effects:?}"
    );
    // An id named: planned at once.
    assert_eq!(
        command(&mut state, "stop-task 0f3c9a7be1d24c55"),
        vec![plan(
            &state,
            Request::StopTask {
                task: Some("0f3c9a7be1d24c55".into())
            }
        )]
    );
    // One running task: the plan finds it.
    let mut data = fixtures::healthy();
    if let Ok(tasks) = data.tasks.as_mut() {
        tasks.truncate(1);
    }
    let mut one = state_with(data);
    assert_eq!(
        key(&mut one, Key::Char('x')),
        vec![plan(&one, Request::StopTask { task: None })]
    );
}

#[test]
fn stop_deployment_is_the_same_plan_from_its_key_and_command_and_runs_only_when_confirmed() {
    let stop = Mutation::StopDeployment {
        cluster: "courier-local".into(),
        service: "courier-local-courier".into(),
        deployment: "arn:aws:ecs:r:0:service-deployment/courier-local/courier-local-courier/2"
            .into(),
        target: "courier-local:8".into(),
        source: "courier-local:7".into(),
    };
    let mut state = state_with(crate::app::fixtures_history::failing_deployment_with_history());
    assert_eq!(
        command(&mut state, "stop-deployment"),
        vec![plan(&state, Request::StopDeployment)]
    );
    let mut keyed = state_with(crate::app::fixtures_history::failing_deployment_with_history());
    assert_eq!(
        key(&mut keyed, Key::Char('X')),
        vec![plan(&keyed, Request::StopDeployment)]
    );
    update(
        &mut state,
        Msg::Planned(Ok((stop.clone(), vec!["stop deployment 2".into()]))),
    );
    assert!(
        matches!(&state.ops.dialog, Some(Dialog::Confirm(c)) if !c.yes),
        "default No"
    );
    key(&mut state, Key::Char('y'));
    assert_eq!(key(&mut state, Key::Enter), vec![execute(&state, stop)]);
    assert!(state
        .activity()
        .unwrap()
        .contains("back to courier-local:7"));
}
