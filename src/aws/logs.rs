//! CloudWatch Logs, the reading side: the service's log group, tailed live with `StartLiveTail`
//! where the endpoint has it, otherwise polled with `FilterLogEvents` and de-duplicated by event
//! id (moto has no live tail). Paged everywhere.

use super::calls::Counter;
use super::error::{describe, AwsError};
use crate::model::dashboard::LogLine;
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use aws_sdk_cloudwatchlogs::Client;
use std::collections::HashMap;
use std::time::Duration;

/// How far back each poll looks again, for events that arrive late (ingestion lags).
const OVERLAP_MS: i64 = 10_000;

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

#[derive(Clone)]
pub struct Logs {
    client: Client,
    sts: aws_sdk_sts::Client,
    region: String,
    profile: String,
    /// Why StartLiveTail cannot work on this endpoint, known before trying.
    no_live_tail: Option<String>,
}

/// StartLiveTail goes to `stream-<host>` (the SDK prefixes the endpoint's host): an endpoint
/// given as an IP address or `localhost` — a local emulator such as moto, which has no live
/// tail anyway — cannot answer it, and trying costs the retries of a failing name lookup.
fn live_tail_unreachable(endpoint: Option<&str>) -> Option<String> {
    let endpoint = endpoint?;
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .split(['/', '?'])
        .next()?;
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let local = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok();
    local.then(|| format!("the endpoint {endpoint} is a local address, which has no live tail"))
}

/// How the tail is fed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TailMode {
    Live,
    /// FilterLogEvents every `every`; `why`: why live tail is not used.
    Polling {
        every: Duration,
        why: String,
    },
}

impl std::fmt::Display for TailMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TailMode::Live => write!(f, "live tail"),
            TailMode::Polling { every, .. } => write!(f, "polling every {} s", every.as_secs()),
        }
    }
}

/// What a running tail reports.
#[derive(Clone, Debug, PartialEq)]
pub enum TailEvent {
    Mode(TailMode),
    /// The events that arrived since the last report, oldest first — none when a poll (or a
    /// live-tail update) found nothing new, which still says the tail is alive and well.
    Lines(Vec<LogLine>),
    /// A poll or the stream failed; the tail keeps trying.
    Error(String),
}

/// What to tail.
#[derive(Clone, Copy, Debug)]
pub struct Tail<'a> {
    pub group: &'a str,
    /// Events from here on (milliseconds since the epoch).
    pub start_ms: i64,
    pub history: History,
    /// A CloudWatch Logs filter pattern, applied by the service to history, polls and live tail.
    pub pattern: Option<&'a str>,
    /// How often to poll where there is no live tail.
    pub every: Duration,
}

/// How much of the past a tail reports before the new events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum History {
    /// Every event since the start (`stackdeck logs --follow`), printed as it is read.
    All,
    /// The newest this many (the dashboard: its ring buffer's size).
    Newest(usize),
}

impl Logs {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        Logs {
            client: Client::from_conf(conf),
            sts: aws_sdk_sts::Client::new(config),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
            profile,
            no_live_tail: live_tail_unreachable(config.endpoint_url()),
        }
    }

    /// Every event of `group` from `start_ms` on (and before `end_ms` when given), oldest first,
    /// all pages.
    pub async fn fetch(
        &self,
        group: &str,
        start_ms: i64,
        end_ms: Option<i64>,
        pattern: Option<&str>,
    ) -> Result<Vec<LogLine>, AwsError> {
        let mut pages = self
            .client
            .filter_log_events()
            .log_group_name(group)
            .start_time(start_ms)
            .set_end_time(end_ms)
            .set_filter_pattern(pattern.map(str::to_owned))
            .into_paginator()
            .send();
        let mut lines = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "FilterLogEvents",
                    &format!("log group {group}"),
                    &self.profile,
                )
            })?;
            lines.extend(page.events().iter().map(|e| {
                let at_ms = e.timestamp().unwrap_or_default();
                let stream = e.log_stream_name().unwrap_or_default().to_owned();
                let message = e.message().unwrap_or_default().trim_end().to_owned();
                LogLine {
                    id: e
                        .event_id()
                        .filter(|id| !id.is_empty())
                        .map(str::to_owned)
                        .unwrap_or_else(|| synthetic_id(at_ms, &stream, &message)),
                    at_ms,
                    stream,
                    message,
                }
            }));
        }
        lines.sort_by_key(|l| l.at_ms);
        Ok(lines)
    }

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

    /// The group's ARN, which StartLiveTail wants: built from the caller's account (STS
    /// GetCallerIdentity needs no permission) so no extra Logs permission is needed.
    async fn group_arn(&self, group: &str) -> Result<String, String> {
        if group.starts_with("arn:") {
            return Ok(group.trim_end_matches(":*").to_owned());
        }
        let who = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| describe(&e, "GetCallerIdentity", group, &self.profile).message)?;
        let account = who.account().unwrap_or_default();
        let partition = if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        Ok(format!(
            "arn:{partition}:logs:{}:{account}:log-group:{group}",
            self.region
        ))
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

    /// Tail until `report` returns false (the dashboard went away): first the history, then
    /// live where the endpoint supports it, else polling. Each event is reported once.
    pub async fn tail(&self, tail: Tail<'_>, mut report: impl FnMut(TailEvent) -> bool) {
        let Tail {
            group,
            start_ms,
            history,
            pattern,
            every,
        } = tail;
        // History first, so the panel is not empty until the next line arrives. Every event read
        // is remembered, reported or not, so that polling does not report it later.
        let mut poller = Poller::new(self.clone(), group, start_ms).filtered(pattern);
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let mut go_on = true;
        let read = match history {
            History::All => {
                self.fetch_windows(group, start_ms, now_ms, pattern, |lines| {
                    poller.remember(&lines);
                    go_on = report(TailEvent::Lines(lines));
                    go_on
                })
                .await
            }
            History::Newest(keep) => self
                .recent(group, start_ms, now_ms, pattern, keep)
                .await
                .map(|mut lines| {
                    poller.remember(&lines);
                    lines.drain(..lines.len().saturating_sub(keep));
                    go_on = report(TailEvent::Lines(lines));
                }),
        };
        if let Err(e) = read {
            go_on = report(TailEvent::Error(e.message));
        }
        if !go_on {
            return;
        }
        let why = match self.live(group, pattern, &mut report).await {
            Ok(()) => return,
            Err(why) => why,
        };
        if !report(TailEvent::Mode(TailMode::Polling { every, why })) {
            return;
        }
        loop {
            tokio::time::sleep(every).await;
            let event = match poller.poll().await {
                Ok(lines) => TailEvent::Lines(lines),
                Err(e) => TailEvent::Error(e.message),
            };
            if !report(event) {
                return;
            }
        }
    }

    /// A live tail session. `Err(why)` when the endpoint cannot give one, before any event.
    async fn live(
        &self,
        group: &str,
        pattern: Option<&str>,
        report: &mut impl FnMut(TailEvent) -> bool,
    ) -> Result<(), String> {
        if let Some(why) = &self.no_live_tail {
            return Err(why.clone());
        }
        let arn = self.group_arn(group).await?;
        let mut out = self
            .client
            .start_live_tail()
            .log_group_identifiers(arn)
            .set_log_event_filter_pattern(pattern.map(str::to_owned))
            .send()
            .await
            .map_err(|e| describe(&e, "StartLiveTail", group, &self.profile).message)?;
        // The first frame says whether the session really started.
        let mut started = false;
        loop {
            match out.response_stream.recv().await {
                Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => {
                    started = true;
                    if !report(TailEvent::Mode(TailMode::Live)) {
                        return Ok(());
                    }
                }
                Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                    let lines: Vec<LogLine> = update
                        .session_results()
                        .iter()
                        .map(|e| {
                            let at_ms = e.timestamp().unwrap_or_default();
                            let stream = e.log_stream_name().unwrap_or_default().to_owned();
                            let message = e.message().unwrap_or_default().trim_end().to_owned();
                            LogLine {
                                id: synthetic_id(at_ms, &stream, &message),
                                at_ms,
                                stream,
                                message,
                            }
                        })
                        .collect();
                    if !report(TailEvent::Lines(lines)) {
                        return Ok(());
                    }
                }
                Ok(Some(_)) => {}
                // A session ends after three hours or on a server error: start over by polling.
                Ok(None) if started => return Err("the live tail session ended".into()),
                Ok(None) => return Err("StartLiveTail closed the stream at once".into()),
                Err(e) if !started => return Err(format!("StartLiveTail: {e}")),
                Err(e) => {
                    if !report(TailEvent::Error(format!("live tail: {e}"))) {
                        return Ok(());
                    }
                    return Err(format!("the live tail failed: {e}"));
                }
            }
        }
    }
}

fn synthetic_id(at_ms: i64, stream: &str, message: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (stream, message).hash(&mut h);
    format!("{at_ms}:{:x}", h.finish())
}

/// FilterLogEvents polling: each poll reads from a little before the newest event seen, and the
/// event ids seen in that overlap are dropped, so every event is reported once.
pub struct Poller {
    logs: Logs,
    group: String,
    pattern: Option<String>,
    from_ms: i64,
    /// Event id → timestamp, for events inside the overlap window.
    seen: HashMap<String, i64>,
}

impl Poller {
    pub fn new(logs: Logs, group: &str, start_ms: i64) -> Self {
        Poller {
            logs,
            group: group.to_owned(),
            pattern: None,
            from_ms: start_ms,
            seen: HashMap::new(),
        }
    }

    /// Only the events matching `pattern` (a CloudWatch Logs filter pattern).
    pub fn filtered(mut self, pattern: Option<&str>) -> Self {
        self.pattern = pattern.map(str::to_owned);
        self
    }

    /// Events not reported before, oldest first.
    pub async fn poll(&mut self) -> Result<Vec<LogLine>, AwsError> {
        let lines = self
            .logs
            .fetch(&self.group, self.from_ms, None, self.pattern.as_deref())
            .await?;
        let fresh: Vec<LogLine> = lines
            .into_iter()
            .filter(|l| !self.seen.contains_key(&l.id))
            .collect();
        self.remember(&fresh);
        Ok(fresh)
    }

    /// Note `lines` as handled (read some other way, as the history is): later polls start a
    /// little before the newest of them and skip them.
    pub fn remember(&mut self, lines: &[LogLine]) {
        if let Some(newest) = lines.iter().map(|l| l.at_ms).max() {
            self.from_ms = self.from_ms.max(newest - OVERLAP_MS);
        }
        for line in lines {
            self.seen.insert(line.id.clone(), line.at_ms);
        }
        let from = self.from_ms;
        self.seen.retain(|_, at| *at >= from);
    }
}

#[cfg(test)]
mod tests {
    use super::{live_tail_unreachable, windows, MIN_WINDOW_MS, WINDOWS};

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

    #[test]
    fn local_endpoints_skip_live_tail() {
        for local in [
            "http://127.0.0.1:4566",
            "http://localhost:4566/",
            "http://[::1]:4566",
            "10.0.0.5",
        ] {
            assert!(live_tail_unreachable(Some(local)).is_some(), "{local}");
        }
        for remote in [
            "https://logs.eu-west-1.amazonaws.com",
            "https://vpce-123.logs.eu-west-1.vpce.amazonaws.com:443",
        ] {
            assert_eq!(live_tail_unreachable(Some(remote)), None, "{remote}");
        }
        assert_eq!(live_tail_unreachable(None), None);
    }
}
