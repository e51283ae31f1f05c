//! Health probes of the service's tasks: a GET of a path on each task's port. The readiness
//! probe (`/readyz`), ECS's container health checks and the ALB's target health all come from
//! here.

use super::super::Agent;
use std::collections::HashMap;
use std::time::Duration;

/// How long a task may take to answer a probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The status a GET of `path` on the task at 127.0.0.1:`port` answers (`None`: no answer).
pub async fn status(port: u16, path: &str) -> Option<u16> {
    let url = format!("http://127.0.0.1:{port}{path}");
    crate::http::get(&url, PROBE_TIMEOUT)
        .await
        .ok()
        .map(|(status, _)| status.as_u16())
}

/// One of the service's tasks, as a health check found it.
pub struct Probe {
    pub arn: String,
    pub started_at: f64,
    pub port: u16,
    /// Passed its readiness probe once (before that it is not checked).
    pub ready: bool,
    /// The status a GET of the checked path answered (`None`: not ready, or no answer).
    pub status: Option<u16>,
}

/// Health-check the service's tasks now: a GET of `path` on each ready one. ECS's container
/// health checks and the ALB's target health both come from here.
pub async fn probe_tasks(agent: &Agent, path: &str) -> Vec<Probe> {
    let tasks: Vec<(String, f64, u16, bool)> = {
        let guard = agent.ecs.service.lock().expect("ecs lock");
        guard
            .as_ref()
            .map(|s| {
                s.tasks
                    .iter()
                    .map(|t| (t.arn.clone(), t.started_at, t.port, t.ready))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut probes = Vec::with_capacity(tasks.len());
    for (arn, started_at, port, ready) in tasks {
        probes.push(Probe {
            status: if ready {
                status(port, path).await
            } else {
                None
            },
            arn,
            started_at,
            port,
            ready,
        });
    }
    probes
}

/// The agent's tasks: start time and health (`UNKNOWN` until the task first passed its readiness
/// probe, then `HEALTHY` or `UNHEALTHY` by GET /healthz now — courier's container health check,
/// `courier healthcheck`), by task ARN.
pub(super) async fn running_health(agent: &Agent) -> HashMap<String, (f64, &'static str)> {
    probe_tasks(agent, "/healthz")
        .await
        .into_iter()
        .map(|p| {
            let health = match (p.ready, p.status) {
                (false, _) => "UNKNOWN",
                (true, Some(200)) => "HEALTHY",
                (true, _) => "UNHEALTHY",
            };
            (p.arn, (p.started_at, health))
        })
        .collect()
}
