//! The timeline overlay: the incident timeline, oldest first, one row an entry (how long ago, the
//! UTC time, the kind, what happened), the selected entry's detail below it after Enter.

use crate::app::timeline::TimelineView;
use crate::app::State;
use crate::model::time::age;
use crate::model::timeline::{kind_label, relative, Kind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn colour(state: &State, kind: &Kind) -> Color {
    let theme = &state.theme;
    match kind {
        Kind::DeploymentFailed | Kind::DeploymentRolledBack | Kind::ErrorSpike => theme.error,
        Kind::Alarm { to_state } if to_state == "ALARM" => theme.alarm,
        Kind::Alarm { to_state } if to_state == "OK" => theme.ok,
        Kind::DeploymentCompleted => theme.ok,
        Kind::DeploymentStarted | Kind::Operator => theme.accent,
        Kind::Warning | Kind::TaskStopped | Kind::Alarm { .. } => theme.warn,
        Kind::ServiceEvent => theme.text,
    }
}

fn clock(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// What the overlay says of the reads it waits for or that failed.
fn status(state: &State, view: &TimelineView) -> Option<Line<'static>> {
    let theme = &state.theme;
    let Some(loaded) = &view.loaded else {
        return Some(Line::styled(
            "reading the alarm history, the audit log and the deployments' task definitions…",
            Style::default().fg(theme.muted),
        ));
    };
    let failed: Vec<String> = [
        loaded
            .alarms
            .as_ref()
            .err()
            .map(|e| format!("alarm history unavailable: {e}")),
        loaded
            .records
            .as_ref()
            .err()
            .map(|e| format!("audit log unavailable: {e}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!failed.is_empty()).then(|| Line::styled(failed.join(" · "), Style::default().fg(theme.warn)))
}

pub fn draw(state: &State, frame: &mut Frame, area: Rect, view: &TimelineView) {
    let theme = &state.theme;
    let (width, height) = (area.width.saturating_sub(4), area.height.saturating_sub(2));
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let hint = if view.detail {
        "Esc back"
    } else {
        "Enter detail · Esc closes"
    };
    let title = format!(
        " timeline · last {} · {} entr{} · {hint} ",
        age(state.now - view.since),
        view.entries.len(),
        if view.entries.len() == 1 { "y" } else { "ies" }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(
            Style::default()
                .fg(theme.focus)
                .add_modifier(Modifier::BOLD),
        )
        .title(Line::styled(
            title,
            Style::default()
                .fg(theme.focus)
                .add_modifier(Modifier::BOLD),
        ));
    frame.render_widget(Clear, popup);
    let mut inner = block.inner(popup);
    frame.render_widget(block, popup);
    if let Some(line) = status(state, view) {
        let [top, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(line), top);
        inner = rest;
    }
    let (list_area, detail_area) = if view.detail {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Min(3)]).areas(inner);
        (list, Some(detail))
    } else {
        (inner, None)
    };
    draw_list(state, frame, list_area, view);
    if let (Some(area), Some(entry)) = (detail_area, view.selected()) {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(Style::default().fg(theme.border))
            .title(Line::styled(
                format!(" {} ", kind_label(&entry.kind)),
                Style::default()
                    .fg(colour(state, &entry.kind))
                    .add_modifier(Modifier::BOLD),
            ));
        let mut lines = vec![Line::styled(
            entry.title.clone(),
            Style::default().fg(theme.text).add_modifier(Modifier::BOLD),
        )];
        lines.extend(
            entry
                .detail
                .iter()
                .map(|d| Line::styled(d.clone(), Style::default().fg(theme.text))),
        );
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

fn draw_list(state: &State, frame: &mut Frame, area: Rect, view: &TimelineView) {
    let theme = &state.theme;
    if view.entries.is_empty() {
        let line = Line::styled(
            "nothing happened in the window (that the dashboard knows of)",
            Style::default().fg(theme.muted),
        );
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let rows = area.height.max(1) as usize;
    // The selection stays in view, as low as it can be (the newest entries are at the bottom).
    let first = (view.cursor + 1).saturating_sub(rows);
    let lines: Vec<Line> = view
        .entries
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, e)| {
            let selected = i == view.cursor;
            let base = super::choice_style(theme, selected);
            let kind = if selected {
                base
            } else {
                base.fg(colour(state, &e.kind))
            };
            let muted = if selected { base } else { base.fg(theme.muted) };
            Line::from(vec![
                Span::styled(if selected { "›" } else { " " }, base),
                Span::styled(
                    format!("{:>10} {}Z ", relative(e.at, state.now), clock(e.at)),
                    muted,
                ),
                Span::styled(format!("{:<18} ", kind_label(&e.kind)), kind),
                Span::styled(e.title.clone(), base),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
