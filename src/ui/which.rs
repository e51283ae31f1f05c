//! The queue chooser: a purge or a redrive in a stack of several queues asks which one first.

use super::dialog::text_box;
use crate::app::State;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::Frame;

/// The chooser of `action` over `queues` (each name and its DLQ's), `cursor` on one.
pub(super) fn draw(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    action: &str,
    queues: &[(String, String)],
    cursor: usize,
) {
    let theme = &state.theme;
    let lines = queues
        .iter()
        .enumerate()
        .map(|(i, (queue, dlq))| {
            let pointer = if i == cursor { "▶ " } else { "  " };
            let dlq = if dlq.is_empty() {
                "no DLQ".into()
            } else {
                format!("DLQ {dlq}")
            };
            let colour = if i == cursor {
                theme.accent
            } else {
                theme.text
            };
            Line::styled(
                format!("{pointer}{queue} · {dlq}"),
                Style::default().fg(colour),
            )
        })
        .collect();
    let title = format!("{action}: which queue? the stack has {}", queues.len());
    let hint = Line::styled(
        "↑/↓ choose · Enter plans it · Esc cancels",
        Style::default().fg(theme.muted),
    );
    text_box(state, frame, area, title, lines, Vec::new(), hint, false);
}
