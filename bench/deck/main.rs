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
//! 5. the dashboard's CPU in tmux, idle, over `--idle-seconds` (default 60; ≤ 0.5 % of a core);
//! 6. a log storm of 1,000 events/s for `--storm-seconds` (default 60) tailed by the dashboard in
//!    tmux: its CPU (≤ 15 % of a core), how far the screen is behind the newest event (≤ the poll
//!    interval + 1 s) and its peak RSS (≤ 60 MB) (`storm`);
//! 7. one frame drawn with a full 10,000-line log buffer, with and without a filter, in process
//!    (≤ 2 ms) (`render`);
//! 8. the start picker over `--services N` (default 2,000) ECS services: time to the first rows
//!    (≤ 1 s), to all rows (≤ 2 s), API calls (≤ ⌈n/100⌉ + ⌈n/10⌉ + 2c + 1) (`picker`);
//! 9. discovery from `--cluster/--service` alone, among 500 other alarms: API calls
//!    (≤ 8 + ⌈alarms/100⌉) and time (≤ 1 s) (`discover`).
//!
//! Build and run (the Makefile's bench-deck target):
//! `cargo build --release --bin stackdeck --example bench-deck && target/release/examples/bench-deck`
//! Options: `--idle-seconds N`, `--storm-seconds N`, `--events N` (default 100 000), `--runs N`
//! (default 5), `--services N`, `--only frame` (measure 7 alone), `--only picker` (measures 8 and 9 alone).

mod discover;
mod measure;
mod picker;
mod render;
mod stack;
mod storm;
mod usage;

use anyhow::{bail, Context, Result};
use devstack::testenv::TestEnv;
use devstack::testkit::command::aws_command;
use devstack::testkit::stack::Stack;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Options {
    idle_seconds: u64,
    storm_seconds: u64,
    events: usize,
    runs: usize,
    /// ECS services the picker lists (measure 8).
    services: usize,
    /// `--only frame`: only the in-process measure 7 (no moto).
    only_frame: bool,
    /// `--only picker`: only measures 8 and 9.
    only_picker: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        idle_seconds: 60,
        storm_seconds: 60,
        events: 100_000,
        runs: 5,
        services: 2_000,
        only_frame: false,
        only_picker: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--idle-seconds" => o.idle_seconds = value.parse()?,
            "--storm-seconds" => o.storm_seconds = value.parse()?,
            "--events" => o.events = value.parse()?,
            "--runs" => o.runs = value.parse()?,
            "--services" => o.services = value.parse()?,
            "--only" if value == "frame" => o.only_frame = true,
            "--only" if value == "picker" => o.only_picker = true,
            other => bail!(
                "unknown option {other} (--idle-seconds N, --storm-seconds N, --events N, --runs N, --services N, --only frame|picker)"
            ),
        }
    }
    Ok(o)
}

/// (measure, figure, target, met)
type Row = (String, String, String, bool);

/// What every measure works with: the options, the release stackdeck, the throwaway moto and
/// the stack in it.
struct Bench {
    options: Options,
    stackdeck: PathBuf,
    env: TestEnv,
    sdk: aws_config::SdkConfig,
    stack: Stack,
}

impl Bench {
    /// The release stackdeck against the bench's moto.
    fn stackdeck(&self) -> Command {
        aws_command(&self.stackdeck, &self.env.aws_endpoint())
    }

    /// The aws CLI against the bench's moto (the CLI v1 needs the flag).
    fn aws(&self) -> Command {
        let endpoint = self.env.aws_endpoint();
        let mut cmd = aws_command("aws", &endpoint);
        cmd.args(["--endpoint-url", &endpoint]);
        cmd
    }
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
    let options = options()?;
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
    // In process, no stack: first, before the machine is busy with moto.
    let mut rows: Vec<Row> = render::frame();
    if options.only_frame {
        print_rows(&rows);
        return Ok(());
    }
    println!("starting moto…");
    let env = TestEnv::start()?;
    let sdk = env.sdk_config().await;
    let stack = stack::create_stack(&sdk).await?;
    let b = Bench {
        options,
        stackdeck,
        env,
        sdk,
        stack,
    };
    if !b.options.only_picker {
        rows.extend(measure::status_vs_cli(&b).await?);
        rows.extend(measure::refresh(&b).await?);
        rows.extend(measure::logs(&b).await?);
        rows.extend(measure::idle(&b).await?);
        rows.extend(storm::log_storm(&b).await?);
    }
    rows.extend(discover::discovery(&b).await?);
    // Last: its thousands of services would be in moto for every measure after it.
    rows.extend(picker::picker(&b).await?);

    print_rows(&rows);
    Ok(())
}

fn print_rows(rows: &[Row]) {
    println!();
    println!("{:<62} {:<40} {:<8} result", "measure", "figure", "target");
    for (what, figure, target, ok) in rows {
        println!("{what:<62} {figure:<40} {target:<8} {}", verdict(*ok));
    }
}
