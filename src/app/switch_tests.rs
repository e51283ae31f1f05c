//! `:profile` and `:region` through `update`: the effect carries the name and the stack, the
//! dashboard moves only when the runner says it found the stack there.

use super::super::fixtures::{self, command, started, state_with};
use super::super::*;

fn identity(state: &mut State) {
    let arn = "arn:aws:iam::123456789012:user/alice";
    update(state, Msg::Identity(Some(arn.into())));
}

#[test]
fn profile_and_region_commands_ask_the_runner_with_the_name_and_the_stack() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "profile staging"),
        vec![Effect::SwitchAws {
            to: AwsSwitch::Profile("staging".into()),
            stack: fixtures::resources(),
        }]
    );
    assert_eq!(
        state.message.as_deref(),
        Some("switching to profile staging…")
    );
    // One switch at a time.
    assert_eq!(command(&mut state, "region eu-west-2"), vec![]);
    assert_eq!(
        state.message.as_deref(),
        Some("a switch is under way: wait for it first")
    );
    update(&mut state, Msg::AwsSwitched(Err("no".into())));
    assert_eq!(
        command(&mut state, "region eu-west-2"),
        vec![Effect::SwitchAws {
            to: AwsSwitch::Region("eu-west-2".into()),
            stack: fixtures::resources(),
        }]
    );
    let mut state = state_with(fixtures::healthy());
    assert_eq!(command(&mut state, "profile"), vec![]);
    assert_eq!(
        state.message.as_deref(),
        Some(":profile needs a name, e.g. :profile NAME")
    );
}

#[test]
fn a_failed_switch_says_why_and_stays_where_it_was() {
    let mut state = state_with(fixtures::healthy());
    identity(&mut state);
    command(&mut state, "profile nosuch");
    let why = "profile nosuch (from :profile) is in neither …";
    assert_eq!(
        update(&mut state, Msg::AwsSwitched(Err(why.into()))),
        vec![]
    );
    assert_eq!(state.message.as_deref(), Some(why));
    assert_eq!(
        (state.profile(), state.region(), state.account()),
        ("prod-admin", "eu-west-1", Some("123456789012"))
    );
    assert!(state.refresh.data.is_some(), "the data stays");
    assert!(!state.refresh.switching);
}

#[test]
fn a_switch_that_found_the_stack_starts_it_again_there_and_asks_who_we_are() {
    let mut state = state_with(fixtures::healthy());
    identity(&mut state);
    command(&mut state, "region eu-west-2");
    let switched = Switched {
        profile: "prod-admin".into(),
        region: "eu-west-2".into(),
        resources: fixtures::resources(),
    };
    let effects = update(&mut state, Msg::AwsSwitched(Ok(switched)));
    assert_eq!(effects, started(&state));
    assert!(effects.contains(&Effect::Whoami), "{effects:?}");
    assert_eq!(
        (state.profile(), state.region(), state.account()),
        ("prod-admin", "eu-west-2", None)
    );
    assert_eq!(
        state.message.as_deref(),
        Some("profile prod-admin · region eu-west-2 · stack courier-local")
    );
    assert!(
        state.refresh.data.is_none(),
        "nothing of the old region is shown"
    );
    assert!(!state.refresh.switching);
}

#[test]
fn service_command_asks_for_the_service_in_the_stack_cluster_or_the_one_given() {
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "service courier-local-worker"),
        vec![Effect::SwitchService {
            cluster: Some("courier-local".into()),
            service: "courier-local-worker".into(),
        }]
    );
    assert_eq!(
        state.message.as_deref(),
        Some("switching to service courier-local-worker…")
    );
    let mut state = state_with(fixtures::healthy());
    assert_eq!(
        command(&mut state, "service prod/api"),
        vec![Effect::SwitchService {
            cluster: Some("prod".into()),
            service: "api".into(),
        }]
    );
}
