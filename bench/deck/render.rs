//! The frame (measure 7): one frame of the dashboard drawn with a full log buffer (10,000
//! courier-like JSON lines) and a `/` filter on, in process on ratatui's TestBackend at 160×48
//! — the work of a redraw without the terminal's. Target: ≤ 2 ms a frame.

use crate::Row;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use stackdeck::app::{update, Msg, Settings, State};
use stackdeck::model::dashboard::LogLine;
use stackdeck::model::logs::TailEvent;
use stackdeck::model::stack::StackResources;
use std::time::Instant;

const LINES: usize = 10_000;
const FRAMES: usize = 200;

/// A dashboard holding `LINES` log lines, one in ten an error, with `filter` typed into `/`.
fn state(filter: &str) -> State {
    let stack = StackResources::from_parameters(
        "bench",
        [(
            "/stackdeck/bench/log_group".to_owned(),
            "/ecs/bench".to_owned(),
        )],
    );
    let mut state = State::new(stack, Settings::default()).expect("default settings");
    state.start();
    let now = 1_764_638_400;
    update(&mut state, Msg::Tick(now));
    let lines = (0..LINES)
        .map(|i| {
            let (level, status) = if i % 10 == 0 { ("ERROR", 503) } else { ("INFO", 202) };
            LogLine {
                id: i.to_string(),
                at_ms: (now - 600) * 1000 + i as i64 * 60,
                stream: "courier/courier/0f3c9a7be1d24c55".into(),
                message: format!(
                    r#"{{"timestamp":"2026-12-02T01:19:45.179604Z","level":"{level}","message":"request","seq":{i},"route":"/messages","status":{status},"target":"courier::api"}}"#
                ),
            }
        })
        .collect();
    let generation = state.logs.generation();
    update(
        &mut state,
        Msg::Log {
            generation,
            event: TailEvent::Lines(lines),
        },
    );
    state.filter = filter.to_owned();
    state
}

/// Median and worst microseconds a frame over `FRAMES` frames.
fn frame_micros(state: &State) -> (u128, u128) {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let mut times: Vec<u128> = (0..FRAMES)
        .map(|_| {
            let t = Instant::now();
            terminal
                .draw(|f| stackdeck::ui::view(state, f))
                .expect("draw");
            t.elapsed().as_micros()
        })
        .collect();
    times.sort_unstable();
    (times[FRAMES / 2], times[FRAMES - 1])
}

pub fn frame() -> Vec<Row> {
    let mut rows = Vec::new();
    for (what, filter) in [
        ("no filter", ""),
        ("field filter status=5*", "status=5*"),
        ("text filter \"request\"", "request"),
    ] {
        let state = state(filter);
        assert_eq!(state.logs.lines.len(), LINES, "the buffer is full");
        let (median, worst) = frame_micros(&state);
        rows.push((
            format!("one frame, 10,000 log lines, {what} (160×48)"),
            format!(
                "median {:.2} ms, worst {:.2} ms",
                median as f64 / 1e3,
                worst as f64 / 1e3
            ),
            "≤ 2 ms".into(),
            median <= 2_000,
        ));
    }
    rows
}
