//! Holding a received batch while PostgreSQL is unavailable.
//!
//! Every receive counts toward the queue's maxReceiveCount, so a batch handed back to SQS each time
//! the database fails is dead-lettered after a few seconds of outage although nothing is wrong with
//! its messages. Instead the worker keeps the batch: it extends the messages' visibility
//! (ChangeMessageVisibilityBatch) so that SQS does not hand them out again, and retries the update
//! with a backoff until the database answers. It receives nothing more meanwhile: nothing could be
//! delivered. On shutdown the held messages are made visible again at once, for another task.

use super::{Parsed, Worker};
use crate::shutdown::Shutdown;
use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, Message};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The visibility each extension gives the held messages, in seconds.
const HOLD_VISIBILITY: i32 = 60;
/// How often the visibility is extended: well before it runs out, a slow attempt included.
const EXTEND_EVERY: Duration = Duration::from_secs(20);
/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_secs(5);

impl Worker {
    /// The ids PostgreSQL marked delivered, retried while the database fails; `None` when
    /// shutdown came first (the messages are then visible again).
    pub(super) async fn mark_holding(
        &self,
        parsed: &[Parsed<'_>],
        shutdown: &mut Shutdown,
    ) -> Option<HashSet<i64>> {
        let messages: Vec<&Message> = parsed.iter().map(|(_, m)| *m).collect();
        let since = Instant::now();
        let mut extended: Option<Instant> = None;
        let mut pause = Duration::from_millis(500);
        loop {
            let error = match self.mark(parsed).await {
                Ok(known) => {
                    if extended.is_some() {
                        tracing::info!(
                            messages = messages.len(),
                            held_seconds = since.elapsed().as_secs(),
                            "database answers again: the held batch is delivered"
                        );
                    }
                    return Some(known);
                }
                Err(e) => e,
            };
            if extended.is_none() {
                for (id, message) in parsed {
                    tracing::warn!(
                        id = *id,
                        sqs_message_id = message.message_id(),
                        error = %error,
                        "database unavailable: holding the message (kept invisible, not received again) until it answers"
                    );
                }
            }
            if extended.is_none_or(|at| at.elapsed() >= EXTEND_EVERY) {
                self.set_visibility(&messages, HOLD_VISIBILITY).await;
                extended = Some(Instant::now());
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.wait() => {
                    self.set_visibility(&messages, 0).await;
                    tracing::warn!(
                        messages = messages.len(),
                        "shutting down while the database is unavailable: the held messages are visible again"
                    );
                    return None;
                }
            }
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// ChangeMessageVisibilityBatch for every message; a failure is logged (the messages may
    /// then be received again, which spends a receive but loses nothing).
    async fn set_visibility(&self, messages: &[&Message], seconds: i32) {
        let entries: Vec<_> = messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let handle = m.receipt_handle()?;
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(handle)
                    .visibility_timeout(seconds)
                    .build()
                    .ok()
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let sent = self
            .sqs
            .change_message_visibility_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        match sent {
            Ok(out) => {
                for failed in out.failed() {
                    tracing::warn!(
                        entry = failed.id(),
                        code = failed.code(),
                        message = failed.message(),
                        "ChangeMessageVisibilityBatch entry failed: SQS may hand the message out again"
                    );
                }
            }
            Err(e) => tracing::warn!(
                error = %aws_sdk_sqs::error::DisplayErrorContext(e),
                queue = %self.queue_url,
                "ChangeMessageVisibilityBatch failed: SQS may hand the held messages out again"
            ),
        }
    }
}
