//! AWS metrics moto never produces, put every metrics interval with the dimensions AWS uses:
//! `AWS/SQS` depth and age of the oldest message of the work queue and the DLQ, `AWS/RDS` of the
//! local PostgreSQL, `AWS/ECS` of the service's task processes.

use super::Agent;
use anyhow::Result;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_types::DateTime;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Since when each queue has held messages without a break: moto has no
/// ApproximateAgeOfOldestMessage, so the age is estimated as the time the queue has not been
/// empty (exact for a queue nobody consumes, an upper bound otherwise).
#[derive(Default)]
pub struct QueueAges {
    non_empty_since: Mutex<HashMap<String, f64>>,
}

impl QueueAges {
    /// The estimated age of the oldest message of `queue` holding `depth` messages at `now`.
    pub fn observe(&self, queue: &str, depth: i64, now: f64) -> f64 {
        let mut since = self.non_empty_since.lock().expect("ages lock");
        if depth <= 0 {
            since.remove(queue);
            return 0.0;
        }
        now - *since.entry(queue.to_owned()).or_insert(now)
    }
}

pub async fn run(agent: Arc<Agent>) {
    let ages = QueueAges::default();
    let mut cpu = super::ecs::CpuSampler::default();
    let mut tick = tokio::time::interval(agent.config.metrics_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = put_all(&agent, &ages, &mut cpu).await {
            eprintln!("devstack agent: metrics: {e:#}");
        }
    }
}

fn datum(
    name: &str,
    dimensions: &[(&str, &str)],
    value: f64,
    unit: StandardUnit,
    now: f64,
) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(name)
        .set_dimensions(Some(
            dimensions
                .iter()
                .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
                .collect(),
        ))
        .value(value)
        .unit(unit)
        .timestamp(DateTime::from_secs_f64(now))
        .build()
}

async fn put_all(agent: &Agent, ages: &QueueAges, cpu: &mut super::ecs::CpuSampler) -> Result<()> {
    let stack = agent.discover().await?;
    if stack.is_empty() {
        return Ok(());
    }
    let now = super::now_secs();
    let mut by_namespace: Vec<(&str, Vec<MetricDatum>)> = Vec::new();

    let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
    let mut queue_data = Vec::new();
    for key in ["queue_url", "dlq_url"] {
        let Some(url) = stack.get(key) else { continue };
        let queue_name = url.rsplit('/').next().unwrap_or(url);
        let out = match sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
        {
            Ok(out) => out,
            Err(_) => continue, // not created yet
        };
        let attr = |name: QueueAttributeName| {
            out.attributes()
                .and_then(|a| a.get(&name))
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0)
        };
        let visible = attr(QueueAttributeName::ApproximateNumberOfMessages);
        let in_flight = attr(QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
        let age = ages.observe(url, visible + in_flight, now);
        let dims = [("QueueName", queue_name)];
        queue_data.push(datum(
            "ApproximateNumberOfMessagesVisible",
            &dims,
            visible as f64,
            StandardUnit::Count,
            now,
        ));
        queue_data.push(datum(
            "ApproximateNumberOfMessagesNotVisible",
            &dims,
            in_flight as f64,
            StandardUnit::Count,
            now,
        ));
        queue_data.push(datum(
            "ApproximateAgeOfOldestMessage",
            &dims,
            age.round(),
            StandardUnit::Seconds,
            now,
        ));
    }
    by_namespace.push(("AWS/SQS", queue_data));

    if let (Some(instance), Some(port)) = (stack.get("db_instance_id"), agent.config.pg_port) {
        let dims = [("DBInstanceIdentifier", instance)];
        let mut rds = Vec::new();
        if let Some(connections) = super::ecs::pg_connections(port).await {
            rds.push(datum(
                "DatabaseConnections",
                &dims,
                connections,
                StandardUnit::Count,
                now,
            ));
        }
        if let Some(data) = &agent.config.pg_data {
            if let Some(free) = free_bytes(data) {
                rds.push(datum(
                    "FreeStorageSpace",
                    &dims,
                    free,
                    StandardUnit::Bytes,
                    now,
                ));
            }
            if let Some(percent) = cpu.postgres_percent(data) {
                rds.push(datum(
                    "CPUUtilization",
                    &dims,
                    percent,
                    StandardUnit::Percent,
                    now,
                ));
            }
        }
        by_namespace.push(("AWS/RDS", rds));
    }

    if let (Some(cluster), Some(service)) = (stack.get("cluster"), stack.get("service")) {
        let cluster_name = cluster.rsplit('/').next().unwrap_or(cluster);
        let service_name = service.rsplit('/').next().unwrap_or(service);
        if let Some((cpu_percent, memory_percent)) = agent.ecs.utilisation(cpu) {
            let dims = [("ClusterName", cluster_name), ("ServiceName", service_name)];
            by_namespace.push((
                "AWS/ECS",
                vec![
                    datum(
                        "CPUUtilization",
                        &dims,
                        cpu_percent,
                        StandardUnit::Percent,
                        now,
                    ),
                    datum(
                        "MemoryUtilization",
                        &dims,
                        memory_percent,
                        StandardUnit::Percent,
                        now,
                    ),
                ],
            ));
        }
    }

    let cw = aws_sdk_cloudwatch::Client::new(&agent.sdk);
    for (namespace, data) in by_namespace {
        if data.is_empty() {
            continue;
        }
        cw.put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data))
            .send()
            .await?;
    }
    Ok(())
}

/// Free bytes of the file system holding `path`.
fn free_bytes(path: &std::path::Path) -> Option<f64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes into the struct we pass; the path is a valid C string.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as f64 * stat.f_frsize as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_ages_while_it_holds_messages_and_resets_when_empty() {
        let ages = QueueAges::default();
        assert_eq!(ages.observe("q", 3, 100.0), 0.0);
        assert_eq!(ages.observe("q", 5, 130.0), 30.0);
        assert_eq!(ages.observe("q", 0, 140.0), 0.0);
        assert_eq!(ages.observe("q", 1, 150.0), 0.0);
    }
}
