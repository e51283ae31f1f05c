//! The log tail as the dashboard sees it: how it is fed and what it reports.

use super::dashboard::LogLine;
use std::time::Duration;

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
