//! The AWS SDK configuration: region, credentials and AWS_ENDPOINT_URL from the environment.

use aws_config::{BehaviorVersion, SdkConfig};

/// The SDK's HTTP client: hyper 1 with rustls on ring (the SDK crates are built without a default
/// client so that aws-lc is not compiled).
pub fn http_client() -> aws_sdk_sqs::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The SDK configuration of the process: the default provider chain (environment, ECS task role)
/// and AWS_ENDPOINT_URL when it is set (local stacks).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .load()
        .await
}
