//! One dashboard refresh: every read of every panel, all concurrent, metrics in one
//! `GetMetricData`. A failing source marks only its own part of the result.

use crate::aws::cloudwatch::CloudWatch;
use crate::aws::ecs::Ecs;
use crate::aws::elb::Elb;
use crate::aws::rds::Rds;
use crate::model::dashboard::{
    dashboard_queries, window_end, Dashboard, MetricQuery, PERIOD_SECONDS, WINDOW_SECONDS,
};
use crate::model::stack::StackResources;

/// Read everything the dashboard shows, at `now` (unix seconds).
pub async fn refresh(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    now: i64,
) -> Dashboard {
    refresh_with(sdk, profile, stack, now, &dashboard_queries(stack)).await
}

/// [`refresh`] with the metric queries given (the benchmarks chart 1 or 50 metrics).
pub async fn refresh_with(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    now: i64,
    queries: &[MetricQuery],
) -> Dashboard {
    let health = crate::status::snapshot(sdk, profile, stack);
    let tasks = async {
        match (stack.get("cluster"), stack.get("service")) {
            (Some(cluster), Some(service)) => Ecs::new(sdk, profile.to_owned())
                .tasks(cluster, service)
                .await
                .map_err(|e| e.message),
            _ => Ok(Vec::new()),
        }
    };
    let targets = async {
        match stack.get("target_group_arn") {
            Some(arn) => Elb::new(sdk, profile.to_owned())
                .target_health(arn)
                .await
                .map(Some)
                .map_err(|e| e.message),
            None => Ok(None),
        }
    };
    let database = async {
        match stack.get("db_instance_id") {
            Some(id) => Rds::new(sdk, profile.to_owned())
                .instance(id)
                .await
                .map(Some)
                .map_err(|e| e.message),
            None => Ok(None),
        }
    };
    let metrics = async {
        let end = window_end(now);
        CloudWatch::new(sdk, profile.to_owned())
            .metric_data(queries, end - WINDOW_SECONDS, end, PERIOD_SECONDS)
            .await
            .map_err(|e| e.message)
    };
    let history = async {
        let svc = crate::model::ecs::ServiceRef {
            cluster: stack.get("cluster")?.to_owned(),
            service: stack.get("service")?.to_owned(),
        };
        // Advice beside the deployments list: an endpoint without the APIs, or a role without
        // ecs:ListServiceDeployments, leaves the panel as it was.
        (crate::aws::ecs_actions::EcsActions::new(sdk, profile.to_owned()))
            .service_deployments(&svc)
            .await
            .ok()
            .flatten()
    };
    let (health, tasks, targets, database, metrics, history) =
        tokio::join!(health, tasks, targets, database, metrics, history);
    Dashboard {
        health,
        tasks,
        targets,
        database,
        metrics,
        history,
    }
}
