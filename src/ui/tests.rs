//! `view` on ratatui's TestBackend: insta snapshots at 80×24 and 160×48 of a healthy stack, an
//! alarm, a failing deployment and a source in error; plus the help overlay.

use super::*;
use crate::app::fixtures::{self, state_with};
use crate::app::keys::Key;
use crate::app::{update, Msg};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub(crate) fn screen(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view(state, f)).unwrap();
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

fn snap(name: &str, state: &State) {
    for (w, h) in [(80, 24), (160, 48)] {
        let text = screen(state, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn healthy() {
    let state = state_with(fixtures::healthy());
    let text = screen(&state, 80, 24);
    assert!(text.contains("courier-local-courier"), "{text}");
    assert!(text.contains("healthy"), "{text}");
    snap("healthy", &state);
}

#[test]
fn alarm() {
    let state = state_with(fixtures::alarm_firing());
    let text = screen(&state, 80, 24);
    assert!(text.contains("DEGRADED: alarm courier-local-q"), "{text}");
    assert!(text.contains("ALARM"), "{text}");
    snap("alarm", &state);
}

#[test]
fn failing_deployment() {
    let state = state_with(fixtures::failing_deployment());
    let text = screen(&state, 160, 48);
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("Essential container in task exited"),
        "{text}"
    );
    snap("failing_deployment", &state);
}

#[test]
fn source_in_error() {
    let state = state_with(fixtures::source_in_error());
    let text = screen(&state, 160, 48);
    assert!(text.contains("error: DescribeDBInstances"), "{text}");
    assert!(
        text.contains("courier-local-courier") && text.contains("courier-local-work"),
        "the other panels keep working:\n{text}"
    );
    snap("source_in_error", &state);
}

#[test]
fn help_lists_every_key_even_at_80x24() {
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Char('?')));
    for (w, h) in [(80, 24), (160, 48)] {
        let text = screen(&state, w, h);
        for (keys, _) in help_lines(&state) {
            let first = keys.split(", ").next().unwrap();
            assert!(text.contains(first), "{first} missing at {w}x{h}:\n{text}");
        }
    }
    insta::assert_snapshot!("help_80x24", screen(&state, 80, 24));
}

#[test]
fn zoom_filter_and_pretty_json_on_the_logs() {
    let mut state = state_with(fixtures::healthy());
    state.focus = Panel::Logs;
    update(&mut state, Msg::Key(Key::Enter));
    update(&mut state, Msg::Key(Key::Char('J')));
    let text = screen(&state, 80, 24);
    assert!(text.contains("\"port\": 5678"), "{text}");
    update(&mut state, Msg::Key(Key::Char('/')));
    for c in "7f2c".chars() {
        update(&mut state, Msg::Key(Key::Char(c)));
    }
    let text = screen(&state, 80, 24);
    assert!(
        text.contains("gave up") && !text.contains("listening"),
        "{text}"
    );
    insta::assert_snapshot!("logs_zoomed_filtered_80x24", text);
}

/// `messages` as log lines of the fixture's task, a second apart, after the fixture's lines.
pub(super) fn more_logs(state: &mut State, messages: impl IntoIterator<Item = String>) {
    let lines = messages
        .into_iter()
        .enumerate()
        .map(|(i, message)| crate::model::dashboard::LogLine {
            id: format!("more{i}"),
            at_ms: (fixtures::NOW - 20 + i as i64) * 1000,
            stream: "courier/courier/0f3c9a7be1d24c55".into(),
            message,
        })
        .collect();
    let generation = state.logs.generation();
    update(
        state,
        Msg::Log {
            generation,
            event: crate::model::logs::TailEvent::Lines(lines),
        },
    );
}

/// The rows inside the Logs panel's border, border characters removed.
pub(super) fn logs_rows(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.contains(" Logs "))
        .skip(1)
        .take_while(|l| !l.starts_with('└') && !l.starts_with('┗'))
        .map(|l| l.trim_matches(|c| c == '│' || c == '┃').to_owned())
        .collect()
}

#[test]
fn zoomed_logs_keep_the_newest_line_in_view_when_lines_wrap() {
    let mut state = state_with(fixtures::healthy());
    more_logs(
        &mut state,
        (0..30).map(|i| {
            format!(
                r#"{{"level":"INFO","message":"request","n":{i},"pad":"{}"}} line {i:02} end"#,
                "x".repeat(120)
            )
        }),
    );
    state.focus = Panel::Logs;
    update(&mut state, Msg::Key(Key::Enter));
    let text = screen(&state, 80, 24);
    assert!(
        text.contains("line 29 end"),
        "the newest line is in view:\n{text}"
    );
    let rows = logs_rows(&text);
    assert!(
        rows.last().is_some_and(|r| r.contains("line 29 end")),
        "and at the bottom:\n{text}"
    );
}

#[test]
fn home_reaches_the_oldest_line_of_wrapped_logs_and_down_moves_back() {
    let mut state = state_with(fixtures::healthy());
    more_logs(
        &mut state,
        (0..30).map(|i| format!("{} line {i:02} end", "x".repeat(150))),
    );
    state.focus = Panel::Logs;
    update(&mut state, Msg::Key(Key::Enter));
    update(&mut state, Msg::Key(Key::Char('g')));
    let text = screen(&state, 80, 24);
    let rows = logs_rows(&text);
    assert!(
        rows[0].starts_with("11:59:30") && rows[0].contains("listening"),
        "the oldest line starts the panel:\n{text}"
    );
    // Scrolling down from the top moves within a panel's worth of presses, not never.
    let mut moved = false;
    for _ in 0..rows.len() {
        update(&mut state, Msg::Key(Key::Down));
        if logs_rows(&screen(&state, 80, 24))[0] != rows[0] {
            moved = true;
            break;
        }
    }
    assert!(moved, "down after Home scrolls:\n{text}");
}

#[test]
fn pretty_json_fills_the_logs_panel_down_to_the_newest_line() {
    let mut state = state_with(fixtures::healthy());
    more_logs(
        &mut state,
        (0..10).map(|i| format!(r#"{{"level":"INFO","message":"request","n":{i},"status":202}}"#)),
    );
    update(&mut state, Msg::Key(Key::Char('J')));
    let text = screen(&state, 160, 48);
    let rows = logs_rows(&text);
    assert!(rows.len() > 5, "{text}");
    assert!(
        rows.iter().all(|r| !r.trim().is_empty()),
        "no blank row while older lines exist:\n{text}"
    );
    assert!(rows[rows.len() - 2].contains("\"status\": 202"), "{text}");
    assert_eq!(rows.last().map(|r| r.trim()), Some("}"), "{text}");
}

#[test]
fn read_only_and_themes_show() {
    let state = fixtures::state_with_settings(
        fixtures::healthy(),
        crate::app::Settings {
            interval: 5,
            read_only: true,
            theme: crate::theme::load("high-contrast").unwrap(),
            ..Default::default()
        },
    );
    let text = screen(&state, 80, 24);
    assert!(text.contains("READ-ONLY"), "{text}");
}

/// One 80×24 snapshot of a dialog state.
fn snap_small(name: &str, state: &State) -> String {
    let text = screen(state, 80, 24);
    insta::assert_snapshot!(format!("{name}_80x24"), text.clone());
    text
}

#[test]
fn the_confirmations_default_to_no_and_a_purge_asks_for_the_name() {
    use crate::model::mutation::Mutation;
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Ctrl('r')));
    let text = screen(&state, 80, 24);
    assert!(text.contains("reading redeploy…"), "{text}");
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::Redeploy {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
            },
            vec!["force a new deployment of courier-local/courier-local-courier".into()],
        ))),
    );
    let text = snap_small("confirm_redeploy", &state);
    assert!(
        text.contains("[ No ]") && text.contains("[ Yes ]"),
        "{text}"
    );

    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Ctrl('p')));
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::Purge {
                queue_url: "http://127.0.0.1:4566/000000000000/courier-local-work".into(),
            },
            vec![
                "purge queue courier-local-work: delete every message in it, for good".into(),
                "now: 1423 visible, 12 in flight, 0 delayed".into(),
            ],
        ))),
    );
    for c in "courier-local-wrk".chars() {
        update(&mut state, Msg::Key(Key::Char(c)));
    }
    update(&mut state, Msg::Key(Key::Enter));
    let text = snap_small("confirm_purge_wrong_name", &state);
    assert!(text.contains("is not `courier-local-work`"), "{text}");
}

#[test]
fn the_rollback_picker_shows_the_revisions_and_the_diff() {
    use crate::model::rollback::{Choice, RollbackChoices};
    let td = |n: u32| format!("arn:aws:ecs:us-east-1:000000000000:task-definition/courier:{n}");
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Ctrl('b')));
    update(
        &mut state,
        Msg::Choices(Ok(RollbackChoices {
            cluster: "courier-local".into(),
            service: "courier-local-courier".into(),
            running: td(7),
            options: vec![
                Choice {
                    task_definition: td(6),
                    label: "failed".into(),
                    diff: vec!["courier image: courier:7 → courier:6".into()],
                },
                Choice {
                    task_definition: td(5),
                    label: "last completed".into(),
                    diff: vec![
                        "courier image: courier:7 → courier:5".into(),
                        "courier env LOG_LEVEL: debug → info".into(),
                    ],
                },
            ],
            selected: 1,
            reason: "no deployment history is available; courier:5 is the newest revision older than the running courier:7".into(),
            interrupts_deployment: true,
            note: Some("courier-local-courier already runs courier:7, the revision of its last completed deployment: rolling back goes to an older one".into()),
        })),
    );
    let text = snap_small("rollback_picker", &state);
    assert!(
        text.contains("courier:6") && text.contains("courier:5"),
        "every revision listed:\n{text}"
    );
    assert!(text.contains("LOG_LEVEL: debug → info"), "{text}");
    assert!(text.contains("still in progress"), "{text}");
}

#[test]
fn production_gets_the_banner() {
    let state = fixtures::state_with_settings(
        fixtures::healthy(),
        crate::app::Settings {
            interval: 5,
            production_patterns: vec!["courier-*".into()],
            ..Default::default()
        },
    );
    let text = screen(&state, 80, 24);
    assert!(
        text.starts_with(" PRODUCTION · courier-local  healthy · updated"),
        "{text}"
    );
    // The banner is the alarm colour; the verdict keeps the normal background.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| view(&state, f)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    assert_eq!(buffer[(1, 0)].bg, state.theme.alarm);
    let header = text.lines().next().unwrap();
    let verdict = header[..header.find("healthy").unwrap()].chars().count() as u16;
    assert_ne!(buffer[(verdict, 0)].bg, state.theme.alarm);
}

#[test]
fn a_confirmation_too_long_for_the_screen_still_shows_its_question() {
    use crate::model::mutation::Mutation;
    use crate::model::rollback::Target;
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Ctrl('b')));
    let mut details = vec![
        "roll courier-local/courier-local-courier back from courier:41 to courier:40".to_owned(),
    ];
    for i in 0..30 {
        details.push(format!(
            "  courier env SETTING_{i}: {} → {}",
            "a".repeat(30),
            "b ".repeat(20)
        ));
    }
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::Rollback {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
                target: Target {
                    task_definition: "courier:40".into(),
                    reason: "asked".into(),
                    interrupts_deployment: false,
                },
            },
            details,
        ))),
    );
    let text = screen(&state, 80, 24);
    assert!(
        text.contains("[ No ]") && text.contains("[ Yes ]"),
        "{text}"
    );
    assert!(text.contains("more line(s)"), "{text}");

    // Word-wrapped details above a purge's typed name: the input line stays visible.
    let mut state = state_with(fixtures::healthy());
    update(&mut state, Msg::Key(Key::Ctrl('p')));
    update(
        &mut state,
        Msg::Planned(Ok((
            Mutation::Purge {
                queue_url: "http://127.0.0.1:4566/000000000000/courier-local-work".into(),
            },
            vec![format!("{} {} {}", "x".repeat(40), "y".repeat(40), "z".repeat(40)); 3],
        ))),
    );
    for c in "courier".chars() {
        update(&mut state, Msg::Key(Key::Char(c)));
    }
    let text = screen(&state, 100, 40);
    assert!(text.contains("> courier█"), "{text}");
}

#[test]
fn a_chart_legend_is_shortened_to_fit_never_cut() {
    let state = state_with(fixtures::healthy());
    let series = [(fixtures::NOW - 120, 12.0), (fixtures::NOW - 60, 38.4)];
    let legend = |width: u16| {
        let mut terminal = Terminal::new(TestBackend::new(width, 6)).unwrap();
        terminal
            .draw(|f| {
                let spec = chart::Spec {
                    label: "CPU",
                    unit: " %",
                    threshold: Some(80.0),
                };
                chart::draw(&state, f, f.area(), &series, spec)
            })
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..width)
            .map(|x| buffer[(x, 0)].symbol().to_owned())
            .collect::<String>()
            .trim_end()
            .to_owned()
    };
    // Each form at exactly its width, and one column short of it.
    let full = "CPU, last hour: peak 38 % · alarm 80 %";
    let short = "CPU peak 38 % · alarm 80 %";
    let shortest = "peak 38 % · alarm 80 %";
    let columns = |s: &str| s.chars().count() as u16;
    assert_eq!(legend(columns(full)), full);
    assert_eq!(legend(columns(full) - 1), short);
    assert_eq!(legend(columns(short)), short);
    assert_eq!(legend(columns(short) - 1), shortest);
    assert_eq!(legend(columns(shortest)), shortest);
    assert_eq!(legend(columns(shortest) - 1), "");
}

#[test]
fn an_empty_queue_has_no_oldest_message_whatever_the_metric_lags() {
    let mut state = state_with(fixtures::alarm_firing());
    let text = screen(&state, 160, 48);
    assert!(text.contains("oldest 7 min"), "{text}");
    let data = state.refresh.data.as_mut().unwrap();
    let queue = data.health.queue.as_mut().unwrap();
    (queue.visible, queue.in_flight, queue.delayed) = (0, 0, 0);
    let text = screen(&state, 160, 48);
    assert!(
        text.contains("0 visible · 0 in flight · 0 delayed · oldest -"),
        "{text}"
    );
}

#[test]
fn the_command_line_hints_the_commands_offered() {
    let hint = |read_only: bool| {
        let mut state = fixtures::state_with_settings(
            fixtures::healthy(),
            crate::app::Settings {
                interval: 5,
                read_only,
                ..Default::default()
            },
        );
        update(&mut state, Msg::Key(Key::Char(':')));
        let text = screen(&state, 160, 48);
        text.lines().last().unwrap().to_owned()
    };
    assert_eq!(
        hint(false),
        ":█  stack NAME · service [C/]NAME · profile NAME · region NAME · theme NAME · redeploy · rollback · scale N · stop-task · purge · redrive · audit · timeline · q"
    );
    assert_eq!(
        hint(true),
        ":█  stack NAME · service [C/]NAME · profile NAME · region NAME · theme NAME · audit · timeline · q"
    );
}

#[test]
fn the_timeline_lists_the_incident_and_shows_a_deployments_diff() {
    let mut state = crate::app::timeline_tests::incident_timeline();
    let text = screen(&state, 80, 24);
    assert!(text.contains("timeline · last 2 h"), "{text}");
    assert!(text.contains("deploy ROLLED BACK"), "{text}");
    snap("timeline", &state);
    // The rolled-back deployment's start, its detail with the task-definition diff.
    let start = match &state.ops.dialog {
        Some(crate::app::ops::Dialog::Timeline(v)) => v
            .entries
            .iter()
            .position(|e| e.title.ends_with("started (deployment ecs-svc/2)"))
            .unwrap(),
        other => panic!("{other:?}"),
    };
    update(&mut state, Msg::Key(Key::Home));
    for _ in 0..start {
        update(&mut state, Msg::Key(Key::Down));
    }
    update(&mut state, Msg::Key(Key::Enter));
    let text = screen(&state, 160, 48);
    assert!(
        text.contains("courier image: courier:7 → courier:8"),
        "{text}"
    );
    snap("timeline_detail", &state);
}

#[test]
fn deployment_starts_are_marked_on_the_charts() {
    let state = crate::app::timeline_tests::incident();
    let text = screen(&state, 160, 48);
    assert!(text.contains("│ deploy"), "{text}");
    snap("deployment_markers", &state);
}
