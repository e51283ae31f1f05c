//! `make bench-devstack`: the local stack's messaging path under its own incident, figures printed
//! with their targets (issue 17). One run, a throwaway moto and PostgreSQL (devstack's test
//! environment), the devstack agent in this process, two courier tasks (release build) as the
//! ECS service:
//! 1. the backlog: courier runs without its worker (`COURIER_ROLE=api`) and takes 5,000
//!    `POST /messages` (32 connections); its relay publishes them to the topic, which delivers to
//!    the work queue;
//! 2. the drain: steady traffic (5 msg/s) goes on while the service is updated to the revision
//!    with the worker (as a rollback does); the drain runs from the first fall of the queue's
//!    depth (visible + in flight) to 50 messages or fewer. Printed: the net drain rate (target
//!    ≥ 200 msg/s), moto's CPU over the drain from /proc/<pid>/stat (≤ 50 % of a core), the
//!    agent's (its runtime's threads, `devstack-agent`), the courier tasks', and the steady
//!    traffic's errors during the drain.
//!
//! Build and run (the Makefile's bench-devstack target):
//! `cargo build --release -p courier --bin courier -p devstack --example bench-devstack &&
//! target/release/examples/bench-devstack`. Option: `--backlog N` (default 5,000).

use anyhow::{bail, Context, Result};
use aws_sdk_sqs::types::QueueAttributeName;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::first_task_port;
use devstack::testkit::stack::{create_queue, Revision, StackBuilder};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DRAIN_TARGET: f64 = 200.0;
const MOTO_TARGET: f64 = 50.0;
const STEADY_RATE: u64 = 5;
/// courier tasks take the first free ports from the first task port.
const TASK_PORTS: u16 = 10;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench-devstack: {e:#}");
        std::process::exit(1);
    }
}

/// CPU ticks (utime + stime) of a process, or of this process's threads named `devstack-agent`.
fn ticks(pid: Option<u32>) -> u64 {
    let field = |text: &str| -> Option<u64> {
        let rest = text.rsplit_once(") ")?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
    };
    match pid {
        Some(pid) => std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|t| field(&t))
            .unwrap_or(0),
        None => std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim() == "devstack-agent")
            })
            .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
            .filter_map(|t| field(&t))
            .sum(),
    }
}

/// CPU ticks of this process's children (the courier tasks), by pid.
fn courier_ticks() -> HashMap<i32, u64> {
    let me = std::process::id() as i32;
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| Some((pid, devstack::agent::procs::stat(pid)?)))
        .filter(|(_, (ppid, _, _))| *ppid == me)
        .map(|(pid, (_, ticks, _))| (pid, ticks))
        .collect()
}

/// Ticks the courier tasks used since `before` (tasks started meanwhile count from zero; those
/// stopped meanwhile are left out).
fn courier_ticks_since(before: &HashMap<i32, u64>) -> u64 {
    courier_ticks()
        .iter()
        .map(|(pid, now)| now.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum()
}

fn percent(ticks: u64, over: Duration) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 / hz / over.as_secs_f64().max(1e-9) * 100.0
}

/// `POST /messages` to the first task port that takes it.
async fn post(first_port: u16, n: u64) -> bool {
    let body = serde_json::json!({"channel": "bench", "sender": "devstack", "body": format!("message {n}")});
    let key = format!("bench-{}-{n}", std::process::id());
    for port in first_port..first_port + TASK_PORTS {
        let url = format!("http://127.0.0.1:{port}/messages");
        let answer = devstack::http::post_json(
            &url,
            &[("idempotency-key", &key)],
            &body,
            Duration::from_secs(5),
        )
        .await;
        if answer.is_ok_and(|(status, _)| status == hyper::StatusCode::ACCEPTED) {
            return true;
        }
    }
    false
}

/// Visible + in-flight messages of `url`.
async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<i64> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .with_context(|| format!("GetQueueAttributes {url}"))?;
    let attributes = out.attributes().cloned().unwrap_or_default();
    let n = |name| {
        attributes
            .get(&name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    Ok(n(QueueAttributeName::ApproximateNumberOfMessages)
        + n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
}

async fn run() -> Result<()> {
    let backlog: u64 = match std::env::args().skip_while(|a| a != "--backlog").nth(1) {
        Some(n) => n.parse().context("--backlog N")?,
        None => 5_000,
    };
    let courier_bin = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("courier"))
        .filter(|bin| bin.is_file())
        .context("no courier binary next to the examples folder: cargo build --release -p courier --bin courier")?;
    let env = tokio::task::spawn_blocking(TestEnv::start)
        .await?
        .context("start moto and PostgreSQL")?;
    env.create_database(devstack::COURIER_DB).await?;
    let name = unique_name("bench");
    let courier_env =
        devstack::testkit::courier::task_environment(&env.sdk_config().await, &name).await;
    let value = |key: &str| {
        courier_env
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (queue_url, topic_arn) = (value("COURIER_QUEUE_URL"), value("COURIER_TOPIC_ARN"));
    let revision = |role: &str| {
        courier_env
            .iter()
            .fold(Revision::image("courier:local").memory(256), |r, (k, v)| {
                r.env(k, v)
            })
            .env("COURIER_ROLE", role)
    };
    let builder = StackBuilder::new("bench");
    let task_port = first_task_port();
    let options = Options {
        metrics_interval: Duration::from_secs(10),
        evaluation_interval: Duration::from_secs(10),
        control_interval: Duration::from_secs(2),
        first_task_port: task_port,
        courier_bin,
        postgres: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(&env, options).await;
    let sdk = agent.sdk().await;
    let stack = builder
        .revision(revision("api"))
        .service(2)
        .circuit_breaker()
        .build(&sdk)
        .await?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let (dlq_url, _) = create_queue(&sqs, &format!("{name}-dlq"), &[]).await?;
    stack
        .publish([
            ("queue_url", &queue_url),
            ("dlq_url", &dlq_url),
            ("topic_arn", &topic_arn),
        ])
        .await;
    stack.wait_completed(Duration::from_secs(180)).await;

    // 1. The backlog, with the worker off.
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let (next, failed) = (next.clone(), failed.clone());
        senders.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= backlog {
                    break;
                }
                if !post(task_port, n).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while senders.join_next().await.is_some() {}
    let accepted = backlog - failed.load(Ordering::Relaxed);
    let queued = loop {
        let d = depth(&sqs, &queue_url).await?;
        if d >= accepted as i64 || started.elapsed() > Duration::from_secs(600) {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "backlog: {accepted} of {backlog} POST /messages accepted, {queued} queued in {:.1} s (courier without its worker)",
        started.elapsed().as_secs_f64()
    );

    // 2. Steady traffic on, the worker back (an UpdateService to the revision with it).
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let steady = {
        let (sent, errors) = (sent.clone(), errors.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(1000 / STEADY_RATE));
            for n in 1_000_000u64.. {
                tick.tick().await;
                let (sent, errors) = (sent.clone(), errors.clone());
                tokio::spawn(async move {
                    sent.fetch_add(1, Ordering::Relaxed);
                    if !post(task_port, n).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        })
    };
    let td = stack.register(&revision("all")).await;
    aws_sdk_ecs::Client::new(&sdk)
        .update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&td)
        .send()
        .await?;
    let peak = depth(&sqs, &queue_url).await?;
    let deadline = Instant::now() + Duration::from_secs(900);
    let (from, from_at, moto0, agent0, courier0, errors0, sent0) = loop {
        let d = depth(&sqs, &queue_url).await?;
        if d < peak {
            let e = errors.load(Ordering::Relaxed);
            let s = sent.load(Ordering::Relaxed);
            break (
                d,
                Instant::now(),
                ticks(Some(env.moto_pid())),
                ticks(None),
                courier_ticks(),
                e,
                s,
            );
        }
        if Instant::now() > deadline {
            bail!("the queue did not start draining within 15 minutes ({d} messages)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (to, over) = loop {
        let d = depth(&sqs, &queue_url).await?;
        if d <= 50 {
            break (d, from_at.elapsed());
        }
        if Instant::now() > deadline {
            bail!("the queue did not drain within 15 minutes ({d} messages left)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let moto = percent(ticks(Some(env.moto_pid())) - moto0, over);
    let agent_cpu = percent(ticks(None) - agent0, over);
    let courier_cpu = percent(courier_ticks_since(&courier0), over);
    let (drain_errors, drain_sent) = (
        errors.load(Ordering::Relaxed) - errors0,
        sent.load(Ordering::Relaxed) - sent0,
    );
    steady.abort();
    let rate = (from - to) as f64 / over.as_secs_f64();
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!(
        "drain: {from} → {to} messages in {:.1} s with steady traffic ({STEADY_RATE} msg/s) on: {rate:.0} msg/s (target ≥ {DRAIN_TARGET:.0}) {}",
        over.as_secs_f64(),
        verdict(rate >= DRAIN_TARGET)
    );
    println!(
        "moto CPU over the drain: {moto:.1} % of a core (target ≤ {MOTO_TARGET:.0} %) {}",
        verdict(moto <= MOTO_TARGET)
    );
    println!("agent CPU over the drain: {agent_cpu:.1} % of a core");
    println!("courier tasks' CPU over the drain (all of them): {courier_cpu:.1} % of a core");
    println!("steady traffic during the drain: {drain_sent} sent, {drain_errors} errors");
    drop(agent);
    if rate < DRAIN_TARGET || moto > MOTO_TARGET {
        std::process::exit(2);
    }
    Ok(())
}
