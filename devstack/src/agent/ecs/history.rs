//! The service's deployment history as ECS's service-deployment APIs give it
//! (ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment,
//! DescribeServiceRevisions): one [`ServiceDeployment`] per deployment the service was asked
//! for, its rollback folded into it as ECS does (a rollback is no deployment of its own). Pure:
//! the transitions take the time as an argument, [`super::deployments_api`] answers the calls.

use serde::Serialize;
use serde_json::{json, Value};

/// A service deployment's `status` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    InProgress,
    Successful,
    Stopped,
    RollbackRequested,
    RollbackInProgress,
    RollbackSuccessful,
    RollbackFailed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "IN_PROGRESS",
            Status::Successful => "SUCCESSFUL",
            Status::Stopped => "STOPPED",
            Status::RollbackRequested => "ROLLBACK_REQUESTED",
            Status::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            Status::RollbackSuccessful => "ROLLBACK_SUCCESSFUL",
            Status::RollbackFailed => "ROLLBACK_FAILED",
        }
    }
}

/// What ended a deployment before it completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trip {
    CircuitBreaker,
    Alarm(String),
    /// StopServiceDeployment with `stopType` ROLLBACK.
    User,
}

/// A service revision: what one deployment asked the service to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub arn: String,
    pub task_definition: String,
    pub created_at: f64,
}

/// One deployment of the service's history.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDeployment {
    pub arn: String,
    /// The control plane's deployment (the `ecs-svc/…` id) rolling toward the target…
    pub deployment: String,
    /// … and the one rolling back to the source, once a rollback started.
    pub rollback_deployment: Option<String>,
    pub target: Revision,
    pub sources: Vec<Revision>,
    pub status: Status,
    pub status_reason: String,
    pub created_at: f64,
    pub updated_at: f64,
    pub finished_at: Option<f64>,
    pub stopped_at: Option<f64>,
    /// Why and when the rollback started, and the source revision it rolls back to.
    pub rollback: Option<(String, f64, Revision)>,
    pub trip: Option<Trip>,
    pub failed_tasks: u32,
}

/// How many deployments the history keeps (ECS keeps 90 days' worth).
pub const KEPT: usize = 100;

/// The ARN of a service's `kind` (`service-deployment`, `service-revision`) numbered `id`, from
/// the service's ARN (`arn:aws:ecs:region:account:service/cluster/name`).
pub fn arn_of(service_arn: &str, kind: &str, id: &str) -> String {
    format!(
        "{}/{id}",
        service_arn.replacen(":service/", &format!(":{kind}/"), 1)
    )
}

/// The cluster's ARN from the service's.
pub fn cluster_arn(service_arn: &str) -> String {
    let (prefix, path) = service_arn
        .split_once(":service/")
        .unwrap_or((service_arn, ""));
    let cluster = path.split('/').next().unwrap_or_default();
    format!("{prefix}:cluster/{cluster}")
}

impl ServiceDeployment {
    pub fn is_in_progress(&self) -> bool {
        self.status == Status::InProgress
    }

    /// The deployment's end: `status`, why, and when (finished or stopped).
    pub fn end(&mut self, status: Status, reason: &str, now: f64) {
        self.status = status;
        self.status_reason = reason.to_owned();
        self.updated_at = now;
        match status {
            Status::Stopped => self.stopped_at = Some(now),
            _ => self.finished_at = Some(now),
        }
    }

    /// The rollback to the source revision of `task_definition` starts, run by the control
    /// plane's deployment `by`.
    pub fn roll_back(
        &mut self,
        by: &str,
        task_definition: &str,
        reason: &str,
        trip: Trip,
        now: f64,
    ) {
        let to = (self.sources.iter())
            .find(|r| r.task_definition == task_definition)
            .or(self.sources.first())
            .cloned()
            .unwrap_or_else(|| Revision {
                arn: String::new(),
                task_definition: task_definition.to_owned(),
                created_at: now,
            });
        self.status = Status::RollbackInProgress;
        self.status_reason = reason.to_owned();
        self.rollback = Some((reason.to_owned(), now, to));
        self.rollback_deployment = Some(by.to_owned());
        self.trip = Some(trip);
        self.updated_at = now;
    }

    /// A ServiceDeploymentBrief, as ListServiceDeployments gives it.
    pub fn brief(&self, service_arn: &str) -> Value {
        json!({
            "serviceDeploymentArn": self.arn,
            "serviceArn": service_arn,
            "clusterArn": cluster_arn(service_arn),
            "createdAt": self.created_at,
            "startedAt": self.created_at,
            "finishedAt": self.finished_at,
            "targetServiceRevisionArn": self.target.arn,
            "status": self.status,
            "statusReason": self.status_reason,
        })
    }

    /// A ServiceDeployment, as DescribeServiceDeployments gives it; `monitors` is what the
    /// service's configuration says of the circuit breaker and alarms.
    pub fn describe(&self, service_arn: &str, monitors: &Monitors, config: &Value) -> Value {
        let summary = |r: &Revision, running: bool| {
            json!({"arn": r.arn, "requestedTaskCount": if running { monitors.desired } else { 0 },
                   "runningTaskCount": 0, "pendingTaskCount": 0})
        };
        let watching = matches!(self.status, Status::InProgress | Status::RollbackRequested);
        let monitor = |enabled: bool, tripped: bool| match () {
            _ if !enabled => "DISABLED",
            _ if tripped => "TRIGGERED",
            _ if watching => "MONITORING",
            _ => "MONITORING_COMPLETE",
        };
        let triggered: Vec<&String> = match &self.trip {
            Some(Trip::Alarm(name)) => vec![name],
            _ => Vec::new(),
        };
        let mut out = json!({
            "serviceDeploymentArn": self.arn,
            "serviceArn": service_arn,
            "clusterArn": cluster_arn(service_arn),
            "createdAt": self.created_at,
            "startedAt": self.created_at,
            "updatedAt": self.updated_at,
            "finishedAt": self.finished_at,
            "stoppedAt": self.stopped_at,
            "sourceServiceRevisions": self.sources.iter().map(|r| summary(r, false)).collect::<Vec<_>>(),
            "targetServiceRevision": summary(&self.target, true),
            "status": self.status,
            "statusReason": self.status_reason,
            "deploymentCircuitBreaker": {
                "status": monitor(monitors.circuit_breaker, self.trip == Some(Trip::CircuitBreaker)),
                "failureCount": self.failed_tasks,
                "threshold": monitors.threshold,
            },
            "alarms": {
                "status": monitor(!monitors.alarms.is_empty(), !triggered.is_empty()),
                "alarmNames": monitors.alarms,
                "triggeredAlarmNames": triggered,
            },
        });
        if !config.is_null() {
            out["deploymentConfiguration"] = config.clone();
        }
        if let Some((reason, at, to)) = &self.rollback {
            out["rollback"] =
                json!({"reason": reason, "startedAt": at, "serviceRevisionArn": to.arn});
        }
        out
    }
}

/// The service's rollback monitors, from its deployment configuration.
#[derive(Clone, Debug, Default)]
pub struct Monitors {
    pub circuit_breaker: bool,
    pub threshold: u32,
    pub alarms: Vec<String>,
    pub desired: i32,
}

/// ListServiceDeployments' filters and page.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub statuses: Vec<String>,
    pub created_after: Option<f64>,
    pub created_before: Option<f64>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

impl Query {
    pub fn of(request: &Value) -> Query {
        Query {
            statuses: (request["status"].as_array().into_iter().flatten())
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            created_after: request["createdAt"]["after"].as_f64(),
            created_before: request["createdAt"]["before"].as_f64(),
            next_token: request["nextToken"].as_str().map(str::to_owned),
            max_results: request["maxResults"].as_i64(),
        }
    }
}

/// One page of `history` (newest first) under `query`, and the token of the next page; Err: an
/// InvalidParameterException's message.
pub fn page<'h>(
    history: &'h [ServiceDeployment],
    query: &Query,
) -> Result<(Vec<&'h ServiceDeployment>, Option<String>), String> {
    let max = query.max_results.unwrap_or(20);
    if !(1..=100).contains(&max) {
        return Err(format!("maxResults {max} is out of range: give 1 to 100."));
    }
    let start = match &query.next_token {
        None => 0,
        Some(token) => token
            .strip_prefix("sd-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| format!("nextToken {token} is not one ListServiceDeployments gave."))?,
    };
    let matching: Vec<&ServiceDeployment> = (history.iter())
        .filter(|d| {
            query.statuses.is_empty() || query.statuses.iter().any(|s| s == d.status.as_str())
        })
        .filter(|d| query.created_after.is_none_or(|t| d.created_at >= t))
        .filter(|d| query.created_before.is_none_or(|t| d.created_at <= t))
        .collect();
    let end = (start + max as usize).min(matching.len());
    let next = (end < matching.len()).then(|| format!("sd-{end}"));
    Ok((matching.get(start..end).unwrap_or_default().to_vec(), next))
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
