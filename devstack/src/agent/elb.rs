//! Elastic Load Balancing: target health of the stack's target group, from the agent's tasks.
//!
//! ECS registers each task of a service with the service's target group, and the ALB checks its
//! health. moto does neither for the agent's tasks — and keys targets by Id alone (two tasks on
//! 127.0.0.1 would be one target) and calls every registered target healthy — so the agent
//! answers DescribeTargetHealth for the discovered `target_group_arn` itself: one target per task
//! of the service (127.0.0.1 and the task's port); `initial` until the task first passed its
//! readiness probe; then `healthy` or `unhealthy` by a health check made when asked, on the target
//! group's health-check path. Other target groups go to moto unchanged.

use super::cloudwatch::xml_escape;
use super::ecs;
use super::proxy::{self, Call};
use super::Agent;
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{Response, StatusCode};
use std::sync::Arc;

/// One target's state, as the ALB reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    pub port: u16,
    /// `initial`, `healthy` or `unhealthy`.
    pub state: &'static str,
    pub reason: Option<(&'static str, String)>,
}

/// The health of a task from its readiness and the status its health check answered (`None`:
/// no answer).
pub fn health(port: u16, ready: bool, status: Option<u16>) -> Health {
    let (state, reason) = match (ready, status) {
        (false, _) => (
            "initial",
            Some((
                "Elb.RegistrationInProgress",
                "Target registration is in progress".to_owned(),
            )),
        ),
        (true, Some(200)) => ("healthy", None),
        (true, Some(code)) => (
            "unhealthy",
            Some((
                "Target.ResponseCodeMismatch",
                format!("Health checks failed with these codes: [{code}]"),
            )),
        ),
        (true, None) => (
            "unhealthy",
            Some(("Target.Timeout", "Request timed out".to_owned())),
        ),
    };
    Health {
        port,
        state,
        reason,
    }
}

/// The DescribeTargetHealth answer (Query protocol, XML) for `targets`.
pub fn answer_xml(targets: &[Health]) -> String {
    let mut members = String::new();
    for t in targets {
        let reason = t
            .reason
            .as_ref()
            .map(|(code, text)| {
                format!(
                    "<Reason>{code}</Reason><Description>{}</Description>",
                    xml_escape(text)
                )
            })
            .unwrap_or_default();
        members.push_str(&format!(
            "<member><HealthCheckPort>{port}</HealthCheckPort><Target><Id>127.0.0.1</Id>\
             <Port>{port}</Port></Target><TargetHealth><State>{}</State>{reason}</TargetHealth>\
             </member>",
            t.state,
            port = t.port
        ));
    }
    format!(
        "<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
         <DescribeTargetHealthResult><TargetHealthDescriptions>{members}</TargetHealthDescriptions>\
         </DescribeTargetHealthResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
         </DescribeTargetHealthResponse>",
        proxy::request_id()
    )
}

/// DescribeTargetHealth: ours for the stack's target group (`None`: forward to moto).
pub async fn describe_target_health(
    agent: &Arc<Agent>,
    call: &Call,
) -> Option<Result<Response<Full<Bytes>>>> {
    let arn = proxy::form_value(&call.body, "TargetGroupArn")?;
    let stack = agent.discover().await.ok()?;
    if stack.get("target_group_arn") != Some(arn.as_str()) {
        return None;
    }
    Some(answer(agent, &arn).await)
}

async fn answer(agent: &Arc<Agent>, arn: &str) -> Result<Response<Full<Bytes>>> {
    let groups = aws_sdk_elasticloadbalancingv2::Client::new(&agent.sdk)
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await?;
    let path = groups
        .target_groups()
        .first()
        .and_then(|g| g.health_check_path())
        .unwrap_or("/");
    let targets: Vec<Health> = ecs::probe_tasks(agent, path)
        .await
        .into_iter()
        .map(|p| health(p.port, p.ready, p.status))
        .collect();
    Ok(proxy::answer(
        StatusCode::OK,
        "text/xml",
        answer_xml(&targets),
    ))
}

#[cfg(test)]
mod tests {
    use super::{answer_xml, health};

    #[test]
    fn a_task_is_initial_until_ready_then_healthy_by_its_health_check() {
        assert_eq!(health(5678, false, None).state, "initial");
        assert_eq!(health(5678, true, Some(200)).state, "healthy");
        let sick = health(5679, true, Some(503));
        assert_eq!(sick.state, "unhealthy");
        assert_eq!(sick.reason.unwrap().0, "Target.ResponseCodeMismatch");
        assert_eq!(health(5679, true, None).reason.unwrap().0, "Target.Timeout");
        let xml = answer_xml(&[health(5678, true, Some(200)), health(5679, true, Some(503))]);
        assert!(xml.contains(
            "<Port>5678</Port></Target><TargetHealth><State>healthy</State></TargetHealth>"
        ));
        assert!(
            xml.contains("<State>unhealthy</State><Reason>Target.ResponseCodeMismatch</Reason>")
        );
    }
}
