//! SQS, the operating side: a queue's depth before a purge, PurgeQueue, and the DLQ redrive
//! (StartMessageMoveTask / ListMessageMoveTasks).

use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::sqs::{queue_name, MoveTask, QueueFacts};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;

pub struct SqsActions {
    client: Client,
    profile: String,
}

impl SqsActions {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_sqs::config::Builder::from(config)
            .interceptor(super::calls::Counter)
            .build();
        SqsActions {
            client: Client::from_conf(conf),
            profile,
        }
    }

    pub async fn facts(&self, url: &str) -> Result<QueueFacts, AwsError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &e,
                    "GetQueueAttributes",
                    &format!("queue {url}"),
                    &self.profile,
                )
            })?;
        let attrs = out.attributes();
        let number = |name: QueueAttributeName| {
            attrs
                .and_then(|a| a.get(&name))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok(QueueFacts {
            url: url.to_owned(),
            name: queue_name(url).to_owned(),
            arn: attrs
                .and_then(|a| a.get(&QueueAttributeName::QueueArn))
                .cloned()
                .unwrap_or_default(),
            visible: number(QueueAttributeName::ApproximateNumberOfMessages),
            in_flight: number(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            delayed: number(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        })
    }

    pub async fn purge(&self, url: &str) -> Result<(), AwsError> {
        self.client
            .purge_queue()
            .queue_url(url)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                let mut err = describe(&e, "PurgeQueue", &format!("queue {}", queue_name(url)), &self.profile);
                if e.as_service_error().is_some_and(|s| s.is_purge_queue_in_progress()) {
                    err.message = format!(
                        "PurgeQueue on queue {}: a purge is already in progress (SQS allows one per 60 s); try again in a minute",
                        queue_name(url)
                    );
                }
                err
            })
    }

    /// Start moving the DLQ's messages back to the queue they came from.
    pub async fn start_redrive(&self, dlq_arn: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .start_message_move_task()
            .source_arn(dlq_arn)
            .send()
            .await
            .map_err(|e| {
                unsupported_or(describe(
                    &e,
                    "StartMessageMoveTask",
                    &format!("dead-letter queue {dlq_arn}"),
                    &self.profile,
                ))
            })?;
        Ok(out.task_handle().unwrap_or_default().to_owned())
    }

    /// The newest move tasks of the DLQ.
    pub async fn redrive_progress(&self, dlq_arn: &str) -> Result<Vec<MoveTask>, AwsError> {
        let out = self
            .client
            .list_message_move_tasks()
            .source_arn(dlq_arn)
            .max_results(10)
            .send()
            .await
            .map_err(|e| {
                unsupported_or(describe(
                    &e,
                    "ListMessageMoveTasks",
                    &format!("dead-letter queue {dlq_arn}"),
                    &self.profile,
                ))
            })?;
        Ok(out
            .results()
            .iter()
            .map(|t| MoveTask {
                handle: t.task_handle().map(str::to_owned),
                status: t.status().unwrap_or("UNKNOWN").to_owned(),
                moved: t.approximate_number_of_messages_moved(),
                to_move: t.approximate_number_of_messages_to_move(),
                failure: t.failure_reason().map(str::to_owned),
            })
            .collect())
    }
}

/// An endpoint without the message move API (moto answers 500) gets a clear message.
fn unsupported_or(mut err: AwsError) -> AwsError {
    if err.kind == AwsErrorKind::Other
        && (err.message.contains("500")
            || err.message.contains("InternalFailure")
            || err.message.contains("not yet implemented")
            || err.message.contains("unhandled"))
    {
        err.message = format!(
            "{} — this AWS endpoint does not support DLQ redrive (message move tasks); redrive from the AWS console or with the real SQS API",
            err.message
        );
    }
    err
}
