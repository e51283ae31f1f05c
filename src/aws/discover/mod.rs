//! Discovery from the AWS API itself, for stacks this repository did not build: from an ECS
//! service (`--cluster/--service`) through its task definition, load balancer, queues, database
//! and alarms; or from a tag (`--tag KEY=VALUE`). The pure matching is `model::discovery`; the
//! order of the sources (SSM, config, API, tags) is [`resolve`].
//!
//! Calls for one service: DescribeServices, DescribeTaskDefinition, DescribeTargetGroups, per
//! queue GetQueueAttributes (+ GetQueueUrl for a name and for its DLQ), DescribeDBInstances when
//! the environment names a host, DescribeAlarms (one per 100 alarms in the account).

mod alarms;
mod queues;
pub mod resolve;
mod tags;

use super::calls::Counter;
use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::discovery::{self as pure, Container, Logs, Wanted};
use crate::model::stack::{numbered_key, Source, StackResources};

/// The clients discovery calls, each counting its requests.
pub struct Discoverer {
    ecs: aws_sdk_ecs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    sqs: aws_sdk_sqs::Client,
    rds: aws_sdk_rds::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
    profile: String,
}

impl Discoverer {
    pub fn new(sdk: &aws_config::SdkConfig, profile: String) -> Self {
        macro_rules! client {
            ($krate:ident) => {
                $krate::Client::from_conf(
                    $krate::config::Builder::from(sdk)
                        .interceptor(Counter)
                        .build(),
                )
            };
        }
        Discoverer {
            ecs: client!(aws_sdk_ecs),
            elb: client!(aws_sdk_elasticloadbalancingv2),
            sqs: client!(aws_sdk_sqs),
            rds: client!(aws_sdk_rds),
            cloudwatch: client!(aws_sdk_cloudwatch),
            tagging: client!(aws_sdk_resourcegroupstagging),
            profile,
        }
    }

    /// Fill `found` from service `service` of cluster `cluster`: what is there already (SSM,
    /// config) stands; what cannot be found gets a note saying why.
    pub async fn from_service(
        &self,
        found: &mut StackResources,
        cluster: &str,
        service: &str,
    ) -> Result<(), AwsError> {
        let what = format!("service {service} in cluster {cluster}");
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| describe(&e, "DescribeServices", &what, &self.profile))?;
        let svc = out
            .services()
            .iter()
            .find(|s| s.status() != Some("INACTIVE"))
            .ok_or_else(|| AwsError {
                kind: AwsErrorKind::NotFound,
                message: format!(
                    "DescribeServices: {what} not found (profile {}); check --cluster, --service and --region (`aws ecs list-services --cluster {cluster}` lists them)",
                    self.profile
                ),
            })?;
        found.fill("cluster", cluster, Source::Flag);
        found.fill("service", service, Source::Flag);
        let balancer = svc
            .load_balancers()
            .iter()
            .find(|l| l.target_group_arn().is_some());
        let main_container = balancer.and_then(|l| l.container_name()).map(str::to_owned);
        let target_group = balancer
            .and_then(|l| l.target_group_arn())
            .map(str::to_owned);
        let deployment_alarms: Vec<String> = svc
            .deployment_configuration()
            .and_then(|c| c.alarms())
            .map(|a| a.alarm_names().to_vec())
            .unwrap_or_default();
        let task_definition = svc.task_definition().map(str::to_owned);

        let (containers, load_balancer) = tokio::join!(
            self.containers(task_definition.as_deref()),
            self.load_balancer(target_group.as_deref()),
        );
        let (family, containers) = containers?;
        if let Some(family) = family {
            found.fill("task_family", family, Source::Service);
        }
        if let Some(tg) = &target_group {
            found.fill("target_group_arn", tg, Source::Service);
        } else {
            found.note("target_group_arn", "the service has no load balancer");
        }
        match load_balancer? {
            Some(lb) => found.fill("load_balancer_arn", lb, Source::Service),
            None => found.note("load_balancer_arn", "the service has no load balancer"),
        }
        match pure::logs_of(&containers, main_container.as_deref()) {
            Logs::CloudWatch {
                group,
                stream_prefix,
            } => {
                found.fill("log_group", group, Source::TaskDefinition);
                if let Some(prefix) = stream_prefix {
                    found.fill("log_stream_prefix", prefix, Source::TaskDefinition);
                }
            }
            Logs::Elsewhere { container, driver } => found.note(
                "log_group",
                format!("logs not in CloudWatch (container {container} logs with driver {driver})"),
            ),
            Logs::Unconfigured => found.note(
                "log_group",
                "logs not in CloudWatch (no container has a log configuration)",
            ),
        }
        let env: Vec<(String, String)> = containers.into_iter().flat_map(|c| c.env).collect();
        if let Some(topic) = pure::topic_of(&env) {
            found.fill("topic_arn", topic, Source::TaskDefinition);
        }
        if let Some(table) = pure::table_of(&env) {
            found.fill("dynamodb_table", table, Source::TaskDefinition);
        }
        if found.get("queue_url").is_none() {
            let queues = self.queues(&pure::queue_refs(&env)).await?;
            if queues.is_empty() {
                found.note(
                    "queue_url",
                    "no queue URL or name in the task definition's environment",
                );
            }
            for (i, queue) in queues.into_iter().enumerate() {
                found.fill(
                    &numbered_key("queue_url", i + 1),
                    queue.url,
                    Source::TaskDefinition,
                );
                match queue.dlq {
                    Some(dlq) => {
                        found.fill(&numbered_key("dlq_url", i + 1), dlq, Source::RedrivePolicy)
                    }
                    None => found.note(
                        &numbered_key("dlq_url", i + 1),
                        "the queue has no RedrivePolicy",
                    ),
                }
            }
        }
        if found.get("db_instance_id").is_none() {
            if let Some(id) = self.db_by_host(&pure::hosts_in(&env)).await? {
                found.fill("db_instance_id", id, Source::TaskDefinition);
            }
        }
        if found.get("alarm_names").is_none() && found.get("alarm_prefix").is_none() {
            let all = self.all_alarms().await?;
            let wanted = wanted(found, cluster, service);
            if found.get("db_instance_id").is_none() {
                match pure::db_from_alarms(&all, &wanted) {
                    Some(id) => found.fill("db_instance_id", id, Source::AlarmDimensions),
                    None => found.note(
                        "db_instance_id",
                        "no DB endpoint in the task definition's environment, and no alarm names one",
                    ),
                }
            }
            let wanted = self::wanted(found, cluster, service);
            let names = pure::stack_alarms(&all, &wanted, &deployment_alarms);
            if names.is_empty() {
                found.note(
                    "alarm_names",
                    "no alarm's dimensions name the service, its queues, database or load balancer",
                );
            } else {
                found.fill("alarm_names", names.join(","), Source::AlarmDimensions);
            }
        }
        Ok(())
    }

    /// The family and containers of task definition `arn`.
    async fn containers(
        &self,
        arn: Option<&str>,
    ) -> Result<(Option<String>, Vec<Container>), AwsError> {
        let Some(arn) = arn else {
            return Ok((None, Vec::new()));
        };
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &e,
                    "DescribeTaskDefinition",
                    &format!("task definition {arn}"),
                    &self.profile,
                )
            })?;
        let Some(def) = out.task_definition() else {
            return Ok((None, Vec::new()));
        };
        let containers = def
            .container_definitions()
            .iter()
            .map(|c| Container {
                name: c.name().unwrap_or_default().to_owned(),
                essential: c.essential().unwrap_or(true),
                log_driver: c
                    .log_configuration()
                    .map(|l| l.log_driver().as_str().to_owned()),
                log_options: c
                    .log_configuration()
                    .and_then(|l| l.options())
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                env: c
                    .environment()
                    .iter()
                    .filter_map(|kv| Some((kv.name()?.to_owned(), kv.value()?.to_owned())))
                    .chain(
                        c.secrets()
                            .iter()
                            .map(|s| (s.name().to_owned(), s.value_from().to_owned())),
                    )
                    .collect(),
            })
            .collect();
        Ok((def.family().map(str::to_owned), containers))
    }

    /// The load balancer of target group `arn`.
    async fn load_balancer(&self, arn: Option<&str>) -> Result<Option<String>, AwsError> {
        let Some(arn) = arn else { return Ok(None) };
        let out = self
            .elb
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &e,
                    "DescribeTargetGroups",
                    &format!("target group {arn}"),
                    &self.profile,
                )
            })?;
        Ok(out
            .target_groups()
            .first()
            .and_then(|tg| tg.load_balancer_arns().first())
            .cloned())
    }

    /// The DB instance whose endpoint is one of `hosts` (DescribeDBInstances, every page).
    async fn db_by_host(&self, hosts: &[String]) -> Result<Option<String>, AwsError> {
        if hosts.is_empty() {
            return Ok(None);
        }
        let mut pages = self.rds.describe_db_instances().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "DescribeDBInstances",
                    "the account's DB instances",
                    &self.profile,
                )
            })?;
            let hit = page.db_instances().iter().find(|db| {
                db.endpoint()
                    .and_then(|e| e.address())
                    .is_some_and(|a| hosts.iter().any(|h| a.eq_ignore_ascii_case(h)))
            });
            if let Some(db) = hit {
                return Ok(db.db_instance_identifier().map(str::to_owned));
            }
        }
        Ok(None)
    }
}

/// What the alarms are matched against, from what `found` holds now.
fn wanted(found: &StackResources, cluster: &str, service: &str) -> Wanted {
    let queue_names = found
        .queues()
        .into_iter()
        .flat_map(|(url, dlq)| [Some(url), dlq])
        .flatten()
        .filter_map(|url| url.rsplit('/').next())
        .map(str::to_owned)
        .collect();
    Wanted {
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        queues: queue_names,
        db_instance: found.get("db_instance_id").map(str::to_owned),
        target_group: found
            .get("target_group_arn")
            .and_then(pure::elb_dimension)
            .map(str::to_owned),
        load_balancer: found
            .get("load_balancer_arn")
            .and_then(pure::elb_dimension)
            .map(str::to_owned),
    }
}
