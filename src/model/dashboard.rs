//! What one dashboard refresh reads, beyond the health snapshot `stackdeck status` prints: the
//! service's tasks and targets, the database, and the metric series of the charts. Plain values;
//! each source keeps its own error so a failing source marks only its panel.

use super::health::{Snapshot, Source};
use super::stack::StackResources;
use serde::Serialize;
use std::collections::BTreeMap;

/// One ECS task of the service.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Task {
    /// The task id (the last part of its ARN).
    pub id: String,
    pub last_status: String,
    pub desired_status: String,
    /// HEALTHY, UNHEALTHY, UNKNOWN.
    pub health: String,
    pub task_definition: String,
    /// Who started it: `ecs-svc/…`, the deployment, for a service's task.
    pub started_by: String,
    /// Unix seconds.
    pub started: Option<i64>,
    pub stopped: Option<i64>,
    pub stopped_reason: String,
}

/// One ALB target of the service's target group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Target {
    pub id: String,
    pub port: Option<i32>,
    /// healthy, unhealthy, initial, draining, unused, unavailable.
    pub state: String,
    pub reason: String,
}

/// The RDS instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Database {
    pub id: String,
    pub status: String,
    pub class: String,
    pub engine: String,
    pub engine_version: String,
    pub multi_az: bool,
    pub allocated_storage_gib: i32,
}

/// One metric of a `GetMetricData` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetricQuery {
    /// Query id: lower case letter first, then letters, digits, underscores (CloudWatch's rule).
    pub id: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    /// Average, Maximum, Sum, …
    pub stat: String,
}

/// Points of one series, oldest first: (unix seconds, value).
pub type Series = Vec<(i64, f64)>;

/// Every series of one refresh, by query id.
pub type Metrics = BTreeMap<String, Series>;

/// Query ids of the dashboard's charts.
pub const CPU: &str = "db_cpu";
pub const CONNECTIONS: &str = "db_connections";
pub const FREE_STORAGE: &str = "db_free_storage";
pub const QUEUE_DEPTH: &str = "queue_depth";
pub const OLDEST_AGE: &str = "queue_oldest_age";
/// Messages received and deleted per minute (Sum): what the warnings call consumption.
pub const QUEUE_RECEIVED: &str = "queue_received";
pub const QUEUE_DELETED: &str = "queue_deleted";

/// The chart window: the last hour, one point a minute.
pub const WINDOW_SECONDS: i64 = 3600;
pub const PERIOD_SECONDS: i32 = 60;

/// The end of a metric window read at `now`: the end of the current period, so consecutive
/// reads ask for the same buckets.
pub fn window_end(now: i64) -> i64 {
    let period = i64::from(PERIOD_SECONDS);
    now - now.rem_euclid(period) + period
}

/// The work queue's queries of [`dashboard_queries`]: what the warnings read.
pub fn queue_queries(stack: &StackResources) -> Vec<MetricQuery> {
    dashboard_queries(stack)
        .into_iter()
        .filter(|q| q.namespace == "AWS/SQS")
        .collect()
}

/// The CPU threshold drawn on the database chart (percent).
pub const CPU_THRESHOLD: f64 = 80.0;

/// The metric queries of the dashboard for `stack`: the database's CPU, connections and free
/// storage, the work queue's depth, oldest message age and messages received and deleted. Sources the stack lacks are left out.
pub fn dashboard_queries(stack: &StackResources) -> Vec<MetricQuery> {
    let mut queries = Vec::new();
    if let Some(db) = stack.get("db_instance_id") {
        for (id, metric, stat) in [
            (CPU, "CPUUtilization", "Average"),
            (CONNECTIONS, "DatabaseConnections", "Average"),
            (FREE_STORAGE, "FreeStorageSpace", "Minimum"),
        ] {
            queries.push(MetricQuery {
                id: id.into(),
                namespace: "AWS/RDS".into(),
                metric: metric.into(),
                dimensions: vec![("DBInstanceIdentifier".into(), db.into())],
                stat: stat.into(),
            });
        }
    }
    if let Some(url) = stack.get("queue_url") {
        let name = super::sqs::queue_name(url);
        for (id, metric, stat) in [
            (QUEUE_DEPTH, "ApproximateNumberOfMessagesVisible", "Maximum"),
            (OLDEST_AGE, "ApproximateAgeOfOldestMessage", "Maximum"),
            (QUEUE_RECEIVED, "NumberOfMessagesReceived", "Sum"),
            (QUEUE_DELETED, "NumberOfMessagesDeleted", "Sum"),
        ] {
            queries.push(MetricQuery {
                id: id.into(),
                namespace: "AWS/SQS".into(),
                metric: metric.into(),
                dimensions: vec![("QueueName".into(), name.into())],
                stat: stat.into(),
            });
        }
    }
    queries
}

/// Everything one dashboard refresh read.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    /// Service, queues and alarms: the part `stackdeck status` judges.
    pub health: Snapshot,
    pub tasks: Source<Vec<Task>>,
    /// `Ok(None)`: the stack has no target group.
    pub targets: Source<Option<Vec<Target>>>,
    /// `Ok(None)`: the stack has no database.
    pub database: Source<Option<Database>>,
    pub metrics: Source<Metrics>,
    /// The service's deployment history (ECS's service-deployment APIs); `None` where the
    /// endpoint lacks them or it could not be read: the deployments list stands alone.
    #[serde(skip)]
    pub history: Option<Vec<super::deployments::ServiceDeployment>>,
}

impl Dashboard {
    /// A series by query id, empty when the metrics failed or have no data yet.
    pub fn series(&self, id: &str) -> &[(i64, f64)] {
        self.metrics
            .as_ref()
            .ok()
            .and_then(|m| m.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// The newest point of a series.
    pub fn latest(&self, id: &str) -> Option<f64> {
        self.series(id).last().map(|(_, v)| *v)
    }
}

/// One log event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The event id (de-duplication key).
    pub id: String,
    /// Unix milliseconds.
    pub at_ms: i64,
    pub stream: String,
    pub message: String,
}

pub use super::logline::Level;

impl LogLine {
    /// The task id at the end of an awslogs stream name (`prefix/container/task-id`).
    pub fn task_id(&self) -> &str {
        self.stream.rsplit('/').next().unwrap_or(&self.stream)
    }

    /// The line's level (see [`super::logline::Parsed`]); the dashboard keeps the parsed
    /// line, this is for one-off readers.
    pub fn level(&self) -> Level {
        super::logline::Parsed::parse(&self.message).level
    }

    /// The message as indented JSON when it is a JSON object, else `None`.
    pub fn pretty_json(&self) -> Option<String> {
        let text = self.message.trim();
        if !text.starts_with('{') {
            return None;
        }
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        serde_json::to_string_pretty(&value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(message: &str) -> LogLine {
        LogLine {
            id: "1".into(),
            at_ms: 0,
            stream: "s".into(),
            message: message.into(),
        }
    }

    #[test]
    fn levels_come_from_json_or_the_first_level_word() {
        assert_eq!(line(r#"{"level":"ERROR","msg":"x"}"#).level(), Level::Error);
        assert_eq!(line(r#"{"level":"warn"}"#).level(), Level::Warn);
        assert_eq!(
            line("2026-01-01T00:00:00Z INFO started").level(),
            Level::Info
        );
        assert_eq!(line("nothing here").level(), Level::Unknown);
        assert!(line(r#"{"a":1}"#)
            .pretty_json()
            .unwrap()
            .contains("\"a\": 1"));
        assert!(line("plain").pretty_json().is_none());
    }

    #[test]
    fn queries_cover_what_the_stack_has() {
        let stack = StackResources::from_parameters(
            "s",
            [
                ("/stackdeck/s/db_instance_id".to_owned(), "db".to_owned()),
                (
                    "/stackdeck/s/queue_url".to_owned(),
                    "http://h/1/work".to_owned(),
                ),
            ],
        );
        let queries = dashboard_queries(&stack);
        assert_eq!(queries.len(), 7);
        assert!(queries
            .iter()
            .any(|q| q.id == QUEUE_DEPTH && q.dimensions[0].1 == "work"));
        assert!(dashboard_queries(&StackResources::default()).is_empty());
    }
}
