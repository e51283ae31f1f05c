//! ECS, the reading side: the service, its deployments and its events.

use super::calls::Counter;
use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::dashboard::Task;
use crate::model::ecs::Rollout;
use crate::model::health::{Deployment, Guard, Guards, ServiceEvent, ServiceHealth};
use aws_sdk_ecs::types::DesiredStatus;
use aws_sdk_ecs::Client;

/// How many tasks the panel keeps: every running one, then the newest stopped ones.
const TASKS: usize = 30;

/// How many of the newest service events a snapshot keeps.
const EVENTS: usize = 10;

pub struct Ecs {
    client: Client,
    profile: String,
}

impl Ecs {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_ecs::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        Ecs {
            client: Client::from_conf(conf),
            profile,
        }
    }

    /// The service's counts, deployments (PRIMARY first) and newest events.
    pub async fn service(&self, cluster: &str, service: &str) -> Result<ServiceHealth, AwsError> {
        self.service_with_events(cluster, service, EVENTS).await
    }

    /// [`Ecs::service`] keeping the newest `events` events (DescribeServices answers up to 100),
    /// for the timeline.
    pub async fn service_with_events(
        &self,
        cluster: &str,
        service: &str,
        events: usize,
    ) -> Result<ServiceHealth, AwsError> {
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
                rollout_state: Rollout::parse(d.rollout_state().map(|s| s.as_str())),
                rollout_reason: d.rollout_state_reason().unwrap_or_default().to_owned(),
                running: d.running_count(),
                desired: d.desired_count(),
                failed_tasks: d.failed_tasks(),
                created: d.created_at().map(|t| t.secs()),
                updated: d.updated_at().map(|t| t.secs()),
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
                .take(events)
                .map(|e| ServiceEvent {
                    at: e.created_at().map(|t| t.secs()),
                    message: e.message().unwrap_or_default().to_owned(),
                })
                .collect(),
            guards: guards(svc.deployment_configuration()),
        })
    }

    /// The service's tasks, running and recently stopped (ListTasks paginated, both listings
    /// concurrent, then DescribeTasks in batches of 100): running first, newest first.
    pub async fn tasks(&self, cluster: &str, service: &str) -> Result<Vec<Task>, AwsError> {
        let (running, stopped) = tokio::join!(
            self.task_arns(cluster, service, DesiredStatus::Running),
            self.task_arns(cluster, service, DesiredStatus::Stopped)
        );
        let mut arns = running?;
        arns.extend(stopped?);
        let batches = arns.chunks(100).map(|batch| async move {
            self.client
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| {
                    describe(
                        &e,
                        "DescribeTasks",
                        &format!("tasks of {service} in cluster {cluster}"),
                        &self.profile,
                    )
                })
        });
        let mut tasks = Vec::new();
        for out in futures_util::future::join_all(batches).await {
            tasks.extend(out?.tasks().iter().map(|t| {
                Task {
                    id: t
                        .task_arn()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    last_status: t.last_status().unwrap_or_default().to_owned(),
                    desired_status: t.desired_status().unwrap_or_default().to_owned(),
                    health: t
                        .health_status()
                        .map(|h| h.as_str().to_owned())
                        .unwrap_or_default(),
                    task_definition: t.task_definition_arn().unwrap_or_default().to_owned(),
                    started_by: t.started_by().unwrap_or_default().to_owned(),
                    started: t.started_at().map(|d| d.secs()),
                    stopped: t.stopped_at().map(|d| d.secs()),
                    stopped_reason: t.stopped_reason().unwrap_or_default().to_owned(),
                }
            }));
        }
        tasks.sort_by(|a, b| {
            (a.last_status == "STOPPED")
                .cmp(&(b.last_status == "STOPPED"))
                .then_with(|| b.started.cmp(&a.started))
                .then_with(|| a.id.cmp(&b.id))
        });
        tasks.truncate(TASKS.max(tasks.iter().filter(|t| t.last_status != "STOPPED").count()));
        Ok(tasks)
    }

    async fn task_arns(
        &self,
        cluster: &str,
        service: &str,
        desired: DesiredStatus,
    ) -> Result<Vec<String>, AwsError> {
        let mut pages = self
            .client
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(desired)
            .into_paginator()
            .send();
        let mut arns = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "ListTasks",
                    &format!("service {service} in cluster {cluster}"),
                    &self.profile,
                )
            })?;
            arns.extend(page.task_arns().iter().cloned());
        }
        Ok(arns)
    }
}

/// The circuit breaker and deployment alarms of a service's deployment configuration.
fn guards(config: Option<&aws_sdk_ecs::types::DeploymentConfiguration>) -> Guards {
    let Some(config) = config else {
        return Guards::default();
    };
    Guards {
        circuit_breaker: config.deployment_circuit_breaker().map(|b| Guard {
            enable: b.enable(),
            rollback: b.rollback(),
        }),
        alarms: config.alarms().map(|a| Guard {
            enable: a.enable(),
            rollback: a.rollback(),
        }),
        alarm_names: config
            .alarms()
            .map(|a| a.alarm_names().to_vec())
            .unwrap_or_default(),
    }
}
