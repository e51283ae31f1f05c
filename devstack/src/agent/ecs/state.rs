//! What the ECS control plane knows of the service: its deployments, tasks and events
//! ([`ServiceState`]), and the agent's handle on it ([`State`]).

use super::super::procs::CpuSampler;
use super::super::{proxy, Config};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::process::Child;

/// A deployment's `status` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentStatus {
    /// The deployment the service rolls toward (the newest).
    Primary,
    /// An older deployment whose tasks still run.
    Active,
}

/// A deployment's `rolloutState` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
}

/// One deployment of the service, as DescribeServices shows it.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub id: String,
    pub status: DeploymentStatus,
    pub task_definition: String,
    pub rollout_state: RolloutState,
    pub rollout_reason: String,
    pub failed_tasks: u32,
    pub created_at: f64,
    pub updated_at: f64,
}

/// A running task: its record in moto and the port of its process (the process itself is in
/// [`ServiceState::processes`]).
#[derive(Clone, Debug, Default)]
pub struct Task {
    pub arn: String,
    pub deployment: String,
    pub port: u16,
    pub pid: i32,
    pub memory_mib: f64,
    /// When its process started (seconds since the epoch).
    pub started_at: f64,
    pub ready: bool,
}

/// How many stopped tasks' times are kept.
const STOPPED_KEPT: usize = 500;

#[derive(Default)]
pub struct ServiceState {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub desired: i32,
    pub deployments: Vec<Deployment>,
    pub events: Vec<(String, f64, String)>,
    pub tasks: Vec<Task>,
    /// The process of each task, by task ARN.
    pub processes: HashMap<String, Child>,
    pub last_completed: Option<String>,
    pub(super) next_deployment: u64,
    /// Tasks taken out of the service: when each started and stopped (seconds since the epoch),
    /// by task ARN — moto keeps the stopped task but knows neither, ECS answers both.
    pub stopped: HashMap<String, (f64, f64)>,
    /// The service's deployment history, newest first (the service-deployment APIs).
    pub history: Vec<super::history::ServiceDeployment>,
}

impl ServiceState {
    pub(super) fn event(&mut self, message: String) {
        let id = proxy::request_id();
        self.events.insert(
            0,
            (
                id,
                super::super::now_secs(),
                format!("(service {}) {message}", self.name),
            ),
        );
        self.events.truncate(100);
    }

    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary)
    }

    /// Start a new PRIMARY deployment of `task_definition`; the previous ones become ACTIVE. The
    /// history gets a service deployment of it, from the revisions running now, and the one it
    /// supersedes stops.
    pub(super) fn new_deployment(&mut self, task_definition: &str) -> String {
        use super::history::{arn_of, Revision, ServiceDeployment, Status};
        let now = super::super::now_secs();
        let sources: Vec<Revision> = (self.deployments.iter())
            .filter_map(|d| self.revision_of(&d.id))
            .collect();
        let id = self.start_deployment(task_definition);
        let number = id.rsplit('/').next().unwrap_or(&id).to_owned();
        let arn = arn_of(&self.arn, "service-deployment", &number);
        for old in self.history.iter_mut().filter(|d| {
            matches!(
                d.status,
                Status::InProgress | Status::RollbackRequested | Status::RollbackInProgress
            )
        }) {
            old.end(
                Status::Stopped,
                &format!("Superseded by service deployment {arn}."),
                now,
            );
        }
        let target = Revision {
            arn: arn_of(&self.arn, "service-revision", &number),
            task_definition: task_definition.to_owned(),
            created_at: now,
        };
        self.history.insert(
            0,
            ServiceDeployment {
                arn,
                deployment: id.clone(),
                rollback_deployment: None,
                target,
                sources,
                status: Status::InProgress,
                status_reason: String::new(),
                created_at: now,
                updated_at: now,
                finished_at: None,
                stopped_at: None,
                rollback: None,
                trip: None,
                failed_tasks: 0,
            },
        );
        self.history.truncate(super::history::KEPT);
        id
    }

    /// The service revision the control plane's deployment `id` runs: its service deployment's
    /// target, or the source it rolls back to.
    pub fn revision_of(&self, id: &str) -> Option<super::history::Revision> {
        self.history.iter().find_map(|d| {
            if d.deployment == id {
                Some(d.target.clone())
            } else if d.rollback_deployment.as_deref() == Some(id) {
                d.rollback.as_ref().map(|r| r.2.clone())
            } else {
                None
            }
        })
    }

    /// The service deployment the control plane's deployment `id` carries out (its target or
    /// its rollback).
    pub fn service_deployment_of(
        &mut self,
        id: &str,
    ) -> Option<&mut super::history::ServiceDeployment> {
        (self.history.iter_mut())
            .find(|d| d.deployment == id || d.rollback_deployment.as_deref() == Some(id))
    }

    /// Start a new PRIMARY deployment of `task_definition` outside the history (a rollback).
    pub(super) fn start_deployment(&mut self, task_definition: &str) -> String {
        for d in &mut self.deployments {
            if d.status == DeploymentStatus::Primary {
                d.status = DeploymentStatus::Active;
            }
        }
        self.next_deployment += 1;
        let now = super::super::now_secs();
        let id = format!("ecs-svc/{:019}", (now as u64) * 1000 + self.next_deployment);
        self.deployments.insert(
            0,
            Deployment {
                id: id.clone(),
                status: DeploymentStatus::Primary,
                task_definition: task_definition.to_owned(),
                rollout_state: RolloutState::InProgress,
                rollout_reason: "ECS deployment ecs-svc in progress.".into(),
                failed_tasks: 0,
                created_at: now,
                updated_at: now,
            },
        );
        id
    }

    /// Take task `arn` out of the service: its record and its process.
    pub(super) fn remove_task(&mut self, arn: &str) -> Option<(Task, Option<Child>)> {
        let i = self.tasks.iter().position(|t| t.arn == arn)?;
        let task = self.tasks.remove(i);
        let process = self.processes.remove(&task.arn);
        // ECS lists a stopped task for about an hour; a bound keeps a long-lived agent small.
        if self.stopped.len() >= STOPPED_KEPT {
            let oldest = self
                .stopped
                .iter()
                .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
                .map(|(arn, _)| arn.clone());
            oldest.map(|arn| self.stopped.remove(&arn));
        }
        self.stopped.insert(
            task.arn.clone(),
            (task.started_at, super::super::now_secs()),
        );
        Some((task, process))
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
                let desired = match d.status {
                    DeploymentStatus::Primary => self.desired,
                    DeploymentStatus::Active => running + pending,
                };
                json!({
                    "id": d.id,
                    "status": d.status,
                    "taskDefinition": d.task_definition,
                    "desiredCount": desired,
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

    /// The tasks that count as running: ready (`/readyz` answered 200).
    pub fn running(&self) -> usize {
        self.tasks.iter().filter(|t| t.ready).count()
    }

    /// Lay our view over one service object of moto's answer.
    pub(super) fn overlay(&self, service: &mut Value) {
        let running = self.running();
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

    /// Whether `name_or_arn` names this service.
    pub(super) fn is(&self, name_or_arn: &str) -> bool {
        name_or_arn == self.name
            || name_or_arn == self.arn
            || name_or_arn.ends_with(&format!("/{}", self.name))
    }
}

pub struct State {
    pub service: Mutex<Option<ServiceState>>,
    /// What moto drops from every service (deployment configuration, capacity providers).
    pub configs: super::config::Configs,
    pub(super) wake: tokio::sync::Notify,
}

impl State {
    pub fn new(_config: &Config) -> State {
        State {
            service: Mutex::new(None),
            configs: Default::default(),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// (desired, running) task counts, running as DescribeServices counts it (tasks ready).
    pub fn task_counts(&self) -> Option<(i32, usize)> {
        let guard = self.service.lock().expect("ecs lock");
        let service = guard.as_ref()?;
        Some((service.desired, service.running()))
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
                super::super::procs::rss_bytes(t.pid).unwrap_or(0.0)
                    / (t.memory_mib * 1024.0 * 1024.0)
                    * 100.0
            })
            .sum::<f64>()
            / n;
        Some((cpu_percent, memory))
    }

    /// Stop every task process (SIGTERM, then SIGKILL): the agent is going away.
    pub async fn stop_all_processes(&self) {
        let processes: Vec<Child> = match self.service.lock().expect("ecs lock").as_mut() {
            Some(service) => service
                .tasks
                .drain(..)
                .filter_map(|t| service.processes.remove(&t.arn))
                .collect(),
            None => return,
        };
        for mut child in processes {
            super::tasks::terminate(&mut child).await;
        }
    }
}
