//! One call per IAM action, for `stackdeck doctor`: each read stackdeck makes, tried once against
//! the stack's own resources, or against a name no resource has where the stack names none (AWS
//! authorises the call before it looks the resource up, so "not found" there means allowed).

use super::error::{describe, AwsError};
use crate::model::console::partition;
use crate::model::sqs::queue_name;
use crate::model::stack::{discovery_path, StackResources, DISCOVERY_ROOT};
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use std::fmt::Debug;
use std::time::Duration;

/// The name of no resource: what a probe asks for where the stack names none.
pub const NO_SUCH: &str = "stackdeck-doctor";

/// What the probes aim at.
#[derive(Clone, Copy, Debug)]
pub struct Aim<'a> {
    /// The stack's resources (an empty set where no stack was given).
    pub resources: &'a StackResources,
    /// The caller's account, for the ARNs of resources the stack does not name.
    pub account: &'a str,
    pub region: &'a str,
    pub profile: &'a str,
    /// Why StartLiveTail cannot be tried on this endpoint, if it cannot.
    pub no_live_tail: Option<&'a str>,
}

/// What one probe found.
#[derive(Debug)]
pub enum Outcome {
    /// The call was answered; it was made on this resource.
    Answered(String),
    /// The call on this resource failed, classified (`AwsErrorKind::NotFound` means allowed).
    Failed(String, AwsError),
    /// Not tried, and why.
    NotTried(String),
}

fn outcome<T, E, R>(result: Result<T, SdkError<E, R>>, op: &str, on: String, aim: &Aim) -> Outcome
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: Debug + 'static,
{
    match result {
        Ok(_) => Outcome::Answered(on),
        Err(e) => {
            let e = describe(&e, op, &on, aim.profile);
            Outcome::Failed(on, e)
        }
    }
}

/// The actions [`try_action`] has a probe for.
pub const PROBED: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "elasticloadbalancing:DescribeTargetHealth",
    "rds:DescribeDBInstances",
    "sqs:GetQueueAttributes",
    "cloudwatch:GetMetricData",
    "cloudwatch:DescribeAlarms",
    "logs:FilterLogEvents",
    "logs:StartLiveTail",
    // The reads of discovery from the AWS API (`permissions::DISCOVER_API`) and of the picker.
    "ecs:DescribeTaskDefinition",
    "ecs:ListClusters",
    "ecs:ListServices",
    "sqs:GetQueueUrl",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeLoadBalancers",
    "tag:GetResources",
];

/// Try `action` once; `None` when there is no probe for it (not in [`PROBED`]).
pub async fn try_action(
    sdk: &aws_config::SdkConfig,
    action: &str,
    aim: &Aim<'_>,
) -> Option<Outcome> {
    let get = |key: &str| aim.resources.get(key);
    let cluster = get("cluster").unwrap_or(NO_SUCH).to_owned();
    let service = get("service").unwrap_or(NO_SUCH).to_owned();
    let ecs = || aws_sdk_ecs::Client::new(sdk);
    let elb = || aws_sdk_elasticloadbalancingv2::Client::new(sdk);
    let on_service = format!("service {service} in cluster {cluster}");
    Some(match action {
        "ssm:GetParametersByPath" => {
            let path = match aim.resources.stack.as_str() {
                "" => DISCOVERY_ROOT.to_owned(),
                stack => discovery_path(stack),
            };
            let call = aws_sdk_ssm::Client::new(sdk)
                .get_parameters_by_path()
                .path(&path)
                .recursive(true)
                .max_results(1)
                .send()
                .await;
            outcome(call, "GetParametersByPath", path, aim)
        }
        "ecs:DescribeServices" => {
            let call = ecs()
                .describe_services()
                .cluster(&cluster)
                .services(&service)
                .send()
                .await;
            outcome(call, "DescribeServices", on_service, aim)
        }
        "ecs:ListTasks" => {
            let call = ecs()
                .list_tasks()
                .cluster(&cluster)
                .service_name(&service)
                .max_results(1)
                .send()
                .await;
            outcome(call, "ListTasks", on_service, aim)
        }
        "ecs:DescribeTasks" => describe_tasks(sdk, &cluster, &service, aim).await,
        "elasticloadbalancing:DescribeTargetHealth" => {
            let arn = get("target_group_arn")
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    format!(
                        "arn:{}:elasticloadbalancing:{}:{}:targetgroup/{NO_SUCH}/0000000000000000",
                        partition(aim.region),
                        aim.region,
                        aim.account
                    )
                });
            let call = elb()
                .describe_target_health()
                .target_group_arn(&arn)
                .send()
                .await;
            outcome(
                call,
                "DescribeTargetHealth",
                format!("target group {arn}"),
                aim,
            )
        }
        "rds:DescribeDBInstances" => {
            let db = get("db_instance_id");
            let call = aws_sdk_rds::Client::new(sdk)
                .describe_db_instances()
                .set_db_instance_identifier(db.map(str::to_owned))
                .max_records(20)
                .send()
                .await;
            let on = db.map_or("the account's DB instances".into(), |db| {
                format!("DB instance {db}")
            });
            outcome(call, "DescribeDBInstances", on, aim)
        }
        "sqs:GetQueueAttributes" => {
            let url = get("queue_url").map(str::to_owned).unwrap_or_else(|| {
                format!(
                    "https://sqs.{}.amazonaws.com/{}/{NO_SUCH}",
                    aim.region, aim.account
                )
            });
            let call = aws_sdk_sqs::Client::new(sdk)
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(
                    aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                )
                .send()
                .await;
            outcome(
                call,
                "GetQueueAttributes",
                format!("queue {}", queue_name(&url)),
                aim,
            )
        }
        "cloudwatch:GetMetricData" => metric_data(sdk, aim).await,
        "cloudwatch:DescribeAlarms" => {
            let prefix = get("alarm_prefix").unwrap_or(NO_SUCH).to_owned();
            let call = aws_sdk_cloudwatch::Client::new(sdk)
                .describe_alarms()
                .alarm_name_prefix(&prefix)
                .max_records(1)
                .send()
                .await;
            outcome(
                call,
                "DescribeAlarms",
                format!("alarms with prefix {prefix}"),
                aim,
            )
        }
        "logs:FilterLogEvents" => {
            let group = get("log_group").unwrap_or(NO_SUCH).to_owned();
            let call = aws_sdk_cloudwatchlogs::Client::new(sdk)
                .filter_log_events()
                .log_group_name(group.trim_end_matches(":*"))
                .start_time(jiff::Timestamp::now().as_millisecond() - 60_000)
                .limit(1)
                .send()
                .await;
            outcome(call, "FilterLogEvents", format!("log group {group}"), aim)
        }
        "logs:StartLiveTail" => live_tail(sdk, aim).await,
        "ecs:DescribeTaskDefinition" => {
            let family = get("task_family").unwrap_or(NO_SUCH).to_owned();
            let call = ecs()
                .describe_task_definition()
                .task_definition(&family)
                .send()
                .await;
            let on = format!("task definition {family}");
            // ECS says a family it does not know with a ClientException, not a NotFound.
            match outcome(call, "DescribeTaskDefinition", on, aim) {
                Outcome::Failed(on, mut e)
                    if e.message.contains("Unable to describe task definition") =>
                {
                    e.kind = super::error::AwsErrorKind::NotFound;
                    Outcome::Failed(on, e)
                }
                other => other,
            }
        }
        "ecs:ListClusters" => {
            let call = ecs().list_clusters().max_results(1).send().await;
            outcome(call, "ListClusters", "the account's clusters".into(), aim)
        }
        "ecs:ListServices" => {
            let call = ecs()
                .list_services()
                .cluster(&cluster)
                .max_results(1)
                .send()
                .await;
            outcome(call, "ListServices", format!("cluster {cluster}"), aim)
        }
        "sqs:GetQueueUrl" => {
            let queue = get("queue_url").map_or(NO_SUCH, queue_name).to_owned();
            let call = aws_sdk_sqs::Client::new(sdk)
                .get_queue_url()
                .queue_name(&queue)
                .send()
                .await;
            outcome(call, "GetQueueUrl", format!("queue {queue}"), aim)
        }
        "elasticloadbalancing:DescribeTargetGroups" => {
            let call = elb().describe_target_groups().page_size(1).send().await;
            outcome(
                call,
                "DescribeTargetGroups",
                "the account's target groups".into(),
                aim,
            )
        }
        "elasticloadbalancing:DescribeLoadBalancers" => {
            let call = elb().describe_load_balancers().page_size(1).send().await;
            outcome(
                call,
                "DescribeLoadBalancers",
                "the account's load balancers".into(),
                aim,
            )
        }
        "tag:GetResources" => {
            // A tag no resource has: authorised as any other, and no listing of the account.
            let filter = aws_sdk_resourcegroupstagging::types::TagFilter::builder()
                .key(NO_SUCH)
                .build();
            let call = aws_sdk_resourcegroupstagging::Client::new(sdk)
                .get_resources()
                .tag_filters(filter)
                .resource_type_filters("sqs")
                .resources_per_page(1)
                .send()
                .await;
            outcome(
                call,
                "GetResources",
                format!("resources tagged {NO_SUCH}"),
                aim,
            )
        }
        _ => return None,
    })
}

/// DescribeTasks on a task of the service where it runs one, else on a task id no task has.
async fn describe_tasks(
    sdk: &aws_config::SdkConfig,
    cluster: &str,
    service: &str,
    aim: &Aim<'_>,
) -> Outcome {
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let running = ecs
        .list_tasks()
        .cluster(cluster)
        .service_name(service)
        .max_results(1)
        .send()
        .await
        .ok()
        .and_then(|out| out.task_arns().first().cloned());
    let task = running.unwrap_or_else(|| "0123456789abcdef0123456789abcdef".into());
    let call = ecs
        .describe_tasks()
        .cluster(cluster)
        .tasks(&task)
        .send()
        .await;
    outcome(
        call,
        "DescribeTasks",
        format!("task {task} in cluster {cluster}"),
        aim,
    )
}

/// One metric of the work queue (or of no queue) over the last ten minutes.
async fn metric_data(sdk: &aws_config::SdkConfig, aim: &Aim<'_>) -> Outcome {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
    let queue = aim.resources.get("queue_url").map_or(NO_SUCH, queue_name);
    let metric = Metric::builder()
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(Dimension::builder().name("QueueName").value(queue).build())
        .build();
    let query = MetricDataQuery::builder()
        .id("doctor")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(60)
                .stat("Maximum")
                .build(),
        )
        .build();
    let now = jiff::Timestamp::now().as_second();
    let call = aws_sdk_cloudwatch::Client::new(sdk)
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(DateTime::from_secs(now - 600))
        .end_time(DateTime::from_secs(now))
        .send()
        .await;
    outcome(call, "GetMetricData", format!("queue {queue}'s depth"), aim)
}

/// A live tail session opened and dropped at once (where the endpoint can give one).
async fn live_tail(sdk: &aws_config::SdkConfig, aim: &Aim<'_>) -> Outcome {
    if let Some(why) = aim.no_live_tail {
        return Outcome::NotTried(format!("{why}; the log panel polls FilterLogEvents"));
    }
    let group = aim.resources.get("log_group").unwrap_or(NO_SUCH);
    let arn = match group.strip_suffix(":*").unwrap_or(group) {
        arn if arn.starts_with("arn:") => arn.to_owned(),
        name => format!(
            "arn:{}:logs:{}:{}:log-group:{name}",
            partition(aim.region),
            aim.region,
            aim.account
        ),
    };
    let call = aws_sdk_cloudwatchlogs::Client::new(sdk)
        .start_live_tail()
        .log_group_identifiers(&arn)
        .send();
    match tokio::time::timeout(Duration::from_secs(15), call).await {
        Ok(result) => outcome(result, "StartLiveTail", format!("log group {group}"), aim),
        Err(_) => Outcome::NotTried("StartLiveTail did not answer within 15 s".into()),
    }
}
