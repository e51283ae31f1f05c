//! `stackdeck status`: the stack's health once, as text or JSON, with an exit code a script can
//! act on: 0 healthy, 1 degraded (an alarm in ALARM, fewer tasks running than desired, a failed
//! deployment, messages in the DLQ, or a warning of `model::warnings`), 2 error (a source could
//! not be read). With `--wait-stable` it first waits for the primary deployment to complete, as
//! CI's health gate does.
//!
//! The warnings read the work queue's metrics of the last 15 minutes (one GetMetricData) and the
//! target health; when those reads fail the warnings are not vouched for and say so
//! (`warnings_unread`), but the exit code stays the verdict of the snapshot's sources.

use crate::aws::cloudwatch::CloudWatch;
use crate::aws::ecs::Ecs;
use crate::aws::ecs_actions::EcsActions;
use crate::aws::elb::Elb;
use crate::aws::sqs_actions::SqsActions;
use crate::cli::Format;
use crate::model::dashboard::{self, Metrics, Target, PERIOD_SECONDS};
use crate::model::ecs::{short, Rollout, ServiceRef};
use crate::model::health::{More, QueueHealth, ServiceHealth, Snapshot, Source, Verdict};
use crate::model::stack::{numbered_key, StackResources};
use crate::model::warnings::{self, Thresholds, Warning, WarningInput};
use futures_util::future::join_all;
use std::fmt::Write as _;
use std::time::Duration;

pub const EXIT_HEALTHY: i32 = 0;
pub const EXIT_DEGRADED: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// The ECS service `service` of `cluster`.
async fn service_health(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    cluster: &str,
    service: &str,
) -> Source<ServiceHealth> {
    Ecs::new(sdk, profile.to_owned())
        .service(cluster, service)
        .await
        .map_err(|e| e.message)
}

/// The queue at `url` and its DLQ (none: an empty name and 0).
async fn queue_health(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    url: &str,
    dlq_url: Option<&str>,
) -> Source<QueueHealth> {
    let sqs = SqsActions::new(sdk, profile.to_owned());
    let dlq = async {
        match dlq_url {
            Some(dlq) => sqs.facts(dlq).await.map(Some),
            None => Ok(None),
        }
    };
    let (work, dlq) = tokio::join!(sqs.facts(url), dlq);
    let (work, dlq) = (work.map_err(|e| e.message)?, dlq.map_err(|e| e.message)?);
    Ok(QueueHealth {
        name: work.name,
        visible: work.visible,
        in_flight: work.in_flight,
        delayed: work.delayed,
        dlq_name: dlq.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        dlq_visible: dlq.map_or(0, |d| d.visible),
    })
}

/// Read every source of the snapshot, concurrently: every service (`service`, `service_2`, …,
/// each in its own `cluster_N`, else the first cluster) and every queue with its DLQ.
pub async fn snapshot(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
) -> Snapshot {
    let service = async {
        let (Some(cluster), Some(service)) = (stack.get("cluster"), stack.get("service")) else {
            return Err(stack.missing_message(if stack.get("cluster").is_none() {
                "cluster"
            } else {
                "service"
            }));
        };
        service_health(sdk, profile, cluster, service).await
    };
    let queue = async {
        let url = stack
            .get("queue_url")
            .ok_or_else(|| stack.missing_message("queue_url"))?;
        let dlq_url = stack
            .get("dlq_url")
            .ok_or_else(|| stack.missing_message("dlq_url"))?;
        queue_health(sdk, profile, url, Some(dlq_url)).await
    };
    let alarms = async {
        let selector = stack
            .alarm_selector()
            .ok_or_else(|| stack.missing_message("alarm_prefix"))?;
        CloudWatch::new(sdk, profile.to_owned())
            .alarms(&selector)
            .await
            .map_err(|e| e.message)
    };
    let first_cluster = stack.get("cluster").unwrap_or_default();
    let more_services = join_all(
        stack
            .numbered("service")
            .into_iter()
            .enumerate()
            .skip(1)
            .map(|(i, service)| {
                let cluster = stack
                    .get(&numbered_key("cluster", i + 1))
                    .unwrap_or(first_cluster);
                service_health(sdk, profile, cluster, service)
            }),
    );
    let more_queues = join_all(
        stack
            .queues()
            .into_iter()
            .skip(1)
            .map(|(url, dlq)| queue_health(sdk, profile, url, dlq)),
    );
    let (service, queue, alarms, services, queues) =
        tokio::join!(service, queue, alarms, more_services, more_queues);
    Snapshot {
        stack: stack.stack.clone(),
        service,
        queue,
        alarms,
        more: More { services, queues },
    }
}

/// The window of metrics the warnings read.
pub const WARNING_WINDOW_SECONDS: i64 = 15 * 60;

/// What the warnings read beyond the snapshot, concurrently: the work queue's series of the last
/// 15 minutes (one GetMetricData) and the target health. Each failed read is one line.
pub async fn warning_reads(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    now: i64,
) -> (Metrics, Option<Vec<Target>>, Vec<String>) {
    let queries = dashboard::queue_queries(stack);
    let end = dashboard::window_end(now);
    let cloudwatch = CloudWatch::new(sdk, profile.to_owned());
    let metrics =
        cloudwatch.metric_data(&queries, end - WARNING_WINDOW_SECONDS, end, PERIOD_SECONDS);
    let targets = async {
        match stack.get("target_group_arn") {
            Some(arn) => Elb::new(sdk, profile.to_owned())
                .target_health(arn)
                .await
                .map(Some),
            None => Ok(None),
        }
    };
    let (metrics, targets) = tokio::join!(metrics, targets);
    let mut unread = Vec::new();
    let metrics = metrics.unwrap_or_else(|e| {
        unread.push(format!("metrics: {}", e.message));
        Metrics::new()
    });
    let targets = targets.unwrap_or_else(|e| {
        unread.push(format!("targets: {}", e.message));
        None
    });
    (metrics, targets, unread)
}

/// The text output with the warnings' lines just above its last line, the verdict.
pub fn with_warnings(mut text: String, found: &[Warning], unread: &[String]) -> String {
    let mut lines = String::new();
    for w in found {
        let _ = writeln!(lines, "WARNING: {}", w.message);
    }
    for why in unread {
        let _ = writeln!(lines, "warnings   not read: {why}");
    }
    let at = text.trim_end().rfind('\n').map_or(0, |i| i + 1);
    text.insert_str(at, &lines);
    text
}

/// The snapshot as text for a terminal or a CI log.
pub fn render_text(snapshot: &Snapshot, verdict: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "stack {}", snapshot.stack);
    for service in snapshot.services() {
        match service {
            Ok(s) => {
                let _ = writeln!(
                    out,
                    "service    {} ({}): {} running / {} desired / {} pending, {}",
                    s.service, s.cluster, s.running, s.desired, s.pending, s.status
                );
                for d in &s.deployments {
                    let _ = writeln!(
                        out,
                        "  {:<8} {} {} {}/{} running{}",
                        d.status,
                        short(&d.task_definition),
                        match d.rollout_state {
                            Rollout::Unknown => "-",
                            known => known.as_str(),
                        },
                        d.running,
                        d.desired,
                        if d.failed_tasks > 0 {
                            format!(", {} failed", d.failed_tasks)
                        } else {
                            String::new()
                        }
                    );
                }
                for e in s.events.iter().take(3) {
                    let _ = writeln!(out, "  event    {}", e.message);
                }
            }
            Err(e) => {
                let _ = writeln!(out, "service    error: {e}");
            }
        }
    }
    for queue in snapshot.queues() {
        match queue {
            Ok(q) if q.dlq_name.is_empty() => {
                let _ = writeln!(
                    out,
                    "queue      {}: {} visible, {} in flight, {} delayed; no DLQ",
                    q.name, q.visible, q.in_flight, q.delayed
                );
            }
            Ok(q) => {
                let _ = writeln!(
                    out,
                    "queue      {}: {} visible, {} in flight, {} delayed; DLQ {}: {}",
                    q.name, q.visible, q.in_flight, q.delayed, q.dlq_name, q.dlq_visible
                );
            }
            Err(e) => {
                let _ = writeln!(out, "queue      error: {e}");
            }
        }
    }
    match &snapshot.alarms {
        Ok(alarms) => {
            let _ = writeln!(out, "alarms     {}", alarms.len());
            for a in alarms {
                let _ = writeln!(out, "  {:<17} {}", a.state, a.name);
            }
        }
        Err(e) => {
            let _ = writeln!(out, "alarms     error: {e}");
        }
    }
    let _ = match verdict {
        Verdict::Healthy => writeln!(out, "healthy"),
        Verdict::Degraded(reasons) => writeln!(out, "DEGRADED: {}", reasons.join("; ")),
        Verdict::Error(errors) => writeln!(out, "ERROR: {}", errors.join("; ")),
    };
    out
}

/// The whole command. Returns the exit code.
pub async fn run(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    format: Format,
    wait: Option<Duration>,
    expect_task_definition: Option<&str>,
    thresholds: &Thresholds,
) -> i32 {
    let mut waited = None;
    if let Some(timeout) = wait {
        let (Some(cluster), Some(service)) = (stack.get("cluster"), stack.get("service")) else {
            eprintln!("stackdeck: {}", stack.missing_message("service"));
            return EXIT_ERROR;
        };
        let svc = ServiceRef {
            cluster: cluster.to_owned(),
            service: service.to_owned(),
        };
        let result = crate::ops::wait_for_deployment(
            &EcsActions::new(sdk, profile.to_owned()),
            &svc,
            expect_task_definition,
            timeout,
        )
        .await;
        match &result {
            Ok(stable) => eprintln!("{stable}"),
            Err(why) => eprintln!("stackdeck: {why}"),
        }
        waited = Some(result);
    }
    let now = jiff::Timestamp::now().as_second();
    let (snapshot, (metrics, targets, unread)) = tokio::join!(
        snapshot(sdk, profile, stack),
        warning_reads(sdk, profile, stack, now)
    );
    let group = stack.get("target_group_arn").unwrap_or_default();
    let input = WarningInput::from_parts(&snapshot, &metrics, targets.as_deref(), group, now);
    let found = warnings::warnings(&input, thresholds);
    let mut verdict = warnings::degrade(snapshot.verdict(), &found);
    if let Some(Err(why)) = waited {
        verdict = match verdict {
            Verdict::Error(errors) => Verdict::Error(errors),
            Verdict::Degraded(mut reasons) => {
                reasons.insert(0, why);
                Verdict::Degraded(reasons)
            }
            Verdict::Healthy => Verdict::Degraded(vec![why]),
        };
    }
    match format {
        Format::Text => print!(
            "{}",
            with_warnings(render_text(&snapshot, &verdict), &found, &unread)
        ),
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "snapshot": snapshot.to_json(),
                "verdict": verdict,
                "warnings": found,
                "warnings_unread": unread,
            })
        ),
    }
    match verdict {
        Verdict::Healthy => EXIT_HEALTHY,
        Verdict::Degraded(_) => EXIT_DEGRADED,
        Verdict::Error(_) => EXIT_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_print_above_the_verdict() {
        let found = [Warning {
            code: "queue_not_consumed",
            message: "work +5/s, nothing consumed for 3 min".into(),
            since: Some(0),
        }];
        let text = with_warnings(
            "stack s\nqueue      work\nDEGRADED: WARNING: work\n".into(),
            &found,
            &["targets: throttled".into()],
        );
        assert_eq!(
            text,
            "stack s\nqueue      work\nWARNING: work +5/s, nothing consumed for 3 min\n\
             warnings   not read: targets: throttled\nDEGRADED: WARNING: work\n"
        );
        assert_eq!(with_warnings("healthy\n".into(), &[], &[]), "healthy\n");
    }
}
