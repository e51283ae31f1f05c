//! ECS, what exec checks before it hands the terminal over: the service's
//! `enableExecuteCommand` (DescribeServices), the task's status and containers (DescribeTasks)
//! and which of them are essential (DescribeTaskDefinition).

use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::ecs::ServiceRef;
use crate::model::exec::ExecFacts;
use aws_sdk_ecs::Client;

/// The reads of exec's pre-checks.
#[derive(Clone)]
pub struct EcsExec {
    client: Client,
    profile: String,
}

impl EcsExec {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        EcsExec {
            client: Client::new(config),
            profile,
        }
    }

    /// What ECS says about exec into `task` (an id or ARN) of `svc`. The essential flags are
    /// advice: a role without DescribeTaskDefinition still gets the task's first container.
    pub async fn facts(&self, svc: &ServiceRef, task: &str) -> Result<ExecFacts, AwsError> {
        let services = self
            .client
            .describe_services()
            .cluster(&svc.cluster)
            .services(&svc.service)
            .send()
            .await
            .map_err(|e| describe(&e, "DescribeServices", &svc.to_string(), &self.profile))?;
        let service = services.services().first().ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotFound,
            message: format!("DescribeServices: {svc} not found; check the stack's SSM parameters"),
        })?;
        let what = format!("task {task} in cluster {}", svc.cluster);
        let tasks = self
            .client
            .describe_tasks()
            .cluster(&svc.cluster)
            .tasks(task)
            .send()
            .await
            .map_err(|e| describe(&e, "DescribeTasks", &what, &self.profile))?;
        let mut facts = ExecFacts {
            enabled: service.enable_execute_command(),
            ..ExecFacts::default()
        };
        let Some(found) = tasks.tasks().first() else {
            return Ok(facts);
        };
        facts.last_status = found.last_status().map(str::to_owned);
        facts.containers = (found.containers().iter())
            .filter_map(|c| c.name().map(str::to_owned))
            .collect();
        if let Some(td) = found.task_definition_arn() {
            if let Ok(out) = (self.client.describe_task_definition())
                .task_definition(td)
                .send()
                .await
            {
                let definitions = out.task_definition().map(|d| d.container_definitions());
                facts.essential = (definitions.unwrap_or_default().iter())
                    .filter(|c| c.essential().unwrap_or(true))
                    .filter_map(|c| c.name().map(str::to_owned))
                    .collect();
            }
        }
        Ok(facts)
    }
}
