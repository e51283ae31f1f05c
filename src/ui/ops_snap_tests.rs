//! The dialogs of scale and stop-task at 80×24: the confirmations (default No) with what the plan
//! says, and the chooser of the task to stop.

use super::tests::screen;
use crate::app::fixtures::{self, state_with};
use crate::app::keys::Key;
use crate::app::{update, Msg};
use crate::model::mutation::Mutation;

fn snap(name: &str, state: &crate::app::State) -> String {
    let text = screen(state, 80, 24);
    insta::assert_snapshot!(format!("{name}_80x24"), text.clone());
    text
}

#[test]
fn the_scale_and_stop_task_confirmations_say_what_happens_next() {
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Char(':')));
    for c in "scale 3".chars() {
        update(&mut state, Msg::Key(Key::Char(c)));
    }
    update(&mut state, Msg::Key(Key::Enter));
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::Scale {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
                from: 2,
                to: 3,
            },
            vec![
                "set the desired count of courier-local/courier-local-courier from 2 to 3".into(),
                "Application Auto Scaling keeps it within 1 to 4: its policies may move it again"
                    .into(),
            ],
        ))),
    );
    let text = snap("confirm_scale", &state);
    assert!(
        text.contains("[ No ]") && text.contains("from 2 to 3"),
        "{text}"
    );

    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Char('x')));
    let text = snap("which_task", &state);
    assert!(
        text.contains("which task?") && text.contains("7d1e2f3a4b5c6d7e"),
        "{text}"
    );
    update(&mut state, Msg::Key(Key::Enter));
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::StopTask {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
                task: "0f3c9a7be1d24c55".into(),
            },
            vec![
                "stop task 0f3c9a7be1d24c55 of courier-local/courier-local-courier (SIGTERM, then SIGKILL after the stop timeout)".into(),
                "the service will replace it: it starts a new task to keep its desired count of 2".into(),
            ],
        ))),
    );
    let text = snap("confirm_stop_task", &state);
    assert!(text.contains("will replace it"), "{text}");
}

#[test]
fn the_stop_deployment_confirmation_names_the_deployment_its_target_and_source() {
    let mut state = state_with(crate::app::fixtures_history::failing_deployment_with_history());
    let text = screen(&state, 80, 24);
    assert!(
        text.contains("ECS ROLLBACK_IN_PROGRESS · breaker 3/3")
            && text.contains("rolled back: ECS"),
        "the service panel shows the history: {text}"
    );
    update(&mut state, Msg::Key(Key::Char('X')));
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::StopDeployment {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
                deployment: "arn:aws:ecs:us-east-1:000000000000:service-deployment/courier-local/courier-local-courier/2".into(),
                target: "courier-local:8".into(),
                source: "courier-local:7".into(),
            },
            vec![
                "stop deployment 2 of courier-local/courier-local-courier (to courier-local:8) and roll it back".into(),
                "ECS deploys the source revision courier-local:7 again (StopServiceDeployment ROLLBACK)".into(),
            ],
        ))),
    );
    let text = snap("confirm_stop_deployment", &state);
    assert!(
        text.contains("[ No ]") && text.contains("source revision courier-local:7"),
        "{text}"
    );
}
