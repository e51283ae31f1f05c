//! ECS, the operating side: force a new deployment, change the task definition or the desired
//! count, stop a task, read what a rollback needs (deployments, history, revisions, a revision's
//! contents), wait for stability.

use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::ecs::{
    family_of, revision_of, ContainerSummary, CurrentDeployment, PastDeployment, Rollout,
    ServiceRef, TaskDefinitionSummary,
};
use aws_sdk_ecs::types::{ServiceDeploymentStatus, SortOrder, TaskDefinitionStatus};
use aws_sdk_ecs::Client;
use std::collections::BTreeMap;

/// The write-side ECS adapter.
#[derive(Clone)]
pub struct EcsActions {
    pub(super) client: Client,
    profile: String,
}

impl EcsActions {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        EcsActions {
            client: Client::new(config),
            profile,
        }
    }

    pub(super) fn err<E, R>(
        &self,
        e: &aws_sdk_ecs::error::SdkError<E, R>,
        op: &str,
        what: &str,
    ) -> AwsError
    where
        E: aws_sdk_ecs::error::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        describe(e, op, what, &self.profile)
    }

    /// UpdateService with forceNewDeployment: new tasks of the same task definition.
    pub async fn force_new_deployment(&self, svc: &ServiceRef) -> Result<String, AwsError> {
        let out = self
            .client
            .update_service()
            .cluster(&svc.cluster)
            .service(&svc.service)
            .force_new_deployment(true)
            .send()
            .await
            .map_err(|e| self.err(&e, "UpdateService", &svc.to_string()))?;
        Ok(primary_id(out.service()))
    }

    /// UpdateService to `task_definition`.
    pub async fn deploy(
        &self,
        svc: &ServiceRef,
        task_definition: &str,
    ) -> Result<String, AwsError> {
        let out = self
            .client
            .update_service()
            .cluster(&svc.cluster)
            .service(&svc.service)
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|e| self.err(&e, "UpdateService", &svc.to_string()))?;
        Ok(primary_id(out.service()))
    }

    /// The service's desired count (DescribeServices).
    pub async fn desired(&self, svc: &ServiceRef) -> Result<i32, AwsError> {
        Ok(self.service(svc).await?.desired_count())
    }

    /// The service as DescribeServices answers it; not found names ECS's reason.
    async fn service(&self, svc: &ServiceRef) -> Result<aws_sdk_ecs::types::Service, AwsError> {
        let out = self
            .client
            .describe_services()
            .cluster(&svc.cluster)
            .services(&svc.service)
            .send()
            .await
            .map_err(|e| self.err(&e, "DescribeServices", &svc.to_string()))?;
        out.services().first().cloned().ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotFound,
            message: format!(
                "DescribeServices: {svc} not found ({}); check the stack's SSM parameters",
                out.failures()
                    .first()
                    .and_then(|f| f.reason())
                    .unwrap_or("no such service")
            ),
        })
    }

    /// UpdateService with a new desired count; the PRIMARY deployment's id.
    pub async fn set_desired(&self, svc: &ServiceRef, count: i32) -> Result<String, AwsError> {
        let out = self
            .client
            .update_service()
            .cluster(&svc.cluster)
            .service(&svc.service)
            .desired_count(count)
            .send()
            .await
            .map_err(|e| self.err(&e, "UpdateService", &svc.to_string()))?;
        Ok(primary_id(out.service()))
    }

    /// The ids of the service's tasks that are meant to run (ListTasks, desired RUNNING).
    pub async fn running_task_ids(&self, svc: &ServiceRef) -> Result<Vec<String>, AwsError> {
        let mut pages = self
            .client
            .list_tasks()
            .cluster(&svc.cluster)
            .service_name(&svc.service)
            .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
            .into_paginator()
            .send();
        let mut ids = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.err(&e, "ListTasks", &svc.to_string()))?;
            ids.extend(
                page.task_arns()
                    .iter()
                    .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned()),
            );
        }
        Ok(ids)
    }

    /// StopTask of `task` (an id or ARN) with the reason ECS shows for it.
    pub async fn stop_task(&self, cluster: &str, task: &str, reason: &str) -> Result<(), AwsError> {
        self.client
            .stop_task()
            .cluster(cluster)
            .task(task)
            .reason(reason)
            .send()
            .await
            .map_err(|e| self.err(&e, "StopTask", &format!("task {task} in cluster {cluster}")))?;
        Ok(())
    }

    /// The service's deployments, PRIMARY first.
    pub async fn deployments(&self, svc: &ServiceRef) -> Result<Vec<CurrentDeployment>, AwsError> {
        let service = self.service(svc).await?;
        let mut deployments: Vec<CurrentDeployment> = service
            .deployments()
            .iter()
            .map(|d| CurrentDeployment {
                primary: d.status() == Some("PRIMARY"),
                task_definition: d.task_definition().unwrap_or_default().to_owned(),
                rollout: Rollout::parse(d.rollout_state().map(|s| s.as_str())),
                running: d.running_count(),
            })
            .collect();
        deployments.sort_by_key(|d| !d.primary);
        Ok(deployments)
    }

    /// Finished deployments, newest first, from ECS service deployments. Endpoints without that
    /// API (older regions, moto) give an empty history: the caller falls back and says so.
    pub async fn history(&self, svc: &ServiceRef) -> Vec<PastDeployment> {
        // The history is optional (endpoints without it answer 500, moto among them): one
        // attempt, so a missing API costs one round trip instead of the retries' back-off.
        let once = aws_sdk_ecs::config::Builder::default()
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
        let Ok(list) = self
            .client
            .list_service_deployments()
            .cluster(&svc.cluster)
            .service(&svc.service)
            .customize()
            .config_override(once.clone())
            .send()
            .await
        else {
            return Vec::new();
        };
        let revisions: Vec<String> = list
            .service_deployments()
            .iter()
            .filter_map(|d| d.target_service_revision_arn().map(str::to_owned))
            .collect();
        if revisions.is_empty() {
            return Vec::new();
        }
        let Ok(described) = self
            .client
            .describe_service_revisions()
            .set_service_revision_arns(Some(revisions))
            .customize()
            .config_override(once)
            .send()
            .await
        else {
            return Vec::new();
        };
        let task_definition_of: BTreeMap<&str, &str> = described
            .service_revisions()
            .iter()
            .filter_map(|r| Some((r.service_revision_arn()?, r.task_definition()?)))
            .collect();
        list.service_deployments()
            .iter()
            .filter_map(|d| {
                let td = task_definition_of.get(d.target_service_revision_arn()?)?;
                Some(PastDeployment {
                    task_definition: (*td).to_owned(),
                    successful: d.status() == Some(&ServiceDeploymentStatus::Successful),
                    status: d.status().map(|s| {
                        let at = d.started_at().or(d.created_at()).map_or(0, |t| t.secs());
                        (s.as_str().to_owned(), at)
                    }),
                })
            })
            .collect()
    }

    /// ACTIVE revisions of `family`, newest first (paginated).
    pub async fn revisions(&self, family: &str) -> Result<Vec<String>, AwsError> {
        let mut pages = self
            .client
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .sort(SortOrder::Desc)
            .into_paginator()
            .send();
        let mut arns = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                self.err(
                    &e,
                    "ListTaskDefinitions",
                    &format!("task definition family {family}"),
                )
            })?;
            arns.extend(
                page.task_definition_arns()
                    .iter()
                    .filter(|a| family_of(a) == family)
                    .cloned(),
            );
        }
        // Some endpoints ignore `sort`: order by revision number ourselves.
        arns.sort_by_key(|a| std::cmp::Reverse(revision_of(a)));
        Ok(arns)
    }

    /// What a revision runs.
    pub async fn summary(&self, task_definition: &str) -> Result<TaskDefinitionSummary, AwsError> {
        let out = self
            .client
            .describe_task_definition()
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|e| {
                self.err(
                    &e,
                    "DescribeTaskDefinition",
                    &format!("task definition {task_definition}"),
                )
            })?;
        let Some(td) = out.task_definition() else {
            return Ok(TaskDefinitionSummary {
                arn: task_definition.to_owned(),
                ..Default::default()
            });
        };
        Ok(TaskDefinitionSummary {
            arn: td
                .task_definition_arn()
                .unwrap_or(task_definition)
                .to_owned(),
            cpu: td.cpu().map(str::to_owned),
            memory: td.memory().map(str::to_owned),
            containers: td
                .container_definitions()
                .iter()
                .map(|c| {
                    (
                        c.name().unwrap_or("?").to_owned(),
                        ContainerSummary {
                            image: c.image().map(str::to_owned),
                            command: c.command().to_vec(),
                            environment: c
                                .environment()
                                .iter()
                                .filter_map(|kv| {
                                    Some((
                                        kv.name()?.to_owned(),
                                        kv.value().unwrap_or_default().to_owned(),
                                    ))
                                })
                                .collect(),
                        },
                    )
                })
                .collect(),
        })
    }
}

fn primary_id(service: Option<&aws_sdk_ecs::types::Service>) -> String {
    service
        .and_then(|s| {
            s.deployments()
                .iter()
                .find(|d| d.status() == Some("PRIMARY"))
        })
        .and_then(|d| d.id())
        .unwrap_or("unknown")
        .to_owned()
}
