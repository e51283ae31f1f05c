//! One line of the audit log: an attempted mutation (the log itself is `ops::audit`).

use serde::{Deserialize, Serialize};

/// One attempted mutation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339, UTC.
    pub time: String,
    /// Unix time in seconds (for rules like the 60-second purge limit).
    pub unix: i64,
    /// Caller ARN from STS GetCallerIdentity, or "unknown (<why>)".
    pub user: String,
    pub profile: String,
    pub region: String,
    pub stack: String,
    /// `redeploy`, `rollback`, `purge`, `redrive`.
    pub action: String,
    /// The resource acted on (service ARN/name, queue URL).
    pub target: String,
    #[serde(default)]
    pub parameters: serde_json::Value,
    /// `ok`, `error` or `refused`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
