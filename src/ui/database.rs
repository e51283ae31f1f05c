//! The database panel: the RDS instance, connections, free storage and a CPU chart of the last
//! hour with the 80 % line.

use super::{block, chart, data_age, error_line, format, wrapped_head};
use crate::app::{Panel, State};
use crate::model::dashboard::{CONNECTIONS, CPU, CPU_THRESHOLD, FREE_STORAGE};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let muted = Style::default().fg(theme.muted);
    let block = block(state, Panel::Database, "Database".into(), data_age(state));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &state.refresh.data else {
        frame.render_widget(Paragraph::new("loading…"), inner);
        return;
    };
    let mut lines = Vec::new();
    match &data.database {
        Err(e) => lines.push(error_line(state, "", e)),
        Ok(None) => lines.push(Line::styled("the stack has no database", muted)),
        Ok(Some(db)) => lines.push(Line::from(vec![
            Span::styled(
                db.id.clone(),
                Style::default()
                    .fg(theme.accent)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(" "),
            Span::styled(
                db.status.clone(),
                Style::default().fg(theme.state(&db.status)),
            ),
            Span::styled(
                format!(
                    " {} {} {} {}",
                    db.class,
                    db.engine,
                    db.engine_version,
                    if db.multi_az { "Multi-AZ" } else { "single-AZ" }
                ),
                muted,
            ),
        ])),
    }
    match &data.metrics {
        Err(e) => lines.push(error_line(state, "metrics: ", e)),
        Ok(_) if matches!(data.database, Ok(None)) => {}
        Ok(_) => {
            let cpu = data.latest(CPU);
            let cpu_style = if cpu.is_some_and(|c| c >= CPU_THRESHOLD) {
                theme.alarm
            } else {
                theme.text
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("CPU {}", cpu.map_or("-".into(), |c| format!("{c:.0} %"))),
                    Style::default().fg(cpu_style),
                ),
                Span::raw(format!(
                    " · {} conn · {} free",
                    data.latest(CONNECTIONS)
                        .map_or("-".into(), |c| format!("{c:.0}")),
                    data.latest(FREE_STORAGE).map_or("-".into(), format::gib)
                )),
            ]));
        }
    }
    let graph = wrapped_head(frame, inner, lines);
    if matches!(data.database, Ok(Some(_))) && data.metrics.is_ok() {
        let spec = chart::Spec {
            label: "CPU",
            unit: " %",
            threshold: Some(CPU_THRESHOLD),
        };
        chart::draw(state, frame, graph, data.series(CPU), spec);
    }
}
