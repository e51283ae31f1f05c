use super::*;
use aws_sdk_ecs::operation::describe_services::DescribeServicesError;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

// Error chains as the SDK printed them here (DisplayErrorContext), shortened after the cause.
const SSO: &str = "dispatch failure: other: an error occurred while loading credentials: an error \
    occurred while loading credentials: failed to read `/h/.aws/sso/cache/e8be.json`: No such file \
    or directory (os error 2) (DispatchFailure(DispatchFailure { .. }))";
// The same from the credential provider itself: the path only in the Debug part.
const SSO_PROVIDER: &str = "an error occurred while loading credentials: an error occurred while \
    loading credentials: an error occurred while loading an access token: failed to load the \
    cached SSO token (ProviderError(ProviderError { source: ProviderError(ProviderError { source: \
    ProviderError(ProviderError { source: FailedToLoadToken { source: IoError { what: \"read\", \
    path: \"/h/.aws/sso/cache/ee0b.json\", source: Os { code: 2, kind: NotFound, message: \"No such \
    file or directory\" } } } }) }) }))";
const SSO_EXPIRED: &str = "an error occurred while loading credentials: an error occurred while \
    loading credentials: an error occurred while loading an access token: the SSO token has \
    expired and cannot be refreshed (ProviderError(ProviderError { source: ExpiredToken }))";
const NONE: &str = "dispatch failure: other: an error occurred while loading credentials: failed \
    to load IMDS session token: service error: request forbidden: IMDS is disabled or the caller \
    has insufficient permissions. (DispatchFailure(DispatchFailure { .. }))";
const NONE_IN_CHAIN: &str = "the credential provider was not enabled: no credentials found in \
    chain. Attempted:\n  Environment: the credential provider was not enabled: environment \
    variable not set\n  Profile: the credential provider was not enabled (CredentialsNotLoaded(..))";
const PROCESS: &str = "dispatch failure: other: an error occurred while loading credentials: \
    credential_process exited with 1 (DispatchFailure(..))";

#[test]
fn an_sso_session_never_started_names_the_missing_cache_file() {
    for chain in [SSO, SSO_PROVIDER] {
        let fix = credentials_fix(chain, "prod-admin");
        let file = if chain == SSO { "e8be" } else { "ee0b" };
        assert_eq!(
            fix,
            format!(
                "the SSO session of profile prod-admin is missing or expired (no cached token at \
                 /h/.aws/sso/cache/{file}.json); run `aws sso login --profile prod-admin`, then \
                 try again"
            )
        );
    }
}

#[test]
fn an_expired_sso_token_says_so_and_aws_sso_login() {
    assert_eq!(
        credentials_fix(SSO_EXPIRED, "oncall"),
        "the SSO session of profile oncall is missing or expired (the cached token has expired \
         and cannot be refreshed); run `aws sso login --profile oncall`, then try again"
    );
}

#[test]
fn an_sso_portal_that_does_not_answer_is_the_network_or_an_old_session() {
    let fix = sso_portal_fix("oncall", "Connection refused (os error 111)", true);
    assert_eq!(
        fix,
        "the SSO portal did not answer for profile oncall (Connection refused (os error 111)); \
         check the network and AWS_ENDPOINT_URL, or run `aws sso login --profile oncall` if its \
         session expired"
    );
    let fix = sso_portal_fix(
        "oncall",
        "UnauthorizedException: Session token not found",
        false,
    );
    assert!(fix.starts_with("the SSO session of profile oncall is missing or expired (the SSO portal refused it: UnauthorizedException"), "{fix}");
}

#[test]
fn no_credentials_anywhere_says_so_and_how_to_get_them() {
    for chain in [NONE, NONE_IN_CHAIN] {
        assert_eq!(
            credentials_fix(chain, "nope"),
            "no AWS credentials found for profile nope (none in the environment, the profile or \
             an instance role); run `aws configure --profile nope`, or `aws sso login --profile \
             NAME` and pass --profile NAME"
        );
    }
}

#[test]
fn another_provider_failure_keeps_its_own_words() {
    let fix = credentials_fix(PROCESS, "ci");
    assert!(fix.contains("(credential_process exited with 1)"), "{fix}");
    assert!(!fix.contains('\n'), "{fix}");
}

fn service_error(code: &str, message: &str) -> SdkError<DescribeServicesError, Response> {
    let meta = ErrorMetadata::builder().code(code).message(message).build();
    SdkError::service_error(
        DescribeServicesError::generic(meta),
        Response::new(StatusCode::try_from(400).unwrap(), SdkBody::empty()),
    )
}

#[test]
fn access_denied_names_the_iam_action_and_stackdeck_doctor() {
    let err = service_error(
        "AccessDeniedException",
        "User: arn:aws:sts::1:assumed-role/ro/alice is not authorized to perform: \
         ecs:DescribeServices on resource: arn:aws:ecs:eu-west-1:1:service/c/s",
    );
    let e = describe(&err, "DescribeServices", "service s in cluster c", "prod");
    assert_eq!(e.kind, AwsErrorKind::AccessDenied);
    assert_eq!(
        e.message,
        "DescribeServices on service s in cluster c: access denied for profile prod: it needs IAM \
         action ecs:DescribeServices (User: arn:aws:sts::1:assumed-role/ro/alice is not authorized \
         to perform: ecs:DescribeServices on resource: arn:aws:ecs:eu-west-1:1:service/c/s); ask \
         for the stackdeck read-only or operator policy, and run `stackdeck doctor` to check every \
         permission"
    );
}

#[test]
fn the_iam_action_comes_from_the_message_else_the_permission_tables() {
    assert_eq!(
        iam_action("DescribeTargetHealth", "Access denied"),
        "elasticloadbalancing:DescribeTargetHealth"
    );
    assert_eq!(
        iam_action("GetQueueAttributes", ""),
        "sqs:GetQueueAttributes"
    );
    assert_eq!(
        iam_action(
            "X",
            "not authorized to perform: tag:GetResources on resource: *"
        ),
        "tag:GetResources"
    );
    assert_eq!(iam_action("ListWidgets", "denied"), "ListWidgets");
}

#[test]
fn a_missing_resource_and_the_unreachable_endpoint_keep_their_classes() {
    let e = describe(
        &service_error("ClusterNotFoundException", "Cluster not found."),
        "DescribeServices",
        "cluster c",
        "p",
    );
    assert_eq!(e.kind, AwsErrorKind::NotFound);
    let e = describe(
        &service_error("UnauthorizedOperation", "no"),
        "DescribeServices",
        "cluster c",
        "p",
    );
    assert_eq!(e.kind, AwsErrorKind::AccessDenied);
}
