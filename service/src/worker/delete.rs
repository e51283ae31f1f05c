//! Deleting the delivered messages, retried: a DeleteMessageBatch that fails (the call, or entries
//! SQS reports as its own fault) would otherwise hand the messages out again and spend a receive
//! each. After the last try they are left to SQS: delivered already in PostgreSQL, a redelivery is
//! absorbed.

use super::Worker;
use aws_sdk_sqs::types::{BatchResultErrorEntry, DeleteMessageBatchRequestEntry};
use std::time::Duration;

/// Attempts of one DeleteMessageBatch, the first included.
const TRIES: u32 = 4;

/// Whether a failed entry is worth another try: SQS's own fault (throttling, an internal error),
/// not the request's (an invalid or expired receipt handle).
pub fn retry_entry(failed: &BatchResultErrorEntry) -> bool {
    !failed.sender_fault()
}

impl Worker {
    /// Delete `entries`, retrying what failed through no fault of the request. An error only when
    /// every try of the call itself failed.
    pub(super) async fn delete(
        &self,
        mut entries: Vec<DeleteMessageBatchRequestEntry>,
    ) -> anyhow::Result<()> {
        let mut pause = Duration::from_millis(200);
        for attempt in 1..=TRIES {
            let last = attempt == TRIES;
            let sent = self
                .sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries.clone()))
                .send()
                .await;
            match sent {
                Ok(output) => {
                    let mut again = Vec::new();
                    for failed in output.failed() {
                        let retry = retry_entry(failed) && !last;
                        if retry {
                            again.push(failed.id().to_owned());
                        } else {
                            tracing::warn!(
                                entry = failed.id(),
                                code = failed.code(),
                                message = failed.message(),
                                attempt,
                                "DeleteMessageBatch entry failed; SQS will redeliver the message, delivered already"
                            );
                        }
                    }
                    entries.retain(|e| again.iter().any(|id| id == e.id()));
                    if entries.is_empty() {
                        return Ok(());
                    }
                }
                Err(e) if last => {
                    anyhow::bail!(
                        "DeleteMessageBatch of {} messages failed {TRIES} times, last: {}; SQS will redeliver them, delivered already",
                        entries.len(),
                        aws_sdk_sqs::error::DisplayErrorContext(e)
                    )
                }
                Err(e) => tracing::warn!(
                    error = %aws_sdk_sqs::error::DisplayErrorContext(e),
                    attempt,
                    "DeleteMessageBatch failed; trying again"
                ),
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::retry_entry;
    use aws_sdk_sqs::types::BatchResultErrorEntry;

    fn failed(code: &str, sender_fault: bool) -> BatchResultErrorEntry {
        BatchResultErrorEntry::builder()
            .id("0")
            .code(code)
            .sender_fault(sender_fault)
            .build()
            .unwrap()
    }

    #[test]
    fn retries_what_sqs_failed_not_what_the_request_got_wrong() {
        assert!(retry_entry(&failed("InternalError", false)));
        assert!(!retry_entry(&failed("ReceiptHandleIsInvalid", true)));
    }
}
