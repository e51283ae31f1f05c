//! The chooser: in a stack of several queues or services, or a service of several tasks, an
//! action asks which one first.

use super::dialog::text_box;
use crate::app::which::{among, question};
use crate::app::State;
use crate::model::mutation::Request;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::Frame;

/// The chooser of `request` over `options` (each name and what tells it apart), `cursor` on one.
pub(super) fn draw(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    request: &Request,
    options: &[(String, String)],
    cursor: usize,
) {
    let theme = &state.theme;
    let lines = options
        .iter()
        .enumerate()
        .map(|(i, (name, detail))| {
            let pointer = if i == cursor { "▶ " } else { "  " };
            let colour = if i == cursor {
                theme.accent
            } else {
                theme.text
            };
            Line::styled(
                format!("{pointer}{name} · {detail}"),
                Style::default().fg(colour),
            )
        })
        .collect();
    let title = format!("{} {}", question(request), among(request, options.len()));
    let hint = Line::styled(
        "↑/↓ choose · Enter plans it · Esc cancels",
        Style::default().fg(theme.muted),
    );
    text_box(state, frame, area, title, lines, Vec::new(), hint, false);
}
