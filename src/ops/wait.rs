//! Waiting after a mutation: for the service's primary deployment to complete, or for a DLQ
//! redrive to end, until a timeout.

use super::context::Context;
use crate::aws::ecs_actions::EcsActions;
use crate::model::ecs::{short, Rollout, ServiceRef};
use crate::model::sqs::MoveTask;
use crate::model::time;
use std::time::Duration;

/// How often a wait asks again.
const POLL: Duration = Duration::from_secs(2);

/// Wait until the service's primary deployment completes (Ok) or fails (Err), or time runs out.
pub async fn wait_stable(ctx: &Context, timeout: Duration) -> Result<String, String> {
    wait_for_deployment(&ctx.ecs(), &ctx.service()?, None, timeout).await
}

/// The polling behind [`wait_stable`], for callers without an operations context (`status`).
/// With `expect`, the wait succeeds only if the completed deployment runs that task definition:
/// a service that ECS's circuit breaker rolled back to the old revision is stable, but the deploy
/// that was being gated failed.
pub async fn wait_for_deployment(
    ecs: &EcsActions,
    svc: &ServiceRef,
    expect: Option<&str>,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let deployments = ecs.deployments(svc).await.map_err(|e| e.message)?;
        if let Some(primary) = deployments.first() {
            let expected = expect.is_none_or(|want| {
                want == primary.task_definition || short(want) == short(&primary.task_definition)
            });
            match primary.rollout {
                Rollout::Completed if !expected => {
                    return Err(format!(
                        "{svc} is stable on {}, not on {}: the deployment was rolled back",
                        short(&primary.task_definition),
                        short(expect.unwrap_or_default())
                    ))
                }
                Rollout::Completed => {
                    return Ok(format!(
                        "{svc} is stable on {}",
                        short(&primary.task_definition)
                    ))
                }
                Rollout::Failed => {
                    return Err(format!(
                        "the deployment of {} to {svc} FAILED",
                        short(&primary.task_definition)
                    ))
                }
                _ => {}
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "{svc} did not become stable within {}: its primary deployment is still in progress",
                time::duration(timeout)
            ));
        }
        tokio::time::sleep(POLL.min(deadline - tokio::time::Instant::now())).await;
    }
}

/// Wait until the service runs `want` tasks (its desired count when `None`), none of them `gone`
/// (a stopped task's id): a scale or a stop-task has no deployment to follow, ECS only starts or
/// stops tasks.
pub async fn wait_for_count(
    ctx: &Context,
    want: Option<i32>,
    gone: Option<&str>,
    timeout: Duration,
) -> Result<String, String> {
    let svc = ctx.service()?;
    let want = match want {
        Some(n) => n,
        None => ctx.ecs().desired(&svc).await.map_err(|e| e.message)?,
    };
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let running = ctx
            .ecs()
            .running_task_ids(&svc)
            .await
            .map_err(|e| e.message)?;
        let replaced = gone.is_none_or(|id| !running.iter().any(|r| r == id));
        if running.len() as i64 == i64::from(want) && replaced {
            return Ok(format!("{svc} is at its count: {want} running"));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "{svc} did not reach {want} running tasks within {} (it runs {}): see its events",
                time::duration(timeout),
                running.len()
            ));
        }
        tokio::time::sleep(POLL.min(deadline - tokio::time::Instant::now())).await;
    }
}

/// Wait until the newest move task of `dlq_arn` completes (Ok) or fails (Err), or time runs
/// out; `progress` hears each answer of a task still running.
pub async fn wait_for_redrive(
    ctx: &Context,
    dlq_arn: &str,
    timeout: Duration,
    mut progress: impl FnMut(&MoveTask),
) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let tasks = ctx
            .sqs()
            .redrive_progress(dlq_arn)
            .await
            .map_err(|e| e.message)?;
        match tasks.first() {
            Some(t) if t.status == "COMPLETED" => {
                return Ok(format!("redrive completed: {} message(s) moved", t.moved))
            }
            Some(t) if t.status == "FAILED" || t.status == "CANCELLED" => {
                return Err(format!(
                    "redrive {}: {}",
                    t.status,
                    t.failure.as_deref().unwrap_or("no reason given")
                ))
            }
            Some(t) => progress(t),
            None => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "the redrive did not finish within {}",
                time::duration(timeout)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}
