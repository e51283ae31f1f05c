//! ECS's service-deployment APIs, which moto lacks, answered from the control plane's history
//! ([`super::history`]): ListServiceDeployments, DescribeServiceDeployments,
//! DescribeServiceRevisions, and StopServiceDeployment, whose ROLLBACK the control loop carries
//! out as a tripped circuit breaker's (the source revision deployed again).

use super::super::proxy::{self, Call};
use super::super::Agent;
use super::history::{page, Monitors, Query, Revision, Status};
use super::rollout::failure_threshold;
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{Response, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const JSON_1_1: &str = "application/x-amz-json-1.1";

type Answer = Result<Response<Full<Bytes>>>;

fn ok(body: Value) -> Answer {
    Ok(proxy::answer(StatusCode::OK, JSON_1_1, body.to_string()))
}

/// An ECS error as the JSON 1.1 protocol gives it (the SDK reads `__type`).
fn error(code: &str, message: String) -> Answer {
    let body = json!({"__type": code, "message": message}).to_string();
    Ok(proxy::answer(StatusCode::BAD_REQUEST, JSON_1_1, body))
}

fn request(call: &Call) -> Value {
    serde_json::from_slice(&call.body).unwrap_or(Value::Null)
}

pub async fn list(agent: &Arc<Agent>, call: &Call) -> Answer {
    let request = request(call);
    let service = request["service"].as_str().unwrap_or_default();
    let query = Query::of(&request);
    let guard = agent.ecs.service.lock().expect("ecs lock");
    let Some(state) = guard.as_ref().filter(|s| s.is(service)) else {
        // A service the control plane does not run has no deployments of its own.
        return ok(json!({"serviceDeployments": []}));
    };
    match page(&state.history, &query) {
        Ok((deployments, next)) => {
            let briefs: Vec<Value> = deployments.iter().map(|d| d.brief(&state.arn)).collect();
            let mut out = json!({"serviceDeployments": briefs});
            if let Some(next) = next {
                out["nextToken"] = json!(next);
            }
            ok(out)
        }
        Err(message) => error("InvalidParameterException", message),
    }
}

pub async fn describe(agent: &Arc<Agent>, call: &Call) -> Answer {
    let request = request(call);
    let arns: Vec<String> = (request["serviceDeploymentArns"]
        .as_array()
        .into_iter()
        .flatten())
    .filter_map(|a| a.as_str().map(str::to_owned))
    .collect();
    if arns.is_empty() || arns.len() > 20 {
        return error(
            "InvalidParameterException",
            "serviceDeploymentArns must name 1 to 20 service deployments.".into(),
        );
    }
    let guard = agent.ecs.service.lock().expect("ecs lock");
    let (mut found, mut failures) = (Vec::new(), Vec::new());
    for arn in &arns {
        let known = guard
            .as_ref()
            .and_then(|s| Some((s, s.history.iter().find(|d| &d.arn == arn)?)));
        match known {
            Some((state, d)) => {
                let limits = agent.ecs.configs.limits(&state.arn).unwrap_or_default();
                let monitors = Monitors {
                    circuit_breaker: limits.circuit_breaker,
                    threshold: failure_threshold(state.desired.max(0) as usize),
                    alarms: (agent.ecs.configs.deployment_alarms(&state.arn))
                        .map(|(names, _)| names)
                        .unwrap_or_default(),
                    desired: state.desired,
                };
                let config = agent.ecs.configs.deployment_configuration(&state.arn);
                found.push(d.describe(&state.arn, &monitors, &config));
            }
            None => failures.push(json!({"arn": arn, "reason": "MISSING"})),
        }
    }
    ok(json!({"serviceDeployments": found, "failures": failures}))
}

pub async fn describe_revisions(agent: &Arc<Agent>, call: &Call) -> Answer {
    let request = request(call);
    let arns: Vec<String> = (request["serviceRevisionArns"]
        .as_array()
        .into_iter()
        .flatten())
    .filter_map(|a| a.as_str().map(str::to_owned))
    .collect();
    let guard = agent.ecs.service.lock().expect("ecs lock");
    let (mut found, mut failures) = (Vec::new(), Vec::new());
    for arn in &arns {
        let revision: Option<(String, Revision)> = guard.as_ref().and_then(|s| {
            let all = (s.history.iter()).flat_map(|d| {
                std::iter::once(&d.target)
                    .chain(&d.sources)
                    .chain(d.rollback.as_ref().map(|r| &r.2))
            });
            let mut all = all;
            all.find(|r| &r.arn == arn)
                .map(|r| (s.arn.clone(), r.clone()))
        });
        match revision {
            Some((service_arn, r)) => found.push(json!({
                "serviceRevisionArn": r.arn,
                "serviceArn": service_arn,
                "clusterArn": super::history::cluster_arn(&service_arn),
                "taskDefinition": r.task_definition,
                "launchType": "FARGATE",
                "createdAt": r.created_at,
            })),
            None => failures.push(json!({"arn": arn, "reason": "MISSING"})),
        }
    }
    ok(json!({"serviceRevisions": found, "failures": failures}))
}

pub async fn stop(agent: &Arc<Agent>, call: &Call) -> Answer {
    let request = request(call);
    let arn = request["serviceDeploymentArn"].as_str().unwrap_or_default();
    let stop_type = request["stopType"].as_str().unwrap_or("ROLLBACK");
    {
        let mut guard = agent.ecs.service.lock().expect("ecs lock");
        let Some(state) = guard.as_mut() else {
            return not_found(arn);
        };
        let has_source = state.last_completed.is_some();
        let Some(d) = state.history.iter_mut().find(|d| d.arn == arn) else {
            return not_found(arn);
        };
        if stop_type != "ROLLBACK" {
            return error(
                "InvalidParameterException",
                format!(
                    "stopType {stop_type} is not modelled by the devstack agent: use ROLLBACK."
                ),
            );
        }
        if !d.is_in_progress() {
            return error(
                "ConflictException",
                format!(
                    "Service deployment {arn} is {}: only a deployment IN_PROGRESS can be stopped.",
                    d.status.as_str()
                ),
            );
        }
        if !has_source {
            return error(
                "ConflictException",
                format!(
                    "Service deployment {arn} has no completed source revision to roll back to."
                ),
            );
        }
        d.status = Status::RollbackRequested;
        d.status_reason = "Rollback requested by StopServiceDeployment.".into();
        d.updated_at = super::super::now_secs();
    }
    agent.ecs.wake.notify_one();
    ok(json!({"serviceDeploymentArn": arn}))
}

fn not_found(arn: &str) -> Answer {
    error(
        "ServiceDeploymentNotFoundException",
        format!("Service deployment {arn} was not found."),
    )
}
