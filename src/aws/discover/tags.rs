//! `--tag KEY=VALUE`: the stack's resources found by a tag through the Resource Groups Tagging
//! API's GetResources (every page; several tags must all match), then the service's own
//! description for what the tags do not give.

use super::Discoverer;
use crate::aws::error::{describe, AwsError, AwsErrorKind};
use crate::model::discovery::QueueRef;
use crate::model::stack::{numbered_key, Source, StackResources};
use crate::model::tagged::{classify, Tagged};
use aws_sdk_resourcegroupstagging::types::TagFilter;

/// The resource types asked for: those the dashboard shows, so that an account's thousands of
/// other tagged resources (instances, buckets, functions) are not listed. The ECS cluster is not
/// among them: a service's ARN names its cluster, and moto (5.2.1) fails GetResources with a 500
/// whenever the account holds a cluster created without tags. A stack whose tag is on its
/// cluster alone is found with `--cluster C --service S` instead.
pub const TYPES: &[&str] = &[
    "ecs:service",
    "sqs",
    "sns",
    "cloudwatch",
    "logs",
    "elasticloadbalancing:targetgroup",
    "elasticloadbalancing:loadbalancer",
    "rds",
    "dynamodb:table",
];

impl Discoverer {
    /// Fill `found` from the resources tagged with every one of `tags`.
    pub async fn from_tags(
        &self,
        found: &mut StackResources,
        tags: &[(String, String)],
    ) -> Result<(), AwsError> {
        let what = tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        let filters: Vec<TagFilter> = tags
            .iter()
            .map(|(k, v)| TagFilter::builder().key(k).values(v).build())
            .collect();
        let mut pages = self
            .tagging
            .get_resources()
            .set_tag_filters(Some(filters))
            .set_resource_type_filters(Some(TYPES.iter().map(|t| (*t).to_owned()).collect()))
            .resources_per_page(100)
            .into_paginator()
            .send();
        let mut kinds = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "GetResources",
                    &format!("resources tagged {what}"),
                    &self.profile,
                )
            })?;
            kinds.extend(
                page.resource_tag_mapping_list()
                    .iter()
                    .filter_map(|m| m.resource_arn())
                    .map(classify),
            );
        }
        if kinds.iter().all(|k| *k == Tagged::Other) {
            return Err(AwsError {
                kind: AwsErrorKind::NotFound,
                message: format!(
                    "GetResources: no ECS service, SQS queue, alarm, log group, ELB or RDS resource is tagged {what} (profile {}); check the tag (`aws resourcegroupstaggingapi get-resources --tag-filters Key=K,Values=V`) and --region",
                    self.profile
                ),
            });
        }
        let (mut services, mut queues, mut alarms) = (Vec::new(), Vec::new(), Vec::new());
        for kind in kinds {
            match kind {
                Tagged::Cluster(name) => found.fill("cluster", name, Source::Tag),
                Tagged::Service { cluster, name } => services.push((cluster, name)),
                Tagged::Queue(name) => queues.push(QueueRef::Name(name)),
                Tagged::Alarm(name) => alarms.push(name),
                Tagged::LogGroup(name) => found.fill("log_group", name, Source::Tag),
                Tagged::TargetGroup(arn) => found.fill("target_group_arn", arn, Source::Tag),
                Tagged::LoadBalancer(arn) => found.fill("load_balancer_arn", arn, Source::Tag),
                Tagged::Db(id) => found.fill("db_instance_id", id, Source::Tag),
                Tagged::Table(name) => found.fill("dynamodb_table", name, Source::Tag),
                Tagged::Topic(arn) => found.fill("topic_arn", arn, Source::Tag),
                Tagged::Other => {}
            }
        }
        services.sort();
        for (i, (cluster, name)) in services.iter().enumerate() {
            if let Some(cluster) = cluster {
                found.fill(&numbered_key("cluster", i + 1), cluster, Source::Tag);
            }
            found.fill(&numbered_key("service", i + 1), name, Source::Tag);
        }
        if found.get("queue_url").is_none() {
            for (i, queue) in self.queues(&queues).await?.into_iter().enumerate() {
                found.fill(&numbered_key("queue_url", i + 1), queue.url, Source::Tag);
                if let Some(dlq) = queue.dlq {
                    found.fill(&numbered_key("dlq_url", i + 1), dlq, Source::RedrivePolicy);
                }
            }
        }
        if !alarms.is_empty() {
            alarms.sort();
            found.fill("alarm_names", alarms.join(","), Source::Tag);
        }
        if let (Some(cluster), Some(service)) = (found.get("cluster"), found.get("service")) {
            let (cluster, service) = (cluster.to_owned(), service.to_owned());
            self.from_service(found, &cluster, &service).await?;
        }
        Ok(())
    }
}
