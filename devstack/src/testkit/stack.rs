//! A stack built in moto (or through the agent) for a test: an ECS cluster, revisions of a task
//! definition and a service, a work queue and its dead-letter queue, alarms in chosen states, a
//! log group, and the discovery parameters `/stackdeck/<stack>/<key>` (ARCHITECTURE.md, "Stack
//! discovery"), written out here by hand rather than with stackdeck's code, so that a test of
//! discovery cannot agree with a mistake in it.
//!
//! ```no_run
//! # async fn t(sdk: &aws_config::SdkConfig) -> anyhow::Result<()> {
//! use devstack::testkit::stack::{Alarm, Revision, StackBuilder};
//! let stack = StackBuilder::new("status")
//!     .revision(Revision::image("courier:1"))
//!     .service(1)
//!     .queues()
//!     .alarm(Alarm::new("queue-depth").ok("quiet"))
//!     .build(sdk)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Names follow one pattern: cluster `<name>-cluster`, service `<name>-svc`, family
//! `<name>-courier`, queues `<name>-work` and `<name>-dlq`, alarms `<name>-<alarm>`, log group
//! `/ecs/<name>`; `alarm_prefix` is always published (`<name>-`).

pub use super::parts::{
    create_queue, depth, describe_service, publish, queue_attribute, register, Alarm, Revision,
};
use crate::testenv::unique_name;
use anyhow::{Context, Result};
use aws_sdk_ecs::types::{DeploymentCircuitBreaker, DeploymentConfiguration, LaunchType};
use aws_sdk_sqs::types::QueueAttributeName;
use std::time::Duration;

/// The service: its desired count, on the last revision.
#[derive(Clone, Debug)]
struct Service {
    desired: i32,
    fargate: bool,
    circuit_breaker: bool,
}

/// What to build; [`StackBuilder::build`] builds it.
#[derive(Clone, Debug)]
pub struct StackBuilder {
    name: String,
    revisions: Vec<Revision>,
    service: Option<Service>,
    queues: bool,
    redrive: Option<i32>,
    alarms: Vec<Alarm>,
    log_group: bool,
}

impl StackBuilder {
    /// A stack named after `prefix`, unique to this process and call.
    pub fn new(prefix: &str) -> StackBuilder {
        StackBuilder::named(&unique_name(prefix).replace('_', "-"))
    }

    /// A stack of exactly this name (`courier-local`, say).
    pub fn named(name: &str) -> StackBuilder {
        StackBuilder {
            name: name.to_owned(),
            revisions: Vec::new(),
            service: None,
            queues: false,
            redrive: None,
            alarms: Vec::new(),
            log_group: false,
        }
    }

    /// The stack's name, before it is built (to start an agent for it, say).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One more revision of the family; the service runs the last one.
    pub fn revision(mut self, revision: Revision) -> StackBuilder {
        self.revisions.push(revision);
        self
    }

    /// A service (in a cluster of its own) wanting `desired` tasks.
    pub fn service(mut self, desired: i32) -> StackBuilder {
        self.service = Some(Service {
            desired,
            fargate: false,
            circuit_breaker: false,
        });
        self
    }

    /// Launch type FARGATE (the agent's control plane and moto's RunTask want it).
    pub fn fargate(mut self) -> StackBuilder {
        self.service.as_mut().expect("service() first").fargate = true;
        self
    }

    /// FARGATE, deployments at 100 %–200 % with the circuit breaker and its rollback on: as
    /// terraform/modules deploys the service.
    pub fn circuit_breaker(mut self) -> StackBuilder {
        let service = self.service.as_mut().expect("service() first");
        service.fargate = true;
        service.circuit_breaker = true;
        self
    }

    /// The work queue and its dead-letter queue.
    pub fn queues(mut self) -> StackBuilder {
        self.queues = true;
        self
    }

    /// The queues, the work queue's redrive policy naming the DLQ after `max_receive` receives.
    pub fn redrive(mut self, max_receive: i32) -> StackBuilder {
        self.queues = true;
        self.redrive = Some(max_receive);
        self
    }

    pub fn alarm(mut self, alarm: Alarm) -> StackBuilder {
        self.alarms.push(alarm);
        self
    }

    /// The log group `/ecs/<name>`.
    pub fn log_group(mut self) -> StackBuilder {
        self.log_group = true;
        self
    }

    /// Create everything through `sdk` and publish the discovery parameters of what was made.
    pub async fn build(self, sdk: &aws_config::SdkConfig) -> Result<Stack> {
        let name = self.name;
        let ecs = aws_sdk_ecs::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let mut stack = Stack {
            cluster: format!("{name}-cluster"),
            service: format!("{name}-svc"),
            family: format!("{name}-courier"),
            revisions: Vec::new(),
            queue_url: String::new(),
            dlq_url: String::new(),
            dlq_arn: String::new(),
            alarm_prefix: format!("{name}-"),
            alarms: Vec::new(),
            log_group: format!("/ecs/{name}"),
            sdk: sdk.clone(),
            name,
        };
        let mut params: Vec<(&str, String)> = Vec::new();

        if self.log_group {
            aws_sdk_cloudwatchlogs::Client::new(sdk)
                .create_log_group()
                .log_group_name(&stack.log_group)
                .send()
                .await
                .context("CreateLogGroup")?;
            params.push(("log_group", stack.log_group.clone()));
        }
        if self.service.is_some() || !self.revisions.is_empty() {
            ecs.create_cluster()
                .cluster_name(&stack.cluster)
                .send()
                .await
                .context("CreateCluster")?;
            params.push(("cluster", stack.cluster.clone()));
        }
        for revision in &self.revisions {
            stack
                .revisions
                .push(register(&ecs, &stack.family, revision).await?);
        }
        if !self.revisions.is_empty() {
            params.push(("task_family", stack.family.clone()));
        }
        if let Some(service) = &self.service {
            let mut create = ecs
                .create_service()
                .cluster(&stack.cluster)
                .service_name(&stack.service)
                .set_task_definition(stack.revisions.last().cloned())
                .desired_count(service.desired);
            if service.fargate {
                create = create.launch_type(LaunchType::Fargate);
            }
            if service.circuit_breaker {
                create = create.deployment_configuration(
                    DeploymentConfiguration::builder()
                        .minimum_healthy_percent(100)
                        .maximum_percent(200)
                        .deployment_circuit_breaker(
                            DeploymentCircuitBreaker::builder()
                                .enable(true)
                                .rollback(true)
                                .build(),
                        )
                        .build(),
                );
            }
            create.send().await.context("CreateService")?;
            params.push(("service", stack.service.clone()));
        }
        if self.queues {
            let (dlq_url, dlq_arn) =
                create_queue(&sqs, &format!("{}-dlq", stack.name), &[]).await?;
            let redrive: Vec<(QueueAttributeName, String)> = self
                .redrive
                .map(|max| {
                    let policy = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": max });
                    (QueueAttributeName::RedrivePolicy, policy.to_string())
                })
                .into_iter()
                .collect();
            let (queue_url, _) =
                create_queue(&sqs, &format!("{}-work", stack.name), &redrive).await?;
            params.push(("queue_url", queue_url.clone()));
            params.push(("dlq_url", dlq_url.clone()));
            (stack.queue_url, stack.dlq_url, stack.dlq_arn) = (queue_url, dlq_url, dlq_arn);
        }
        let cw = aws_sdk_cloudwatch::Client::new(sdk);
        for alarm in &self.alarms {
            let name = format!("{}{}", stack.alarm_prefix, alarm.suffix);
            alarm.put(&cw, &name).await?;
            stack.alarms.push(name);
        }
        params.push(("alarm_prefix", stack.alarm_prefix.clone()));
        stack.publish(params).await;
        Ok(stack)
    }
}

/// What [`StackBuilder::build`] made; fields of parts not built are empty.
#[derive(Clone, Debug)]
pub struct Stack {
    pub name: String,
    pub cluster: String,
    pub service: String,
    pub family: String,
    /// Revision ARNs, oldest first; the service starts on the last one.
    pub revisions: Vec<String>,
    pub queue_url: String,
    pub dlq_url: String,
    pub dlq_arn: String,
    pub alarm_prefix: String,
    /// Full alarm names, in the order given.
    pub alarms: Vec<String>,
    pub log_group: String,
    /// The SDK configuration it was built with.
    pub sdk: aws_config::SdkConfig,
}

impl Stack {
    /// Publish more discovery parameters of this stack.
    pub async fn publish<K: AsRef<str>, V: AsRef<str>>(
        &self,
        params: impl IntoIterator<Item = (K, V)>,
    ) {
        publish(&aws_sdk_ssm::Client::new(&self.sdk), &self.name, params).await;
    }

    /// Register one more revision of the family; its ARN.
    pub async fn register(&self, revision: &Revision) -> String {
        register(&aws_sdk_ecs::Client::new(&self.sdk), &self.family, revision)
            .await
            .unwrap()
    }

    /// The service as ECS describes it.
    pub async fn describe_service(&self) -> aws_sdk_ecs::types::Service {
        describe_service(
            &aws_sdk_ecs::Client::new(&self.sdk),
            &self.cluster,
            &self.service,
        )
        .await
    }

    /// (the service's task definition, its deployment ids), as ECS says.
    pub async fn service_state(&self) -> (String, Vec<String>) {
        let svc = self.describe_service().await;
        (
            svc.task_definition().unwrap_or_default().to_owned(),
            deployment_ids(&svc),
        )
    }

    /// (primary deployment's task definition, its rollout state, deployment ids), as ECS says.
    pub async fn deployments(&self) -> (String, String, Vec<String>) {
        let svc = self.describe_service().await;
        let primary = svc
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"))
            .expect("a primary deployment");
        (
            primary.task_definition().unwrap_or_default().to_owned(),
            primary
                .rollout_state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            deployment_ids(&svc),
        )
    }

    /// Wait until the primary deployment is COMPLETED.
    pub async fn wait_completed(&self, within: Duration) {
        super::eventually(within, "the service's deployment to complete", || async {
            let (_, rollout, _) = self.deployments().await;
            if rollout == "COMPLETED" {
                Ok(())
            } else {
                Err(format!("the service's deployment is still {rollout}"))
            }
        })
        .await
    }

    /// Visible messages of queue `url`.
    pub async fn depth(&self, url: &str) -> i64 {
        depth(&aws_sdk_sqs::Client::new(&self.sdk), url).await
    }

    /// Send `n` messages `m0`, `m1`, … to queue `url`.
    pub async fn send(&self, url: &str, n: usize) {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        for i in 0..n {
            sqs.send_message()
                .queue_url(url)
                .message_body(format!("m{i}"))
                .send()
                .await
                .unwrap();
        }
    }
}

fn deployment_ids(svc: &aws_sdk_ecs::types::Service) -> Vec<String> {
    svc.deployments()
        .iter()
        .filter_map(|d| d.id().map(str::to_owned))
        .collect()
}
