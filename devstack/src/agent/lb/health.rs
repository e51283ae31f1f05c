//! The target group's health checks: every control interval a GET of the target group's
//! health-check path (DescribeTargetGroups of the discovered `target_group_arn`; `/healthz`
//! without one) on each ready task; a task that fails it gets no request until it passes again.

use super::super::{ecs, Agent};
use std::sync::Arc;

pub async fn run(agent: Arc<Agent>) {
    let mut tick = tokio::time::interval(agent.config.control_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let path = health_check_path(&agent).await;
        let unhealthy = ecs::probe_tasks(&agent, &path)
            .await
            .into_iter()
            .filter(|p| p.ready && p.status != Some(200))
            .map(|p| p.port)
            .collect();
        agent.lb.set_unhealthy(unhealthy);
    }
}

async fn health_check_path(agent: &Agent) -> String {
    let default = "/healthz".to_owned();
    let Ok(stack) = agent.discover().await else {
        return default;
    };
    let Some(arn) = stack.get("target_group_arn") else {
        return default;
    };
    aws_sdk_elasticloadbalancingv2::Client::new(&agent.sdk)
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await
        .ok()
        .and_then(|out| {
            (out.target_groups().first())
                .and_then(|g| g.health_check_path())
                .map(str::to_owned)
        })
        .unwrap_or(default)
}
