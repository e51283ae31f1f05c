//! AWS metrics moto never produces, put every metrics interval with the dimensions AWS uses:
//! `AWS/SQS` depth, age of the oldest message and messages received and deleted (counted by
//! `sqs_counts` and the store) of the work queue and the DLQ — read from the agent's store
//! (`queues`), where their messages are —, `AWS/RDS` of the local PostgreSQL, `AWS/ECS` of
//! the service's task processes, `ECS/ContainerInsights` desired and running task counts, and
//! `AWS/ApplicationELB` of the local load balancer (`lb`).

use super::Agent;
use anyhow::Result;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_types::DateTime;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// For a queue that is not the store's — moto's, which has no ApproximateAgeOfOldestMessage —
/// each queue is followed as a first-in first-out
/// line of arrivals, (when, how many), from its depth and the messages deleted between two
/// observations — exact for a queue nobody consumes, and a consumer that keeps up keeps it young
/// (before the deletes were counted, a busy queue that was never seen empty aged without end).
#[derive(Default)]
pub struct QueueAges {
    queues: Mutex<HashMap<String, VecDeque<(f64, i64)>>>,
}

impl QueueAges {
    /// The estimated age of the oldest message of `queue` holding `depth` messages at `now`,
    /// `deleted` of them deleted since the last observation.
    pub fn observe(&self, queue: &str, depth: i64, deleted: i64, now: f64) -> f64 {
        let mut queues = self.queues.lock().expect("ages lock");
        let line = queues.entry(queue.to_owned()).or_default();
        let before: i64 = line.iter().map(|(_, n)| n).sum();
        let depth = depth.max(0);
        // What a fall of the depth beyond the deletes took (a purge, a move) left too.
        let arrived = (depth - before + deleted).max(0);
        let mut leaving = before + arrived - depth;
        while leaving > 0 {
            let Some(front) = line.front_mut() else { break };
            let gone = front.1.min(leaving);
            front.1 -= gone;
            leaving -= gone;
            if front.1 == 0 {
                line.pop_front();
            }
        }
        // The rest left among this interval's arrivals.
        let staying = arrived - leaving;
        if staying > 0 {
            line.push_back((now, staying));
        }
        line.front().map_or(0.0, |(at, _)| now - at)
    }
}

pub async fn run(agent: Arc<Agent>) {
    let ages = QueueAges::default();
    // One sampler per source: a sampler forgets the processes its last call did not name, so a
    // shared one saw PostgreSQL's processes anew each interval and read its CPU as 0.
    let mut cpu = [
        super::ecs::CpuSampler::default(),
        super::ecs::CpuSampler::default(),
    ];
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

/// `cpu`: the samplers of the service's tasks and of PostgreSQL.
async fn put_all(
    agent: &Agent,
    ages: &QueueAges,
    cpu: &mut [super::ecs::CpuSampler; 2],
) -> Result<()> {
    let [task_cpu, pg_cpu] = cpu;
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
        let (received, deleted) = agent.sqs_counts.take(queue_name);
        // The stack's queues are the agent's store: exact counts and the oldest message's age.
        let (visible, in_flight, age) = match agent.queues.queue(agent, url).await {
            Some(queue) => {
                let mut store = queue.store();
                let counts = store.counts(super::queues::now_ms());
                let age = store
                    .oldest_sent_ms()
                    .map_or(0.0, |sent| (now - sent as f64 / 1000.0).max(0.0));
                (counts.visible as i64, counts.not_visible as i64, age)
            }
            None => {
                let Ok(out) = sqs
                    .get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                    .send()
                    .await
                else {
                    continue; // not created yet
                };
                let attr = |name: QueueAttributeName| {
                    out.attributes()
                        .and_then(|a| a.get(&name))
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                };
                let visible = attr(QueueAttributeName::ApproximateNumberOfMessages);
                let in_flight = attr(QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
                let age = ages.observe(url, visible + in_flight, deleted as i64, now);
                (visible, in_flight, age)
            }
        };
        let dims = [("QueueName", queue_name)];
        for (metric, count) in [
            ("NumberOfMessagesReceived", received),
            ("NumberOfMessagesDeleted", deleted),
        ] {
            queue_data.push(datum(metric, &dims, count as f64, StandardUnit::Count, now));
        }
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
            if let Some(percent) = pg_cpu.postgres_percent(data) {
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
        let dims = [("ClusterName", cluster_name), ("ServiceName", service_name)];
        // Container Insights' task counts, for the stack's running-below-desired alarm.
        if let Some((desired, running)) = agent.ecs.task_counts() {
            by_namespace.push((
                "ECS/ContainerInsights",
                vec![
                    datum(
                        "DesiredTaskCount",
                        &dims,
                        desired as f64,
                        StandardUnit::Count,
                        now,
                    ),
                    datum(
                        "RunningTaskCount",
                        &dims,
                        running as f64,
                        StandardUnit::Count,
                        now,
                    ),
                ],
            ));
        }
        if let Some((cpu_percent, memory_percent)) = agent.ecs.utilisation(task_cpu) {
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

    // The local load balancer's requests of the interval.
    by_namespace.push((
        "AWS/ApplicationELB",
        super::lb::interval_data(agent, &stack, now),
    ));

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
        assert_eq!(ages.observe("q", 3, 0, 100.0), 0.0);
        assert_eq!(ages.observe("q", 5, 0, 130.0), 30.0);
        assert_eq!(ages.observe("q", 0, 0, 140.0), 0.0, "purged");
        assert_eq!(ages.observe("q", 1, 0, 150.0), 0.0);
    }

    #[test]
    fn a_consumer_that_keeps_up_keeps_the_queue_young_and_a_stall_ages_it() {
        let ages = QueueAges::default();
        // Busy: 50 in and 50 deleted every 10 s, never seen empty.
        assert_eq!(ages.observe("q", 10, 0, 0.0), 0.0);
        for t in 1..30 {
            assert_eq!(ages.observe("q", 10, 50, f64::from(t) * 10.0), 0.0);
        }
        // A backlog of 100 drained (and refilled) 20 per 10 s: arrivals are stamped when seen,
        // so the oldest is 40 s old, steadily.
        let ages = QueueAges::default();
        ages.observe("b", 100, 0, 0.0);
        for t in 1..=5 {
            ages.observe("b", 100, 20, f64::from(t) * 10.0);
        }
        assert_eq!(ages.observe("b", 100, 20, 60.0), 40.0);
        assert_eq!(ages.observe("b", 100, 20, 70.0), 40.0);
        // The worker stops: nothing deleted, the oldest ages with the clock.
        assert_eq!(ages.observe("b", 150, 0, 80.0), 50.0);
        assert_eq!(ages.observe("b", 200, 0, 90.0), 60.0);
    }
}
