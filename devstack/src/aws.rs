//! SDK configuration for talking to the local endpoint.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ssm::config::Credentials;

/// The SDK's HTTP client: hyper 1 with rustls on ring (the SDK crates are built without a default
/// client so that aws-lc is not compiled).
pub fn http_client() -> aws_sdk_ssm::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// SDK configuration for the local endpoint at `endpoint` with the fixed local credentials.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .region(Region::new(crate::REGION))
        .credentials_provider(Credentials::new("test", "test", None, None, "devstack"))
        .endpoint_url(endpoint)
        .load()
        .await
}
