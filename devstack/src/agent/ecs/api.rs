//! The ECS operations the agent amends: DescribeServices and UpdateService with the control
//! plane's deployments, counts and events laid over moto's service, and the task operations
//! with moto's numbers written as strings.

use super::super::proxy::{body_of, Call};
use super::super::Agent;
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::response::Parts;
use hyper::http::Response;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

fn services_arg(call: &Call) -> Value {
    serde_json::from_slice(&call.body).unwrap_or(Value::Null)
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
            for service in services.iter_mut() {
                let arn = service["serviceArn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if state.is(&arn) {
                    state.overlay(service);
                }
            }
        }
    }
    if let Some(services) = answer.get_mut("services").and_then(Value::as_array_mut) {
        services
            .iter_mut()
            .for_each(|s| agent.ecs.configs.lay_over(s));
    }
    Ok(json_answer(parts, &answer))
}

/// CreateService or UpdateService forwarded; on success what moto drops (deployment
/// configuration, capacity provider strategy) is kept and laid over the answer. Err: moto's
/// failure, to be answered as it is.
async fn forward_service(
    agent: &Arc<Agent>,
    call: &Call,
) -> Result<Result<(Parts, Value, Value), Response<Full<Bytes>>>> {
    let request = services_arg(call);
    let response = agent.forward(call).await?;
    let (parts, body) = body_of(response).await;
    if !parts.status.is_success() {
        return Ok(Err(Response::from_parts(parts, Full::new(body))));
    }
    let mut answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let arn = answer["service"]["serviceArn"].as_str().unwrap_or_default();
    agent.ecs.configs.record(arn, &request);
    agent.ecs.configs.lay_over(&mut answer["service"]);
    Ok(Ok((parts, answer, request)))
}

/// An amended JSON answer (its length is no longer moto's).
fn json_answer(mut parts: Parts, answer: &Value) -> Response<Full<Bytes>> {
    parts.headers.remove("content-length");
    Response::from_parts(parts, Full::new(Bytes::from(answer.to_string())))
}

pub async fn create_service(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    Ok(match forward_service(agent, call).await? {
        Ok((parts, answer, _)) => json_answer(parts, &answer),
        Err(failed) => failed,
    })
}

pub async fn update_service(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let (parts, mut answer, request) = match forward_service(agent, call).await? {
        Ok(forwarded) => forwarded,
        Err(failed) => return Ok(failed),
    };
    let name = request["service"].as_str().unwrap_or_default();
    {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        if let Some(state) = guard.as_mut().filter(|s| s.is(name)) {
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
    Ok(json_answer(parts, &answer))
}

/// moto writes a task's container `cpu` and `memory` as numbers where ECS's model has strings,
/// and the SDK refuses the whole answer: DescribeTasks, RunTask and StopTask are forwarded and
/// those fields written as strings.
pub async fn normalise_tasks(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let response = agent.forward(call).await?;
    let (parts, body) = body_of(response).await;
    let Ok(mut answer) = serde_json::from_slice::<Value>(&body) else {
        return Ok(Response::from_parts(parts, Full::new(body)));
    };
    let (ours, stopped) = if call.op.name == "DescribeTasks" {
        let stopped: HashMap<String, (f64, f64)> =
            match &*agent.ecs.service.lock().expect("ecs lock") {
                Some(service) => service.stopped.clone(),
                None => HashMap::new(),
            };
        (super::probe::running_health(agent).await, stopped)
    } else {
        (HashMap::new(), HashMap::new())
    };
    let mut fix_task = |task: &mut Value| {
        // The agent's own tasks: when their process started, and their container health check
        // (courier's is `courier healthcheck`, a GET /healthz) — moto has neither.
        let arn = task
            .get("taskArn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let arn = arn.as_str();
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
        // The tasks the agent stopped: when they ran, as ECS says of a stopped task.
        if let Some((started_at, stopped_at)) = stopped.get(arn) {
            for (key, at) in [("startedAt", started_at), ("stoppedAt", stopped_at)] {
                if task.get(key).is_none_or(Value::is_null) {
                    task[key] = json!(at);
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
    Ok(json_answer(parts, &answer))
}
