//! The five measures, each a few rows of (measure, figure, target, met).

use crate::stack::{floor_read, put_events};
use crate::usage::{clock_ticks_per_second, cpu_ticks, median, run, timed, user_system_ticks};
use crate::{Bench, Row};
use anyhow::{Context, Result};
use devstack::testkit::command::shell_line;
use devstack::testkit::tmux::Tmux;
use stackdeck::model::dashboard::MetricQuery;
use std::time::{Duration, Instant};

/// 1. `stackdeck status` against the aws CLI commands that read the same things.
pub async fn status_vs_cli(b: &Bench) -> Result<Vec<Row>> {
    let stack = &b.stack;
    let mut rows = Vec::new();
    let status_runs: Vec<Duration> = (0..b.options.runs)
        .map(|_| {
            let mut cmd = b.stackdeck();
            cmd.args(["status", "--format", "json", "--stack", &stack.name]);
            timed(cmd)
        })
        .collect::<Result<_>>()?;
    let cli: Vec<Vec<String>> = vec![
        vec![
            "ssm",
            "get-parameters-by-path",
            "--path",
            &format!("/stackdeck/{}/", stack.name),
            "--recursive",
        ],
        vec![
            "ecs",
            "describe-services",
            "--cluster",
            &stack.cluster,
            "--services",
            &stack.service,
        ],
        vec![
            "sqs",
            "get-queue-attributes",
            "--queue-url",
            &stack.queue_url,
            "--attribute-names",
            "All",
        ],
        vec![
            "sqs",
            "get-queue-attributes",
            "--queue-url",
            &stack.dlq_url,
            "--attribute-names",
            "All",
        ],
        vec![
            "cloudwatch",
            "describe-alarms",
            "--alarm-name-prefix",
            &stack.alarm_prefix,
        ],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(str::to_owned).collect())
    .collect();
    let cli_runs: Vec<Duration> = (0..b.options.runs.min(3))
        .map(|_| {
            let mut total = Duration::ZERO;
            for args in &cli {
                let mut cmd = b.aws();
                cmd.args(args);
                total += timed(cmd)?;
            }
            Ok(total)
        })
        .collect::<Result<_>>()?;
    let (ours, theirs) = (median(status_runs), median(cli_runs));
    let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
    rows.push((
        "status --format json vs 5 aws CLI calls".into(),
        format!(
            "{:.0} ms vs {:.0} ms: {ratio:.1}× faster",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3
        ),
        "≥ 30×".into(),
        ratio >= 30.0,
    ));

    Ok(rows)
}

/// 2 and 3. One refresh: wall time vs its slowest call; calls with 1 and with 50 metrics.
pub async fn refresh(b: &Bench) -> Result<Vec<Row>> {
    let stack = &b.stack;
    let mut rows = Vec::new();
    let resources = stackdeck::aws::ssm::Discovery::new(&b.sdk, "default".into())
        .stack(&stack.name)
        .await?;
    let metric = |i: usize| MetricQuery {
        id: format!("m{i}"),
        namespace: "AWS/SQS".into(),
        metric: "ApproximateNumberOfMessagesVisible".into(),
        dimensions: vec![("QueueName".into(), format!("{}-work", stack.name))],
        stat: "Maximum".into(),
    };
    let now = jiff::Timestamp::now().as_second();
    let mut walls = Vec::new();
    let mut slowest = Vec::new();
    for _ in 0..b.options.runs {
        stackdeck::aws::calls::reset_slowest();
        let started = Instant::now();
        stackdeck::refresh::refresh(&b.sdk, "default", &resources, now).await;
        walls.push(started.elapsed());
        slowest.push(stackdeck::aws::calls::slowest());
    }
    let (wall, slow) = (median(walls), median(slowest));
    let overhead = wall.as_secs_f64() / slow.as_secs_f64();
    rows.push((
        "refresh wall time vs its slowest call".into(),
        format!(
            "{:.1} ms vs {:.1} ms: {overhead:.2}×",
            wall.as_secs_f64() * 1e3,
            slow.as_secs_f64() * 1e3
        ),
        "≤ 1.3×".into(),
        overhead <= 1.3,
    ));
    let mut calls = Vec::new();
    for n in [1, 50] {
        let queries: Vec<MetricQuery> = (0..n).map(metric).collect();
        let before = stackdeck::aws::calls::sent();
        stackdeck::refresh::refresh_with(&b.sdk, "default", &resources, now, &queries).await;
        calls.push(stackdeck::aws::calls::sent() - before);
    }
    rows.push((
        "API calls per refresh, 1 and 50 metrics".into(),
        format!("{} and {}", calls[0], calls[1]),
        "equal".into(),
        calls[0] == calls[1],
    ));

    Ok(rows)
}

/// 4. Many log events: `stackdeck logs` against the aws CLI, and the floor.
pub async fn logs(b: &Bench) -> Result<Vec<Row>> {
    let stack = &b.stack;
    let mut rows = Vec::new();
    println!("putting {} log events…", b.options.events);
    let start_ms = put_events(&b.sdk, &stack.log_group, b.options.events).await?;
    let mut cmd = b.stackdeck();
    cmd.args(["logs", "--since", "2h", "--stack", &stack.name]);
    let moto_ticks = cpu_ticks(b.env.moto_pid())?;
    let ours = run(cmd)?;
    let moto_ours = cpu_ticks(b.env.moto_pid())? - moto_ticks;
    let rss_mib = ours.max_rss_kib as f64 / 1024.0;
    let mut cmd = b.aws();
    cmd.args([
        "logs",
        "filter-log-events",
        "--log-group-name",
        &stack.log_group,
    ]);
    let moto_ticks = cpu_ticks(b.env.moto_pid())?;
    let theirs = run(cmd)?;
    let moto_theirs = cpu_ticks(b.env.moto_pid())? - moto_ticks;
    let ratio = theirs.wall.as_secs_f64() / ours.wall.as_secs_f64();
    rows.push((
        format!(
            "{} log events: stackdeck logs vs aws logs filter-log-events",
            b.options.events
        ),
        format!(
            "{:.2} s vs {:.2} s: {ratio:.1}× faster",
            ours.wall.as_secs_f64(),
            theirs.wall.as_secs_f64()
        ),
        "≥ 10×".into(),
        ratio >= 10.0,
    ));
    // Not targets: where the time goes — each client's own CPU, and moto's CPU serving it.
    let tick = 1.0 / clock_ticks_per_second();
    println!(
        "log events, CPU: stackdeck {:.2} s + moto {:.2} s; aws CLI {:.2} s + moto {:.2} s \
         (clients alone: {:.1}×); aws CLI peak RSS {:.1} MiB",
        ours.cpu.as_secs_f64(),
        moto_ours as f64 * tick,
        theirs.cpu.as_secs_f64(),
        moto_theirs as f64 * tick,
        theirs.cpu.as_secs_f64() / ours.cpu.as_secs_f64().max(1e-3),
        theirs.max_rss_kib as f64 / 1024.0
    );
    // Not a target: the floor any FilterLogEvents client reading the whole group meets on this
    // server, hence the largest ratio to the CLI that one can reach here.
    let (user_before, system_before) = user_system_ticks(b.env.moto_pid())?;
    let started = Instant::now();
    let (read, pages) = floor_read(&b.sdk, &stack.log_group, start_ms, b.options.events).await?;
    let floor = started.elapsed();
    let (user_after, system_after) = user_system_ticks(b.env.moto_pid())?;
    let moto_user = (user_after - user_before) as f64 * tick;
    let moto_system = (system_after - system_before) as f64 * tick;
    // moto's user time runs Python under its global lock, one thread at a time: that much wall
    // time no client can save, however concurrent (its kernel time could overlap, so it is left
    // out of the bound).
    println!(
        "log events, the floor: {read} events in {pages} FilterLogEvents pages cut exactly at \
         every 10 000th event, read one after another, nothing printed: {:.2} s; moto \
         {moto_user:.2} s user + {moto_system:.2} s system CPU — so at most {:.1}× the CLI for \
         any FilterLogEvents client reading the whole group here",
        floor.as_secs_f64(),
        theirs.wall.as_secs_f64() / moto_user.max(1e-3)
    );
    rows.push((
        "stackdeck logs peak RSS".into(),
        format!("{rss_mib:.1} MiB"),
        "≤ 60 MB".into(),
        rss_mib * 1.048_576 <= 60.0,
    ));

    Ok(rows)
}

/// 5. The dashboard idle in tmux.
pub async fn idle(b: &Bench) -> Result<Vec<Row>> {
    let stack = &b.stack;
    let mut rows = Vec::new();
    let mut cmd = b.stackdeck();
    cmd.args(["--stack", &stack.name]);
    let tmux = Tmux::start(&shell_line(&cmd), 160, 48);
    // Idle means started: the log panel's history (the bench's 100 000 events fill the buffer)
    // read and parsed, its line count unchanged for 5 s (at most a minute).
    let mut last = String::new();
    let mut steady = 0;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let screen = tmux.screen();
        let lines = screen
            .split(" · ")
            .find(|part| part.ends_with(" lines"))
            .unwrap_or_default()
            .to_owned();
        steady = if !lines.is_empty() && lines == last {
            steady + 1
        } else {
            0
        };
        last = lines;
        if steady >= 5 {
            break;
        }
    }
    let pid: u32 = tmux
        .pane("#{pane_pid}")
        .trim()
        .parse()
        .context("the dashboard's pid")?;
    println!(
        "measuring the idle dashboard for {} s…",
        b.options.idle_seconds
    );
    let before = cpu_ticks(pid)?;
    tokio::time::sleep(Duration::from_secs(b.options.idle_seconds)).await;
    let after = cpu_ticks(pid)?;
    drop(tmux);
    let percent =
        100.0 * (after - before) as f64 / clock_ticks_per_second() / b.options.idle_seconds as f64;
    rows.push((
        format!("dashboard idle in tmux, {} s", b.options.idle_seconds),
        format!("{percent:.2} % of a core ({} ticks)", after - before),
        "≤ 0.5 %".into(),
        percent <= 0.5,
    ));

    Ok(rows)
}
