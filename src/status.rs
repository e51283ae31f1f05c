//! `stackdeck status`: the stack's health once, as text or JSON, with an exit code a script can
//! act on: 0 healthy, 1 degraded (an alarm in ALARM, fewer tasks running than desired, a failed
//! deployment, messages in the DLQ), 2 error (a source could not be read). With `--wait-stable`
//! it first waits for the primary deployment to complete, as CI's health gate does.

use crate::aws::cloudwatch::CloudWatch;
use crate::aws::ecs::Ecs;
use crate::aws::ecs_actions::EcsActions;
use crate::aws::sqs_actions::SqsActions;
use crate::cli::Format;
use crate::model::ecs::{short, Rollout, ServiceRef};
use crate::model::health::{QueueHealth, Snapshot, Verdict};
use crate::model::stack::StackResources;
use std::fmt::Write as _;
use std::time::Duration;

pub const EXIT_HEALTHY: i32 = 0;
pub const EXIT_DEGRADED: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

fn missing(stack: &StackResources, key: &str) -> String {
    format!(
        "stack {} has no `{key}` discovery parameter (/stackdeck/{}/{key})",
        stack.stack, stack.stack
    )
}

/// Read every source of the snapshot, concurrently.
pub async fn snapshot(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
) -> Snapshot {
    let service = async {
        let (Some(cluster), Some(service)) = (stack.get("cluster"), stack.get("service")) else {
            return Err(missing(
                stack,
                if stack.get("cluster").is_none() {
                    "cluster"
                } else {
                    "service"
                },
            ));
        };
        Ecs::new(sdk, profile.to_owned())
            .service(cluster, service)
            .await
            .map_err(|e| e.message)
    };
    let queue = async {
        let url = stack
            .get("queue_url")
            .ok_or_else(|| missing(stack, "queue_url"))?;
        let dlq_url = stack
            .get("dlq_url")
            .ok_or_else(|| missing(stack, "dlq_url"))?;
        let sqs = SqsActions::new(sdk, profile.to_owned());
        let (work, dlq) = tokio::join!(sqs.facts(url), sqs.facts(dlq_url));
        let (work, dlq) = (work.map_err(|e| e.message)?, dlq.map_err(|e| e.message)?);
        Ok(QueueHealth {
            name: work.name,
            visible: work.visible,
            in_flight: work.in_flight,
            delayed: work.delayed,
            dlq_name: dlq.name,
            dlq_visible: dlq.visible,
        })
    };
    let alarms = async {
        let prefix = stack
            .get("alarm_prefix")
            .ok_or_else(|| missing(stack, "alarm_prefix"))?;
        CloudWatch::new(sdk, profile.to_owned())
            .alarms(prefix)
            .await
            .map_err(|e| e.message)
    };
    let (service, queue, alarms) = tokio::join!(service, queue, alarms);
    Snapshot {
        stack: stack.stack.clone(),
        service,
        queue,
        alarms,
    }
}

/// The snapshot as text for a terminal or a CI log.
pub fn render_text(snapshot: &Snapshot, verdict: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "stack {}", snapshot.stack);
    match &snapshot.service {
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
    match &snapshot.queue {
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
) -> i32 {
    let mut waited = None;
    if let Some(timeout) = wait {
        let (Some(cluster), Some(service)) = (stack.get("cluster"), stack.get("service")) else {
            eprintln!("stackdeck: {}", missing(stack, "service"));
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
    let snapshot = snapshot(sdk, profile, stack).await;
    let mut verdict = snapshot.verdict();
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
        Format::Text => print!("{}", render_text(&snapshot, &verdict)),
        Format::Json => println!(
            "{}",
            serde_json::json!({ "snapshot": snapshot, "verdict": verdict })
        ),
    }
    match verdict {
        Verdict::Healthy => EXIT_HEALTHY,
        Verdict::Degraded(_) => EXIT_DEGRADED,
        Verdict::Error(_) => EXIT_ERROR,
    }
}
