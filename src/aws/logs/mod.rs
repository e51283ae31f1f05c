//! CloudWatch Logs, the reading side: the service's log group, tailed live with `StartLiveTail`
//! where the endpoint has it, otherwise polled with `FilterLogEvents` and de-duplicated by event
//! id (moto has no live tail). Paged everywhere.
//!
//! This module reads pages of events ([`Logs::fetch`]) and runs a tail ([`Logs::tail`]): history
//! first, then live or polling. The history's time windows are in `history`, the live tail in
//! `live`, the polling in `poller`.

mod history;
mod live;
mod poller;

pub use history::windows;
pub use live::live_tail_unreachable;
pub use poller::Poller;

use super::calls::Counter;
use super::error::{describe, AwsError};
use crate::model::dashboard::LogLine;
use crate::model::logs::{TailEvent, TailMode};
use aws_sdk_cloudwatchlogs::Client;
use std::time::Duration;

#[derive(Clone)]
pub struct Logs {
    client: Client,
    sts: aws_sdk_sts::Client,
    region: String,
    profile: String,
    /// Why StartLiveTail cannot work on this endpoint, known before trying.
    no_live_tail: Option<String>,
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
            no_live_tail: live::live_tail_unreachable(config.endpoint_url()),
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
}

fn synthetic_id(at_ms: i64, stream: &str, message: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (stream, message).hash(&mut h);
    format!("{at_ms}:{:x}", h.finish())
}
