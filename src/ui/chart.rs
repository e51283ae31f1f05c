//! A small line chart of the last hour with a threshold line, for the database and queue panels.

use crate::app::State;
use crate::model::dashboard::WINDOW_SECONDS;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Draw `series` over the last hour, with `threshold` as a line when given; `label` on the left
/// of the first row says what it is.
pub fn draw(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    series: &[(i64, f64)],
    threshold: Option<f64>,
    label: &str,
) {
    if area.height == 0 || area.width < 8 {
        return;
    }
    let theme = &state.theme;
    let end = state.now.max(series.last().map_or(0, |(t, _)| *t)) as f64;
    let start = end - WINDOW_SECONDS as f64;
    let points: Vec<(f64, f64)> = series
        .iter()
        .filter(|(t, _)| *t as f64 >= start)
        .map(|(t, v)| (*t as f64, *v))
        .collect();
    if points.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{label}: no data in the last hour"),
                Style::default().fg(theme.muted),
            )),
            area,
        );
        return;
    }
    let top = points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let ymax = (top.max(threshold.unwrap_or(0.0)) * 1.15).max(1.0);
    let line = threshold.map(|t| [(start, t), (end, t)]);
    let mut datasets = Vec::new();
    if let Some(line) = &line {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(theme.threshold))
                .data(line),
        );
    }
    datasets.push(
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(theme.chart))
            .data(&points),
    );
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([start, end]))
        .y_axis(Axis::default().bounds([0.0, ymax]));
    frame.render_widget(chart, area);
}
