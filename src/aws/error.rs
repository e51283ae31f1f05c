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
            format!(
                "{operation} on {resource}: access denied for profile {profile}: it needs IAM \
                 action {} ({detail}); ask for the stackdeck read-only or operator policy, and run \
                 `stackdeck doctor` to check every permission",
                iam_action(operation, &detail)
            ),
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

/// The IAM action behind `operation`: as AWS's message names it ("not authorized to perform:
/// ecs:DescribeServices on …"), else from the tables of `permissions`, else the operation itself.
pub fn iam_action(operation: &str, detail: &str) -> String {
    if let Some((_, rest)) = detail.split_once("perform: ") {
        let action = rest.split_whitespace().next().unwrap_or_default();
        if action.contains(':') {
            return action.trim_end_matches([',', '.', ';']).to_owned();
        }
    }
    use super::permissions::*;
    [
        DISCOVER,
        DISCOVER_API,
        PICKER,
        STATUS,
        DASHBOARD,
        LOGS,
        REDEPLOY,
        ROLLBACK,
        SCALE,
        STOP_TASK,
        EXEC,
        PURGE,
        REDRIVE,
        TIMELINE,
        DOCTOR,
    ]
    .iter()
    .flat_map(|table| table.iter())
    .find(|action| {
        action
            .split_once(':')
            .is_some_and(|(_, op)| op == operation)
    })
    .map_or_else(|| operation.to_owned(), |action| (*action).to_owned())
}

/// The innermost error's text: "Connection refused (os error 111)" rather than the whole chain.
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
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
/// `chain`: an SSO session missing (no cached token) or expired, no credentials anywhere (the
/// provider chain fell through to the instance metadata service), or what the provider said.
pub fn credentials_fix(chain: &str, profile: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("/sso/cache/") || lower.contains("sso token") || lower.contains("sso session")
    {
        sso_fix(profile, &sso_cause(chain))
    } else if lower.contains("imds") || lower.contains("no credentials found in chain") {
        format!(
            "no AWS credentials found for profile {profile} (none in the environment, the profile \
             or an instance role); run `aws configure --profile {profile}`, or `aws sso login \
             --profile NAME` and pass --profile NAME"
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

/// The SSO session of `profile` is missing or expired, because of `cause`.
pub fn sso_fix(profile: &str, cause: &str) -> String {
    format!(
        "the SSO session of profile {profile} is missing or expired ({cause}); run `aws sso login \
         --profile {profile}`, then try again"
    )
}

/// Why the SDK could not use the cached SSO token, from its error chain.
fn sso_cause(chain: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    // In words ("failed to read `PATH`: No such file …") or only in the chain's Debug part
    // (`IoError { what: "read", path: "PATH", source: Os { …, kind: NotFound, … } }`).
    let cache_file = chain
        .split_once("failed to read `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .or_else(|| {
            chain
                .split_once("path: \"")
                .and_then(|(_, rest)| rest.split_once('"'))
        })
        .map(|(path, _)| path)
        .filter(|path| path.contains("/sso/cache/"));
    let absent = lower.contains("no such file") || chain.contains("kind: NotFound");
    match cache_file {
        Some(path) if absent => format!("no cached token at {path}"),
        Some(path) => format!("cannot read the cached token {path}"),
        None if lower.contains("has expired") => {
            "the cached token has expired and cannot be refreshed".into()
        }
        None => "the cached token cannot be used".into(),
    }
}

/// The same for an SSO profile whose credentials could not be fetched although the chain's words
/// do not say SSO: the token was refreshed or sent to the SSO portal, which refused it or did not
/// answer (`cause`, the innermost error).
pub fn sso_portal_fix(profile: &str, cause: &str, unreachable: bool) -> String {
    if unreachable {
        format!(
            "the SSO portal did not answer for profile {profile} ({cause}); check the network \
             and AWS_ENDPOINT_URL, or run `aws sso login --profile {profile}` if its session expired"
        )
    } else {
        sso_fix(profile, &format!("the SSO portal refused it: {cause}"))
    }
}

fn credentials_message(operation: &str, resource: &str, profile: &str, detail: &str) -> String {
    format!(
        "{operation} on {resource}: no valid AWS credentials for profile {profile} ({detail}); \
         run `aws sso login --profile {profile}` (or `aws configure --profile {profile}`), then try again"
    )
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
