//! The log storm (measure 6): 1,000 events/s put into the stack's log group for
//! `--storm-seconds` (default 60) while the dashboard tails it in tmux. Figures: the dashboard's
//! CPU over the storm (≤ 15 % of a core), how stale the screen is — the age of the oldest event
//! already put but not yet on screen, sampled once a second (≤ the log poll interval + 1 s) — and
//! its peak RSS (≤ 60 MB).

use crate::usage::{clock_ticks_per_second, cpu_ticks};
use crate::{Bench, Row};
use anyhow::{Context, Result};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use devstack::testkit::command::shell_line;
use devstack::testkit::tmux::Tmux;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Events a second, put as ten calls of a tenth of that.
const RATE: usize = 1_000;
const BATCH: usize = RATE / 10;
/// The dashboard's FilterLogEvents poll interval where there is no live tail (moto has none).
const POLL: Duration = Duration::from_secs(2);

/// When each batch was acknowledged: (first sequence number after it, when).
type Acked = Arc<Mutex<Vec<(usize, Instant)>>>;

/// Put `RATE` events a second for `seconds` into a new stream of `group`, each a courier-like
/// JSON line carrying its sequence number; every acknowledged batch is recorded in `acked`.
async fn storm(
    sdk: aws_config::SdkConfig,
    group: String,
    seconds: u64,
    acked: Acked,
) -> Result<()> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let stream = "courier/courier/storm";
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name(stream)
        .send()
        .await?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut seq = 0;
    for _ in 0..seconds * 10 {
        tick.tick().await;
        let now = jiff::Timestamp::now();
        let batch: Vec<_> = (seq..seq + BATCH)
            .map(|i| {
                InputLogEvent::builder()
                    .timestamp(now.as_millisecond())
                    .message(format!(
                        r#"{{"timestamp":"{now}","level":"INFO","message":"storm","seq":{i},"route":"/messages","status":202}}"#
                    ))
                    .build()
                    .expect("timestamp and message set")
            })
            .collect();
        logs.put_log_events()
            .log_group_name(&group)
            .log_stream_name(stream)
            .set_log_events(Some(batch))
            .send()
            .await?;
        seq += BATCH;
        acked
            .lock()
            .expect("not poisoned")
            .push((seq, Instant::now()));
    }
    Ok(())
}

/// The highest `seq` on the screen, in the raw (`"seq":N`) or compact (`seq=N`) form.
fn newest_on_screen(screen: &str) -> Option<usize> {
    screen
        .match_indices("seq")
        .filter_map(|(at, _)| {
            let rest = screen[at + 3..].trim_start_matches(['"', ':', '=']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .max()
}

/// How long the oldest event not yet on screen has been acknowledged: 0 when the screen shows
/// the newest acknowledged event.
fn staleness(acked: &[(usize, Instant)], shown: Option<usize>, now: Instant) -> Duration {
    let shown_end = shown.map_or(0, |s| s + 1);
    acked
        .iter()
        .find(|(end, _)| *end > shown_end)
        .map_or(Duration::ZERO, |(_, at)| now.saturating_duration_since(*at))
}

fn peak_rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM in /proc/PID/status")
}

pub async fn log_storm(b: &Bench) -> Result<Vec<Row>> {
    let seconds = b.options.storm_seconds;
    let mut cmd = b.stackdeck();
    cmd.args(["--stack", &b.stack.name]);
    let tmux = Tmux::start(&shell_line(&cmd), 160, 48);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let pid: u32 = tmux
        .pane("#{pane_pid}")
        .trim()
        .parse()
        .context("the dashboard's pid")?;
    println!("a log storm of {RATE} events/s for {seconds} s, tailed by the dashboard…");
    let acked: Acked = Arc::default();
    let producer = tokio::spawn(storm(
        b.sdk.clone(),
        b.stack.log_group.clone(),
        seconds,
        acked.clone(),
    ));
    let before = cpu_ticks(pid)?;
    let started = Instant::now();
    let mut stale = Vec::new();
    while !producer.is_finished() {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let shown = newest_on_screen(&tmux.screen());
        let now = Instant::now();
        // The first poll interval after the start is the tail finding the new stream.
        if now - started > POLL * 2 {
            stale.push(staleness(&acked.lock().expect("not poisoned"), shown, now));
        }
    }
    let cpu = cpu_ticks(pid)? - before;
    let wall = started.elapsed();
    producer.await??;
    let rss_mib = peak_rss_kib(pid)? as f64 / 1024.0;
    drop(tmux);
    let percent = 100.0 * cpu as f64 / clock_ticks_per_second() / wall.as_secs_f64();
    stale.sort();
    let worst = stale.last().copied().unwrap_or_default();
    let median = stale.get(stale.len() / 2).copied().unwrap_or_default();
    let target = POLL + Duration::from_secs(1);
    let put = acked
        .lock()
        .expect("not poisoned")
        .last()
        .map_or(0, |a| a.0);
    Ok(vec![
        (
            format!("dashboard CPU tailing a storm, {put} events in {seconds} s"),
            format!("{percent:.1} % of a core"),
            "≤ 15 %".into(),
            percent <= 15.0,
        ),
        (
            "screen behind the newest event (worst; median)".into(),
            format!(
                "{:.1} s; {:.1} s ({} samples)",
                worst.as_secs_f64(),
                median.as_secs_f64(),
                stale.len()
            ),
            format!("≤ {} s", target.as_secs()),
            worst <= target,
        ),
        (
            "dashboard peak RSS after the storm".into(),
            format!("{rss_mib:.1} MiB"),
            "≤ 60 MB".into(),
            rss_mib * 1.048_576 <= 60.0,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_sequence_is_read_in_either_form() {
        let screen = "12:00:01 INFO storm seq=41 route=/messages\n\
                      12:00:01 {\"message\":\"storm\",\"seq\":42,\"status\":202}\n";
        assert_eq!(newest_on_screen(screen), Some(42));
        assert_eq!(newest_on_screen("no events yet"), None);
    }

    #[test]
    fn staleness_is_the_age_of_the_oldest_event_not_shown() {
        let t0 = Instant::now();
        let acked = [(100, t0), (200, t0 + Duration::from_millis(100))];
        let now = t0 + Duration::from_secs(2);
        assert_eq!(staleness(&acked, Some(199), now), Duration::ZERO);
        assert_eq!(
            staleness(&acked, Some(150), now),
            Duration::from_millis(1900)
        );
        assert_eq!(staleness(&acked, None, now), Duration::from_secs(2));
    }
}
