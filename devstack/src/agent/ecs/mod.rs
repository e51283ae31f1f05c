//! ECS: the control plane moto lacks. For the stack's service (discovery parameters `cluster` and
//! `service`) the agent keeps as many task processes running as the service's desired count, each
//! registered in moto with RunTask and stopped there with StopTask and a reason; it rolls
//! deployments (start new, wait for `/readyz`, stop old) within minimum healthy / maximum percent,
//! restarts tasks that exit, and trips the deployment circuit breaker (FAILED, then rollback)
//! when a deployment's tasks keep failing. DescribeServices and UpdateService are answered with
//! its deployments, counts and events laid over moto's service.
//!
//! - [`state`]: the service's deployments, tasks and events;
//! - [`reconcile`]: the control loop, which carries out [`rollout`]'s pure decision;
//! - [`tasks`]: starting and stopping task processes;
//! - [`probe`]: the tasks' health probes;
//! - [`api`]: the intercepted DescribeServices, CreateService, UpdateService and task answers;
//! - [`stop`]: StopTask of one of its tasks (the process stopped, the task replaced);
//! - [`config`]: the deployment configuration and capacity provider strategy moto drops;
//! - [`history`] and [`deployments_api`]: the service-deployment APIs (ListServiceDeployments,
//!   DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment ROLLBACK).

pub mod alarm_watch;
pub mod api;
pub mod config;
pub mod deployments_api;
pub mod history;
pub mod probe;
pub mod reconcile;
pub mod rollout;
pub mod state;
pub mod stop;
pub mod tasks;

pub use super::procs::{pg_connections, CpuSampler};
pub use api::{create_service, describe_services, normalise_tasks, update_service};
pub use probe::{probe_tasks, Probe};
pub use reconcile::run;
pub use state::{Deployment, DeploymentStatus, RolloutState, ServiceState, State, Task};
pub use stop::stop_task;
pub use tasks::keep_tasks_running_in_moto;
