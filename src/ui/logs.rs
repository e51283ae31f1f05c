//! The log panel: the service's log group, newest at the bottom, levels coloured, `/` filtered,
//! paused or scrolled back on demand, compact / pretty / raw (`J`), an error/warning sparkline
//! in the title.

use super::logline::{render, sparkline};
use super::{block, format};
use crate::app::logbuf::Entry;
use crate::app::{Panel, State};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// `line` cut into rows of `width` columns between any two characters (grapheme clusters),
/// styles kept — as a terminal wraps a long log line. Word wrapping suits prose, not JSON or
/// stack traces: it moves a long token to a row of its own and leaves the row before it mostly
/// empty. Widths are measured as ratatui draws: per grapheme, control characters taking none.
fn wrap_columns(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut chunk = String::new();
        for g in span.content.graphemes(true) {
            let w = if g.contains(char::is_control) {
                0
            } else {
                g.width()
            };
            // A row always takes one grapheme, even one wider than the panel.
            if used > 0 && used + w > width {
                if !chunk.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut chunk), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            chunk.push_str(g);
            used += w;
        }
        if !chunk.is_empty() {
            row.push(Span::styled(chunk, span.style));
        }
    }
    if !row.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let group = state
        .resources()
        .get("log_group")
        .unwrap_or("(no log_group)");
    // What matters most first, as a narrow panel cuts the title: paused, then the errors and
    // warnings a minute over the last ten (a burst shows before it is read), then the rest.
    let mut title = format!("Logs {group}");
    if state.logs.paused() {
        title.push_str(if state.logs.offset > 0 {
            " · SCROLLED"
        } else {
            " · PAUSED"
        });
    }
    let counts = state.logs.error_counts(state.now, 10);
    let total: usize = counts.iter().sum();
    if total > 0 {
        title.push_str(&format!(" · {total} err/warn {}", sparkline(&counts)));
    }
    title.push_str(&format!(" · {} lines", state.logs.lines.len()));
    if let Some(mode) = &state.logs.mode {
        title.push_str(&format!(" · {mode}"));
    }
    let age = match state.logs.updated_at {
        Some(at) => format!("{} ago", format::age(state.now - at)),
        None if state.resources().get("log_group").is_none() => String::new(),
        None => "waiting…".into(),
    };
    let block = block(state, Panel::Logs, title, age);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    // The source's error stays on top, whatever the lines below do.
    let area = match &state.logs.error {
        Some(e) => super::wrapped_head(frame, inner, vec![super::error_line(state, "", e)]),
        None => inner,
    };
    let room = area.height as usize;
    if room == 0 {
        return;
    }
    let wide = area.width >= 120;
    // Zoomed, long lines wrap (into screen rows counted here, so the newest stays in view);
    // otherwise each is cut at the panel's edge, one row per line.
    let width = if state.zoomed { area.width as usize } else { 0 };
    let rows_of = |line: &Entry| -> Vec<Line<'static>> {
        render(state, line, wide)
            .into_iter()
            .flat_map(|l| wrap_columns(l, width))
            .collect()
    };
    let matching: Vec<&Entry> = state.visible_logs().collect();
    // The rows of the oldest lines that fill the panel, and how many lines that is: scrolled
    // back that far, the oldest line starts the panel's first row and further back shows
    // nothing more.
    let mut top: Vec<Line> = Vec::new();
    let mut oldest_fit = 0;
    for line in &matching {
        if top.len() >= room {
            break;
        }
        top.extend(rows_of(line));
        oldest_fit += 1;
    }
    let offset = state.logs.offset.min(matching.len() - oldest_fit);
    let mut shown = if offset == matching.len() - oldest_fit {
        // At the top: oldest first, the last line shown may be cut at the bottom.
        top
    } else {
        // Newest last, `offset` lines scrolled off the bottom; the oldest line shown may be cut
        // at the top (its last rows), as in a terminal, so that tall pretty-printed JSON never
        // leaves the panel half empty.
        let mut newest_first = Vec::new();
        for line in matching[..matching.len() - offset].iter().rev() {
            newest_first.extend(rows_of(line).into_iter().rev());
            if newest_first.len() >= room {
                break;
            }
        }
        newest_first.truncate(room);
        newest_first.reverse();
        newest_first
    };
    shown.truncate(room);
    if shown.is_empty() && state.logs.error.is_none() {
        let why = if state.resources().get("log_group").is_none() {
            "the stack has no log_group parameter".to_owned()
        } else if !state.filter.is_empty() && !state.logs.lines.is_empty() {
            "no line matches the filter".to_owned()
        } else if state.logs.updated_at.is_none() {
            format!(
                "reading the last {} min…",
                crate::app::LOG_HISTORY_MS / 60_000
            )
        } else {
            format!(
                "no log events in the last {} min; new ones appear here",
                crate::app::LOG_HISTORY_MS / 60_000
            )
        };
        shown.push(Line::styled(why, Style::default().fg(theme.muted)));
    }
    frame.render_widget(Paragraph::new(shown), area);
}

#[cfg(test)]
mod tests {
    use super::wrap_columns;
    use ratatui::style::{Color, Style};
    use ratatui::text::{Line, Span};

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn long_lines_wrap_at_the_column_keeping_their_styles() {
        let red = Style::default().fg(Color::Red);
        let line = Line::from(vec![
            Span::raw("12:00:01 "),
            Span::styled(r#"{"level":"ERROR","msg":"boom"}"#, red),
        ]);
        let rows = wrap_columns(line.clone(), 16);
        let texts: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(
            texts,
            [r#"12:00:01 {"level"#, r#"":"ERROR","msg":"#, r#""boom"}"#]
        );
        assert!(rows.iter().all(|r| r.width() <= 16));
        assert_eq!(rows[0].spans[1].style, red, "the message keeps its colour");
        assert_eq!(rows[2].spans[0].style, red);
        assert_eq!(
            wrap_columns(line.clone(), 0),
            vec![line.clone()],
            "0: no wrap"
        );
        assert_eq!(wrap_columns(line.clone(), 80), vec![line]);
    }

    #[test]
    fn a_wide_character_is_never_split_across_rows() {
        let rows = wrap_columns(Line::raw("ab日本語"), 3);
        let texts: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(texts, ["ab", "日", "本", "語"]);
        // A grapheme of several code points (⚠ + emoji presentation, 2 columns) stays whole.
        let rows = wrap_columns(Line::raw("ab\u{26a0}\u{fe0f}c"), 3);
        let texts: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(texts, ["ab", "\u{26a0}\u{fe0f}c"]);
        // Wider than the panel: alone on its row, no empty row before it.
        let texts: Vec<String> = wrap_columns(Line::raw("日本"), 1)
            .iter()
            .map(text)
            .collect();
        assert_eq!(texts, ["日", "本"]);
    }
}
