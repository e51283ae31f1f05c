//! Plain-value stacks for the update and view tests: healthy, alarm, failing deploy, errors.

use super::{keys::Key, update, Effect, Msg, Settings, State};
use crate::model::dashboard::{
    Dashboard, Database, LogLine, Metrics, Target, Task, CONNECTIONS, CPU, FREE_STORAGE,
    OLDEST_AGE, QUEUE_DEPTH,
};
use crate::model::ecs::Rollout;
use crate::model::health::{Alarm, Deployment, QueueHealth, ServiceEvent, ServiceHealth, Snapshot};
use crate::model::logs::{TailEvent, TailMode};
use crate::model::mutation::{Mutation, Request};
use crate::model::stack::StackResources;
use std::time::Duration;

/// The fixed clock of every fixture: 2026-01-01T12:00:00Z.
pub const NOW: i64 = 1_767_268_800;

pub fn resources() -> StackResources {
    StackResources::from_parameters(
        "courier-local",
        [
            ("cluster", "courier-local"),
            ("service", "courier-local-courier"),
            (
                "queue_url",
                "http://127.0.0.1:4566/000000000000/courier-local-work",
            ),
            (
                "dlq_url",
                "http://127.0.0.1:4566/000000000000/courier-local-dlq",
            ),
            ("db_instance_id", "courier-local-db"),
            ("log_group", "/ecs/courier-local"),
            ("alarm_prefix", "courier-local-"),
            (
                "target_group_arn",
                "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/courier/1",
            ),
        ]
        .map(|(k, v)| (format!("/stackdeck/courier-local/{k}"), v.to_owned())),
    )
}

fn series(f: impl Fn(i64) -> f64) -> Vec<(i64, f64)> {
    (0..60).map(|i| (NOW - 3600 + i * 60, f(i))).collect()
}

fn alarm(name: &str, state: &str, metric: &str, threshold: f64, reason: &str) -> Alarm {
    Alarm {
        name: format!("courier-local-{name}"),
        state: state.into(),
        reason: reason.into(),
        since: Some(NOW - 300),
        metric: metric.into(),
        threshold: Some(threshold),
    }
}

pub fn healthy() -> Dashboard {
    let mut metrics = Metrics::new();
    metrics.insert(CPU.into(), series(|i| 20.0 + (i % 7) as f64 * 3.0));
    metrics.insert(CONNECTIONS.into(), series(|_| 12.0));
    metrics.insert(
        FREE_STORAGE.into(),
        series(|_| 18.5 * 1024.0 * 1024.0 * 1024.0),
    );
    metrics.insert(QUEUE_DEPTH.into(), series(|i| (i % 5) as f64 * 4.0));
    metrics.insert(OLDEST_AGE.into(), series(|_| 3.0));
    Dashboard {
        health: Snapshot {
            stack: "courier-local".into(),
            service: Ok(ServiceHealth {
                cluster: "courier-local".into(),
                service: "courier-local-courier".into(),
                status: "ACTIVE".into(),
                running: 2,
                desired: 2,
                deployments: vec![Deployment {
                    id: "ecs-svc/1".into(),
                    status: "PRIMARY".into(),
                    task_definition: "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:7".into(),
                    rollout_state: Rollout::Completed,
                    rollout_reason: String::new(),
                    running: 2,
                    desired: 2,
                    created: Some(NOW - 3 * 3600),
                    ..Default::default()
                }],
                events: vec![ServiceEvent {
                    at: Some(NOW - 600),
                    message: "(service courier-local-courier) has reached a steady state.".into(),
                }],
                ..Default::default()
            }),
            queue: Ok(QueueHealth {
                name: "courier-local-work".into(),
                visible: 4,
                in_flight: 1,
                delayed: 0,
                dlq_name: "courier-local-dlq".into(),
                dlq_visible: 0,
            }),
            alarms: Ok(vec![
                alarm("queue-depth", "OK", "ApproximateNumberOfMessagesVisible", 100.0, "Threshold Crossed: 1 datapoint [4.0] was not greater than the threshold (100.0)."),
                alarm("db-cpu", "OK", "CPUUtilization", 80.0, "Threshold Crossed: no datapoint above 80"),
                alarm("dlq-not-empty", "OK", "ApproximateNumberOfMessagesVisible", 0.0, "empty"),
            ]),
            more: Default::default(),
        },
        tasks: Ok(vec![
            Task {
                id: "0f3c9a7be1d24c55".into(),
                last_status: "RUNNING".into(),
                desired_status: "RUNNING".into(),
                health: "HEALTHY".into(),
                task_definition: "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:7".into(),
                started: Some(NOW - 3 * 3600),
                ..Default::default()
            },
            Task {
                id: "7d1e2f3a4b5c6d7e".into(),
                last_status: "RUNNING".into(),
                desired_status: "RUNNING".into(),
                health: "HEALTHY".into(),
                task_definition: "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:7".into(),
                started: Some(NOW - 3 * 3600 + 30),
                ..Default::default()
            },
        ]),
        targets: Ok(Some(vec![
            Target { id: "10.0.1.12".into(), port: Some(5678), state: "healthy".into(), reason: String::new() },
            Target { id: "10.0.2.31".into(), port: Some(5678), state: "healthy".into(), reason: String::new() },
        ])),
        database: Ok(Some(Database {
            id: "courier-local-db".into(),
            status: "available".into(),
            class: "db.t4g.micro".into(),
            engine: "postgres".into(),
            engine_version: "15.7".into(),
            multi_az: false,
            allocated_storage_gib: 20,
        })),
        metrics: Ok(metrics),
        history: None,
    }
}

pub fn alarm_firing() -> Dashboard {
    let mut d = healthy();
    if let Ok(alarms) = d.health.alarms.as_mut() {
        alarms[0].state = "ALARM".into();
        alarms[0].reason =
            "Threshold Crossed: 1 datapoint [250.0] was greater than the threshold (100.0).".into();
        crate::model::health::sort_alarms(alarms);
    }
    if let Ok(q) = d.health.queue.as_mut() {
        q.visible = 250;
    }
    if let Ok(m) = d.metrics.as_mut() {
        m.insert(QUEUE_DEPTH.into(), series(|i| (i * i) as f64 / 14.0));
        m.insert(OLDEST_AGE.into(), series(|_| 420.0));
    }
    d
}

pub fn failing_deployment() -> Dashboard {
    let mut d = healthy();
    if let Ok(s) = d.health.service.as_mut() {
        s.running = 1;
        s.desired = 2;
        s.deployments.insert(
            0,
            Deployment {
                id: "ecs-svc/2".into(),
                status: "PRIMARY".into(),
                task_definition:
                    "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:8".into(),
                rollout_state: Rollout::Failed,
                rollout_reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
                desired: 2,
                failed_tasks: 3,
                created: Some(NOW - 240),
                ..Default::default()
            },
        );
        s.deployments[1].status = "ACTIVE".into();
        s.deployments[1].running = 1;
        s.events.insert(
            0,
            ServiceEvent {
                at: Some(NOW - 60),
                message: "(service courier-local-courier) deployment ecs-svc/2 deployment failed: tasks failed to start.".into(),
            },
        );
    }
    if let Ok(tasks) = d.tasks.as_mut() {
        tasks.truncate(1);
        tasks.push(Task {
            id: "be11c0de00000001".into(),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            health: "UNKNOWN".into(),
            task_definition: "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:8"
                .into(),
            started: Some(NOW - 200),
            stopped: Some(NOW - 190),
            stopped_reason: "Essential container in task exited".into(),
            ..Default::default()
        });
    }
    if let Ok(Some(targets)) = d.targets.as_mut() {
        targets[1].state = "unhealthy".into();
        targets[1].reason = "Health checks failed".into();
    }
    d
}

pub fn source_in_error() -> Dashboard {
    let mut d = healthy();
    d.database = Err("DescribeDBInstances on database instance courier-local-db: throttled by AWS; retrying on the next refresh".into());
    d.metrics =
        Err("GetMetricData on 5 metrics: throttled by AWS; retrying on the next refresh".into());
    d
}

pub fn log_lines() -> Vec<LogLine> {
    [
        (0, r#"{"level":"INFO","msg":"listening","port":5678}"#),
        (1, "INFO relay published 12 outbox rows"),
        (2, "WARN worker retrying message 7f2c (attempt 2)"),
        (3, "ERROR worker gave up on message 7f2c: database timeout"),
        (
            4,
            r#"{"level":"INFO","msg":"POST /messages","status":202,"ms":4}"#,
        ),
    ]
    .into_iter()
    .map(|(i, m)| LogLine {
        id: format!("e{i}"),
        at_ms: (NOW - 30 + i) * 1000,
        stream: "courier/courier/0f3c9a7be1d24c55".into(),
        message: m.into(),
    })
    .collect()
}

/// A state at `NOW` showing `data`, three seconds after it arrived, with a few log lines.
/// The answer of the refresh `state` asked for last, read at `at`, for the demo stack.
pub fn refreshed(state: &mut State, at: i64, data: Dashboard) -> Vec<Effect> {
    let seq = state.refresh.seq;
    update(
        state,
        Msg::Refreshed {
            seq,
            at,
            stack: "courier-local".into(),
            data: Box::new(data),
        },
    )
}

pub fn state_with(data: Dashboard) -> State {
    state_with_settings(
        data,
        Settings {
            interval: 5,
            profile: "prod-admin".into(),
            region: "eu-west-1".into(),
            ..Default::default()
        },
    )
}

/// [`state_with`], started with `settings`.
pub fn state_with_settings(data: Dashboard, settings: Settings) -> State {
    let mut state = State::new(resources(), settings).expect("default keys");
    state.start();
    update(&mut state, Msg::Tick(NOW - 3));
    refreshed(&mut state, NOW - 3, data);
    let generation = state.logs.generation;
    update(
        &mut state,
        Msg::Log {
            generation,
            event: TailEvent::Mode(TailMode::Polling {
                every: Duration::from_secs(2),
                why: "no live tail".into(),
            }),
        },
    );
    update(
        &mut state,
        Msg::Log {
            generation,
            event: TailEvent::Lines(log_lines()),
        },
    );
    update(&mut state, Msg::Tick(NOW));
    state
}

/// A key press.
pub fn key(state: &mut State, k: Key) -> Vec<Effect> {
    update(state, Msg::Key(k))
}

/// `text` typed, a key per character.
pub fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(state, Key::Char(c)))
        .collect()
}

/// `:line` Enter.
pub fn command(state: &mut State, line: &str) -> Vec<Effect> {
    key(state, Key::Char(':'));
    typed(state, line);
    key(state, Key::Enter)
}

/// The refresh `state` asked for last, as its effect.
pub fn refresh(state: &State) -> Effect {
    Effect::Refresh {
        stack: state.resources().clone(),
        seq: state.refresh.seq,
    }
}

/// The effects of a (re)start of the dashboard at its current refresh and tail.
pub fn started(state: &State) -> Vec<Effect> {
    vec![
        refresh(state),
        Effect::StartTail {
            generation: state.logs.generation,
            log_group: state.resources().get("log_group").map(str::to_owned),
            history: state.logs.lines.capacity(),
        },
        Effect::Whoami,
    ]
}

pub fn plan(state: &State, request: Request) -> Effect {
    Effect::Plan {
        request,
        scope: state.scope(),
    }
}

pub fn execute(state: &State, mutation: Mutation) -> Effect {
    Effect::Execute {
        mutation,
        scope: state.scope(),
    }
}

pub fn decline(state: &State, mutation: Mutation) -> Effect {
    Effect::Decline {
        mutation,
        scope: state.scope(),
    }
}

/// The redeploy of the fixtures' service.
pub fn redeploy() -> Mutation {
    Mutation::Redeploy {
        cluster: "courier-local".into(),
        service: "courier-local-courier".into(),
    }
}

/// The purge of the fixtures' work queue.
pub fn purge() -> Mutation {
    Mutation::Purge {
        queue_url: "http://127.0.0.1:4566/000000000000/courier-local-work".into(),
    }
}

/// The runner's answer to a plan: `mutation`, ready to confirm.
pub fn planned(state: &mut State, mutation: Mutation) {
    update(
        state,
        Msg::Planned(Ok((mutation, vec!["force a new deployment".into()]))),
    );
}

/// A redeploy asked for with Ctrl-r, planned, confirmed with `y` and Enter, and run by the
/// runner with `result`: the effects of that last answer.
pub fn executed_redeploy(state: &mut State, result: Result<String, String>) -> Vec<Effect> {
    key(state, Key::Ctrl('r'));
    planned(state, redeploy());
    key(state, Key::Char('y'));
    key(state, Key::Enter);
    update(
        state,
        Msg::Executed {
            mutation: redeploy(),
            result,
        },
    )
}
