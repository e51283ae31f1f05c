//! `update` with plain values: keys and data messages in, state and effects out.

use super::fixtures::{self, key, plan, refresh, started, state_with, typed, NOW};
use super::keys::Key;
use super::*;
use crate::model::dashboard::LogLine;
use crate::model::logline::LogFormat;
use crate::model::logs::TailEvent;
use crate::model::mutation::Request;

fn fresh() -> State {
    State::new(
        fixtures::resources(),
        Settings {
            interval: 5,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn start_refreshes_and_tails_and_a_refresh_in_flight_is_not_repeated() {
    let mut state = fresh();
    assert_eq!(
        state.start(),
        vec![
            Effect::Refresh {
                stack: fixtures::resources(),
                seq: 1
            },
            Effect::StartTail {
                generation: 1,
                log_group: Some("/ecs/courier-local".into()),
                history: crate::config::DEFAULT_LOG_LINES
            },
            Effect::Whoami
        ]
    );
    assert_eq!(
        update(&mut state, Msg::Tick(NOW)),
        vec![],
        "still refreshing"
    );
    assert_eq!(key(&mut state, Key::Char('r')), vec![]);
    fixtures::refreshed(&mut state, NOW, fixtures::healthy());
    assert_eq!(state.age(), "updated 0 s ago");
    let effects = key(&mut state, Key::Char('r'));
    assert_eq!(effects, vec![refresh(&state)]);
}

#[test]
fn refreshes_follow_the_interval() {
    let mut state = fresh();
    let effects = update(&mut state, Msg::Tick(100));
    assert_eq!(effects, vec![refresh(&state)]);
    fixtures::refreshed(&mut state, 101, fixtures::healthy());
    assert_eq!(update(&mut state, Msg::Tick(103)), vec![]);
    let effects = update(&mut state, Msg::Tick(105));
    assert_eq!(effects, vec![refresh(&state)]);
}

#[test]
fn a_refresh_of_another_stack_is_ignored() {
    let mut state = fresh();
    state.start();
    let seq = state.refresh.seq;
    update(
        &mut state,
        Msg::Refreshed {
            seq,
            at: 1,
            stack: "other".into(),
            data: Box::new(fixtures::healthy()),
        },
    );
    assert!(state.refresh.data.is_none());
}

#[test]
fn keys_move_focus_zoom_help_and_quit() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Tab);
    assert_eq!(state.focus, Panel::Alarms);
    key(&mut state, Key::Right);
    assert_eq!(state.focus, Panel::Database);
    key(&mut state, Key::Left);
    key(&mut state, Key::BackTab);
    key(&mut state, Key::BackTab);
    assert_eq!(state.focus, Panel::Logs);
    key(&mut state, Key::Enter);
    assert!(state.zoomed);
    key(&mut state, Key::Esc);
    assert!(!state.zoomed);
    key(&mut state, Key::Char('?'));
    assert_eq!(state.mode, Mode::Help);
    assert_eq!(
        key(&mut state, Key::Char('q')),
        vec![],
        "q closes help first"
    );
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(key(&mut state, Key::Char('q')), vec![Effect::Quit]);
    assert_eq!(key(&mut state, Key::Ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn an_unbound_key_does_not_redraw_and_a_tick_redraws_only_for_a_new_second() {
    let mut state = state_with(fixtures::healthy());
    state.dirty = false;
    key(&mut state, Key::Char('z'));
    assert!(!state.dirty);
    update(&mut state, Msg::Tick(NOW));
    assert!(!state.dirty, "same second, same screen");
    update(&mut state, Msg::Tick(NOW + 1));
    assert!(state.dirty);
}

#[test]
fn the_filter_is_typed_kept_and_cleared() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Char('/'));
    assert_eq!(state.mode, Mode::Filter);
    typed(&mut state, "worxk");
    key(&mut state, Key::Backspace);
    key(&mut state, Key::Backspace);
    typed(&mut state, "k");
    assert_eq!(state.filter, "work");
    assert!(state.matches("the WORKER gave up"));
    assert!(!state.matches("relay"));
    key(&mut state, Key::Enter);
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(state.filter, "work", "Enter keeps the filter");
    key(&mut state, Key::Esc);
    assert_eq!(state.filter, "", "Esc in normal mode clears it");
    key(&mut state, Key::Char('/'));
    typed(&mut state, "x");
    key(&mut state, Key::Esc);
    assert_eq!(state.filter, "");
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn commands_switch_stack_theme_and_quit() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Char(':'));
    typed(&mut state, "stack courier-prod");
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![Effect::SwitchStack("courier-prod".into())]
    );
    key(&mut state, Key::Char(':'));
    typed(&mut state, "theme light");
    assert_eq!(
        key(&mut state, Key::Enter),
        vec![Effect::LoadTheme("light".into())]
    );
    key(&mut state, Key::Char(':'));
    typed(&mut state, "bogus");
    assert_eq!(key(&mut state, Key::Enter), vec![]);
    assert!(state
        .message
        .as_deref()
        .unwrap()
        .contains("unknown command :bogus"));
    key(&mut state, Key::Char(':'));
    typed(&mut state, "q");
    assert_eq!(key(&mut state, Key::Enter), vec![Effect::Quit]);
}

#[test]
fn a_loaded_stack_restarts_everything_and_old_tail_lines_are_dropped() {
    let mut state = state_with(fixtures::healthy());
    let old = state.logs.generation;
    let mut other = fixtures::resources();
    other.stack = "courier-prod".into();
    let effects = update(&mut state, Msg::StackLoaded(Ok(other)));
    assert_eq!(effects, started(&state));
    assert_eq!(state.logs.generation, old + 1);
    assert_eq!(state.stack(), "courier-prod");
    assert!(state.refresh.data.is_none() && state.logs.lines.is_empty());
    update(
        &mut state,
        Msg::Log {
            generation: old,
            event: TailEvent::Lines(fixtures::log_lines()),
        },
    );
    assert!(
        state.logs.lines.is_empty(),
        "a line of the old stack's tail"
    );
    update(&mut state, Msg::StackLoaded(Err("no parameters".into())));
    assert_eq!(state.message.as_deref(), Some("no parameters"));
}

#[test]
fn a_read_only_stack_from_the_config_does_not_bind_mutations() {
    let mut per_stack = BTreeMap::new();
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
    assert!(state.read_only());
    key(&mut state, Key::Ctrl('r'));
    assert!(state.message.is_none(), "ctrl-r is not bound at all");
    let mut rw = fresh();
    let effects = key(&mut rw, Key::Ctrl('r'));
    assert_eq!(effects, vec![plan(&rw, Request::Redeploy)]);
}

#[test]
fn pause_scroll_and_follow_the_logs() {
    let mut state = state_with(fixtures::healthy());
    state.focus = Panel::Logs;
    let generation = state.logs.generation;
    let more = |n: i64| Msg::Log {
        generation,
        event: TailEvent::Lines(vec![LogLine {
            id: format!("n{n}"),
            at_ms: NOW * 1000 + n,
            stream: "s".into(),
            message: format!("new {n}"),
        }]),
    };
    key(&mut state, Key::Char(' '));
    assert_eq!(state.logs.anchor, Some(5));
    update(&mut state, more(1));
    assert_eq!(
        state.logs.lines.len(),
        6,
        "lines keep arriving while paused"
    );
    assert_eq!(state.logs.anchor, Some(5), "the view does not move");
    key(&mut state, Key::Up);
    assert_eq!(state.logs.offset, 1);
    key(&mut state, Key::Char('G'));
    assert_eq!((state.logs.anchor, state.logs.offset), (None, 0));
    key(&mut state, Key::Up);
    assert_eq!(state.logs.anchor, Some(6), "scrolling back pauses");
    key(&mut state, Key::Char('J'));
    assert_eq!(state.logs.format, LogFormat::Pretty);
    key(&mut state, Key::Char('J'));
    assert_eq!(state.logs.format, LogFormat::Raw);
    key(&mut state, Key::Char('J'));
    assert_eq!(state.logs.format, LogFormat::Compact);
}

#[test]
fn the_log_buffer_is_bounded() {
    let mut state = State::new(
        fixtures::resources(),
        Settings {
            log_lines: 3,
            ..Default::default()
        },
    )
    .unwrap();
    state.start();
    let generation = state.logs.generation;
    update(
        &mut state,
        Msg::Log {
            generation,
            event: TailEvent::Lines(fixtures::log_lines()),
        },
    );
    assert_eq!(state.logs.lines.len(), 3);
}

#[test]
fn a_quiet_poll_clears_a_log_error_and_refreshes_the_panel_age() {
    let mut state = state_with(fixtures::healthy());
    let generation = state.logs.generation;
    let log = |event| Msg::Log { generation, event };
    let lines = state.logs.lines.len();
    update(&mut state, log(TailEvent::Error("throttled".into())));
    assert_eq!(state.logs.error.as_deref(), Some("throttled"));
    update(&mut state, Msg::Tick(NOW + 30));
    // The service logs nothing new: the next poll succeeds with no lines.
    update(&mut state, log(TailEvent::Lines(Vec::new())));
    assert_eq!(state.logs.error, None, "the tail works again");
    assert_eq!(state.logs.updated_at, Some(NOW + 30), "fresh, not 30 s old");
    assert_eq!(state.logs.lines.len(), lines);
}

#[test]
fn scrolling_a_list_panel_moves_its_offset() {
    let mut state = state_with(fixtures::healthy());
    key(&mut state, Key::Down);
    key(&mut state, Key::Char('j'));
    assert_eq!(state.scroll_of(Panel::Service), 2);
    key(&mut state, Key::Char('g'));
    assert_eq!(state.scroll_of(Panel::Service), 0);
}
