//! The timeline as text (a terminal), Markdown (a postmortem's table) and JSON.

use super::{Entry, Kind};
use crate::model::time::age;
use std::fmt::Write as _;

/// The kind as a row says it.
pub fn kind_label(kind: &Kind) -> String {
    match kind {
        Kind::DeploymentStarted => "deploy started".into(),
        Kind::DeploymentCompleted => "deploy completed".into(),
        Kind::DeploymentFailed => "deploy FAILED".into(),
        Kind::DeploymentRolledBack => "deploy ROLLED BACK".into(),
        Kind::ServiceEvent => "service event".into(),
        Kind::TaskStopped => "task stopped".into(),
        Kind::Alarm { to_state } => format!("alarm → {to_state}"),
        Kind::Operator => "operator".into(),
        Kind::ErrorSpike => "error spike".into(),
        Kind::Warning => "warning".into(),
    }
}

/// "2026-11-24 03:04:05Z" of unix seconds.
pub fn utc(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// "12 min ago" (relative to `now`), "in 5 s" for a clock ahead of ours.
pub fn relative(at: i64, now: i64) -> String {
    if at > now {
        format!("in {}", age(at - now))
    } else {
        format!("{} ago", age(now - at))
    }
}

/// One line per entry — relative time, UTC time, kind, title — its detail indented below.
pub fn to_text(entries: &[Entry], now: i64) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("nothing happened in the window\n");
    }
    for e in entries {
        let _ = writeln!(
            out,
            "{:>10}  {}  {:<18}  {}",
            relative(e.at, now),
            utc(e.at),
            kind_label(&e.kind),
            e.title
        );
        for line in e.detail.iter().filter(|l| !l.is_empty()) {
            let _ = writeln!(out, "{:>34}{line}", "");
        }
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A Markdown table for a postmortem: time (UTC), how long before `now`, kind, what happened
/// (the detail after a line break in the same cell).
pub fn to_markdown(entries: &[Entry], now: i64) -> String {
    let mut out = String::from("| time (UTC) | ago | kind | what |\n| --- | --- | --- | --- |\n");
    for e in entries {
        let mut what = format!("**{}**", cell(&e.title));
        for line in e.detail.iter().filter(|l| !l.is_empty()) {
            let _ = write!(what, "<br>{}", cell(line.trim_start()));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {what} |",
            utc(e.at),
            relative(e.at, now),
            cell(&kind_label(&e.kind))
        );
    }
    out
}

/// The entries as JSON: each with its time in RFC 3339 as well as in unix seconds.
pub fn to_json(entries: &[Entry]) -> serde_json::Value {
    serde_json::Value::Array(
        entries
            .iter()
            .map(|e| {
                let mut value = serde_json::to_value(e).unwrap_or_default();
                if let Some(map) = value.as_object_mut() {
                    let time = jiff::Timestamp::from_second(e.at)
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    map.insert("time".into(), time.into());
                }
                value
            })
            .collect(),
    )
}
