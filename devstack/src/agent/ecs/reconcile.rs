//! The control loop: every control interval (or when UpdateService or a started task asks), bring
//! the agent's record of the service in line with moto's, probe the starting tasks, take the
//! rollout [`decide`]s and carry the decision out.

use super::history::{Status, Trip};
use super::rollout::{decide, fail, Limits, Outcome};
use super::state::{Deployment, DeploymentStatus, RolloutState, ServiceState, Task};
use super::{alarm_watch, probe, tasks};
use crate::agent::Agent;
use anyhow::{Context, Result};
use aws_sdk_ecs::types::{Service, TaskDefinition};
use std::sync::Arc;
use tokio::process::Child;

pub async fn run(agent: Arc<Agent>) {
    loop {
        if let Err(e) = reconcile(&agent).await {
            eprintln!("devstack agent: ecs: {e:#}");
        }
        tokio::select! {
            _ = tokio::time::sleep(agent.config.control_interval) => {}
            _ = agent.ecs.wake.notified() => {}
        }
    }
}

/// The service as moto has it.
async fn describe(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
) -> Result<Option<Service>> {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await?;
    Ok(out.services().first().cloned())
}

async fn task_definition(ecs: &aws_sdk_ecs::Client, arn: &str) -> Result<TaskDefinition> {
    ecs.describe_task_definition()
        .task_definition(arn)
        .send()
        .await?
        .task_definition()
        .cloned()
        .with_context(|| format!("task definition {arn} not found"))
}

/// The service's deployment configuration as moto has it (when the agent kept none: the
/// service was created before it started), ECS's defaults where it has none.
fn limits(service: &Service) -> Limits {
    let config = service.deployment_configuration();
    let breaker = config.and_then(|c| c.deployment_circuit_breaker());
    let default = Limits::default();
    Limits {
        minimum_healthy_percent: (config.and_then(|c| c.minimum_healthy_percent()))
            .unwrap_or(default.minimum_healthy_percent),
        maximum_percent: (config.and_then(|c| c.maximum_percent()))
            .unwrap_or(default.maximum_percent),
        // moto drops the circuit breaker setting: without one, assume what the stack's
        // Terraform sets (enabled, with rollback).
        circuit_breaker: breaker.map_or(default.circuit_breaker, |c| c.enable()),
        rollback: breaker.map_or(default.rollback, |c| c.rollback()),
    }
}

async fn reconcile(agent: &Agent) -> Result<()> {
    let stack = agent.discover().await?;
    let (Some(cluster), Some(service_name)) = (stack.get("cluster"), stack.get("service")) else {
        return Ok(());
    };
    let ecs = aws_sdk_ecs::Client::new(&agent.sdk);
    let Some(service) = describe(&ecs, cluster, service_name).await? else {
        return Ok(());
    };
    let limits = (service.service_arn())
        .and_then(|arn| agent.ecs.configs.limits(arn))
        .unwrap_or_else(|| limits(&service));

    // 1. Bring our record in line with moto's service; stop exited tasks in moto too.
    let exited = follow_moto(agent, cluster, service_name, &service);
    for (arn, reason) in &exited {
        let _ = ecs
            .stop_task()
            .cluster(cluster)
            .task(arn)
            .reason(reason)
            .send()
            .await;
        stopped_event(agent, arn);
    }

    // 2. Readiness of starting tasks.
    let now_ready = starting_tasks_ready(agent).await;

    // 3. Decide: a deployment alarm, the circuit breaker, then start or stop tasks within the
    // deployment limits.
    let tripped = tripped_alarm(agent, service.service_arn().unwrap_or_default()).await;
    let (decision, primary, mut to_stop) = {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        for t in &mut state.tasks {
            t.ready |= now_ready.contains(&t.arn);
        }
        let decision = match tripped {
            Some((alarm, rollback)) => fail(state, rollback, Some(alarm)),
            // StopServiceDeployment ROLLBACK: as a tripped circuit breaker with rollback.
            None if rollback_requested(state) => fail(state, true, None),
            None => decide(state, limits).context("no primary deployment")?,
        };
        let primary = state.primary().cloned().expect("decided on it");
        // A rollback's tasks stop once moto's service runs the previous task definition.
        let to_stop = match decision.outcome {
            Outcome::Failed {
                rollback_to: Some(_),
                ..
            } => Vec::new(),
            _ => take_tasks(state, &decision.stop, &primary.id),
        };
        record(state, &primary, &decision.outcome);
        (decision, primary, to_stop)
    };
    if let Outcome::Failed {
        rollback_to: Some(previous),
        ..
    } = &decision.outcome
    {
        // moto's service names the task definition we run again.
        ecs.update_service()
            .cluster(cluster)
            .service(service_name)
            .task_definition(previous)
            .send()
            .await?;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        to_stop = take_tasks(state, &decision.stop, &primary.id);
    }
    for (task, process, reason) in to_stop {
        // Out of the service, the task gets no new request; its requests in flight finish.
        agent.lb.drain(task.port).await;
        if let Some(mut process) = process {
            tasks::terminate(&mut process).await;
        }
        let _ = ecs
            .stop_task()
            .cluster(cluster)
            .task(&task.arn)
            .reason(&reason)
            .send()
            .await;
        stopped_event(agent, &task.arn);
    }
    if decision.start {
        let td = task_definition(&ecs, &primary.task_definition).await?;
        let (task, process) =
            tasks::start_task(agent, cluster, service_name, &primary.id, &td, &stack).await?;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        state.event(format!(
            "has started 1 tasks: (task {}).",
            task.arn.rsplit('/').next().unwrap_or_default()
        ));
        state.processes.insert(task.arn.clone(), process);
        state.tasks.push(task);
        agent.ecs.wake.notify_one();
    }
    Ok(())
}

/// Our record of the service after moto's: its desired count, a new deployment when moto's task
/// definition changed, and the tasks whose process exited taken out (counted as failed tasks of
/// their deployment). Returns the exited tasks' ARNs and stopped reasons.
fn follow_moto(
    agent: &Agent,
    cluster: &str,
    service_name: &str,
    service: &Service,
) -> Vec<(String, String)> {
    let moto_td = service.task_definition().unwrap_or_default();
    let mut guard = agent.ecs.service.lock().expect("ecs lock");
    let state = guard.get_or_insert_with(|| ServiceState {
        cluster: cluster.to_owned(),
        name: service.service_name().unwrap_or(service_name).to_owned(),
        arn: service.service_arn().unwrap_or_default().to_owned(),
        ..Default::default()
    });
    state.desired = service.desired_count();
    if state.primary().is_none_or(|p| p.task_definition != moto_td) && !moto_td.is_empty() {
        let id = state.new_deployment(moto_td);
        state.event(format!("(deployment {id}) deployment started."));
    }
    let finished: Vec<(String, std::process::ExitStatus)> = (state.tasks.iter())
        .filter_map(|t| {
            let status = state.processes.get_mut(&t.arn)?.try_wait().ok()??;
            Some((t.arn.clone(), status))
        })
        .collect();
    let mut exited = Vec::new();
    for (arn, status) in finished {
        let Some((task, _)) = state.remove_task(&arn) else {
            continue;
        };
        if let Some(d) = state
            .deployments
            .iter_mut()
            .find(|d| d.id == task.deployment)
        {
            d.failed_tasks += 1;
        }
        exited.push((task.arn, tasks::exit_reason(status)));
    }
    exited
}

/// The ARNs of the starting tasks that answer their readiness probe (GET /readyz: 200) now.
async fn starting_tasks_ready(agent: &Agent) -> Vec<String> {
    let starting: Vec<(String, u16)> = {
        let guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_ref().expect("set above");
        (state.tasks.iter())
            .filter(|t| !t.ready)
            .map(|t| (t.arn.clone(), t.port))
            .collect()
    };
    let mut ready = Vec::new();
    for (arn, port) in starting {
        if probe::status(port, "/readyz").await == Some(200) {
            ready.push(arn);
        }
    }
    ready
}

/// Take the tasks the decision stops out of the service, with their processes and reasons.
fn take_tasks(
    state: &mut ServiceState,
    stop: &[(String, super::rollout::Stop)],
    primary: &str,
) -> Vec<(Task, Option<Child>, String)> {
    (stop.iter())
        .filter_map(|(arn, why)| {
            let (task, process) = state.remove_task(arn)?;
            Some((task, process, why.reason(primary)))
        })
        .collect()
}

/// Whether StopServiceDeployment asked to roll the primary deployment back.
fn rollback_requested(state: &ServiceState) -> bool {
    let Some(primary) = state.primary() else {
        return false;
    };
    (state.history.iter())
        .any(|d| d.deployment == primary.id && d.status == Status::RollbackRequested)
}

/// What the decision's outcome makes of the deployments and the history, with the service's
/// events.
fn record(state: &mut ServiceState, primary: &Deployment, outcome: &Outcome) {
    let now = crate::agent::now_secs();
    let failed: Vec<(String, u32)> = (state.deployments.iter())
        .map(|d| (d.id.clone(), d.failed_tasks))
        .collect();
    for (id, count) in failed {
        if let Some(d) = state.history.iter_mut().find(|d| d.deployment == id) {
            d.failed_tasks = count;
        }
    }
    match outcome {
        Outcome::Unchanged => {}
        Outcome::Failed { rollback_to, alarm } => {
            let requested = rollback_requested(state);
            let (reason, why, trip) = match alarm {
                Some(alarm) => (
                    format!("ECS deployment alarm {alarm} went to ALARM."),
                    format!("alarm {alarm} in ALARM"),
                    Trip::Alarm(alarm.clone()),
                ),
                None if requested => (
                    "ECS deployment stopped: StopServiceDeployment ROLLBACK.".to_owned(),
                    "stopped by StopServiceDeployment".to_owned(),
                    Trip::User,
                ),
                None => (
                    "ECS deployment circuit breaker: tasks failed to start.".to_owned(),
                    "tasks failed to start".to_owned(),
                    Trip::CircuitBreaker,
                ),
            };
            if let Some(p) = state.deployments.iter_mut().find(|d| d.id == primary.id) {
                p.rollout_state = RolloutState::Failed;
                p.rollout_reason = reason.clone();
                p.updated_at = now;
            }
            state.event(format!(
                "(deployment {}) deployment failed: {why}.",
                primary.id
            ));
            let rollback = match rollback_to {
                Some(previous) => {
                    state.event(format!(
                        "(deployment {}) rolling back to the previous task definition {previous}.",
                        primary.id
                    ));
                    let id = state.start_deployment(previous);
                    state.event(format!("(deployment {id}) deployment started."));
                    Some((id, previous.clone()))
                }
                None => None,
            };
            if let Some(d) = state.service_deployment_of(&primary.id) {
                match rollback {
                    _ if d.rollback_deployment.as_deref() == Some(primary.id.as_str()) => {
                        d.end(Status::RollbackFailed, &reason, now)
                    }
                    Some((id, previous)) => d.roll_back(&id, &previous, &reason, trip, now),
                    None => {
                        d.trip = Some(trip);
                        d.end(Status::Stopped, &reason, now)
                    }
                }
            }
        }
        Outcome::Completed => {
            state
                .deployments
                .retain(|d| d.status == DeploymentStatus::Primary);
            let p = &mut state.deployments[0];
            p.rollout_state = RolloutState::Completed;
            p.rollout_reason = "ECS deployment completed.".into();
            p.updated_at = now;
            state.last_completed = Some(primary.task_definition.clone());
            if let Some(d) = state.service_deployment_of(&primary.id) {
                if d.rollback_deployment.as_deref() == Some(primary.id.as_str()) {
                    let reason = format!("Rolled back to {}.", primary.task_definition);
                    d.end(Status::RollbackSuccessful, &reason, now);
                } else {
                    d.end(Status::Successful, "", now);
                }
            }
            state.event(format!("(deployment {}) deployment completed.", primary.id));
            state.event("has reached a steady state.".into());
        }
    }
}

/// A deployment alarm of the service that moved to ALARM during its deployment in progress,
/// and whether it rolls back ([`alarm_watch`]); read only while a deployment is in progress.
async fn tripped_alarm(agent: &Agent, arn: &str) -> Option<(String, bool)> {
    let (names, rollback) = agent.ecs.configs.deployment_alarms(arn)?;
    let since = {
        let guard = agent.ecs.service.lock().expect("ecs lock");
        let primary = guard.as_ref()?.primary()?;
        (primary.rollout_state == RolloutState::InProgress).then_some(primary.created_at)?
    };
    let alarm = alarm_watch::triggered(agent, &names, since).await?;
    Some((alarm, rollback))
}

/// The service event of a stopped task.
fn stopped_event(agent: &Agent, arn: &str) {
    let mut guard = agent.ecs.service.lock().expect("ecs lock");
    if let Some(state) = guard.as_mut() {
        state.event(format!(
            "has stopped 1 running tasks: (task {}).",
            arn.rsplit('/').next().unwrap_or(arn)
        ));
    }
}
