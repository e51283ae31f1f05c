//! The alarms panel: every alarm with the stack's prefix, ALARM first, state coloured.

use super::{block, data_age, error_line, format, text_panel};
use crate::app::{Panel, State};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut title = "Alarms".to_owned();
    let lines: Vec<Line> = match state.refresh.data.as_ref().map(|d| &d.health.alarms) {
        None => vec![Line::from("loading…")],
        Some(Err(e)) => vec![error_line(state, "", e)],
        Some(Ok(alarms)) if alarms.is_empty() => vec![Line::styled(
            "no alarms with the stack's prefix",
            Style::default().fg(theme.muted),
        )],
        Some(Ok(alarms)) => {
            let firing = alarms.iter().filter(|a| a.state == "ALARM").count();
            title = format!("Alarms {firing}/{}", alarms.len());
            let selector = state.resources().alarm_selector();
            let prefix = selector.as_ref().map_or("", |s| s.prefix());
            alarms
                .iter()
                .filter(|a| {
                    state.matches(&a.name) || state.matches(&a.state) || state.matches(&a.reason)
                })
                .map(|a| {
                    let name = a
                        .name
                        .strip_prefix(prefix)
                        .filter(|n| !n.is_empty())
                        .unwrap_or(&a.name);
                    let mut spans = vec![
                        Span::styled(
                            format!(
                                "{:<6}",
                                if a.state == "INSUFFICIENT_DATA" {
                                    "NODATA"
                                } else {
                                    &a.state
                                }
                            ),
                            Style::default()
                                .fg(theme.state(&a.state))
                                .add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(format!(" {name} ")),
                        Span::styled(
                            format::ago(a.since, state.now),
                            Style::default().fg(theme.muted),
                        ),
                    ];
                    if state.zoomed || a.state == "ALARM" {
                        spans.push(Span::styled(
                            format!(" {}", a.reason),
                            Style::default().fg(theme.muted),
                        ));
                    }
                    Line::from(spans)
                })
                .collect()
        }
    };
    let block = block(state, Panel::Alarms, title, data_age(state));
    text_panel(frame, state, Panel::Alarms, area, block, lines);
}
