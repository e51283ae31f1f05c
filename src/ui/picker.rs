//! The start picker's pure view: a title, the filter with the counts (and "loading… N services"
//! while the listing runs), the listing's errors one line each, the rows as a table (stacks
//! first), the keys.

use super::choice_style;
use crate::app::picker::{Picker, MAX_ERRORS};
use crate::model::ecs::Rollout;
use crate::model::picker::Row;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table, Wrap};
use ratatui::Frame;

const KEYS: &str = "type to filter · ↑↓ PgUp PgDn Home End move · Enter open · Esc clear/quit";

/// The listing's errors take at most this many lines (each error wraps).
const ERROR_LINES: usize = 6;

pub fn view(picker: &Picker, frame: &mut Frame) {
    let theme = &picker.theme;
    let error_lines: Vec<Line> = picker
        .errors
        .iter()
        .take(MAX_ERRORS)
        .map(|e| Line::styled(e.clone(), Style::default().fg(theme.error)))
        .collect();
    let errors = Paragraph::new(error_lines).wrap(Wrap { trim: true });
    let width = frame.area().width.saturating_sub(1);
    let error_height = if picker.errors.is_empty() {
        0
    } else {
        errors.line_count(width).min(ERROR_LINES) as u16
    };
    let [title, filter, errors_area, list, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(error_height),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());

    let heading = Line::from(vec![
        Span::styled(
            " stackdeck",
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(
                ": open a stack or an ECS service (profile {})",
                picker.profile
            ),
            Style::default().fg(theme.text),
        ),
    ]);
    frame.render_widget(Paragraph::new(heading), title);

    draw_filter(picker, frame, filter);

    let [_, errors_area] =
        Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(errors_area);
    frame.render_widget(errors, errors_area);

    draw_rows(picker, frame, list);

    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {KEYS}"),
            Style::default().fg(theme.muted),
        )),
        footer,
    );
}

fn draw_filter(picker: &Picker, frame: &mut Frame, area: Rect) {
    let theme = &picker.theme;
    let mut counts = format!("{} of {}", picker.visible().len(), picker.total());
    if picker.loading() {
        counts.push_str(&format!(" · loading… {} services", picker.services));
    }
    let counts_width = counts.chars().count() as u16 + 1;
    let [left, right] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(counts_width)]).areas(area);
    let prompt = " filter: ";
    let text = if picker.filter.is_empty() {
        Span::styled("type to narrow", Style::default().fg(theme.muted))
    } else {
        Span::styled(
            picker.filter.clone(),
            Style::default()
                .fg(theme.accent)
                .add_modifier(Modifier::BOLD),
        )
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, Style::default().fg(theme.text)),
            text,
        ])),
        left,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(counts, Style::default().fg(theme.muted))),
        right,
    );
    let typed = picker.filter.chars().count() as u16;
    let x = (left.x + prompt.len() as u16 + typed).min(left.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(x, left.y));
}

fn draw_rows(picker: &Picker, frame: &mut Frame, area: Rect) {
    let theme = &picker.theme;
    if picker.visible().len() == 0 {
        let why = if picker.total() > 0 {
            format!(" no stack, cluster or service matches “{}”", picker.filter)
        } else if picker.loading() {
            " loading…".to_owned()
        } else {
            format!(
                " no stacks under /stackdeck/ and no ECS services (profile {}); check --profile and --region",
                picker.profile
            )
        };
        frame.render_widget(
            Paragraph::new(Line::styled(why, Style::default().fg(theme.muted))),
            area,
        );
        return;
    }
    let header = TableRow::new(["CLUSTER", "SERVICE", "STATUS", "TASKS", "ROLLOUT"]).style(
        Style::default()
            .fg(theme.header)
            .add_modifier(Modifier::BOLD),
    );
    // The state scrolls by its estimate of the list's height; here the cursor is kept on the
    // rows really shown (wrapped errors may take more lines than the estimate).
    let shown = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = picker
        .offset
        .max((picker.cursor + 1).saturating_sub(shown))
        .min(picker.cursor);
    let rows: Vec<TableRow> = picker
        .visible()
        .enumerate()
        .skip(offset)
        .take(shown)
        .map(|(i, row)| {
            let chosen = i == picker.cursor;
            let style = choice_style(theme, chosen);
            let colour = |c| if chosen { style } else { style.fg(c) };
            match row {
                Row::Stack(name) => TableRow::new([
                    Cell::from("SSM stack").style(colour(theme.accent)),
                    Cell::from(name.as_str()),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                ]),
                Row::Service(s) => {
                    let rollout = match s.rollout {
                        Rollout::Unknown => "-",
                        other => other.as_str(),
                    };
                    TableRow::new([
                        Cell::from(s.cluster.as_str()),
                        Cell::from(s.service.as_str()),
                        Cell::from(s.status.as_str()).style(colour(theme.state(&s.status))),
                        Cell::from(format!("{}/{}", s.running, s.desired)),
                        Cell::from(rollout).style(colour(theme.state(s.rollout.as_str()))),
                    ])
                }
            }
            .style(style)
        })
        .collect();
    // The cluster column as wide as its longest name, up to half of what the names share.
    let [_, table] = Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let names = usize::from(table.width).saturating_sub(8 + 7 + 11 + 4);
    let longest = picker
        .visible()
        .map(|row| match row {
            Row::Stack(_) => "SSM stack".len(),
            Row::Service(s) => s.cluster.chars().count(),
        })
        .max()
        .unwrap_or(0);
    let cluster = longest.min(names / 2).max("CLUSTER".len()) as u16;
    let widths = [
        Constraint::Length(cluster),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(11),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), table);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keys::Key;
    use crate::app::picker::{fixture, Msg, Picker};
    use crate::theme::Theme;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn screen(picker: &Picker, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| view(picker, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn listed() {
        let picker = fixture(40, 24);
        let text = screen(&picker, 80, 24);
        assert!(text.contains("SSM stack courier-local"), "{text}");
        assert!(
            text.contains("prod-east") && text.contains("IN_PROGRESS"),
            "{text}"
        );
        assert!(text.contains("42 of 42"), "{text}");
        assert!(!text.contains("loading"), "{text}");
        insta::assert_snapshot!("listed_80x24", text);
        let wide = fixture(40, 48);
        insta::assert_snapshot!("listed_160x48", screen(&wide, 160, 48));
    }

    #[test]
    fn filtered_and_scrolled() {
        let mut picker = fixture(40, 24);
        for c in "west".chars() {
            picker.update(Msg::Key(Key::Char(c)));
        }
        picker.update(Msg::Key(Key::End));
        let text = screen(&picker, 80, 24);
        assert!(
            text.contains("filter: west") && text.contains("13 of 42"),
            "{text}"
        );
        assert!(
            !text.contains("prod-east") && !text.contains("SSM stack"),
            "{text}"
        );
        assert!(
            text.contains("svc-037"),
            "the last row is on screen\n{text}"
        );
        insta::assert_snapshot!("filtered_80x24", text);
    }

    #[test]
    fn loading_with_an_error() {
        let mut picker = Picker::new("prod-admin", Theme::default(), 24);
        picker.update(Msg::Stacks(Err(
            "GetParametersByPath on /stackdeck/: access denied for profile prod-admin (not authorized); ask for the stackdeck read-only or operator policy".into(),
        )));
        let text = screen(&picker, 80, 24);
        assert!(text.contains("loading… 0 services"), "{text}");
        assert!(
            text.contains("GetParametersByPath on /stackdeck/: access denied"),
            "{text}"
        );
        insta::assert_snapshot!("loading_error_80x24", text);
        picker.update(Msg::ServicesDone);
        let done = screen(&picker, 80, 24);
        assert!(
            done.contains("no stacks under /stackdeck/ and no ECS services"),
            "{done}"
        );
        for c in "zz".chars() {
            picker.update(Msg::Key(Key::Char(c)));
        }
        let none = screen(&picker, 80, 24);
        assert!(none.contains("no stacks under"), "{none}");
    }

    #[test]
    fn the_cursor_stays_on_screen_when_errors_wrap() {
        let mut picker = fixture(40, 24);
        for cluster in ["prod-east", "prod-west"] {
            picker.update(Msg::Services(Err(format!("ListServices on cluster {cluster}: access denied for profile default (User: arn:aws:iam::1:user/x is not authorized to perform: ecs:ListServices); ask for the stackdeck read-only or operator policy"))));
        }
        for _ in 0..19 {
            picker.update(Msg::Key(Key::Down));
        }
        let text = screen(&picker, 80, 24);
        assert!(
            text.contains("operator policy"),
            "errors wrap, the fix shown\n{text}"
        );
        assert!(text.contains("svc-010"), "row 19 on screen\n{text}");
        insta::assert_snapshot!("errors_wrap_80x24", text);
    }
}
