//! The dashboard's pure `view`: draws the state, nothing else. One file per panel; colours only
//! from the active theme.

mod alarms;
mod chart;
mod database;
mod dialog;
pub mod format;
mod header;
mod logline;
mod logs;
pub mod picker;
mod queue;
mod service;
mod timeline;
mod which;

use crate::app::command::{self, Spec};
use crate::app::keys::Action;
use crate::app::{Mode, Panel, State};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Where each panel goes; the focused one takes the whole body when zoomed.
pub fn layout(state: &State, body: Rect) -> Vec<(Panel, Rect)> {
    if state.zoomed {
        return vec![(state.focus, body)];
    }
    // Service and alarms on top, the two charts in the middle, logs below: on 80×24 the top row
    // keeps six lines, the charts four, the logs six.
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Percentage(36),
        Constraint::Percentage(28),
        Constraint::Min(5),
    ])
    .areas(body);
    let [service, alarms] =
        Layout::horizontal([Constraint::Percentage(56), Constraint::Percentage(44)]).areas(top);
    let [database, queue] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
    vec![
        (Panel::Service, service),
        (Panel::Alarms, alarms),
        (Panel::Database, database),
        (Panel::Queue, queue),
        (Panel::Logs, bottom),
    ]
}

/// A panel's frame: its title, its age on the right, the focus colour when focused.
/// A list row or button: chosen (the theme's selection on its focus colour, bold) or not.
pub(crate) fn choice_style(theme: &crate::theme::Theme, chosen: bool) -> Style {
    if chosen {
        Style::default()
            .fg(theme.selection)
            .bg(theme.focus)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(theme.text)
    }
}

pub(crate) fn block<'a>(state: &State, panel: Panel, title: String, age: String) -> Block<'a> {
    let theme = &state.theme;
    let focused = panel == state.focus;
    let border = if focused {
        Style::default()
            .fg(theme.focus)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(theme.border)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Line::styled(
            format!(" {title} "),
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        ))
        .title(Line::styled(format!(" {age} "), Style::default().fg(theme.muted)).right_aligned())
}

/// The panels' shared age: "3 s ago", or "loading…".
pub(crate) fn data_age(state: &State) -> String {
    match state.refresh.updated_at {
        Some(at) => format::ago(Some(at), state.now),
        None => "loading…".into(),
    }
}

/// An error line in the theme's error colour.
pub(crate) fn error_line(state: &State, what: &str, e: &str) -> Line<'static> {
    Line::styled(
        format!("{what}error: {e}"),
        Style::default().fg(state.theme.error),
    )
}

/// Draw `lines` wrapped at the top of `area`; returns the rest of `area` (for a chart).
pub(crate) fn wrapped_head(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) -> Rect {
    let width = area.width.max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    let [text, rest] =
        Layout::vertical([Constraint::Length(rows as u16), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    rest
}

/// Draw text lines in `area` inside `block`, scrolled by the panel's offset (clamped).
pub(crate) fn text_panel(
    frame: &mut Frame,
    state: &State,
    panel: Panel,
    area: Rect,
    block: Block<'_>,
    lines: Vec<Line<'_>>,
) {
    let inner_height = area.height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(inner_height);
    let offset = state.scroll_of(panel).min(max) as u16;
    let mut paragraph = Paragraph::new(lines).block(block).scroll((offset, 0));
    if state.zoomed {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, area);
}

/// Draw the whole screen.
/// The panel at column `x`, row `y` of a screen `area` as [`view`] lays it out (for the mouse).
pub fn panel_at(state: &State, area: Rect, x: u16, y: u16) -> Option<Panel> {
    let [_, body, _] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let at = ratatui::layout::Position { x, y };
    layout(state, body)
        .into_iter()
        .find(|(_, rect)| rect.contains(at))
        .map(|(panel, _)| panel)
}

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let base = Style::default().fg(state.theme.text);
    frame.render_widget(Block::default().style(base), area);
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    header::draw(state, frame, header);
    for (panel, rect) in layout(state, body) {
        match panel {
            Panel::Service => service::draw(state, frame, rect),
            Panel::Alarms => alarms::draw(state, frame, rect),
            Panel::Database => database::draw(state, frame, rect),
            Panel::Queue => queue::draw(state, frame, rect),
            Panel::Logs => logs::draw(state, frame, rect),
        }
    }
    draw_footer(state, frame, footer);
    if state.mode == Mode::Help {
        draw_help(state, frame, area);
    }
    dialog::draw(state, frame, area);
}

fn draw_footer(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let line = match &state.mode {
        Mode::Filter => Line::from(vec![
            Span::styled("/", Style::default().fg(theme.accent)),
            Span::raw(format!("{}█", state.filter)),
            Span::styled("  Enter keep · Esc clear", Style::default().fg(theme.muted)),
        ]),
        Mode::Command(text) => Line::from(vec![
            Span::styled(":", Style::default().fg(theme.accent)),
            Span::raw(format!("{text}█")),
            Span::styled(command_hint(state), Style::default().fg(theme.muted)),
        ]),
        _ => {
            let mut spans = Vec::new();
            if !state.filter.is_empty() {
                spans.push(Span::styled(
                    format!(" /{} ", state.filter),
                    Style::default()
                        .fg(theme.accent)
                        .add_modifier(Modifier::BOLD),
                ));
            }
            match &state.message {
                Some(m) => spans.push(Span::styled(
                    format!(" {m}"),
                    Style::default().fg(theme.warn),
                )),
                None => spans.push(Span::styled(
                    " ? help · / filter · : command · Tab panel · Enter zoom · q quit",
                    Style::default().fg(theme.muted),
                )),
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The command line's hint: the commands offered, as typed after `:`, with their required
/// arguments (the optional ones, `[REV]`, are in the help; without them the hint fits 160 columns).
fn command_hint(state: &State) -> String {
    let usages: Vec<String> = command::offered(state.read_only())
        .filter(|spec| spec.help.is_some())
        .map(
            |spec| match spec.args.starts_with('[') && spec.args.ends_with(']') {
                true => spec.name().to_owned(),
                false => spec.usage(),
            },
        )
        .collect();
    format!("  {}", usages.join(" · "))
}

/// Every bound key with what it does, then the commands.
pub fn help_lines(state: &State) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = Action::ALL
        .into_iter()
        .filter_map(|action| {
            let keys = state.keymap().keys_of(action);
            if keys.is_empty() {
                return None;
            }
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            // Ctrl-c quits from anywhere: on the quit keys' line, which keeps 80×24 in two columns.
            if action == Action::Quit {
                return Some((
                    format!("{} Ctrl-c", keys.join(" ")),
                    "quit; Ctrl-c anywhere".into(),
                ));
            }
            Some((keys.join(" "), action.describe().to_owned()))
        })
        .collect();
    if !lines.iter().any(|(keys, _)| keys.ends_with("Ctrl-c")) {
        lines.push(("Ctrl-c".into(), "quit, from anywhere".into()));
    }
    // The commands that read, then those that mutate (offered only when not read-only).
    let (reads, mutates): (Vec<&Spec>, Vec<&Spec>) =
        command::offered(state.read_only()).partition(|spec| !spec.mutates);
    for spec in reads.into_iter().chain(mutates) {
        if let Some(what) = spec.help {
            lines.push((format!(":{}", spec.usage()), what.into()));
        }
    }
    lines
}

fn draw_help(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let entries = help_lines(state);
    // One column when it fits, else two (an 80×24 terminal still shows every key).
    let columns: usize = if entries.len() as u16 + 2 <= area.height {
        1
    } else {
        2
    };
    let rows = entries.len().div_ceil(columns);
    let width = if columns == 1 { 76 } else { 156 }.min(area.width);
    let height = (rows as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let outer = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.focus))
        .title(" keys · Esc closes ");
    let inner = outer.inner(popup);
    frame.render_widget(outer, popup);
    let parts =
        Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(inner);
    for (chunk, part) in entries.chunks(rows).zip(parts.iter()) {
        let key_width = chunk
            .iter()
            .map(|(k, _)| k.len())
            .max()
            .unwrap_or(0)
            .min(20);
        let lines: Vec<Line> = chunk
            .iter()
            .map(|(keys, what)| {
                Line::from(vec![
                    Span::styled(
                        format!("{keys:<key_width$} "),
                        Style::default()
                            .fg(theme.accent)
                            .add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(what.clone(), Style::default().fg(theme.text)),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), *part);
    }
}

#[cfg(test)]
mod guard_tests;
#[cfg(test)]
mod logs_tests;
#[cfg(test)]
mod multi_tests;
#[cfg(test)]
mod ops_snap_tests;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod warning_tests;
