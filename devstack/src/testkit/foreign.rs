//! A stack this repository did not build, as discovery from the AWS API meets it: no SSM
//! parameter; the task definition names its work queue (`WORK_QUEUE`) and its `awslogs` group
//! (`/ecs/<name>`); the queue has a DLQ; alarms carry the queue's name as a dimension.

use super::stack::{Revision, StackBuilder};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};

/// The builder of such a stack under a unique name from `prefix` (no tasks; DLQ after 3 receives).
pub fn builder(prefix: &str) -> StackBuilder {
    let builder = StackBuilder::new(prefix);
    let name = builder.name().to_owned();
    builder
        .revision(
            Revision::image("app:1")
                .env("WORK_QUEUE", format!("{name}-work"))
                .env("LOG_LEVEL", "info")
                .logs_to(&format!("/ecs/{name}")),
        )
        .service(0)
        .redrive(3)
}

/// An alarm `name` on the depth of the SQS queue `queue` (its `QueueName` dimension).
pub async fn queue_alarm(
    sdk: &aws_config::SdkConfig,
    name: &str,
    queue: &str,
) -> anyhow::Result<()> {
    aws_sdk_cloudwatch::Client::new(sdk)
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(Dimension::builder().name("QueueName").value(queue).build())
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(100.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await?;
    Ok(())
}
