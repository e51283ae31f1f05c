//! The log panel's formats at 80×24 and 160×48: JSON (courier's own lines), logfmt and plain
//! lines in compact, pretty and raw form; `n` / `N` and field filters on screen.

use super::tests::{logs_rows, more_logs, screen};
use crate::app::fixtures::{self, state_with};
use crate::app::keys::Key;
use crate::app::{update, Msg, Panel, State};

/// Lines as courier writes them (tracing's JSON, flattened), a logfmt line and a plain one.
fn mixed() -> State {
    let mut state = state_with(fixtures::healthy());
    more_logs(
        &mut state,
        [
            r#"{"timestamp":"2026-12-02T01:19:45.179604Z","level":"INFO","message":"message accepted","message_id":"9b1d","route":"/messages","status":202,"target":"courier::api"}"#.to_owned(),
            r#"{"timestamp":"2026-12-02T01:19:46.002Z","level":"ERROR","message":"delivery failed","message_id":"9b1d","error":"connection refused","attempt":3,"target":"courier::worker"}"#.to_owned(),
            r#"time=2026-12-02T01:19:47Z level=warn msg="slow query" latency_ms=812 route=/health"#.to_owned(),
            "thread 'main' panicked at src/main.rs:10:5".to_owned(),
        ],
    );
    state.focus = Panel::Logs;
    state
}

fn press(state: &mut State, key: Key) {
    update(state, Msg::Key(key));
}

fn typed(state: &mut State, text: &str) {
    press(state, Key::Char('/'));
    for c in text.chars() {
        press(state, Key::Char(c));
    }
    press(state, Key::Enter);
}

#[test]
fn compact_pretty_and_raw_at_both_sizes() {
    let mut state = mixed();
    for format in ["compact", "pretty", "raw"] {
        for (w, h) in [(80, 24), (160, 48)] {
            let rows = logs_rows(&screen(&state, w, h)).join("\n");
            insta::assert_snapshot!(format!("logs_{format}_{w}x{h}"), rows);
        }
        press(&mut state, Key::Char('J'));
    }
}

#[test]
fn the_compact_form_shows_the_lines_own_time_level_and_message_first() {
    let state = mixed();
    let rows = logs_rows(&screen(&state, 80, 24));
    let text = rows.join("\n");
    assert!(
        text.contains("01:19:45 INFO  message accepted message_id=9b1d route=/messages"),
        "{text}"
    );
    assert!(text.contains("01:19:46 ERROR delivery failed"), "{text}");
    assert!(
        text.contains("01:19:47 WARN  slow query latency_ms=812"),
        "{text}"
    );
    assert!(
        !text.contains("target="),
        "noisy fields are dropped: {text}"
    );
    assert!(
        text.contains("panicked at src/main.rs"),
        "plain as it is: {text}"
    );
}

#[test]
fn field_filters_and_error_jumps_on_screen() {
    let mut state = mixed();
    typed(&mut state, "level>=warn");
    let text = logs_rows(&screen(&state, 80, 24)).join("\n");
    assert!(
        text.contains("delivery failed") && text.contains("slow query"),
        "{text}"
    );
    assert!(!text.contains("message accepted"), "{text}");
    press(&mut state, Key::Esc);
    typed(&mut state, "status=2*");
    let text = logs_rows(&screen(&state, 80, 24)).join("\n");
    assert!(
        text.contains("message accepted") && !text.contains("slow query"),
        "{text}"
    );
    press(&mut state, Key::Esc);
    // `N` from the newest line: the newest error is the bottom line, the panel paused.
    press(&mut state, Key::Char('N'));
    let rows = logs_rows(&screen(&state, 80, 24));
    assert!(
        rows.iter()
            .rev()
            .find(|r| !r.trim().is_empty())
            .unwrap()
            .contains("delivery failed"),
        "{rows:#?}"
    );
    assert!(state.logs.paused());
    // Further back: the fixture's "gave up" error line.
    press(&mut state, Key::Char('N'));
    let rows = logs_rows(&screen(&state, 80, 24));
    assert!(rows.iter().any(|r| r.contains("gave up")), "{rows:#?}");
    // `n` comes back to the newer error; past the newest it says so and stays.
    press(&mut state, Key::Char('n'));
    let bottom = |state: &State| {
        logs_rows(&screen(state, 80, 24))
            .into_iter()
            .rev()
            .find(|r| !r.trim().is_empty())
            .unwrap()
    };
    assert!(bottom(&state).contains("delivery failed"));
    press(&mut state, Key::Char('n'));
    assert!(bottom(&state).contains("delivery failed"));
    assert_eq!(
        state.message.as_deref(),
        Some("no newer error; End follows the newest line")
    );
}
