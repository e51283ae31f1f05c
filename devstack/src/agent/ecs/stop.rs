//! StopTask of one of the agent's tasks, as ECS does it: the task leaves the service at once, its
//! process is stopped (SIGTERM, SIGKILL after the stop timeout, as a rollout stops one), moto
//! records it STOPPED with the caller's reason ("Task stopped by user" when none is given), the
//! service's events say so, and the control loop starts a replacement to keep the desired count.
//! A stop of any other task is moto's, its answer normalised like every task answer.

use super::super::proxy::Call;
use super::super::Agent;
use super::{api, tasks};
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::header::CONTENT_LENGTH;
use hyper::http::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// The stopped reason ECS gives a task stopped without one.
pub const USER_REASON: &str = "Task stopped by user";

pub async fn stop_task(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let mut request: Value = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
    let task = request["task"].as_str().unwrap_or_default().to_owned();
    let id = task.rsplit('/').next().unwrap_or(&task).to_owned();
    let taken = {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        guard.as_mut().and_then(|state| {
            let arn = (state.tasks.iter())
                .find(|t| t.arn == task || t.arn.rsplit('/').next() == Some(id.as_str()))?
                .arn
                .clone();
            let (_, process) = state.remove_task(&arn)?;
            state.event(format!("has stopped 1 running tasks: (task {id})."));
            Some(process)
        })
    };
    let Some(process) = taken else {
        return api::normalise_tasks(agent, call).await;
    };
    if let Some(mut child) = process {
        tokio::spawn(async move { tasks::terminate(&mut child).await });
    }
    agent.ecs.wake.notify_one();
    if request["reason"].as_str().is_none_or(str::is_empty) {
        request["reason"] = json!(USER_REASON);
    }
    let body = Bytes::from(request.to_string());
    let mut parts = call.parts.clone();
    parts.headers.insert(CONTENT_LENGTH, body.len().into());
    let forwarded = Call {
        parts,
        body,
        op: call.op.clone(),
    };
    api::normalise_tasks(agent, &forwarded).await
}
