//! Error spikes in the logs: per-minute counts of error-level lines, and the minutes that stand
//! out from the quarter hour before them.

use super::{entry, Entry, Kind};
use crate::model::dashboard::Level;
use std::collections::BTreeMap;

/// A minute is judged against the mean of this many minutes before it…
pub const SPIKE_BASELINE_MINUTES: i64 = 15;
/// …and is a spike when its count is at least this many times that mean…
pub const SPIKE_FACTOR: f64 = 3.0;
/// …and at least this many errors (a quiet service's first few errors are not a spike).
pub const SPIKE_MIN: u32 = 5;

/// Error-level lines per minute: the minute's start (unix seconds) → count, from each line's
/// (unix milliseconds, level). The dashboard has the levels parsed already; elsewhere
/// [`crate::model::dashboard::LogLine::level`] parses them.
pub fn errors_per_minute(lines: impl IntoIterator<Item = (i64, Level)>) -> BTreeMap<i64, u32> {
    let mut counts = BTreeMap::new();
    for (at_ms, level) in lines {
        if level == Level::Error {
            *counts.entry(at_ms.div_euclid(60_000) * 60).or_insert(0) += 1;
        }
    }
    counts
}

/// The error spikes in `counts` (minute start → errors, as [`errors_per_minute`] counts them),
/// which were counted from `since` (unix seconds) on.
///
/// The rule: a minute is a spike when its count is ≥ max([`SPIKE_MIN`], [`SPIKE_FACTOR`] × the
/// mean count of the [`SPIKE_BASELINE_MINUTES`] minutes before it). Minutes absent from `counts`
/// had no errors. Only the minutes counted are in the baseline: the mean is over those of the 15
/// that lie at or after `since`, and a minute with none before it in the window is not judged
/// (nothing to compare it with). Consecutive spike minutes make one entry, at the first, titled
/// with the peak minute; the detail lists each minute.
pub fn error_spikes(counts: &BTreeMap<i64, u32>, since: i64) -> Vec<Entry> {
    let first = since.div_euclid(60) * 60;
    let count = |m: i64| counts.get(&m).copied().unwrap_or(0);
    // (minute, count, baseline mean)
    let mut spikes: Vec<(i64, u32, f64)> = Vec::new();
    for (&minute, &n) in counts.range(first..) {
        let from = (minute - SPIKE_BASELINE_MINUTES * 60).max(first);
        let before = (minute - from) / 60;
        if before == 0 {
            continue;
        }
        let sum: u32 = (0..before).map(|i| count(from + i * 60)).sum();
        let mean = f64::from(sum) / before as f64;
        if n >= SPIKE_MIN && f64::from(n) >= SPIKE_FACTOR * mean {
            spikes.push((minute, n, mean));
        }
    }
    let mut runs: Vec<Vec<(i64, u32, f64)>> = Vec::new();
    for spike in spikes {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(m, _, _)| *m + 60 == spike.0) => run.push(spike),
            _ => runs.push(vec![spike]),
        }
    }
    runs.into_iter()
        .map(|run| {
            let (start, _, mean) = run[0];
            let (_, peak, _) = *run.iter().max_by_key(|(_, n, _)| *n).expect("not empty");
            let minutes = if run.len() == 1 {
                String::new()
            } else {
                format!(" for {} min", run.len())
            };
            let mut row = entry(
                start,
                Kind::ErrorSpike,
                format!(
                    "error spike{minutes}: {peak} errors/min (the quarter hour before: {mean:.1}/min)"
                ),
                None,
            );
            row.detail = run
                .iter()
                .map(|(m, n, mean)| format!("{}: {n} errors (mean before: {mean:.1}/min)", clock(*m)))
                .collect();
            row.detail.push(format!(
                "rule: ≥ max({SPIKE_MIN}, {SPIKE_FACTOR}× the mean of the previous {SPIKE_BASELINE_MINUTES} min)"
            ));
            row
        })
        .collect()
}

fn clock(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.strftime("%H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_string())
}
