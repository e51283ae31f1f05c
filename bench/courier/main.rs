//! `make bench-courier`: courier's `POST /messages` against the database's own ceiling.
//!
//! In one run, against one PostgreSQL (a throwaway cluster of devstack's test environment):
//! 1. pgbench runs courier's insert statement (bench/courier/insert.sql: the message and its
//!    outbox row) with C connections: the database's rate.
//! 2. the courier binary (release, role api, C database connections, relay off so that only the
//!    request path is measured) takes `POST /messages` from a closed-loop load generator with
//!    more HTTP connections than C: courier's maximum rate.
//! 3. the same load generator sends at half of that rate, open loop (each request released at
//!    its scheduled time to the first idle connection; latency counts from the scheduled time,
//!    so a stall is not hidden): p50 and p99 (and p90, p99.9, max).
//!
//! Build and run (the Makefile's bench-courier target):
//! `cargo build --release -p courier --bin courier --example bench-courier && target/release/examples/bench-courier`
//! Options: `--seconds N` (each phase, default 10), `--connections C` (default 8),
//! `--http-connections H` (default 64).

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;

struct Options {
    seconds: u64,
    connections: u32,
    http_connections: usize,
}

fn options() -> Result<Options> {
    let mut o = Options {
        seconds: 10,
        connections: 8,
        http_connections: 64,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--seconds" => o.seconds = value.parse()?,
            "--connections" => o.connections = value.parse()?,
            "--http-connections" => o.http_connections = value.parse()?,
            _ => bail!("unknown option {arg}: use --seconds, --connections, --http-connections"),
        }
    }
    Ok(o)
}

const BODY: &str = r#"{"channel":"bench","sender":"loadgen","body":"a benchmark message of about the size of a small chat line"}"#;

fn main() -> Result<()> {
    let options = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
}

async fn run(o: Options) -> Result<()> {
    let env = tokio::task::spawn_blocking(devstack::testenv::TestEnv::start).await??;
    let db_url = env.create_database("bench").await?;
    let pool = courier::db::pool(db_url.parse()?, 2);
    courier::db::migrate(&pool).await?;
    let seconds = o.seconds;
    println!(
        "bench-courier: PostgreSQL 127.0.0.1:{}, {seconds} s per phase, {} database connections",
        env.pg_port(),
        o.connections
    );

    // 1. pgbench: the same statement, the same connection count.
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/courier/insert.sql");
    let output = tokio::process::Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-f"])
        .arg(&script)
        .args([
            "-c",
            &o.connections.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
        ])
        .arg(&db_url)
        .output()
        .await
        .context("cannot run pgbench (PostgreSQL's client tools)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let pgbench_tps: f64 = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench's output: {text}"))?;
    println!("pgbench        insert.sql  {:>9.0} tx/s", pgbench_tps);
    sqlx::query("TRUNCATE outbox, messages")
        .execute(&pool)
        .await?;

    // 2. courier, as its own release process.
    let exe = std::env::current_exe()?;
    let courier = exe
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("courier"))
        .filter(|p| p.is_file())
        .context(
            "the courier binary is not next to the examples folder: build it with --bin courier",
        )?;
    let mut child = tokio::process::Command::new(courier)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("COURIER_ROLE", "api")
        .env("COURIER_RELAY", "off")
        .env("COURIER_PORT", "0")
        .env("COURIER_DB_POOL", o.connections.to_string())
        .env("DATABASE_URL", &db_url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", env.aws_endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("RUST_LOG", "warn,courier::startup=info")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let port = loop {
        let line = lines.next_line().await?.context("courier exited")?;
        let json: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if json["message"] == "courier starting" {
            break json["port"].as_u64().context("port in log")? as u16;
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    wait_ready(port).await?;
    // Warm up: connections opened, statements prepared.
    closed_loop(port, o.http_connections, Duration::from_secs(2)).await?;
    let (requests, elapsed) =
        closed_loop(port, o.http_connections, Duration::from_secs(seconds)).await?;
    let courier_rps = requests as f64 / elapsed.as_secs_f64();
    println!(
        "courier        POST        {:>9.0} req/s  ({} HTTP connections)",
        courier_rps, o.http_connections
    );
    let ratio = courier_rps / pgbench_tps;
    println!("ratio          courier/pgbench  {ratio:.2}  (target >= 0.70)");

    // 3. half load, open loop.
    let rate = courier_rps / 2.0;
    let mut latencies =
        open_loop(port, o.http_connections, rate, Duration::from_secs(seconds)).await?;
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "half load      {:>9.0} req/s  p50 {:.2} ms  p99 {:.2} ms  (target p99 <= 10 ms; {} requests)",
        rate,
        ms(pct(0.50)),
        ms(pct(0.99)),
        latencies.len()
    );
    println!(
        "               p90 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms",
        ms(pct(0.90)),
        ms(pct(0.999)),
        ms(latencies[latencies.len() - 1])
    );
    let (stored,): (i64,) = sqlx::query_as("SELECT count(*) FROM messages")
        .fetch_one(&pool)
        .await?;
    println!("stored         {stored} messages (each answered 202)");
    let _ = child.start_kill();
    let _ = child.wait().await;
    Ok(())
}

async fn connect(port: u16) -> Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn post(sender: &mut SendRequest<Full<Bytes>>) -> Result<()> {
    sender.ready().await?;
    let request = hyper::Request::post("/messages")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(BODY.as_bytes())))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    response.into_body().collect().await?;
    if status != hyper::StatusCode::ACCEPTED {
        bail!("courier answered {status}");
    }
    Ok(())
}

async fn wait_ready(port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut sender) = connect(port).await {
            let request = hyper::Request::get("/readyz")
                .header("host", "127.0.0.1")
                .body(Full::new(Bytes::new()))?;
            if let Ok(r) = sender.send_request(request).await {
                if r.status() == hyper::StatusCode::OK {
                    return Ok(());
                }
            }
        }
        if Instant::now() > deadline {
            bail!("courier not ready within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every connection sends its next request as soon as the last is answered; returns the count.
async fn closed_loop(port: u16, connections: usize, duration: Duration) -> Result<(u64, Duration)> {
    let start = Instant::now();
    let end = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        tasks.spawn(async move {
            let mut sender = connect(port).await?;
            let mut n = 0u64;
            while Instant::now() < end {
                post(&mut sender).await?;
                n += 1;
            }
            anyhow::Ok(n)
        });
    }
    let mut total = 0;
    while let Some(n) = tasks.join_next().await {
        total += n??;
    }
    Ok((total, start.elapsed()))
}

/// An open-loop arrival process at `rate` per second, as k6's constant-arrival-rate or wrk2:
/// one scheduler releases each request at its scheduled time, the first idle one of the
/// `connections` sends it, and its latency counts from the scheduled time — so a request that
/// waits for a free connection, or behind a stalled server, is not hidden (no coordinated
/// omission), while one slow answer does not hold back the requests scheduled after it on the
/// same connection, as a fixed per-connection schedule would.
async fn open_loop(
    port: u16,
    connections: usize,
    rate: f64,
    duration: Duration,
) -> Result<Vec<Duration>> {
    let total = (rate * duration.as_secs_f64()) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let (due, queue) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let queue = queue.clone();
        let mut sender = connect(port).await?;
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let next = queue.lock().await.recv().await;
                let Some(scheduled) = next else { break };
                post(&mut sender).await?;
                latencies.push(scheduled.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let start = Instant::now() + Duration::from_millis(100);
    let scheduled = |k: u64| start + interval.mul_f64(k as f64);
    let mut k = 0;
    while k < total {
        // Release everything due by now; the timer's millisecond steps count as latency.
        let now = Instant::now();
        while k < total && scheduled(k) <= now {
            let _ = due.send(scheduled(k));
            k += 1;
        }
        tokio::time::sleep_until(scheduled(k).into()).await;
    }
    drop(due);
    let mut all = Vec::new();
    while let Some(l) = tasks.join_next().await {
        all.extend(l??);
    }
    Ok(all)
}
