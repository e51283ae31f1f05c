//! One log line as screen lines, in the panel's format: compact (`time level message
//! key=value …`, the line's own time), pretty (a row a field) or raw (the event as written).

use super::format;
use crate::app::logbuf::Entry;
use crate::app::State;
use crate::model::logline::{quoted, Level, LogFormat, Shape};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

fn level_color(state: &State, level: Level) -> Color {
    match level {
        Level::Error => state.theme.alarm,
        Level::Warn => state.theme.warn,
        Level::Debug => state.theme.muted,
        Level::Info | Level::Unknown => state.theme.text,
    }
}

/// `key=value` spans: the key muted, the value in the text colour.
fn field_spans(state: &State, key: &str, value: &str) -> [Span<'static>; 2] {
    [
        Span::styled(format!("{key}="), Style::default().fg(state.theme.muted)),
        Span::styled(
            quoted(value).into_owned(),
            Style::default().fg(state.theme.text),
        ),
    ]
}

/// The screen lines of one log line: one, or several in the pretty form.
pub fn render(state: &State, entry: &Entry, wide: bool) -> Vec<Line<'static>> {
    let (line, parsed) = (&entry.line, &entry.parsed);
    let format = state.logs.format;
    let structured = parsed.shape != Shape::Plain && format != LogFormat::Raw;
    let color = level_color(state, parsed.level);
    let mut head = Vec::new();
    // Lines from the tasks a redeploy or rollback started: marked, so the new revision's
    // behaviour stands out from the draining tasks'.
    if state.from_new_task(line) {
        head.push(Span::styled("▌", Style::default().fg(state.theme.accent)));
    }
    // The line's own time where it has one: the event time is when CloudWatch got it.
    let at = match (structured, parsed.time_ms) {
        (true, Some(ms)) => ms,
        _ => line.at_ms,
    };
    head.push(Span::styled(
        format!("{} ", format::clock(at)),
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
    if !structured {
        head.push(Span::styled(
            line.message.clone(),
            Style::default().fg(color),
        ));
        return vec![Line::from(head)];
    }
    let message_style = match parsed.level {
        Level::Error | Level::Warn => Style::default().fg(color),
        _ => Style::default().fg(state.theme.text),
    };
    let shown = parsed.shown_fields(&state.logs.hidden);
    match format {
        LogFormat::Pretty => {
            // A JSON line as indented JSON (nesting kept); a logfmt line a row a field. Pretty
            // shows every field, the hidden ones too: it is for reading one line whole.
            if let Some(pretty) = (parsed.shape == Shape::Json)
                .then(|| line.pretty_json())
                .flatten()
            {
                return pretty
                    .lines()
                    .enumerate()
                    .map(|(i, text)| {
                        let mut spans = if i == 0 {
                            head.clone()
                        } else {
                            vec![Span::raw("  ")]
                        };
                        spans.push(Span::styled(text.to_owned(), Style::default().fg(color)));
                        Line::from(spans)
                    })
                    .collect();
            }
            head.push(Span::styled(
                format!("{} ", parsed.level.label()),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            ));
            if let Some(m) = &parsed.message {
                head.push(Span::styled(m.clone(), message_style));
            }
            let mut out = vec![Line::from(head)];
            for (k, v) in &parsed.fields {
                let mut row = vec![Span::raw("    ")];
                row.extend(field_spans(state, k, v));
                out.push(Line::from(row));
            }
            out
        }
        _ => {
            head.push(Span::styled(
                format!("{} ", parsed.level.label()),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            ));
            let mut first = true;
            if let Some(m) = parsed.message.as_deref().filter(|m| !m.is_empty()) {
                head.push(Span::styled(m.to_owned(), message_style));
                first = false;
            }
            for (k, v) in shown {
                if !first {
                    head.push(Span::raw(" "));
                }
                first = false;
                head.extend(field_spans(state, k, v));
            }
            vec![Line::from(head)]
        }
    }
}

/// Bars of a sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `counts` as a sparkline: zero the lowest bar, the largest the highest.
pub fn sparkline(counts: &[usize]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| {
            if n == 0 || max == 0 {
                BARS[0]
            } else {
                BARS[(n * 7).div_ceil(max).clamp(1, 7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sparklines_scale_to_the_largest_count() {
        assert_eq!(super::sparkline(&[0, 1, 7, 14, 0]), "▁▂▅█▁");
        assert_eq!(super::sparkline(&[0, 0]), "▁▁");
        assert_eq!(super::sparkline(&[]), "");
    }
}
