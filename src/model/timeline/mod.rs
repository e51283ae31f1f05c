//! The incident timeline: one time-ordered list of what happened to the stack — deployments
//! (started, completed, failed, rolled back by the circuit breaker), service events, task stops,
//! alarm transitions, operator actions from the audit log and error spikes in the logs — for the
//! dashboard's overlay and `stackdeck timeline`. Pure builders from plain inputs ([`deployments`],
//! [`service_events`], [`task_stops`], [`alarm_transitions`], [`operator_actions`],
//! [`error_spikes`]), [`merge`] and the renderers in `render`.

mod render;
mod spikes;
mod tasks;

pub use render::{kind_label, relative, to_json, to_markdown, to_text, utc};
pub use spikes::{
    error_spikes, errors_per_minute, SPIKE_BASELINE_MINUTES, SPIKE_FACTOR, SPIKE_MIN,
};
pub use tasks::unlisted_deployments;

use super::audit::Record;
use super::dashboard::Task;
use super::ecs::{family_of, revision_of, short, Rollout};
use super::health::{Deployment, ServiceEvent};
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    #[serde(flatten)]
    pub kind: Kind,
    /// One line.
    pub title: String,
    /// What the detail view shows (a deployment: its task-definition diff).
    pub detail: Vec<String>,
    /// What the entry is about: the deployment id, task id, alarm name, audited target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// What kind of thing happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    DeploymentStarted,
    DeploymentCompleted,
    DeploymentFailed,
    /// Failed, and the circuit breaker rolled the service back.
    DeploymentRolledBack,
    ServiceEvent,
    TaskStopped,
    /// An alarm changed state, to OK, ALARM or INSUFFICIENT_DATA.
    Alarm {
        to_state: String,
    },
    /// A mutation from the audit log.
    Operator,
    ErrorSpike,
    /// A warning of the dashboard's (fed in by its caller).
    Warning,
}

impl Kind {
    fn is_deployment(&self) -> bool {
        matches!(
            self,
            Kind::DeploymentStarted
                | Kind::DeploymentCompleted
                | Kind::DeploymentFailed
                | Kind::DeploymentRolledBack
        )
    }
}

/// One state change of an alarm (DescribeAlarmHistory, StateUpdate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlarmTransition {
    pub alarm: String,
    /// Unix seconds.
    pub at: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// Task-definition diffs by the deployed task definition (its ARN): the lines the deployment's
/// detail shows, already worded (`model::ecs::diff`, or why there is none).
pub type Diffs = BTreeMap<String, Vec<String>>;

/// What the timeline reads beyond what the dashboard already holds: the alarms' history, the
/// audit log and the deployments' task-definition diffs (read when the dashboard's timeline opens).
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub alarms: Result<Vec<AlarmTransition>, String>,
    /// The audit log's records (every stack's; [`operator_actions`] keeps the stack's).
    pub records: Result<Vec<Record>, String>,
    pub diffs: Diffs,
}

fn entry(at: i64, kind: Kind, title: String, subject: Option<String>) -> Entry {
    Entry {
        at,
        kind,
        title: one_line(&title),
        detail: Vec::new(),
        subject,
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Did the circuit breaker roll `d` back? Its reason or a service event naming it says
/// "rolling back" / "rolled back".
fn rolled_back(d: &Deployment, events: &[ServiceEvent]) -> bool {
    let says = |text: &str| {
        let text = text.to_ascii_lowercase();
        text.contains("rolling back") || text.contains("rolled back")
    };
    says(&d.rollout_reason)
        || (!d.id.is_empty()
            && events
                .iter()
                .any(|e| e.message.contains(&d.id) && says(&e.message)))
}

/// The task definition a deployment's diff is taken from: the newest deployment created before
/// it with another task definition, else the revision before its own (`family:N-1`).
pub fn diff_base(d: &Deployment, all: &[Deployment]) -> Option<String> {
    let created = d.created?;
    let older = all
        .iter()
        .filter(|o| o.task_definition != d.task_definition)
        .filter(|o| o.created.is_some_and(|c| c < created))
        .max_by_key(|o| o.created);
    if let Some(o) = older {
        return Some(o.task_definition.clone());
    }
    let revision = revision_of(&d.task_definition)?;
    (revision > 1).then(|| format!("{}:{}", family_of(&d.task_definition), revision - 1))
}

/// Each deployment's start, and its end once it completed or failed (at its last update): a
/// failed one that the circuit breaker rolled back (its reason or a service event says so) is
/// [`Kind::DeploymentRolledBack`]. The start's detail has the task-definition diff from `diffs`
/// (from [`diff_base`]).
pub fn deployments(list: &[Deployment], events: &[ServiceEvent], diffs: &Diffs) -> Vec<Entry> {
    let mut out = Vec::new();
    for d in list {
        let td = short(&d.task_definition);
        let id = Some(d.id.clone());
        let mut detail = vec![
            format!("deployment {} ({})", d.id, d.status),
            format!("task definition {}", d.task_definition),
            format!(
                "rollout {}{}",
                match d.rollout_state {
                    Rollout::Unknown => "-",
                    known => known.as_str(),
                },
                if d.rollout_reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", d.rollout_reason)
                }
            ),
            format!(
                "tasks {}/{} running, {} failed",
                d.running, d.desired, d.failed_tasks
            ),
        ];
        let basic = detail.clone();
        if let Some(diff) = diffs.get(&d.task_definition) {
            detail.push(String::new());
            detail.push(match diff_base(d, list) {
                Some(base) => format!("changes from {}:", short(&base)),
                None => "changes:".to_owned(),
            });
            if diff.is_empty() {
                detail.push("  none (the same image, command, environment and size)".into());
            }
            detail.extend(diff.iter().map(|l| format!("  {l}")));
        }
        if let Some(created) = d.created {
            let mut start = entry(
                created,
                Kind::DeploymentStarted,
                format!("{td} started (deployment {})", d.id),
                id.clone(),
            );
            start.detail = detail;
            out.push(start);
        }
        let Some(updated) = d.updated else { continue };
        let end = match d.rollout_state {
            Rollout::Completed => Some((
                Kind::DeploymentCompleted,
                format!("{td} completed (deployment {})", d.id),
            )),
            Rollout::Failed if rolled_back(d, events) => Some((
                Kind::DeploymentRolledBack,
                format!(
                    "{td} failed and was rolled back (deployment {}): {}",
                    d.id, d.rollout_reason
                ),
            )),
            Rollout::Failed => Some((
                Kind::DeploymentFailed,
                format!("{td} failed (deployment {}): {}", d.id, d.rollout_reason),
            )),
            _ => None,
        };
        if let Some((kind, title)) = end {
            let mut e = entry(updated, kind, title, id.clone());
            e.detail = basic;
            out.push(e);
        }
    }
    out
}

/// The service's events, with the "(service NAME) " prefix ECS puts on each left out.
pub fn service_events(events: &[ServiceEvent]) -> Vec<Entry> {
    events
        .iter()
        .filter_map(|e| {
            let at = e.at?;
            let text = match e.message.strip_prefix("(service ") {
                Some(rest) => rest.split_once(") ").map_or(e.message.as_str(), |(_, m)| m),
                None => &e.message,
            };
            let mut row = entry(at, Kind::ServiceEvent, text.to_owned(), None);
            row.detail = vec![e.message.clone()];
            Some(row)
        })
        .collect()
}

/// Each stopped task, at its stop, with its reason.
pub fn task_stops(tasks: &[Task]) -> Vec<Entry> {
    tasks
        .iter()
        .filter_map(|t| {
            let at = t.stopped?;
            let reason = if t.stopped_reason.is_empty() {
                "no reason given"
            } else {
                &t.stopped_reason
            };
            let mut row = entry(
                at,
                Kind::TaskStopped,
                format!("task {} stopped: {reason}", t.id),
                Some(t.id.clone()),
            );
            row.detail = vec![
                format!("task {}", t.id),
                format!("task definition {}", t.task_definition),
                format!("stopped reason: {reason}"),
            ];
            Some(row)
        })
        .collect()
}

/// Each alarm state change.
pub fn alarm_transitions(items: &[AlarmTransition]) -> Vec<Entry> {
    items
        .iter()
        .map(|a| {
            let mut row = entry(
                a.at,
                Kind::Alarm {
                    to_state: a.to.clone(),
                },
                format!("alarm {}: {} → {}", a.alarm, a.from, a.to),
                Some(a.alarm.clone()),
            );
            row.detail = vec![format!("alarm {}", a.alarm), a.reason.clone()];
            row
        })
        .collect()
}

/// The audit log's records of `stack`: who did what, and how it ended.
pub fn operator_actions(records: &[Record], stack: &str) -> Vec<Entry> {
    records
        .iter()
        .filter(|r| r.stack == stack)
        .map(|r| {
            let who = r.user.rsplit('/').next().unwrap_or(&r.user);
            let outcome = match &r.error {
                Some(e) => format!("{}: {e}", r.result),
                None => r.result.clone(),
            };
            let mut row = entry(
                r.unix,
                Kind::Operator,
                format!("{} by {who}: {outcome}", r.action),
                Some(r.target.clone()),
            );
            row.detail = vec![
                format!("{} of {}", r.action, r.target),
                format!("by {} (profile {}, {})", r.user, r.profile, r.region),
                format!("result {outcome}"),
            ];
            if !r.parameters.is_null() && r.parameters != serde_json::json!({}) {
                row.detail.push(format!("parameters {}", r.parameters));
            }
            row
        })
        .collect()
}

/// A warning of the dashboard's, for the lead to feed in.
pub fn warning(at: i64, code: &str, message: &str) -> Entry {
    let mut row = entry(at, Kind::Warning, message.to_owned(), Some(code.to_owned()));
    row.detail = vec![format!("{code}: {message}")];
    row
}

/// How far apart a service event and the deployment entry it repeats may be.
const REPEAT_SECONDS: i64 = 120;

/// Does a service event's text just say what a deployment entry says? It names the deployment
/// and says the same outcome ("deployment completed", "deployment failed", "rolling back",
/// "deployment started"), within two minutes of it.
fn repeats(event: &Entry, deployment: &Entry) -> bool {
    let Some(id) = deployment.subject.as_deref().filter(|id| !id.is_empty()) else {
        return false;
    };
    let text = event.title.to_ascii_lowercase();
    let same = match deployment.kind {
        Kind::DeploymentStarted => text.contains("deployment started"),
        Kind::DeploymentCompleted => text.contains("deployment completed"),
        Kind::DeploymentFailed => text.contains("deployment failed"),
        Kind::DeploymentRolledBack => {
            text.contains("deployment failed") || text.contains("rolling back")
        }
        _ => false,
    };
    same && event.title.contains(id) && (event.at - deployment.at).abs() <= REPEAT_SECONDS
}

/// Every part in one list, oldest first (entries at the same second keep the order given), the
/// service events that just repeat a deployment entry left out.
pub fn merge(parts: impl IntoIterator<Item = Vec<Entry>>) -> Vec<Entry> {
    let all: Vec<Entry> = parts.into_iter().flatten().collect();
    let deployments: Vec<&Entry> = all.iter().filter(|e| e.kind.is_deployment()).collect();
    let mut kept: Vec<Entry> = all
        .iter()
        .filter(|e| e.kind != Kind::ServiceEvent || !deployments.iter().any(|d| repeats(e, d)))
        .cloned()
        .collect();
    kept.sort_by_key(|e| e.at);
    kept
}

#[cfg(test)]
mod tests;
