//! `make bench-deck`: stackdeck's speed against the same moto, figures printed with their targets.
//!
//! One run, one throwaway moto (devstack's test environment) holding a stack created here:
//! 1. `stackdeck status --format json` against the aws CLI commands that read the same things,
//!    run one after another (target: ≥ 30× faster);
//! 2. one dashboard refresh's wall time against its slowest single call (≤ 1.3×: the reads are
//!    concurrent);
//! 3. API calls of one refresh with 1 and with 50 metrics charted (equal: one GetMetricData);
//! 4. 100 000 log events fetched and printed by `stackdeck logs` against the aws CLI's
//!    `logs filter-log-events` of the same group (≥ 10× faster; stackdeck's peak RSS ≤ 60 MB). The
//!    CLI here is v1, which has no `logs tail`; filter-log-events with its automatic paging is
//!    what `aws logs tail` does underneath. Printed beside it, not a target: each client's own CPU
//!    time and moto's CPU time serving it (wait4's rusage of that child, /proc of moto), and the
//!    floor: the least moto CPU a FilterLogEvents read of these events costs (pages cut where the
//!    bench knows every 10 000th event lies, one after another, nothing printed); its user time,
//!    Python under one lock, bounds the ratio to the CLI that any FilterLogEvents client reading
//!    the whole group can reach here;
//! 5. the dashboard's CPU in tmux, idle, over `--idle-seconds` (default 60; ≤ 0.5 % of a core).
//!
//! Build and run (the Makefile's bench-deck target):
//! `cargo build --release --bin stackdeck --example bench-deck && target/release/examples/bench-deck`
//! Options: `--idle-seconds N`, `--events N` (default 100 000), `--runs N` (default 5).

use anyhow::{bail, Context, Result};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use aws_sdk_ssm::types::ParameterType;
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::model::dashboard::MetricQuery;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    idle_seconds: u64,
    events: usize,
    runs: usize,
}

fn options() -> Result<Options> {
    let mut o = Options {
        idle_seconds: 60,
        events: 100_000,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--idle-seconds" => o.idle_seconds = value.parse()?,
            "--events" => o.events = value.parse()?,
            "--runs" => o.runs = value.parse()?,
            other => bail!("unknown option {other} (--idle-seconds N, --events N, --runs N)"),
        }
    }
    Ok(o)
}

/// The stack the benchmark reads.
struct Stack {
    name: String,
    cluster: String,
    service: String,
    queue_url: String,
    dlq_url: String,
    log_group: String,
    prefix: String,
}

async fn create_stack(sdk: &aws_config::SdkConfig) -> Result<Stack> {
    let name = unique_name("bench").replace('_', "-");
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let cw = aws_sdk_cloudwatch::Client::new(sdk);
    let ssm = aws_sdk_ssm::Client::new(sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let cluster = format!("{name}-cluster");
    let service = format!("{name}-courier");
    ecs.create_cluster().cluster_name(&cluster).send().await?;
    ecs.register_task_definition()
        .family(&name)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("courier")
                .image("courier:1")
                .memory(256)
                .build(),
        )
        .send()
        .await?;
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(format!("{name}:1"))
        .desired_count(0)
        .send()
        .await?;
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .send()
        .await?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let prefix = format!("{name}-");
    for alarm in [
        "queue-depth",
        "queue-age",
        "dlq-depth",
        "rds-cpu",
        "alb-5xx",
    ] {
        cw.put_metric_alarm()
            .alarm_name(format!("{prefix}{alarm}"))
            .namespace("AWS/SQS")
            .metric_name("ApproximateNumberOfMessagesVisible")
            .statistic(Statistic::Maximum)
            .period(60)
            .evaluation_periods(5)
            .threshold(100.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await?;
    }
    let log_group = format!("/ecs/{name}");
    logs.create_log_group()
        .log_group_name(&log_group)
        .send()
        .await?;
    for (key, value) in [
        ("cluster", cluster.clone()),
        ("service", service.clone()),
        ("queue_url", queue_url.clone()),
        ("dlq_url", dlq_url.clone()),
        ("alarm_prefix", prefix.clone()),
        ("log_group", log_group.clone()),
    ] {
        ssm.put_parameter()
            .name(format!("/stackdeck/{name}/{key}"))
            .value(value)
            .r#type(ParameterType::String)
            .send()
            .await?;
    }
    Ok(Stack {
        name,
        cluster,
        service,
        queue_url,
        dlq_url,
        log_group,
        prefix,
    })
}

/// The bench's log events are this far apart.
const EVENT_SPACING_MS: i64 = 30;

/// Put `n` JSON log lines into the stack's group, 10 000 per call, one stream per 25 000, event
/// `i` stamped `start + EVENT_SPACING_MS · i`; returns `start` (epoch ms).
async fn put_events(sdk: &aws_config::SdkConfig, group: &str, n: usize) -> Result<i64> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let start_ms = (jiff::Timestamp::now().as_second() - 3600) * 1000;
    let mut sent = 0;
    while sent < n {
        let stream = format!("courier/courier/task{:04}", sent / 25_000);
        if sent % 25_000 == 0 {
            logs.create_log_stream()
                .log_group_name(group)
                .log_stream_name(&stream)
                .send()
                .await?;
        }
        let batch: Vec<_> = (sent..(sent + 10_000).min(n).min((sent / 25_000 + 1) * 25_000))
            .map(|i| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(start_ms + i as i64 * EVENT_SPACING_MS)
                    .message(format!(
                        r#"{{"level":"INFO","message":"request","request_id":"{i:x}","route":"/messages","status":202,"latency_ms":4.2}}"#
                    ))
                    .build()
                    .expect("timestamp and message set")
            })
            .collect();
        sent += batch.len();
        logs.put_log_events()
            .log_group_name(group)
            .log_stream_name(&stream)
            .set_log_events(Some(batch))
            .send()
            .await?;
    }
    Ok(start_ms)
}

/// The least a FilterLogEvents reader can ask of the server for the events `put_events` wrote:
/// windows cut exactly at every 10 000th event (one full page each — a boundary only this bench
/// knows), read one after another, the events counted and dropped. Returns (events, pages).
async fn floor_read(
    sdk: &aws_config::SdkConfig,
    group: &str,
    start_ms: i64,
    n: usize,
) -> Result<(usize, usize)> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let (mut read, mut pages) = (0, 0);
    for first in (0..n).step_by(10_000) {
        let from = start_ms + first as i64 * EVENT_SPACING_MS;
        let mut token = None;
        loop {
            let page = logs
                .filter_log_events()
                .log_group_name(group)
                .start_time(from)
                .end_time(from + 10_000 * EVENT_SPACING_MS - 1)
                .limit(10_000)
                .set_next_token(token)
                .send()
                .await?;
            read += page.events().len();
            pages += 1;
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    Ok((read, pages))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn aws_env(cmd: &mut Command, endpoint: &str) {
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_PROFILE");
}

/// Run a command to completion with its output discarded; its wall time.
/// What one run of a command cost: wall time, and the process's own peak RSS and CPU time.
struct Run {
    wall: Duration,
    max_rss_kib: i64,
    cpu: Duration,
}

/// Run `cmd` to its end, output discarded. Waited for with wait4 so that the figures are this
/// child's alone (getrusage's RUSAGE_CHILDREN keeps the peak of every child waited for before).
fn run(mut cmd: Command) -> Result<Run> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("running {cmd:?}"))?;
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid, with valid pointers to a status and a zeroed rusage.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) < 0 {
            bail!("waiting for {cmd:?}: {}", std::io::Error::last_os_error());
        }
        usage
    };
    let wall = started.elapsed();
    // `status` exits 1 on a degraded stack: the read still happened.
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        bail!("{cmd:?} failed: wait status {status}");
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
    })
}

fn timed(cmd: Command) -> Result<Duration> {
    Ok(run(cmd)?.wall)
}

/// The unit of /proc's CPU times (100 on Linux).
fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// User and system CPU time of `pid` so far, in clock ticks.
fn user_system_ticks(pid: u32) -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) are space-separated.
    let rest = &stat[stat.rfind(')').context("stat format")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Ok((fields[11].parse()?, fields[12].parse()?))
}

/// CPU time (user + system) of `pid` so far, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let (user, system) = user_system_ticks(pid)?;
    Ok(user + system)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "MET"
    } else {
        "MISSED"
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let o = options()?;
    let exe = std::env::current_exe()?;
    let release = exe
        .parent()
        .and_then(Path::parent)
        .context("the benchmark runs from target/release/examples")?;
    let stackdeck: PathBuf = release.join("stackdeck");
    if !stackdeck.is_file() {
        bail!(
            "{} is missing: build it with `cargo build --release --bin stackdeck` (make bench-deck does)",
            stackdeck.display()
        );
    }
    println!("starting moto…");
    let env = TestEnv::start()?;
    let endpoint = env.aws_endpoint();
    let sdk = env.sdk_config().await;
    let stack = create_stack(&sdk).await?;
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();

    // 1. status vs the aws CLI.
    let status_runs: Vec<Duration> = (0..o.runs)
        .map(|_| {
            let mut cmd = Command::new(&stackdeck);
            cmd.args(["status", "--format", "json", "--stack", &stack.name]);
            aws_env(&mut cmd, &endpoint);
            timed(cmd)
        })
        .collect::<Result<_>>()?;
    let ep = ["--endpoint-url", endpoint.as_str()];
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
            &stack.prefix,
        ],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(str::to_owned).collect())
    .collect();
    let cli_runs: Vec<Duration> = (0..o.runs.min(3))
        .map(|_| {
            let mut total = Duration::ZERO;
            for args in &cli {
                let mut cmd = Command::new("aws");
                cmd.args(ep).args(args);
                aws_env(&mut cmd, &endpoint);
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

    // 2 and 3. One refresh: wall time vs its slowest call; calls with 1 and with 50 metrics.
    let resources = stackdeck::aws::ssm::Discovery::new(&sdk, "default".into())
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
    for _ in 0..o.runs {
        stackdeck::aws::calls::reset_slowest();
        let started = Instant::now();
        stackdeck::refresh::refresh(&sdk, "default", &resources, now).await;
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
        stackdeck::refresh::refresh_with(&sdk, "default", &resources, now, &queries).await;
        calls.push(stackdeck::aws::calls::sent() - before);
    }
    rows.push((
        "API calls per refresh, 1 and 50 metrics".into(),
        format!("{} and {}", calls[0], calls[1]),
        "equal".into(),
        calls[0] == calls[1],
    ));

    // 4. 100 000 log events.
    println!("putting {} log events…", o.events);
    let start_ms = put_events(&sdk, &stack.log_group, o.events).await?;
    let mut cmd = Command::new(&stackdeck);
    cmd.args(["logs", "--since", "2h", "--stack", &stack.name]);
    aws_env(&mut cmd, &endpoint);
    let moto_ticks = cpu_ticks(env.moto_pid())?;
    let ours = run(cmd)?;
    let moto_ours = cpu_ticks(env.moto_pid())? - moto_ticks;
    let rss_mib = ours.max_rss_kib as f64 / 1024.0;
    let mut cmd = Command::new("aws");
    cmd.args(ep).args([
        "logs",
        "filter-log-events",
        "--log-group-name",
        &stack.log_group,
    ]);
    aws_env(&mut cmd, &endpoint);
    let moto_ticks = cpu_ticks(env.moto_pid())?;
    let theirs = run(cmd)?;
    let moto_theirs = cpu_ticks(env.moto_pid())? - moto_ticks;
    let ratio = theirs.wall.as_secs_f64() / ours.wall.as_secs_f64();
    rows.push((
        format!(
            "{} log events: stackdeck logs vs aws logs filter-log-events",
            o.events
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
    let (user_before, system_before) = user_system_ticks(env.moto_pid())?;
    let started = Instant::now();
    let (read, pages) = floor_read(&sdk, &stack.log_group, start_ms, o.events).await?;
    let floor = started.elapsed();
    let (user_after, system_after) = user_system_ticks(env.moto_pid())?;
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

    // 5. The dashboard idle in tmux.
    let socket = format!("bench-deck-{}", std::process::id());
    let command = format!(
        "env AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 {} --stack {}",
        stackdeck.display(),
        stack.name
    );
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
    };
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "deck",
        "-x",
        "160",
        "-y",
        "48",
        &command,
    ])?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let pid: u32 =
        String::from_utf8(tmux(&["display-message", "-p", "-t", "deck", "#{pane_pid}"])?.stdout)?
            .trim()
            .parse()
            .context("the dashboard's pid")?;
    println!("measuring the idle dashboard for {} s…", o.idle_seconds);
    let before = cpu_ticks(pid)?;
    tokio::time::sleep(Duration::from_secs(o.idle_seconds)).await;
    let after = cpu_ticks(pid)?;
    let _ = tmux(&["kill-server"]);
    let percent =
        100.0 * (after - before) as f64 / clock_ticks_per_second() / o.idle_seconds as f64;
    rows.push((
        format!("dashboard idle in tmux, {} s", o.idle_seconds),
        format!("{percent:.2} % of a core ({} ticks)", after - before),
        "≤ 0.5 %".into(),
        percent <= 0.5,
    ));

    println!();
    println!("{:<62} {:<40} {:<8} result", "measure", "figure", "target");
    for (what, figure, target, ok) in &rows {
        println!("{what:<62} {figure:<40} {target:<8} {}", verdict(*ok));
    }
    Ok(())
}
