//! AWS errors turned into one line a person can act on: what failed, on which resource, what to do.

use aws_sdk_ssm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::fmt::Debug;

/// An AWS call that failed, in words.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AwsError {
    pub kind: AwsErrorKind,
    pub message: String,
}

/// The classes of failure the UI treats differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// No, expired or invalid credentials.
    Credentials,
    AccessDenied,
    Throttled,
    NotFound,
    /// The endpoint could not be reached or timed out.
    Unreachable,
    Other,
}

/// Classify `err` from `operation` on `resource`, naming `profile` where credentials are at fault.
pub fn describe<E, R>(
    err: &SdkError<E, R>,
    operation: &str,
    resource: &str,
    profile: &str,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: Debug + 'static,
{
    let code = err.code().unwrap_or_default();
    let detail = err
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| DisplayErrorContext(err).to_string());
    let (kind, message) = match err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => (
            AwsErrorKind::Unreachable,
            format!(
                "{operation} on {resource}: the AWS endpoint did not answer ({}); check the network, --region and --endpoint-url",
                root_cause(err)
            ),
        ),
        SdkError::ConstructionFailure(_) if is_credentials_problem(&detail) => (
            AwsErrorKind::Credentials,
            credentials_message(operation, resource, profile, &detail),
        ),
        _ if is_credentials_code(code) => (
            AwsErrorKind::Credentials,
            credentials_message(operation, resource, profile, &detail),
        ),
        _ if code.contains("AccessDenied") || code == "UnauthorizedOperation" => (
            AwsErrorKind::AccessDenied,
            format!("{operation} on {resource}: access denied for profile {profile} ({detail}); ask for the stackdeck read-only or operator policy"),
        ),
        _ if code.contains("Throttl") || code == "TooManyRequestsException" || code == "RequestLimitExceeded" => (
            AwsErrorKind::Throttled,
            format!("{operation} on {resource}: throttled by AWS; retrying on the next refresh"),
        ),
        _ if code.contains("NotFound") || code.contains("NonExistent") || code == "ResourceNotFoundException" => (
            AwsErrorKind::NotFound,
            format!("{operation}: {resource} not found ({detail}); check the stack's SSM parameters"),
        ),
        _ => (
            AwsErrorKind::Other,
            format!("{operation} on {resource} failed: {}", if code.is_empty() { detail } else { format!("{code}: {detail}") }),
        ),
    };
    AwsError { kind, message }
}

/// The innermost error's text: "Connection refused (os error 111)" rather than the whole chain.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

fn is_credentials_code(code: &str) -> bool {
    matches!(
        code,
        "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "MissingAuthenticationToken"
    )
}

fn is_credentials_problem(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    lower.contains("credential") || lower.contains("token") || lower.contains("sso")
}

fn credentials_message(operation: &str, resource: &str, profile: &str, detail: &str) -> String {
    format!(
        "{operation} on {resource}: no valid AWS credentials for profile {profile} ({detail}); \
         run `aws sso login --profile {profile}` (or `aws configure --profile {profile}`), then try again"
    )
}
