//! FilterLogEvents polling, for endpoints without a live tail.

use super::Logs;
use crate::aws::error::AwsError;
use crate::model::dashboard::LogLine;
use std::collections::HashMap;

/// How far back each poll looks again, for events that arrive late (ingestion lags).
const OVERLAP_MS: i64 = 10_000;

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
