//! The header's warning: a stall the alarms do not see yet is one line in the theme's warning
//! colour where the healthy verdict would be.

use super::*;
use crate::app::fixtures::{self, state_with, NOW};
use crate::model::dashboard::{Dashboard, QUEUE_DELETED, QUEUE_DEPTH, QUEUE_RECEIVED};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// The healthy fixture whose worker stopped five minutes ago: the depth climbs +5/s from 0 and
/// nothing is received or deleted since.
fn stalled() -> Dashboard {
    let mut data = fixtures::healthy();
    let metrics = data.metrics.as_mut().unwrap();
    let minute = |i: i64| NOW - 3600 + i * 60;
    let busy = |i: i64| if i < 55 { 12.0 } else { 0.0 };
    let depth = |i: i64| if i < 55 { 4.0 } else { (i - 55) as f64 * 300.0 };
    for (id, f) in [
        (QUEUE_DEPTH, &depth as &dyn Fn(i64) -> f64),
        (QUEUE_RECEIVED, &busy),
        (QUEUE_DELETED, &busy),
    ] {
        metrics.insert(id.into(), (0..60).map(|i| (minute(i), f(i))).collect());
    }
    data
}

fn header(state: &State, width: u16) -> (String, ratatui::buffer::Buffer) {
    let mut terminal = Terminal::new(TestBackend::new(width, 24)).unwrap();
    terminal.draw(|f| view(state, f)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let line = (0..width)
        .map(|x| buffer[(x, 0)].symbol().to_owned())
        .collect::<String>();
    (line.trim_end().to_owned(), buffer)
}

#[test]
fn a_stall_is_a_warning_in_the_header() {
    let state = state_with(stalled());
    let (line, buffer) = header(&state, 120);
    assert!(
        line.contains("WARNING: courier-local-work +5/s, nothing consumed for 5 min"),
        "{line}"
    );
    let at = line.find("WARNING").unwrap();
    let x = line[..at].chars().count() as u16;
    assert_eq!(buffer[(x, 0)].fg, state.theme.warn, "the warning colour");
    let (line, _) = header(&state, 80);
    insta::assert_snapshot!("warning_header_80", line);
}

#[test]
fn the_healthy_fixture_warns_of_nothing() {
    assert!(state_with(fixtures::healthy()).warnings().is_empty());
    assert!(state_with(fixtures::alarm_firing()).warnings().is_empty());
}
