//! History reads: a span of the log group cut into time windows, read several at once, handed on
//! in order (all of it for `stackdeck logs`, the newest part for the dashboard's panel).

use super::Logs;
use crate::aws::error::AwsError;
use crate::model::dashboard::LogLine;

/// A history read ([`Logs::fetch_windows`]) is cut into at most this many time windows…
const WINDOWS: i64 = 16;
/// …of at least this long…
const MIN_WINDOW_MS: i64 = 60_000;
/// …read this many at a time. FilterLogEvents answers a page of at most 10 000 events or 1 MB
/// and a call can take a second on a big group: windows read side by side divide the wait, and
/// the memory held is that of the windows in flight, not of the whole history.
const WINDOWS_IN_FLIGHT: usize = 4;

/// `[start_ms, end_ms]` cut into contiguous windows, each `(from, to)` with `to` inclusive as
/// FilterLogEvents takes it; the last is open-ended, so that events stamped a little in the
/// future (a skewed clock) are not lost.
pub fn windows(start_ms: i64, end_ms: i64) -> Vec<(i64, Option<i64>)> {
    let span = (end_ms - start_ms).max(0);
    let count = (span / MIN_WINDOW_MS).clamp(1, WINDOWS);
    let edge = |i: i64| start_ms + (span as i128 * i as i128 / count as i128) as i64;
    (0..count)
        .map(|i| (edge(i), (i + 1 < count).then(|| edge(i + 1) - 1)))
        .collect()
}

impl Logs {
    /// Every event of `group` from `start_ms` on, oldest first, handed to `each` a time window
    /// at a time ([`windows`] up to `now_ms`, several read at once) until it returns false.
    pub async fn fetch_windows(
        &self,
        group: &str,
        start_ms: i64,
        now_ms: i64,
        pattern: Option<&str>,
        mut each: impl FnMut(Vec<LogLine>) -> bool,
    ) -> Result<(), AwsError> {
        use futures_util::StreamExt;
        let mut windows = self.read_windows(group, windows(start_ms, now_ms), pattern);
        while let Some(lines) = windows.next().await {
            if !each(lines?) {
                break;
            }
        }
        Ok(())
    }

    /// Each of `windows` read ([`Logs::fetch`]), [`WINDOWS_IN_FLIGHT`] at a time, answered in
    /// the order given.
    fn read_windows<'a>(
        &'a self,
        group: &'a str,
        windows: impl IntoIterator<Item = (i64, Option<i64>)> + 'a,
        pattern: Option<&'a str>,
    ) -> impl futures_util::Stream<Item = Result<Vec<LogLine>, AwsError>> + 'a {
        use futures_util::StreamExt;
        futures_util::stream::iter(windows)
            .map(move |(from, to)| self.fetch(group, from, to, pattern))
            .buffered(WINDOWS_IN_FLIGHT)
    }

    /// The newest `keep` or more events of `group` from `start_ms` on that match `pattern`,
    /// oldest first: the [`windows`] read newest first (a few at once) until `keep` events are in
    /// hand, so a busy group's history costs about a panel's worth of events, not everything
    /// since `start_ms`.
    pub async fn recent(
        &self,
        group: &str,
        start_ms: i64,
        now_ms: i64,
        pattern: Option<&str>,
        keep: usize,
    ) -> Result<Vec<LogLine>, AwsError> {
        use futures_util::StreamExt;
        let newest_first = windows(start_ms, now_ms).into_iter().rev();
        let mut windows = self.read_windows(group, newest_first, pattern);
        let (mut parts, mut have) = (Vec::new(), 0);
        while have < keep {
            let Some(lines) = windows.next().await else {
                break;
            };
            let lines = lines?;
            have += lines.len();
            parts.push(lines);
        }
        Ok(parts.into_iter().rev().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{windows, MIN_WINDOW_MS, WINDOWS};

    #[test]
    fn windows_cover_the_span_without_gaps_or_overlaps() {
        for (start, end) in [(1_000, 1_000), (0, 59_999), (5, 7_200_005), (0, 86_400_000)] {
            let w = windows(start, end);
            assert!(!w.is_empty() && w.len() <= WINDOWS as usize, "{w:?}");
            assert_eq!(w[0].0, start);
            assert_eq!(w.last().unwrap().1, None, "the last window is open-ended");
            for pair in w.windows(2) {
                let to = pair[0].1.expect("only the last window is open");
                assert_eq!(to + 1, pair[1].0, "contiguous: {w:?}");
                assert!(to >= pair[0].0);
            }
            if w.len() > 1 {
                assert!(w[1].0 - w[0].0 >= MIN_WINDOW_MS);
            }
        }
        assert_eq!(windows(0, 7_200_000).len(), WINDOWS as usize);
        assert_eq!(windows(0, 179_999).len(), 2);
    }
}
