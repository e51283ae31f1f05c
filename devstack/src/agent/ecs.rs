//! ECS: the control plane moto lacks. For the stack's service (discovery parameters `cluster` and
//! `service`) the agent keeps as many task processes running as the service's desired count, each
//! registered in moto with RunTask and stopped there with StopTask and a reason; it rolls
//! deployments (start new, wait for `/readyz`, stop old) within minimum healthy / maximum percent,
//! restarts tasks that exit, and trips the deployment circuit breaker (FAILED, then rollback)
//! when a deployment's tasks keep failing. DescribeServices and UpdateService are answered with
//! its deployments, counts and events laid over moto's service.

use super::proxy::{self, body_of, Call};
use super::{logs, Agent, Config};
use anyhow::{Context, Result};
use aws_sdk_ecs::types::{ContainerDefinition, Service, TaskDefinition};
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::Response;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::process::Child;

pub use super::procs::{pg_connections, CpuSampler};

/// How long a stopping task gets between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// One deployment of the service, as DescribeServices shows it.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub id: String,
    pub status: &'static str,
    pub task_definition: String,
    pub rollout_state: &'static str,
    pub rollout_reason: String,
    pub failed_tasks: u32,
    pub created_at: f64,
    pub updated_at: f64,
}

/// A running task: its process and its record in moto.
pub struct Task {
    pub arn: String,
    pub deployment: String,
    pub port: u16,
    pub pid: i32,
    pub memory_mib: f64,
    /// When its process started (seconds since the epoch).
    pub started_at: f64,
    pub ready: bool,
    child: Child,
}

#[derive(Default)]
pub struct ServiceState {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub desired: i32,
    pub deployments: Vec<Deployment>,
    pub events: Vec<(String, f64, String)>,
    pub tasks: Vec<Task>,
    pub last_completed: Option<String>,
    next_deployment: u64,
}

impl ServiceState {
    fn event(&mut self, message: String) {
        let id = proxy::request_id();
        self.events.insert(
            0,
            (
                id,
                super::now_secs(),
                format!("(service {}) {message}", self.name),
            ),
        );
        self.events.truncate(100);
    }

    fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == "PRIMARY")
    }

    /// Start a new PRIMARY deployment of `task_definition`; the previous ones become ACTIVE.
    fn new_deployment(&mut self, task_definition: &str) -> String {
        for d in &mut self.deployments {
            if d.status == "PRIMARY" {
                d.status = "ACTIVE";
            }
        }
        self.next_deployment += 1;
        let now = super::now_secs();
        let id = format!("ecs-svc/{:019}", (now as u64) * 1000 + self.next_deployment);
        self.deployments.insert(
            0,
            Deployment {
                id: id.clone(),
                status: "PRIMARY",
                task_definition: task_definition.to_owned(),
                rollout_state: "IN_PROGRESS",
                rollout_reason: "ECS deployment ecs-svc in progress.".into(),
                failed_tasks: 0,
                created_at: now,
                updated_at: now,
            },
        );
        id
    }

    fn counts(&self, deployment: &str) -> (i32, i32) {
        let running = self
            .tasks
            .iter()
            .filter(|t| t.deployment == deployment && t.ready)
            .count() as i32;
        let pending = self
            .tasks
            .iter()
            .filter(|t| t.deployment == deployment && !t.ready)
            .count() as i32;
        (running, pending)
    }

    /// The service's deployments in ECS's JSON shape.
    pub fn deployments_json(&self) -> Vec<Value> {
        self.deployments
            .iter()
            .map(|d| {
                let (running, pending) = self.counts(&d.id);
                json!({
                    "id": d.id,
                    "status": d.status,
                    "taskDefinition": d.task_definition,
                    "desiredCount": if d.status == "PRIMARY" { self.desired } else { running + pending },
                    "runningCount": running,
                    "pendingCount": pending,
                    "failedTasks": d.failed_tasks,
                    "createdAt": d.created_at,
                    "updatedAt": d.updated_at,
                    "launchType": "FARGATE",
                    "rolloutState": d.rollout_state,
                    "rolloutStateReason": d.rollout_reason,
                })
            })
            .collect()
    }

    /// Lay our view over one service object of moto's answer.
    fn overlay(&self, service: &mut Value) {
        let running = self.tasks.iter().filter(|t| t.ready).count();
        let pending = self.tasks.len() - running;
        service["deployments"] = json!(self.deployments_json());
        service["runningCount"] = json!(running);
        service["pendingCount"] = json!(pending);
        if let Some(primary) = self.primary() {
            service["taskDefinition"] = json!(primary.task_definition);
        }
        service["events"] = json!(self
            .events
            .iter()
            .map(|(id, at, message)| json!({"id": id, "createdAt": at, "message": message}))
            .collect::<Vec<_>>());
    }
}

pub struct State {
    pub service: Mutex<Option<ServiceState>>,
    wake: tokio::sync::Notify,
}

impl State {
    pub fn new(_config: &Config) -> State {
        State {
            service: Mutex::new(None),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// (CPU % of the tasks' reserved CPU, memory % of their reserved memory), averaged over tasks.
    pub fn utilisation(&self, cpu: &mut CpuSampler) -> Option<(f64, f64)> {
        let guard = self.service.lock().expect("ecs lock");
        let service = guard.as_ref()?;
        if service.tasks.is_empty() {
            return None;
        }
        let pids: Vec<i32> = service.tasks.iter().map(|t| t.pid).collect();
        let n = pids.len() as f64;
        let cpu_percent = cpu.percent(&pids) / n;
        let memory = service
            .tasks
            .iter()
            .map(|t| {
                super::procs::rss_bytes(t.pid).unwrap_or(0.0) / (t.memory_mib * 1024.0 * 1024.0)
                    * 100.0
            })
            .sum::<f64>()
            / n;
        Some((cpu_percent, memory))
    }

    /// Stop every task process (SIGTERM, then SIGKILL): the agent is going away.
    pub async fn stop_all_processes(&self) {
        let tasks: Vec<Task> = match self.service.lock().expect("ecs lock").as_mut() {
            Some(service) => service.tasks.drain(..).collect(),
            None => return,
        };
        for mut task in tasks {
            terminate(&mut task.child).await;
        }
    }
}

async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    }
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// Tell moto's state manager to keep tasks where they are: by default a task started with RunTask
/// drifts one state toward STOPPED on every describe call.
pub async fn keep_tasks_running_in_moto(agent: &Agent) -> Result<()> {
    let client = proxy::moto_client();
    let body = json!({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000_000u64}});
    let request = hyper::http::Request::post(format!(
        "http://127.0.0.1:{}/moto-api/state-manager/set-transition",
        agent.config.moto_port
    ))
    .header("content-type", "application/json")
    .body(Full::new(Bytes::from(body.to_string())))?;
    let response = client
        .request(request)
        .await
        .context("cannot reach moto's state manager")?;
    anyhow::ensure!(
        response.status().is_success(),
        "moto's state manager answered {}",
        response.status()
    );
    Ok(())
}

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

async fn reconcile(agent: &Agent) -> Result<()> {
    let stack = agent.discover().await?;
    let (Some(cluster), Some(service_name)) = (stack.get("cluster"), stack.get("service")) else {
        return Ok(());
    };
    let ecs = aws_sdk_ecs::Client::new(&agent.sdk);
    let Some(service) = describe(&ecs, cluster, service_name).await? else {
        return Ok(());
    };
    let moto_td = service.task_definition().unwrap_or_default().to_owned();
    let (min_healthy, max_percent, breaker, rollback) = {
        let config = service.deployment_configuration();
        let cb = config.and_then(|c| c.deployment_circuit_breaker());
        (
            config
                .and_then(|c| c.minimum_healthy_percent())
                .unwrap_or(100),
            config.and_then(|c| c.maximum_percent()).unwrap_or(200),
            // moto drops the circuit breaker setting: without one, assume what the stack's
            // Terraform sets (enabled, with rollback).
            cb.map(|c| c.enable()).unwrap_or(true),
            cb.map(|c| c.rollback()).unwrap_or(true),
        )
    };

    // 1. Bring our record in line with moto's service; collect exited tasks.
    let mut exited = Vec::new();
    {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.get_or_insert_with(|| ServiceState {
            cluster: cluster.to_owned(),
            name: service.service_name().unwrap_or(service_name).to_owned(),
            arn: service.service_arn().unwrap_or_default().to_owned(),
            ..Default::default()
        });
        state.desired = service.desired_count();
        if state.primary().is_none_or(|p| p.task_definition != moto_td) && !moto_td.is_empty() {
            let id = state.new_deployment(&moto_td);
            state.event(format!("(deployment {id}) deployment started."));
        }
        let mut i = 0;
        while i < state.tasks.len() {
            if let Ok(Some(status)) = state.tasks[i].child.try_wait() {
                let task = state.tasks.remove(i);
                if let Some(d) = state
                    .deployments
                    .iter_mut()
                    .find(|d| d.id == task.deployment)
                {
                    d.failed_tasks += 1;
                }
                exited.push((
                    task.arn,
                    format!("Essential container in task exited ({status})"),
                ));
            } else {
                i += 1;
            }
        }
    }
    for (arn, reason) in &exited {
        let _ = ecs
            .stop_task()
            .cluster(cluster)
            .task(arn)
            .reason(reason)
            .send()
            .await;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        if let Some(state) = guard.as_mut() {
            state.event(format!(
                "has stopped 1 running tasks: (task {}).",
                arn.rsplit('/').next().unwrap_or(arn)
            ));
        }
    }

    // 2. Readiness of starting tasks.
    let probes: Vec<(usize, u16)> = {
        let guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_ref().expect("set above");
        state
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.ready)
            .map(|(i, t)| (i, t.port))
            .collect()
    };
    let mut now_ready = Vec::new();
    for (i, port) in probes {
        let ok = tokio::task::spawn_blocking(move || {
            crate::moto::http_status(port, "/readyz") == Some(200)
        })
        .await
        .unwrap_or(false);
        if ok {
            now_ready.push(i);
        }
    }

    // 3. Decide: circuit breaker, then start or stop tasks within the deployment limits.
    let mut to_start: Option<(String, String)> = None;
    let mut to_stop: Vec<(Task, String)> = Vec::new();
    let mut rollback_to: Option<String> = None;
    {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        for i in now_ready {
            if let Some(t) = state.tasks.get_mut(i) {
                t.ready = true;
            }
        }
        let desired = state.desired.max(0) as usize;
        let primary = state.primary().cloned().context("no primary deployment")?;
        let threshold = ((desired as u32).div_ceil(2)).clamp(3, 200);
        if breaker && primary.rollout_state == "IN_PROGRESS" && primary.failed_tasks >= threshold {
            let p = state
                .deployments
                .iter_mut()
                .find(|d| d.id == primary.id)
                .expect("primary");
            p.rollout_state = "FAILED";
            p.rollout_reason = "ECS deployment circuit breaker: tasks failed to start.".into();
            p.updated_at = super::now_secs();
            state.event(format!(
                "(deployment {}) deployment failed: tasks failed to start.",
                primary.id
            ));
            if rollback {
                if let Some(previous) = state.last_completed.clone() {
                    state.event(format!(
                        "(deployment {}) rolling back to the previous task definition {previous}.",
                        primary.id
                    ));
                    let id = state.new_deployment(&previous);
                    state.event(format!("(deployment {id}) deployment started."));
                    rollback_to = Some(previous);
                }
            }
        } else {
            let max_total = (desired * max_percent.max(100) as usize / 100)
                .max(desired + usize::from(desired == 0));
            let min_healthy = (desired * min_healthy.max(0) as usize).div_ceil(100);
            let total = state.tasks.len();
            let primary_tasks = state
                .tasks
                .iter()
                .filter(|t| t.deployment == primary.id)
                .count();
            let healthy = state.tasks.iter().filter(|t| t.ready).count();
            let primary_ready = state
                .tasks
                .iter()
                .filter(|t| t.deployment == primary.id && t.ready)
                .count();
            if primary_tasks < desired && total < max_total.max(1) {
                to_start = Some((primary.id.clone(), primary.task_definition.clone()));
            }
            // Stop an old task when the healthy count allows, newest deployments' tasks ready first.
            let old = state.tasks.iter().position(|t| t.deployment != primary.id);
            if let Some(i) = old {
                let allowed = healthy > min_healthy
                    || (primary_ready > 0 && healthy >= min_healthy && total > desired);
                if allowed || desired == 0 {
                    let task = state.tasks.remove(i);
                    let reason =
                        format!("Scaling activity initiated by (deployment {})", primary.id);
                    to_stop.push((task, reason));
                }
            } else if primary_tasks > desired {
                let task = state.tasks.remove(state.tasks.len() - 1);
                to_stop.push((
                    task,
                    "Scaling activity initiated by (service scale-in)".into(),
                ));
            }
            let no_old =
                state.tasks.iter().all(|t| t.deployment == primary.id) && to_stop.is_empty();
            if no_old && primary_ready == desired && primary.rollout_state == "IN_PROGRESS" {
                let now = super::now_secs();
                state.deployments.retain(|d| d.status == "PRIMARY");
                let p = &mut state.deployments[0];
                p.rollout_state = "COMPLETED";
                p.rollout_reason = "ECS deployment completed.".into();
                p.updated_at = now;
                state.last_completed = Some(primary.task_definition.clone());
                state.event(format!("(deployment {}) deployment completed.", primary.id));
                state.event("has reached a steady state.".into());
            }
        }
    }
    if let Some(previous) = rollback_to {
        // moto's service names the task definition we run again.
        ecs.update_service()
            .cluster(cluster)
            .service(service_name)
            .task_definition(&previous)
            .send()
            .await?;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        let failed: Vec<usize> = (0..state.tasks.len())
            .rev()
            .filter(|&i| state.tasks[i].deployment != state.deployments[0].id)
            .collect();
        for i in failed {
            let task = state.tasks.remove(i);
            to_stop.push((task, "Deployment circuit breaker: rolling back".into()));
        }
    }
    for (mut task, reason) in to_stop {
        terminate(&mut task.child).await;
        let _ = ecs
            .stop_task()
            .cluster(cluster)
            .task(&task.arn)
            .reason(&reason)
            .send()
            .await;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        if let Some(state) = guard.as_mut() {
            state.event(format!(
                "has stopped 1 running tasks: (task {}).",
                task.arn.rsplit('/').next().unwrap_or_default()
            ));
        }
    }
    if let Some((deployment, td_arn)) = to_start {
        let td = task_definition(&ecs, &td_arn).await?;
        let task = start_task(agent, cluster, service_name, &deployment, &td, &stack).await?;
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let state = guard.as_mut().expect("set above");
        state.event(format!(
            "has started 1 tasks: (task {}).",
            task.arn.rsplit('/').next().unwrap_or_default()
        ));
        state.tasks.push(task);
        agent.ecs.wake.notify_one();
    }
    Ok(())
}

/// RunTask in moto, spoken as raw JSON: moto's answer has numbers where the SDK expects strings
/// (task `cpu`/`memory`), which the SDK refuses to parse.
async fn run_task(
    agent: &Agent,
    cluster: &str,
    task_definition: &str,
    deployment: &str,
    service: &str,
) -> Result<String> {
    let mut body = json!({
        "cluster": cluster,
        "taskDefinition": task_definition,
        "launchType": "FARGATE",
        "startedBy": deployment,
        "group": format!("service:{service}"),
    });
    // awsvpc task definitions (every real stack's) need the service's network configuration.
    if let Some(network) = service_network(agent, cluster, service).await {
        body["networkConfiguration"] = network;
    }
    let request = hyper::http::Request::post(format!("http://127.0.0.1:{}/", agent.config.moto_port))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AmazonEC2ContainerServiceV20141113.RunTask")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(Full::new(Bytes::from(body.to_string())))?;
    let response = agent
        .client
        .request(request)
        .await
        .context("RunTask: moto did not answer")?;
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .context("RunTask: cannot read moto's answer")?
        .to_bytes();
    let answer: Value =
        serde_json::from_slice(&bytes).context("RunTask: moto's answer is not JSON")?;
    answer["tasks"][0]["taskArn"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("RunTask in moto started no task: {answer}"))
}

/// The service's awsvpc network configuration, as RunTask's JSON wants it; `None` when it has none.
async fn service_network(agent: &Agent, cluster: &str, service: &str) -> Option<Value> {
    let described = aws_sdk_ecs::Client::new(&agent.sdk)
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .ok()?;
    let vpc = described
        .services()
        .first()?
        .network_configuration()?
        .awsvpc_configuration()?;
    Some(json!({
        "awsvpcConfiguration": {
            "subnets": vpc.subnets(),
            "securityGroups": vpc.security_groups(),
            "assignPublicIp": "DISABLED",
        }
    }))
}

/// A port for a new task: the first free one from `first`, not used by our tasks.
fn task_port(first: u16, used: &[u16]) -> u16 {
    (first..u16::MAX)
        .find(|p| !used.contains(p) && crate::ports::is_free(*p))
        .unwrap_or(first)
}

#[allow(clippy::too_many_arguments)]
async fn start_task(
    agent: &Agent,
    cluster: &str,
    service: &str,
    deployment: &str,
    td: &TaskDefinition,
    stack: &super::discovery::Stack,
) -> Result<Task> {
    let container = td
        .container_definitions()
        .first()
        .cloned()
        .context("the task definition has no container")?;
    let arn = run_task(
        agent,
        cluster,
        td.task_definition_arn().unwrap_or_default(),
        deployment,
        service,
    )
    .await?;
    let used: Vec<u16> = agent
        .ecs
        .service
        .lock()
        .expect("ecs lock")
        .as_ref()
        .map(|s| s.tasks.iter().map(|t| t.port).collect())
        .unwrap_or_default();
    let port = task_port(agent.config.first_task_port, &used);
    let mut cmd = command(agent, &container, port);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().with_context(|| {
        format!(
            "cannot start {:?} for task {arn}",
            cmd.as_std().get_program()
        )
    })?;
    let task_id = arn.rsplit('/').next().unwrap_or_default().to_owned();
    let prefix = container
        .log_configuration()
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-stream-prefix").cloned())
        .unwrap_or_else(|| "ecs".into());
    let stream = format!(
        "{prefix}/{}/{task_id}",
        container.name().unwrap_or("courier")
    );
    logs::ship(
        agent,
        stack.get("log_group").map(str::to_owned),
        stream,
        child.stdout.take(),
        child.stderr.take(),
    );
    let memory_mib = container
        .memory()
        .or(td.memory().and_then(|m| m.parse().ok()))
        .unwrap_or(512)
        .max(1) as f64;
    Ok(Task {
        arn,
        deployment: deployment.to_owned(),
        port,
        pid: child.id().unwrap_or_default() as i32,
        memory_mib,
        started_at: super::now_secs(),
        ready: false,
        child,
    })
}

/// The process of a container: its image maps to the courier binary (or, when the image is an
/// absolute path to an executable on this machine, to that), its `command` are the arguments,
/// its environment the container's plus the local endpoint, database and port.
fn command(agent: &Agent, container: &ContainerDefinition, port: u16) -> tokio::process::Command {
    let image = container.image().unwrap_or_default();
    let program = if image.starts_with('/') && std::path::Path::new(image).is_file() {
        std::path::PathBuf::from(image)
    } else {
        agent.config.courier_bin.clone()
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(container.command());
    cmd.env_remove("AWS_PROFILE");
    for kv in container.environment() {
        if let (Some(k), Some(v)) = (kv.name(), kv.value()) {
            cmd.env(k, v);
        }
    }
    let endpoint = format!("http://127.0.0.1:{}", agent.config.listen_port);
    cmd.env("COURIER_PORT", port.to_string())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", crate::REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test");
    if let Some(pg) = agent.config.pg_port {
        cmd.env(
            "DATABASE_URL",
            crate::postgres::database_url(pg, crate::COURIER_DB),
        );
    }
    cmd
}

fn services_arg(call: &Call) -> Value {
    serde_json::from_slice(&call.body).unwrap_or(Value::Null)
}

fn is_ours(state: &ServiceState, name_or_arn: &str) -> bool {
    name_or_arn == state.name
        || name_or_arn == state.arn
        || name_or_arn.ends_with(&format!("/{}", state.name))
}

pub async fn describe_services(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let response = agent.forward(call).await?;
    let (parts, body) = body_of(response).await;
    if !parts.status.is_success() {
        return Ok(Response::from_parts(parts, Full::new(body)));
    }
    let mut answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    {
        let guard = agent.ecs.service.lock().expect("ecs lock");
        if let (Some(state), Some(services)) = (
            guard.as_ref(),
            answer.get_mut("services").and_then(Value::as_array_mut),
        ) {
            for service in services {
                let arn = service["serviceArn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if is_ours(state, &arn) {
                    state.overlay(service);
                }
            }
        }
    }
    let mut parts = parts;
    parts.headers.remove("content-length");
    Ok(Response::from_parts(
        parts,
        Full::new(Bytes::from(answer.to_string())),
    ))
}

pub async fn update_service(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let request = services_arg(call);
    let response = agent.forward(call).await?;
    let (parts, body) = body_of(response).await;
    if !parts.status.is_success() {
        return Ok(Response::from_parts(parts, Full::new(body)));
    }
    let mut answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let name = request["service"].as_str().unwrap_or_default();
    {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        if let Some(state) = guard.as_mut().filter(|s| is_ours(s, name)) {
            let td = answer["service"]["taskDefinition"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let changed = state.primary().is_none_or(|p| p.task_definition != td);
            if request["forceNewDeployment"].as_bool() == Some(true) || changed {
                let id = state.new_deployment(&td);
                state.event(format!("(deployment {id}) deployment started."));
            }
            if let Some(desired) = answer["service"]["desiredCount"].as_i64() {
                state.desired = desired as i32;
            }
            state.overlay(&mut answer["service"]);
        }
    }
    agent.ecs.wake.notify_one();
    let mut parts = parts;
    parts.headers.remove("content-length");
    Ok(Response::from_parts(
        parts,
        Full::new(Bytes::from(answer.to_string())),
    ))
}

/// moto writes a task's container `cpu` and `memory` as numbers where ECS's model has strings,
/// and the SDK refuses the whole answer: DescribeTasks, RunTask and StopTask are forwarded and
/// those fields written as strings.
pub async fn normalise_tasks(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let response = agent.forward(call).await?;
    let (mut parts, body) = body_of(response).await;
    let Ok(mut answer) = serde_json::from_slice::<Value>(&body) else {
        return Ok(Response::from_parts(parts, Full::new(body)));
    };
    let ours = if call.op.name == "DescribeTasks" {
        running_health(agent).await
    } else {
        HashMap::new()
    };
    let mut fix_task = |task: &mut Value| {
        // The agent's own tasks: when their process started, and their container health check
        // (courier's is `courier healthcheck`, a GET /healthz) — moto has neither.
        let arn = task
            .get("taskArn")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some((started_at, health)) = ours.get(arn) {
            if task.get("startedAt").is_none_or(Value::is_null) {
                task["startedAt"] = json!(started_at);
            }
            task["healthStatus"] = json!(health);
            if let Some(containers) = task.get_mut("containers").and_then(Value::as_array_mut) {
                for c in containers {
                    c["healthStatus"] = json!(health);
                }
            }
        }
        for key in ["cpu", "memory"] {
            if let Some(n) = task.get(key).filter(|v| v.is_number()).cloned() {
                task[key] = json!(n.to_string());
            }
        }
        if let Some(containers) = task.get_mut("containers").and_then(Value::as_array_mut) {
            for c in containers {
                for key in ["cpu", "memory", "memoryReservation"] {
                    if let Some(n) = c.get(key).filter(|v| v.is_number()).cloned() {
                        c[key] = json!(n.to_string());
                    }
                }
            }
        }
    };
    if let Some(tasks) = answer.get_mut("tasks").and_then(Value::as_array_mut) {
        tasks.iter_mut().for_each(&mut fix_task);
    }
    if let Some(task) = answer.get_mut("task") {
        fix_task(task);
    }
    parts.headers.remove("content-length");
    Ok(Response::from_parts(
        parts,
        Full::new(Bytes::from(answer.to_string())),
    ))
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
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        tasks
            .into_iter()
            .map(|(arn, started_at, port, ready)| Probe {
                status: ready
                    .then(|| crate::moto::http_status(port, &path))
                    .flatten(),
                arn,
                started_at,
                port,
                ready,
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// The agent's tasks: start time and health (`UNKNOWN` until the task first passed its readiness
/// probe, then `HEALTHY` or `UNHEALTHY` by GET /healthz now — courier's container health check,
/// `courier healthcheck`), by task ARN.
async fn running_health(agent: &Agent) -> HashMap<String, (f64, &'static str)> {
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
