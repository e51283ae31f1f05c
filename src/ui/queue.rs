//! The queue panel: visible / in flight / delayed, the DLQ, the oldest message's age, and a depth
//! chart of the last hour with the depth alarm's threshold.

use super::{block, chart, data_age, error_line, format, wrapped_head};
use crate::app::{Panel, State};
use crate::model::dashboard::{OLDEST_AGE, QUEUE_DEPTH};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let block = block(state, Panel::Queue, "Queue".into(), data_age(state));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &state.refresh.data else {
        frame.render_widget(Paragraph::new("loading…"), inner);
        return;
    };
    let mut lines = Vec::new();
    let threshold = data.health.alarms.as_ref().ok().and_then(|alarms| {
        alarms
            .iter()
            .filter(|a| a.metric == "ApproximateNumberOfMessagesVisible")
            .find(|a| !a.name.to_ascii_lowercase().contains("dlq"))
            .and_then(|a| a.threshold)
    });
    match &data.health.queue {
        Err(e) => lines.push(error_line(state, "", e)),
        Ok(q) => {
            lines.push(Line::from(vec![
                Span::styled(
                    q.name.clone(),
                    Style::default()
                        .fg(theme.accent)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(
                    " {} visible · {} in flight · {} delayed",
                    q.visible, q.in_flight, q.delayed
                )),
                // The work queue's oldest message (the DLQ's age is not read). The age is a
                // CloudWatch metric, a minute or more behind the live counts: a queue empty now
                // has no oldest message, whatever the last datapoint says.
                Span::styled(
                    format!(
                        " · oldest {}",
                        data.latest(OLDEST_AGE)
                            .filter(|_| q.visible + q.in_flight + q.delayed > 0)
                            .map_or("-".into(), |s| format::age(s as i64))
                    ),
                    Style::default().fg(theme.muted),
                ),
            ]));
            let dlq = if q.dlq_visible > 0 {
                theme.alarm
            } else {
                theme.ok
            };
            lines.push(Line::from(vec![Span::styled(
                format!("DLQ {}: {}", q.dlq_name, q.dlq_visible),
                Style::default().fg(dlq),
            )]));
        }
    }
    // The stack's other queues: one short line each (it must fit an 80-column pane's half), the
    // DLQ's count last and coloured; its name is in `status` and the chooser. The chart is the
    // first queue's.
    for other in &data.health.more.queues {
        match other {
            Err(e) => lines.push(error_line(state, "", e)),
            Ok(q) => {
                let mut spans = vec![
                    Span::styled(q.name.clone(), Style::default().fg(theme.accent)),
                    Span::raw(format!(": {}", q.visible)),
                ];
                if !q.dlq_name.is_empty() {
                    let dlq = if q.dlq_visible > 0 {
                        theme.alarm
                    } else {
                        theme.ok
                    };
                    spans.push(Span::styled(
                        format!(" · DLQ {}", q.dlq_visible),
                        Style::default().fg(dlq),
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    if let Err(e) = &data.metrics {
        lines.push(error_line(state, "metrics: ", e));
    }
    let graph = wrapped_head(frame, inner, lines);
    if data.metrics.is_ok() && data.health.queue.is_ok() {
        let spec = chart::Spec {
            label: "depth",
            unit: "",
            threshold,
        };
        chart::draw(state, frame, graph, data.series(QUEUE_DEPTH), spec);
    }
}
