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
    let chain = DisplayErrorContext(err).to_string();
    let (kind, message) = match err {
        // The SDK resolves credentials while dispatching: a failure there is not the network's.
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ConstructionFailure(_)
            if chain.contains(LOADING_CREDENTIALS) =>
        (
            AwsErrorKind::Credentials,
            format!("{operation} on {resource}: {}", credentials_fix(&chain, profile)),
        ),
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

/// What the SDK's error chain says when its credential providers failed.
const LOADING_CREDENTIALS: &str = "an error occurred while loading credentials";

/// The cause and the fix, in words, of a failure to load credentials whose error chain is
/// `chain`: an SSO session missing or expired, no credentials anywhere (the provider chain fell
/// through to the instance metadata service), or what the provider said.
fn credentials_fix(chain: &str, profile: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("/sso/cache/") || lower.contains("sso token") || lower.contains("sso session")
    {
        format!(
            "the SSO session of profile {profile} is missing or expired; \
             run `aws sso login --profile {profile}`, then try again"
        )
    } else if lower.contains("imds") {
        format!(
            "no AWS credentials found for profile {profile} (no AWS_ACCESS_KEY_ID, no credentials in \
             the profile, no instance role); check that {profile} is in ~/.aws/config (or \
             $AWS_CONFIG_FILE), or run `aws configure --profile {profile}`"
        )
    } else {
        let cause = chain.rsplit(LOADING_CREDENTIALS).next().unwrap_or(chain);
        let cause = cause
            .split(" (")
            .next()
            .unwrap_or(cause)
            .trim_start_matches(": ");
        format!(
            "no valid AWS credentials for profile {profile} ({cause}); run `aws sso login --profile \
             {profile}` (or `aws configure --profile {profile}`), then try again"
        )
    }
}

fn credentials_message(operation: &str, resource: &str, profile: &str, detail: &str) -> String {
    format!(
        "{operation} on {resource}: no valid AWS credentials for profile {profile} ({detail}); \
         run `aws sso login --profile {profile}` (or `aws configure --profile {profile}`), then try again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Error chains as the SDK printed them here (DisplayErrorContext), shortened after the cause.
    const SSO: &str = "dispatch failure: other: an error occurred while loading credentials: an error \
        occurred while loading credentials: failed to read `/h/.aws/sso/cache/e8be.json`: No such file \
        or directory (os error 2) (DispatchFailure(DispatchFailure { .. }))";
    const NONE: &str = "dispatch failure: other: an error occurred while loading credentials: failed \
        to load IMDS session token: service error: request forbidden: IMDS is disabled or the caller \
        has insufficient permissions. (DispatchFailure(DispatchFailure { .. }))";
    const PROCESS: &str = "dispatch failure: other: an error occurred while loading credentials: \
        credential_process exited with 1 (DispatchFailure(..))";

    #[test]
    fn an_sso_session_missing_or_expired_says_aws_sso_login() {
        let fix = credentials_fix(SSO, "prod-admin");
        assert!(fix.contains("SSO session of profile prod-admin"), "{fix}");
        assert!(
            fix.contains("`aws sso login --profile prod-admin`"),
            "{fix}"
        );
    }

    #[test]
    fn no_credentials_anywhere_names_the_profile_and_the_config_file() {
        let fix = credentials_fix(NONE, "nope");
        assert!(
            fix.starts_with("no AWS credentials found for profile nope"),
            "{fix}"
        );
        assert!(fix.contains("~/.aws/config"), "{fix}");
        assert!(!fix.contains("network"), "{fix}");
    }

    #[test]
    fn another_provider_failure_keeps_its_own_words() {
        let fix = credentials_fix(PROCESS, "ci");
        assert!(fix.contains("(credential_process exited with 1)"), "{fix}");
    }
}
