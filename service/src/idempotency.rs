//! Idempotency records in DynamoDB, in the manner of Powertools: a conditional put of an
//! IN_PROGRESS record with the payload hash, COMPLETED with the response after the PostgreSQL
//! commit, and a TTL (`expires_at`) so the table cleans itself.

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a completed key is remembered.
pub const RECORD_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an IN_PROGRESS record blocks retries: past it, the request that wrote it is presumed
/// dead and a retry may go on (PostgreSQL's unique key still prevents a second message).
pub const IN_PROGRESS_TTL: Duration = Duration::from_secs(60);

/// The longest one DynamoDB attempt (connect included) may take: the SDK sets no read timeout of
/// its own, so a DynamoDB that accepts and never answers would hold the request for ever.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest one DynamoDB call may take, retries included: past it the request is 503.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

const IN_PROGRESS: &str = "IN_PROGRESS";
const COMPLETED: &str = "COMPLETED";

/// The DynamoDB idempotency table (hash key `pk`, TTL attribute `expires_at`).
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

/// What [`Store::begin`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// The key is ours: go on, then [`Store::complete`] or [`Store::release`].
    Started,
    /// The key finished before with the same payload: answer this (JSON) again.
    Completed(String),
    /// The key is in use by a request still in progress.
    InProgress,
    /// The key was used with another payload.
    PayloadMismatch,
}

#[derive(Debug, thiserror::Error)]
#[error("DynamoDB idempotency table {table}: {message}")]
pub struct StoreError {
    pub table: String,
    pub message: String,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// A token naming one claim: the process, the time and a counter. The SDK retries a PutItem whose
/// answer it did not get (an attempt timed out while DynamoDB applied it); carrying the token lets
/// the retry recognise its own claim instead of meeting it as "in progress" (409).
fn claim_token() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let count = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos:x}-{count}", std::process::id())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// The DynamoDB client of the store: the process's SDK configuration with the store's timeouts.
pub fn client(sdk: &aws_config::SdkConfig) -> Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(ATTEMPT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(CALL_TIMEOUT)
        .build();
    Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(sdk)
            .timeout_config(timeouts)
            .build(),
    )
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Store {
        Store {
            client,
            table: table.into(),
        }
    }

    fn error(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError {
            table: self.table.clone(),
            message: e.to_string(),
        }
    }

    /// Claim `key` for a request with `payload_hash`.
    ///
    /// When the claim's outcome is unknown (the call failed: it may still have been applied), the
    /// claim is given back in the background, so that the client's retry is not refused for the
    /// whole in-progress time.
    pub async fn begin(&self, key: &str, payload_hash: &str) -> Result<Begin, StoreError> {
        let token = claim_token();
        let begun = self.claim(key, payload_hash, &token).await;
        if begun.is_err() {
            let store = self.clone();
            let key = key.to_owned();
            tokio::spawn(async move {
                if let Err(e) = store.release_claim(&key, &token).await {
                    tracing::debug!(error = %e, "an unknown claim not given back");
                }
            });
        }
        begun
    }

    /// Claim `key` as the claim named `token`: the same token claims again what it holds.
    pub async fn claim(
        &self,
        key: &str,
        payload_hash: &str,
        token: &str,
    ) -> Result<Begin, StoreError> {
        let now = now();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(key))
            .item("status", s(IN_PROGRESS))
            .item("payload_hash", s(payload_hash))
            .item("expires_at", n(now + RECORD_TTL.as_secs()))
            .item("in_progress_until", n(now + IN_PROGRESS_TTL.as_secs()))
            .item("claim", s(token))
            // Free, expired (TTL deletion lags), abandoned in progress, or ours (an SDK retry).
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at < :now \
                 OR (#status = :in_progress AND in_progress_until < :now) \
                 OR (#status = :in_progress AND #claim = :claim)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_values(":claim", s(token))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Begin::Started),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                self.existing(key, payload_hash).await
            }
            Err(e) => Err(self.error(aws_sdk_dynamodb::error::DisplayErrorContext(e))),
        }
    }

    async fn existing(&self, key: &str, payload_hash: &str) -> Result<Begin, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.error(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        let Some(item) = item.item else {
            // Deleted between our put and get (a released key): the client may retry.
            return Ok(Begin::InProgress);
        };
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        if text("payload_hash").as_deref() != Some(payload_hash) {
            return Ok(Begin::PayloadMismatch);
        }
        match (text("status").as_deref(), text("response")) {
            (Some(COMPLETED), Some(response)) => Ok(Begin::Completed(response)),
            _ => Ok(Begin::InProgress),
        }
    }

    /// Record the response of a committed request.
    pub async fn complete(&self, key: &str, response: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .update_expression("SET #status = :completed, #response = :response")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":completed", s(COMPLETED))
            .expression_attribute_values(":response", s(response))
            .return_values(ReturnValue::None)
            .send()
            .await
            .map_err(|e| self.error(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Give back the claim `token` made, if it was made and is still in progress.
    async fn release_claim(&self, key: &str, token: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .condition_expression("#status = :in_progress AND #claim = :claim")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .expression_attribute_values(":claim", s(token))
            .send()
            .await
            .map_err(|e| self.error(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Give the key back after a request failed before its commit, so the client can retry at once.
    pub async fn release(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await
            .map_err(|e| self.error(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}
