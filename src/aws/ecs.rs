//! ECS, the reading side: the service, its deployments and its events.

use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::health::{Deployment, ServiceEvent, ServiceHealth};
use aws_sdk_ecs::Client;

/// How many of the newest service events a snapshot keeps.
const EVENTS: usize = 10;

pub struct Ecs {
    client: Client,
    profile: String,
}

impl Ecs {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        Ecs {
            client: Client::new(config),
            profile,
        }
    }

    /// The service's counts, deployments (PRIMARY first) and newest events.
    pub async fn service(&self, cluster: &str, service: &str) -> Result<ServiceHealth, AwsError> {
        let what = format!("service {service} in cluster {cluster}");
        let out = self
            .client
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| describe(&e, "DescribeServices", &what, &self.profile))?;
        let svc = out.services().first().ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotFound,
            message: format!(
                "DescribeServices: {what} not found; check the stack's SSM parameters"
            ),
        })?;
        let mut deployments: Vec<Deployment> = svc
            .deployments()
            .iter()
            .map(|d| Deployment {
                id: d.id().unwrap_or_default().to_owned(),
                status: d.status().unwrap_or_default().to_owned(),
                task_definition: d.task_definition().unwrap_or_default().to_owned(),
                rollout_state: d
                    .rollout_state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                rollout_reason: d.rollout_state_reason().unwrap_or_default().to_owned(),
                running: d.running_count(),
                desired: d.desired_count(),
                failed_tasks: d.failed_tasks(),
                created: d.created_at().map(|t| t.secs()),
            })
            .collect();
        deployments.sort_by_key(|d| d.status != "PRIMARY");
        Ok(ServiceHealth {
            cluster: cluster.to_owned(),
            service: service.to_owned(),
            status: svc.status().unwrap_or_default().to_owned(),
            running: svc.running_count(),
            desired: svc.desired_count(),
            pending: svc.pending_count(),
            deployments,
            events: svc
                .events()
                .iter()
                .take(EVENTS)
                .map(|e| ServiceEvent {
                    at: e.created_at().map(|t| t.secs()),
                    message: e.message().unwrap_or_default().to_owned(),
                })
                .collect(),
        })
    }
}
