//! ECS: the control plane moto lacks. (Filled in by the ECS step.)

use super::proxy::Call;
use super::{Agent, Config};
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::Response;
use std::sync::Arc;

pub use super::procs::{pg_connections, CpuSampler};

pub struct State {}

impl State {
    pub fn new(_config: &Config) -> State {
        State {}
    }
    pub fn utilisation(&self, _cpu: &mut CpuSampler) -> Option<(f64, f64)> {
        None
    }
    pub async fn stop_all_processes(&self) {}
}

/// Tell moto's state manager to keep tasks where they are: by default a task started with RunTask
/// drifts one state toward STOPPED on every describe call.
pub async fn keep_tasks_running_in_moto(agent: &Agent) -> Result<()> {
    let _ = agent;
    Ok(())
}

pub async fn run(_agent: Arc<Agent>) {}

pub async fn describe_services(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    agent.forward(call).await
}

pub async fn update_service(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    agent.forward(call).await
}
