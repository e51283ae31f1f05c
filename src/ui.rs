//! The dashboard's pure `view`: draws the state, nothing else.

use crate::app::{Panel, State, KEYS};
use crate::model::health::Verdict;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn state_color(state: &str) -> Color {
    match state {
        "ALARM" | "FAILED" => Color::Red,
        "INSUFFICIENT_DATA" | "IN_PROGRESS" => Color::Yellow,
        _ => Color::Green,
    }
}

fn panel<'a>(title: &'a str, focused: bool) -> Block<'a> {
    let style = if focused {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(style)
}

fn service_lines(state: &State) -> Vec<Line<'static>> {
    let Some(snapshot) = &state.snapshot else {
        return vec![Line::from("loading…")];
    };
    match &snapshot.service {
        Err(e) => vec![Line::styled(
            format!("error: {e}"),
            Style::default().fg(Color::Red),
        )],
        Ok(s) => {
            let mut lines = vec![Line::from(format!(
                "{} ({})  {} running / {} desired / {} pending",
                s.service, s.cluster, s.running, s.desired, s.pending
            ))];
            for d in &s.deployments {
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "{:<8} {} ",
                        d.status,
                        crate::ops::rollback::short(&d.task_definition)
                    )),
                    Span::styled(
                        if d.rollout_state.is_empty() {
                            "-".to_owned()
                        } else {
                            d.rollout_state.clone()
                        },
                        Style::default().fg(state_color(&d.rollout_state)),
                    ),
                    Span::raw(format!(" {}/{}", d.running, d.desired)),
                ]));
            }
            lines.extend(
                s.events
                    .iter()
                    .take(5)
                    .map(|e| Line::from(format!("· {}", e.message))),
            );
            lines
        }
    }
}

fn queue_lines(state: &State) -> Vec<Line<'static>> {
    let Some(snapshot) = &state.snapshot else {
        return vec![Line::from("loading…")];
    };
    match &snapshot.queue {
        Err(e) => vec![Line::styled(
            format!("error: {e}"),
            Style::default().fg(Color::Red),
        )],
        Ok(q) => vec![
            Line::from(format!(
                "{}: {} visible, {} in flight, {} delayed",
                q.name, q.visible, q.in_flight, q.delayed
            )),
            Line::styled(
                format!("DLQ {}: {}", q.dlq_name, q.dlq_visible),
                Style::default().fg(if q.dlq_visible > 0 {
                    Color::Red
                } else {
                    Color::Green
                }),
            ),
        ],
    }
}

fn alarm_lines(state: &State) -> Vec<Line<'static>> {
    let Some(snapshot) = &state.snapshot else {
        return vec![Line::from("loading…")];
    };
    match &snapshot.alarms {
        Err(e) => vec![Line::styled(
            format!("error: {e}"),
            Style::default().fg(Color::Red),
        )],
        Ok(alarms) if alarms.is_empty() => vec![Line::from("no alarms with the stack's prefix")],
        Ok(alarms) => alarms
            .iter()
            .map(|a| {
                Line::from(vec![
                    Span::styled(
                        format!("{:<17}", a.state),
                        Style::default().fg(state_color(&a.state)),
                    ),
                    Span::raw(a.name.clone()),
                ])
            })
            .collect(),
    }
}

/// Draw the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let verdict = match state.verdict() {
        Some(Verdict::Healthy) => Span::styled("healthy", Style::default().fg(Color::Green)),
        Some(Verdict::Degraded(r)) => Span::styled(
            match r.as_slice() {
                [only] => format!("DEGRADED: {only}"),
                [first, rest @ ..] => format!("DEGRADED: {first} (+{} more)", rest.len()),
                [] => "DEGRADED".to_owned(),
            },
            Style::default().fg(Color::Red),
        ),
        Some(Verdict::Error(errors)) => Span::styled(
            format!("ERROR: {}", errors.first().map_or("", String::as_str)),
            Style::default().fg(Color::Red),
        ),
        None => Span::raw("…"),
    };
    // Most important first: a narrow terminal cuts the end of the line.
    let mut top = vec![Span::styled(
        format!(" stackdeck · {} ", state.stack),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if state.read_only {
        top.push(Span::styled(
            "READ-ONLY · ",
            Style::default().fg(Color::Yellow),
        ));
    }
    top.push(Span::raw(format!("{} · ", state.age())));
    top.push(verdict);
    frame.render_widget(Paragraph::new(Line::from(top)), header);

    let panels: [(Panel, &str, Vec<Line<'static>>); 3] = [
        (Panel::Service, "Service", service_lines(state)),
        (Panel::Queue, "Queue", queue_lines(state)),
        (Panel::Alarms, "Alarms", alarm_lines(state)),
    ];
    if state.zoomed {
        let (p, title, lines) = panels
            .into_iter()
            .find(|(p, _, _)| *p == state.focus)
            .expect("focus is a panel");
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(panel(title, p == state.focus)),
            body,
        );
    } else {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(body);
        let [queue_area, alarms_area] =
            Layout::vertical([Constraint::Length(6), Constraint::Min(3)]).areas(right);
        let areas = [left, queue_area, alarms_area];
        for ((p, title, lines), area) in panels.into_iter().zip(areas) {
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: true })
                    .block(panel(title, p == state.focus)),
                area,
            );
        }
    }

    frame.render_widget(
        Paragraph::new(" ? help · Tab panels · Enter zoom · r refresh · q quit"),
        footer,
    );

    if state.show_help {
        let width = 60.min(area.width);
        let height = (KEYS.len() as u16 + 2).min(area.height);
        let popup = Rect::new(
            (area.width - width) / 2,
            (area.height - height) / 2,
            width,
            height,
        );
        let lines: Vec<Line> = KEYS
            .iter()
            .map(|(k, what)| Line::from(format!("{k:<24} {what}")))
            .collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title("keys")),
            popup,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{update, Key, Msg};
    use crate::model::health::{Alarm, QueueHealth, ServiceHealth, Snapshot};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn screen(state: &State, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| view(state, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn with_alarm() -> State {
        let mut state = State::new("courier-local", true, 5);
        update(&mut state, Msg::Tick(100));
        let snapshot = Snapshot {
            stack: "courier-local".into(),
            service: Ok(ServiceHealth {
                service: "courier-local-courier".into(),
                cluster: "c".into(),
                running: 2,
                desired: 2,
                ..Default::default()
            }),
            queue: Ok(QueueHealth {
                name: "work".into(),
                visible: 150,
                dlq_name: "dlq".into(),
                ..Default::default()
            }),
            alarms: Ok(vec![Alarm {
                name: "courier-local-queue-depth".into(),
                state: "ALARM".into(),
                reason: String::new(),
                since: None,
            }]),
        };
        update(
            &mut state,
            Msg::Refreshed {
                at: 100,
                snapshot: Box::new(snapshot),
            },
        );
        update(&mut state, Msg::Tick(103));
        state
    }

    #[test]
    fn the_screen_shows_service_queue_and_alarm_at_80x24() {
        let text = screen(&with_alarm(), 80, 24);
        assert!(text.contains("courier-local-courier"), "{text}");
        assert!(text.contains("150 visible"), "{text}");
        assert!(text.contains("ALARM"), "{text}");
        assert!(
            text.contains("DEGRADED: alarm"),
            "the reason starts on a narrow screen:\n{text}"
        );
        assert!(text.contains("updated 3 s ago"), "{text}");
        assert!(text.contains("READ-ONLY"), "{text}");
    }

    #[test]
    fn help_lists_every_key() {
        let mut state = with_alarm();
        update(&mut state, Msg::Key(Key::Char('?')));
        let text = screen(&state, 100, 30);
        for (key, _) in KEYS {
            assert!(text.contains(key), "{key} missing:\n{text}");
        }
    }

    #[test]
    fn a_source_in_error_shows_on_its_panel_only() {
        let mut state = with_alarm();
        if let Some(s) = state.snapshot.as_mut() {
            s.queue = Err("GetQueueAttributes on queue work: throttled".into());
        }
        let text = screen(&state, 160, 48);
        assert!(text.contains("error: GetQueueAttributes"), "{text}");
        assert!(text.contains("ERROR: queue: GetQueueAttributes"), "{text}");
        let wide = screen(&with_alarm(), 160, 48);
        assert!(
            wide.contains("DEGRADED: alarm courier-local-queue-depth is in ALARM"),
            "the whole reason on a wide screen:\n{wide}"
        );
        assert!(
            text.contains("courier-local-courier"),
            "the other panels keep working:\n{text}"
        );
    }
}
