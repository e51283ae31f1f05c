//! A small line chart of the last hour with a threshold line, for the database and queue panels;
//! each deployment started within the hour is a vertical marker.

use crate::app::State;
use crate::model::dashboard::WINDOW_SECONDS;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// What a chart shows: its name, the unit of its values (`""` for a count), the alarm threshold.
pub struct Spec<'a> {
    pub label: &'a str,
    pub unit: &'a str,
    pub threshold: Option<f64>,
}

/// When the service's deployments started (unix seconds), as the last refresh read them.
fn deployment_starts(state: &State) -> Vec<i64> {
    let deployments = state
        .refresh
        .data
        .as_ref()
        .and_then(|d| d.health.service.as_ref().ok())
        .map_or(&[][..], |s| s.deployments.as_slice());
    deployments.iter().filter_map(|d| d.created).collect()
}

/// Draw `series` over the last hour, with the threshold as a line when given; the first row is
/// a legend — what it is, the hour's peak, the alarm's threshold — since the chart has no room
/// for axis labels in a small panel (the panel's text above it gives the current value).
pub fn draw(state: &State, frame: &mut Frame, area: Rect, series: &[(i64, f64)], spec: Spec<'_>) {
    let Spec {
        label,
        unit,
        threshold,
    } = spec;
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
    let value = |v: f64| format!("{v:.0}{unit}");
    // The longest form that fits: a number cut in half would mislead.
    let alarm = threshold.map_or(String::new(), |t| format!(" · alarm {}", value(t)));
    let peak = value(top);
    let legend = [
        format!("{label}, last hour: peak {peak}{alarm}"),
        format!("{label} peak {peak}{alarm}"),
        format!("peak {peak}{alarm}"),
    ]
    .into_iter()
    .find(|l| l.width() <= area.width as usize)
    .unwrap_or_default();
    let starts: Vec<f64> = deployment_starts(state)
        .into_iter()
        .map(|t| t as f64)
        .filter(|t| (start..=end).contains(t))
        .collect();
    let mut legend = vec![Span::styled(legend, Style::default().fg(theme.muted))];
    let mark = " · │ deploy";
    if !starts.is_empty() && legend[0].width() + mark.width() <= area.width as usize {
        legend.push(Span::styled(mark, Style::default().fg(theme.accent)));
    }
    let [legend_row, area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(legend)), legend_row);
    if area.height == 0 {
        return;
    }
    let ymax = (top.max(threshold.unwrap_or(0.0)) * 1.15).max(1.0);
    let line = threshold.map(|t| [(start, t), (end, t)]);
    let markers: Vec<[(f64, f64); 2]> = starts.iter().map(|t| [(*t, 0.0), (*t, ymax)]).collect();
    let mut datasets = Vec::new();
    for marker in &markers {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(theme.accent))
                .data(marker),
        );
    }
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
