//! The worker: long-polls SQS, marks messages delivered in PostgreSQL (idempotently: a message
//! seen twice stays delivered once), deletes them in batches. A message it cannot understand or
//! whose id is unknown is left on the queue, the reason logged with its ids: after the queue's
//! maxReceiveCount, the redrive policy moves it to the DLQ.
//!
//! A transient failure does not spend the receives of valid messages: while PostgreSQL is
//! unavailable the batch is held ([`hold`]), and a failed delete is retried ([`delete`]). What
//! still spends one is at-least-once as designed: the task killed between receive and delete, or
//! an answer to ReceiveMessage lost on the way.

mod delete;
mod hold;
pub use delete::retry_entry;

use crate::db;
use crate::domain::Envelope;
use crate::shutdown::Shutdown;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message};
use sqlx::PgPool;
use std::collections::HashSet;
use std::time::Duration;

#[derive(Clone)]
pub struct Worker {
    pub pool: PgPool,
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    /// Long-poll seconds (0..=20).
    pub wait_seconds: i32,
}

/// The message id inside an SQS body: an SNS envelope (RawMessageDelivery off) whose `Message` is
/// our [`Envelope`], or the envelope itself (raw delivery on).
pub fn message_id(body: &str) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let inner = match value.get("Type").and_then(|t| t.as_str()) {
        Some("Notification") => serde_json::from_str(value.get("Message")?.as_str()?).ok()?,
        _ => value,
    };
    serde_json::from_value::<Envelope>(inner).ok().map(|e| e.id)
}

impl Worker {
    /// Consume until shutdown. Shutdown interrupts a long poll, never a batch being processed.
    pub async fn run(self, mut shutdown: Shutdown) {
        tracing::info!(queue = %self.queue_url, "worker started");
        while !shutdown.is_set() {
            let receive = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(self.wait_seconds)
                .send();
            let received = tokio::select! {
                r = receive => r,
                _ = shutdown.wait() => break,
            };
            let pause = match received {
                Ok(output) => match self.deliver(output.messages(), &mut shutdown).await {
                    Ok(()) => None,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), queue = %self.queue_url, "batch not deleted");
                        Some(Duration::from_secs(1))
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), queue = %self.queue_url, "ReceiveMessage failed");
                    Some(Duration::from_secs(1))
                }
            };
            if let Some(pause) = pause {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = shutdown.wait() => {}
                }
            }
        }
        tracing::info!("worker stopped");
    }

    /// Mark one received batch delivered, holding it while PostgreSQL is unavailable, and
    /// delete what was marked. Shutdown during a hold returns the batch to the queue.
    pub async fn deliver(
        &self,
        messages: &[Message],
        shutdown: &mut Shutdown,
    ) -> anyhow::Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let parsed = parse(messages);
        match self.mark_holding(&parsed, shutdown).await {
            Some(known) => self.delete_known(&parsed, &known).await,
            None => Ok(()),
        }
    }

    /// One attempt at a received batch: mark it delivered (an error if PostgreSQL fails) and
    /// delete what was marked.
    pub async fn process(&self, messages: &[Message]) -> anyhow::Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let parsed = parse(messages);
        let known = self.mark(&parsed).await?;
        self.delete_known(&parsed, &known).await
    }

    /// The ids of `parsed` PostgreSQL knows, now marked delivered.
    async fn mark(&self, parsed: &[Parsed<'_>]) -> Result<HashSet<i64>, sqlx::Error> {
        let ids: Vec<i64> = parsed.iter().filter_map(|(id, _)| *id).collect();
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(db::mark_delivered(&self.pool, &ids)
            .await?
            .into_iter()
            .collect())
    }

    /// Delete the messages PostgreSQL marked; log why each other one stays on the queue.
    async fn delete_known(
        &self,
        parsed: &[Parsed<'_>],
        known: &HashSet<i64>,
    ) -> anyhow::Result<()> {
        let mut entries = Vec::new();
        for (i, (id, message)) in parsed.iter().enumerate() {
            match id {
                Some(id) if known.contains(id) => {
                    if let Some(handle) = message.receipt_handle() {
                        entries.push(
                            DeleteMessageBatchRequestEntry::builder()
                                .id(i.to_string())
                                .receipt_handle(handle)
                                .build()
                                .expect("id and receipt handle are set"),
                        );
                    }
                }
                // Left on the queue: redelivered, then dead-lettered by the redrive policy.
                Some(id) => tracing::warn!(
                    id,
                    sqs_message_id = message.message_id(),
                    "message id unknown to PostgreSQL; leaving it for the DLQ"
                ),
                None => tracing::warn!(
                    sqs_message_id = message.message_id(),
                    "message is not a courier envelope; leaving it for the DLQ"
                ),
            }
        }
        tracing::debug!(
            received = parsed.len(),
            delivered = entries.len(),
            "worker batch"
        );
        if entries.is_empty() {
            return Ok(());
        }
        self.delete(entries).await
    }
}

/// A received message and the courier id in its body, if it has one.
type Parsed<'a> = (Option<i64>, &'a Message);

fn parse(messages: &[Message]) -> Vec<Parsed<'_>> {
    messages
        .iter()
        .map(|m| (m.body().and_then(message_id), m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::message_id;

    #[test]
    fn reads_sns_envelopes_and_raw_bodies() {
        let inner = r#"{"id":42,"channel":"c","sender":"s"}"#;
        let sns = serde_json::json!({"Type": "Notification", "MessageId": "x", "Message": inner});
        assert_eq!(message_id(&sns.to_string()), Some(42));
        assert_eq!(message_id(inner), Some(42));
        assert_eq!(message_id("not json"), None);
        assert_eq!(
            message_id(r#"{"Type":"Notification","Message":"{}"}"#),
            None
        );
        assert_eq!(message_id(r#"{"id":"42"}"#), None);
    }
}
