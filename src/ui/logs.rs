//! The log panel: the service's log group, newest at the bottom, levels coloured, `/` filtered,
//! paused or scrolled back on demand, JSON pretty-printed on demand.

use super::{block, format};
use crate::app::{Panel, State};
use crate::model::dashboard::{Level, LogLine};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

fn level_color(state: &State, level: Level) -> Color {
    match level {
        Level::Error => state.theme.alarm,
        Level::Warn => state.theme.warn,
        Level::Debug => state.theme.muted,
        Level::Info | Level::Unknown => state.theme.text,
    }
}

/// The screen lines of one log line: one, or several when it is pretty-printed JSON.
fn render(state: &State, line: &LogLine, wide: bool) -> Vec<Line<'static>> {
    let color = level_color(state, line.level());
    let mut head = Vec::new();
    // Lines from the tasks a redeploy or rollback started: marked, so the new revision's
    // behaviour stands out from the draining tasks'.
    if state.from_new_task(line) {
        head.push(Span::styled("▌", Style::default().fg(state.theme.accent)));
    }
    head.push(Span::styled(
        format!("{} ", format::clock(line.at_ms)),
        Style::default().fg(state.theme.muted),
    ));
    if wide {
        // The task id at the end of the awslogs stream name, shortened as the service panel
        // shortens task ids, so a line can be matched to its task by eye.
        let task: String = line.task_id().chars().take(8).collect();
        head.push(Span::styled(
            format!("{task:<8} "),
            Style::default().fg(state.theme.muted),
        ));
    }
    match state.pretty_json.then(|| line.pretty_json()).flatten() {
        Some(pretty) => {
            let mut out = Vec::new();
            for (i, text) in pretty.lines().enumerate() {
                let mut spans = if i == 0 {
                    head.clone()
                } else {
                    vec![Span::raw("  ")]
                };
                spans.push(Span::styled(text.to_owned(), Style::default().fg(color)));
                out.push(Line::from(spans));
            }
            out
        }
        None => {
            head.push(Span::styled(
                line.message.clone(),
                Style::default().fg(color),
            ));
            vec![Line::from(head)]
        }
    }
}

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let group = state.resources.get("log_group").unwrap_or("(no log_group)");
    let mut title = format!("Logs {group}");
    if let Some(mode) = &state.log_mode {
        title.push_str(&format!(" · {mode}"));
    }
    title.push_str(&format!(" · {} lines", state.logs.len()));
    if state.log_anchor.is_some() {
        title.push_str(if state.log_offset > 0 {
            " · SCROLLED"
        } else {
            " · PAUSED"
        });
    }
    let age = match state.log_updated_at {
        Some(at) => format!("{} ago", format::age(state.now - at)),
        None if state.resources.get("log_group").is_none() => String::new(),
        None => "waiting…".into(),
    };
    let block = block(state, Panel::Logs, title, age);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    // The source's error stays on top, whatever the lines below do.
    let area = match &state.log_error {
        Some(e) => super::wrapped_head(frame, inner, vec![super::error_line(state, "", e)]),
        None => inner,
    };
    let room = area.height as usize;
    if room == 0 {
        return;
    }
    let end = state.log_anchor.unwrap_or_else(|| state.logs.end_seq());
    let wide = area.width >= 120;
    // Newest first until the panel is full, skipping what is scrolled off the bottom; the
    // oldest line shown may be cut at the top (its last screen lines), as in a terminal, so that
    // tall pretty-printed JSON never leaves the panel half empty.
    let matching = state
        .logs
        .up_to(end)
        .rev()
        .filter(|l| state.matches(&l.message) || state.matches(&l.stream));
    let total_matching = matching.clone().count();
    let offset = state.log_offset.min(total_matching.saturating_sub(room));
    let mut shown: Vec<Line> = Vec::new();
    for line in matching.skip(offset) {
        for l in render(state, line, wide).into_iter().rev() {
            shown.push(l);
        }
        if shown.len() >= room {
            break;
        }
    }
    shown.truncate(room);
    shown.reverse();
    if shown.is_empty() && state.log_error.is_none() {
        let why = if state.resources.get("log_group").is_none() {
            "the stack has no log_group parameter"
        } else if !state.filter.is_empty() && !state.logs.is_empty() {
            "no line matches the filter"
        } else {
            "no log events yet"
        };
        shown.push(Line::styled(why, Style::default().fg(theme.muted)));
    }
    let mut paragraph = Paragraph::new(shown);
    if state.zoomed {
        // Wrapped, the lines take more rows than there are lines: keep the bottom — the
        // newest — in view and let the oldest rows go off the top.
        paragraph = paragraph.wrap(Wrap { trim: false });
        let rows = paragraph.line_count(area.width);
        paragraph = paragraph.scroll((rows.saturating_sub(room) as u16, 0));
    }
    frame.render_widget(paragraph, area);
}
