//! `stackdeck timeline`: the incident timeline of the last `--since` (deployments, service events,
//! task stops, alarm transitions, operator actions, error spikes), as text, JSON or a Markdown
//! table for the postmortem. Every source is read at once; one that fails is one line on stderr
//! ("timeline: <source> unavailable: <cause>") and the rest still prints. Also the reads the
//! dashboard's timeline makes when it opens ([`load`]).

use crate::aws::cloudwatch::CloudWatch;
use crate::aws::ecs::Ecs;
use crate::aws::ecs_actions::EcsActions;
use crate::aws::logs::Logs;
use crate::cli::TimelineFormat;
use crate::model::dashboard::{queue_queries, window_end, PERIOD_SECONDS};
use crate::model::ecs::{diff, short};
use crate::model::health::Deployment;
use crate::model::sqs::queue_name;
use crate::model::stack::StackResources;
use crate::model::timeline::{self as tl, AlarmTransition, Diffs, Entry, Loaded};
use crate::model::warning_history::timeline_entries;
use crate::model::warnings::{Thresholds, WarningInput};
use std::time::Duration;

/// The most log events read for the error counts; the span counted is then the newest part.
pub const MAX_LOG_EVENTS: usize = 20_000;
/// How many audit records are read (from the file's end).
const AUDIT_RECORDS: usize = 10_000;
/// DescribeServices answers up to 100 events.
const EVENTS: usize = 100;
/// The sources read: service, tasks, alarm history, logs, audit log, queue metrics.
const SOURCES: usize = 6;

/// The state changes of the stack's alarms between `start` and `end`.
pub async fn alarm_history(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    start: i64,
    end: i64,
) -> Result<Vec<AlarmTransition>, String> {
    let selector = stack
        .alarm_selector()
        .ok_or_else(|| stack.missing_message("alarm_prefix"))?;
    CloudWatch::new(sdk, profile.to_owned())
        .alarm_history(&selector, start, end)
        .await
        .map_err(|e| e.message)
}

/// Each deployment's diff from the one before it ([`tl::diff_base`]), both described at once;
/// one that cannot be described says why in its diff.
pub async fn diffs(sdk: &aws_config::SdkConfig, profile: &str, all: &[Deployment]) -> Diffs {
    let ecs = EcsActions::new(sdk, profile.to_owned());
    let ecs = &ecs;
    let each = all.iter().filter_map(|d| {
        let base = tl::diff_base(d, all)?;
        Some(async move {
            let (from, to) = tokio::join!(ecs.summary(&base), ecs.summary(&d.task_definition));
            let lines = match (from, to) {
                (Ok(from), Ok(to)) => diff(&from, &to),
                (Err(e), _) | (_, Err(e)) => {
                    vec![format!("no diff from {}: {}", short(&base), e.message)]
                }
            };
            (d.task_definition.clone(), lines)
        })
    });
    futures_util::future::join_all(each)
        .await
        .into_iter()
        .collect()
}

/// The audit log's last records (read-only), off the async threads.
async fn audit_records(
    path: std::path::PathBuf,
) -> Result<Vec<crate::model::audit::Record>, String> {
    tokio::task::spawn_blocking(move || {
        crate::ops::audit::tail(&path, AUDIT_RECORDS)
            .map_err(|e| format!("cannot read the audit log {}: {e}", path.display()))
    })
    .await
    .unwrap_or_else(|e| Err(format!("the audit read failed: {e}")))
}

/// What the dashboard's timeline reads when it opens: the alarms' history since `start`, the
/// audit log at `audit_path` and the diffs of `deployments`.
pub async fn load(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    deployments: &[Deployment],
    (start, end): (i64, i64),
    audit_path: std::path::PathBuf,
) -> Loaded {
    let (alarms, records, diffs) = tokio::join!(
        alarm_history(sdk, profile, stack, start, end),
        audit_records(audit_path),
        diffs(sdk, profile, deployments)
    );
    Loaded {
        alarms,
        records,
        diffs,
    }
}

/// The runner's part of [`crate::app::Effect::LoadTimeline`]: [`load`] in a task, its answer
/// sent as `Msg::TimelineLoaded`.
pub fn spawn_load(
    runner: &crate::tui::Runner,
    ask: crate::app::TimelineAsk,
    tx: &tokio::sync::mpsc::UnboundedSender<crate::app::Msg>,
) {
    let (tx, sdk, profile) = (
        tx.clone(),
        runner.aws.sdk.clone(),
        runner.aws.profile.clone(),
    );
    let audit_path = runner.audit_path.clone();
    tokio::spawn(async move {
        let window = (ask.since, ask.until);
        let loaded = load(
            &sdk,
            &profile,
            &ask.stack,
            &ask.deployments,
            window,
            audit_path,
        )
        .await;
        let _ = tx.send(crate::app::Msg::TimelineLoaded {
            stack: ask.stack.stack,
            loaded: Box::new(loaded),
        });
    });
}

/// Errors per minute from the log group since `start`, and a note when the read stopped at
/// [`MAX_LOG_EVENTS`] (only the newest events were counted, from the returned time on).
async fn error_counts(
    logs: &Logs,
    group: &str,
    start: i64,
    now: i64,
) -> Result<(Vec<Entry>, Option<String>), String> {
    let lines = logs
        .recent(group, start * 1000, now * 1000, None, MAX_LOG_EVENTS)
        .await
        .map_err(|e| e.message)?;
    let (since, note) = match lines.len().checked_sub(MAX_LOG_EVENTS) {
        Some(extra) => {
            let from = lines[extra].at_ms / 1000;
            let note = format!(
                "error spikes: only the newest {MAX_LOG_EVENTS} log events were counted, from {} on",
                tl::utc(from)
            );
            (from.max(start), Some(note))
        }
        None => (start, None),
    };
    let counted = &lines[lines.len().saturating_sub(MAX_LOG_EVENTS)..];
    let counts = tl::errors_per_minute(counted.iter().map(|l| (l.at_ms, l.level())));
    Ok((tl::error_spikes(&counts, since), note))
}

/// The queue's warnings replayed over the window's minutes ([`timeline_entries`]): when stackdeck would
/// have warned. One GetMetricData of the work queue's series, from a quarter hour before
/// `start` so that a stall under way at the window's start has its run.
async fn warnings(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    thresholds: &Thresholds,
    start: i64,
    now: i64,
) -> Result<Vec<Entry>, String> {
    let Some(url) = stack.get("queue_url") else {
        return Ok(Vec::new());
    };
    let period = i64::from(PERIOD_SECONDS);
    let from = start - start.rem_euclid(period) - 15 * period;
    let metrics = CloudWatch::new(sdk, profile.to_owned())
        .metric_data(&queue_queries(stack), from, window_end(now), PERIOD_SECONDS)
        .await
        .map_err(|e| e.message)?;
    let input = WarningInput::from_queue(queue_name(url), &metrics, now);
    Ok(timeline_entries(&input, thresholds, start))
}

/// Read every source; the entries in the window, and each source that failed with why.
async fn collect(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    thresholds: &Thresholds,
    (start, now): (i64, i64),
) -> (Vec<Entry>, Vec<(&'static str, String)>, Vec<String>) {
    let ecs = Ecs::new(sdk, profile.to_owned());
    let svc = (stack.get("cluster"), stack.get("service"));
    let service = async {
        let (Some(cluster), Some(service)) = svc else {
            return Err(stack.missing_message("service"));
        };
        let found = ecs.service_with_events(cluster, service, EVENTS).await;
        let found = found.map_err(|e| e.message)?;
        let diffs = diffs(sdk, profile, &found.deployments).await;
        Ok((found, diffs))
    };
    let tasks = async {
        let (Some(cluster), Some(service)) = svc else {
            return Err(stack.missing_message("service"));
        };
        ecs.tasks(cluster, service).await.map_err(|e| e.message)
    };
    let logs = async {
        let group = stack
            .get("log_group")
            .ok_or_else(|| stack.missing_message("log_group"))?;
        error_counts(&Logs::new(sdk, profile.to_owned()), group, start, now).await
    };
    let audit = audit_records(crate::ops::audit::default_path());
    let (service, tasks, alarms, logs, audit, warned) = tokio::join!(
        service,
        tasks,
        alarm_history(sdk, profile, stack, start, now),
        logs,
        audit,
        warnings(sdk, profile, stack, thresholds, start, now)
    );
    let (mut parts, mut failed, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let mut listed = Vec::new();
    match service {
        Ok((s, diffs)) => {
            parts.push(tl::deployments(&s.deployments, &s.events, &diffs));
            parts.push(tl::service_events(&s.events));
            listed = s.deployments;
        }
        Err(e) => failed.push(("service", e)),
    }
    match tasks {
        Ok(tasks) => {
            parts.push(tl::task_stops(&tasks));
            parts.push(tl::unlisted_deployments(&tasks, &listed));
        }
        Err(e) => failed.push(("tasks", e)),
    }
    match warned {
        Ok(entries) => parts.push(entries),
        Err(e) => failed.push(("queue metrics", e)),
    }
    match alarms {
        Ok(alarms) => parts.push(tl::alarm_transitions(&alarms)),
        Err(e) => failed.push(("alarm history", e)),
    }
    match logs {
        Ok((spikes, note)) => {
            parts.push(spikes);
            notes.extend(note);
        }
        Err(e) => failed.push(("logs", e)),
    }
    match audit {
        Ok(records) => parts.push(tl::operator_actions(&records, &stack.stack)),
        Err(e) => failed.push(("audit log", e)),
    }
    let mut entries = tl::merge(parts);
    entries.retain(|e| e.at >= start);
    (entries, failed, notes)
}

/// The whole command. Exit 0 once the timeline is written (sources that failed are on stderr),
/// 2 when no source could be read or the output could not be written.
pub async fn run(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    since: Duration,
    format: TimelineFormat,
    thresholds: &Thresholds,
) -> i32 {
    let now = jiff::Timestamp::now().as_second();
    let start = now - since.as_secs() as i64;
    let (entries, failed, notes) = collect(sdk, profile, stack, thresholds, (start, now)).await;
    for (source, why) in &failed {
        eprintln!("timeline: {source} unavailable: {why}");
    }
    let heading = format!(
        "timeline of stack {}, {} to {}",
        stack.stack,
        tl::utc(start),
        tl::utc(now)
    );
    let out = match format {
        TimelineFormat::Text => {
            let notes: String = notes.iter().map(|n| format!("note: {n}\n")).collect();
            format!("{heading}\n{notes}{}", tl::to_text(&entries, now))
        }
        TimelineFormat::Markdown => {
            let notes: String = notes.iter().map(|n| format!("> {n}\n\n")).collect();
            format!("## {heading}\n\n{notes}{}", tl::to_markdown(&entries, now))
        }
        TimelineFormat::Json => {
            let unavailable: serde_json::Map<String, serde_json::Value> = failed
                .iter()
                .map(|(s, why)| ((*s).to_owned(), why.clone().into()))
                .collect();
            let json = serde_json::json!({
                "stack": stack.stack,
                "from": start,
                "to": now,
                "entries": tl::to_json(&entries),
                "unavailable": unavailable,
                "notes": notes,
            });
            format!("{json}\n")
        }
    };
    use std::io::Write;
    if std::io::stdout().lock().write_all(out.as_bytes()).is_err() {
        return 2;
    }
    if failed.len() == SOURCES {
        2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command, TimelineFormat};
    use clap::Parser;

    #[test]
    fn the_subcommand_takes_since_and_format_with_their_defaults() {
        let parse = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.command) {
            Ok(Some(Command::Timeline { since, format })) => Ok((since.as_secs(), format)),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.kind()),
        };
        assert_eq!(
            parse(&["stackdeck", "timeline"]),
            Ok((7200, TimelineFormat::Text))
        );
        assert_eq!(
            parse(&[
                "stackdeck",
                "timeline",
                "--since",
                "30m",
                "--format",
                "markdown"
            ]),
            Ok((1800, TimelineFormat::Markdown))
        );
        assert!(parse(&["stackdeck", "timeline", "--since", "3d"]).is_err());
        assert!(parse(&["stackdeck", "timeline", "--format", "html"]).is_err());
    }
}
