//! The service panel: counts, deployments, targets, tasks and the newest service events.

use super::{block, data_age, error_line, format, text_panel};
use crate::app::{Panel, State};
use crate::model::deployments::panel_lines;
use crate::model::ecs::Rollout;
use crate::model::health::{Guard, Guards, ServiceHealth};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let block = block(state, Panel::Service, "Service".into(), data_age(state));
    text_panel(frame, state, Panel::Service, area, block, lines(state));
}

/// The running/desired count's colour: the alarm's when fewer run than desired.
fn counts_colour(state: &State, s: &ServiceHealth) -> ratatui::style::Color {
    if s.running < s.desired {
        state.theme.alarm
    } else {
        state.theme.ok
    }
}

/// What guards the deployment, under the primary one: the deployment alarms first (the stack's
/// prefix dropped, one in ALARM first and in the alarm colour: it fails the deployment in
/// progress), then the circuit breaker; at 80 columns the firing alarm stays in view.
fn guards_line(state: &State, guards: &Guards) -> Option<Line<'static>> {
    let theme = &state.theme;
    let muted = Style::default().fg(theme.muted);
    let word = |g: &Guard| match (g.enable, g.rollback) {
        (false, _) => " off",
        (true, false) => " → fail",
        (true, true) => " → rollback",
    };
    let mut spans = vec![Span::raw(" ")];
    if let Some(alarms) = &guards.alarms {
        spans.push(Span::raw(format!(" alarms{}", word(alarms))));
        let known = state
            .refresh
            .data
            .as_ref()
            .and_then(|d| d.health.alarms.as_ref().ok());
        let selector = state.resources().alarm_selector();
        let prefix = selector.as_ref().map_or("", |s| s.prefix());
        let mut names: Vec<(&String, bool)> = guards
            .alarm_names
            .iter()
            .map(|name| {
                let firing = known
                    .and_then(|all| all.iter().find(|a| &a.name == name))
                    .is_some_and(|a| a.state == "ALARM");
                (name, firing)
            })
            .collect();
        names.sort_by_key(|(_, firing)| !firing);
        for (i, (name, firing)) in names.iter().enumerate() {
            let short = name
                .strip_prefix(prefix)
                .filter(|n| !n.is_empty())
                .unwrap_or(name);
            spans.push(Span::styled(if i == 0 { " (" } else { ", " }, muted));
            spans.push(if *firing {
                Span::styled(
                    format!("{short} ALARM"),
                    Style::default()
                        .fg(theme.alarm)
                        .add_modifier(Modifier::BOLD),
                )
            } else {
                Span::raw(short.to_owned())
            });
        }
        if !names.is_empty() {
            spans.push(Span::styled(")", muted));
        }
    }
    if let Some(breaker) = &guards.circuit_breaker {
        if spans.len() > 1 {
            spans.push(Span::styled(" ·", muted));
        }
        spans.push(Span::raw(format!(" circuit breaker{}", word(breaker))));
    }
    (spans.len() > 1).then(|| Line::from(spans))
}

fn lines(state: &State) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let muted = Style::default().fg(theme.muted);
    let Some(data) = &state.refresh.data else {
        return vec![Line::from("loading…")];
    };
    let mut lines = Vec::new();
    match &data.health.service {
        Err(e) => lines.push(error_line(state, "", e)),
        Ok(s) => {
            let counts = counts_colour(state, s);
            lines.push(Line::from(vec![
                Span::styled(
                    s.service.clone(),
                    Style::default()
                        .fg(theme.accent)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!(" ({}) ", s.cluster), muted),
                Span::styled(
                    s.status.clone(),
                    Style::default().fg(theme.state(&s.status)),
                ),
                Span::styled(
                    format!(" {}/{} running", s.running, s.desired),
                    Style::default().fg(counts),
                ),
                Span::raw(format!(" · {} pending", s.pending)),
            ]));
            for d in &s.deployments {
                let rollout = match d.rollout_state {
                    Rollout::Unknown => "-",
                    known => known.as_str(),
                };
                let mut spans = vec![
                    Span::raw(format!(
                        "{:<7} {} ",
                        d.status,
                        format::short(&d.task_definition)
                    )),
                    Span::styled(
                        rollout,
                        Style::default()
                            .fg(theme.state(d.rollout_state.as_str()))
                            .add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(" {}/{}", d.running, d.desired)),
                    Span::styled(format!(" {}", format::ago(d.created, state.now)), muted),
                ];
                if d.failed_tasks > 0 {
                    spans.push(Span::styled(
                        format!(" {} failed", d.failed_tasks),
                        Style::default().fg(theme.alarm),
                    ));
                }
                if d.rollout_state == Rollout::Failed && !d.rollout_reason.is_empty() {
                    spans.push(Span::styled(
                        format!(" {}", d.rollout_reason),
                        Style::default().fg(theme.alarm),
                    ));
                }
                lines.push(Line::from(spans));
                if d.status == "PRIMARY" {
                    lines.extend(guards_line(state, &s.guards));
                }
            }
            // What the deployments list cannot say: the breaker's count, a fired alarm, a
            // rollback (ECS's deployment history).
            let history = data.history.as_deref().unwrap_or_default();
            lines.extend(
                panel_lines(history)
                    .into_iter()
                    .map(|l| Line::styled(l, muted)),
            );
        }
    }
    // The stack's other services (a worker beside the api): one line each, the primary
    // deployment's rollout state; the tasks, targets and events below are the first service's.
    for other in &data.health.more.services {
        match other {
            Err(e) => lines.push(error_line(state, "", e)),
            Ok(s) => {
                let counts = counts_colour(state, s);
                let rollout = s
                    .deployments
                    .iter()
                    .find(|d| d.status == "PRIMARY")
                    .map_or(Rollout::Unknown, |d| d.rollout_state);
                lines.push(Line::from(vec![
                    Span::styled(s.service.clone(), Style::default().fg(theme.accent)),
                    Span::styled(format!(" ({})", s.cluster), muted),
                    Span::styled(
                        format!(" {}/{} running ", s.running, s.desired),
                        Style::default().fg(counts),
                    ),
                    Span::styled(
                        match rollout {
                            Rollout::Unknown => "-",
                            known => known.as_str(),
                        },
                        Style::default().fg(theme.state(rollout.as_str())),
                    ),
                ]));
            }
        }
    }
    match &data.targets {
        Ok(None) => {}
        Err(e) => lines.push(error_line(state, "targets: ", e)),
        Ok(Some(targets)) => {
            let healthy = targets.iter().filter(|t| t.state == "healthy").count();
            let style = if healthy < targets.len() {
                theme.warn
            } else {
                theme.ok
            };
            lines.push(Line::styled(
                format!("targets {healthy}/{} healthy", targets.len()),
                Style::default().fg(style),
            ));
            for t in targets
                .iter()
                .filter(|t| state.zoomed || t.state != "healthy")
            {
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "  {}:{} ",
                        t.id,
                        t.port.map_or("-".into(), |p| p.to_string())
                    )),
                    Span::styled(t.state.clone(), Style::default().fg(theme.state(&t.state))),
                    Span::styled(format!(" {}", t.reason), muted),
                ]));
            }
        }
    }
    match &data.tasks {
        Err(e) => lines.push(error_line(state, "tasks: ", e)),
        Ok(tasks) => {
            for t in tasks.iter().filter(|t| {
                state.matches(&t.id)
                    || state.matches(&t.last_status)
                    || state.matches(&t.stopped_reason)
            }) {
                let id: String = t.id.chars().take(8).collect();
                let mut spans = vec![
                    Span::styled(format!("task {id} "), muted),
                    Span::styled(
                        format!("{:<8}", t.last_status),
                        Style::default().fg(theme.state(&t.last_status)),
                    ),
                ];
                if !t.health.is_empty() {
                    spans.push(Span::styled(
                        format!(" {}", t.health),
                        Style::default().fg(theme.state(&t.health)),
                    ));
                }
                if t.last_status == "STOPPED" {
                    spans.push(Span::styled(
                        format!(
                            " {} {}",
                            format::ago(t.stopped, state.now),
                            t.stopped_reason
                        ),
                        muted,
                    ));
                } else {
                    spans.push(Span::styled(
                        format!(
                            " {} {}",
                            format::short(&t.task_definition),
                            format::ago(t.started, state.now)
                        ),
                        muted,
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    if let Ok(s) = &data.health.service {
        for e in s.events.iter().filter(|e| state.matches(&e.message)) {
            lines.push(Line::from(vec![
                Span::styled(format!("· {} ", format::ago(e.at, state.now)), muted),
                Span::raw(e.message.clone()),
            ]));
        }
    }
    lines
}
