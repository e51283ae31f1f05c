//! The outbox relay: claims outbox rows with `FOR UPDATE SKIP LOCKED` (so several relays share
//! the work), publishes them to SNS with PublishBatch, then deletes them and marks the messages
//! published in the same transaction. A crash between the publish and the commit leaves the rows
//! in the outbox: they are published again (a duplicate, which the worker absorbs), never lost.

use crate::domain::Envelope;
use crate::shutdown::Shutdown;
use aws_sdk_sns::types::PublishBatchRequestEntry;
use sqlx::PgPool;
use std::time::Duration;

/// PublishBatch's limit.
pub const BATCH: i64 = 10;
/// Batches claimed per transaction; published concurrently.
pub const BATCHES_PER_ROUND: i64 = 5;

#[derive(Clone)]
pub struct Relay {
    pub pool: PgPool,
    pub sns: aws_sdk_sns::Client,
    pub topic_arn: String,
    /// Sleep when the outbox is empty.
    pub idle: Duration,
}

impl Relay {
    /// Relay until shutdown; the round in progress is finished first.
    pub async fn run(self, mut shutdown: Shutdown) {
        tracing::info!(topic = %self.topic_arn, "relay started");
        while !shutdown.is_set() {
            let pause = match self.relay_once().await {
                Ok(n) if n as i64 == BATCH * BATCHES_PER_ROUND => continue,
                Ok(_) => self.idle,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), topic = %self.topic_arn, "relay round failed");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.wait() => {}
            }
        }
        tracing::info!("relay stopped");
    }

    /// One round: claim, publish, mark. Returns how many rows were claimed.
    pub async fn relay_once(&self) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT m.id, m.channel, m.sender
             FROM outbox o JOIN messages m ON m.id = o.message_id
             ORDER BY o.message_id
             LIMIT $1
             FOR UPDATE OF o SKIP LOCKED",
        )
        .bind(BATCH * BATCHES_PER_ROUND)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let claimed = rows.len();
        let mut publishes = tokio::task::JoinSet::new();
        for chunk in rows.chunks(BATCH as usize) {
            let entries = chunk
                .iter()
                .map(|(id, channel, sender)| {
                    let envelope = Envelope {
                        id: *id,
                        channel: channel.clone(),
                        sender: sender.clone(),
                    };
                    PublishBatchRequestEntry::builder()
                        .id(id.to_string())
                        .message(serde_json::to_string(&envelope).expect("envelope serialises"))
                        .build()
                        .expect("id and message are set")
                })
                .collect::<Vec<_>>();
            let request = self
                .sns
                .publish_batch()
                .topic_arn(&self.topic_arn)
                .set_publish_batch_request_entries(Some(entries));
            publishes.spawn(async move { request.send().await });
        }
        let mut published: Vec<i64> = Vec::with_capacity(claimed);
        let mut first_error = None;
        while let Some(joined) = publishes.join_next().await {
            match joined.map_err(anyhow::Error::from).and_then(|r| {
                r.map_err(|e| anyhow::anyhow!("{}", aws_sdk_sns::error::DisplayErrorContext(e)))
            }) {
                Ok(output) => {
                    for ok in output.successful() {
                        if let Some(id) = ok.id().and_then(|id| id.parse().ok()) {
                            published.push(id);
                        }
                    }
                    for failed in output.failed() {
                        tracing::warn!(
                            id = failed.id(),
                            code = failed.code(),
                            message = failed.message(),
                            "SNS refused a message; it stays in the outbox"
                        );
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if !published.is_empty() {
            sqlx::query("DELETE FROM outbox WHERE message_id = ANY($1)")
                .bind(&published)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE messages
                 SET status = CASE WHEN status = 'accepted' THEN 'published' ELSE status END,
                     published_at = coalesce(published_at, now())
                 WHERE id = ANY($1)",
            )
            .bind(&published)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::debug!(claimed, published = published.len(), "relay round");
        match first_error {
            Some(e) => Err(e.context(format!("PublishBatch to {}", self.topic_arn))),
            None => Ok(claimed),
        }
    }
}
