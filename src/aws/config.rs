//! The AWS configuration chain, as any AWS tool has it: `--profile` / `AWS_PROFILE` (SSO profiles
//! included), `--region` / `AWS_REGION`, `--endpoint-url` / `AWS_ENDPOINT_URL`; with the SDK's own
//! adaptive retry and explicit timeouts, so a throttled or hung call degrades a panel instead of
//! freezing a refresh.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// Where to connect, from flags (each falls back to the SDK's own environment and profile chain).
#[derive(Clone, Debug, Default)]
pub struct AwsTarget {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

impl AwsTarget {
    /// The profile in effect, for messages: the flag, else `AWS_PROFILE`, else "default".
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .unwrap_or_else(|| "default".into())
    }
}

/// The SDK's HTTP client: hyper 1 with rustls on ring (the SDK crates are built without a default
/// client so that aws-lc is not compiled).
pub fn http_client() -> aws_sdk_ssm::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// Load the SDK configuration for `target`.
pub async fn load(target: &AwsTarget) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .retry_config(RetryConfig::adaptive().with_max_attempts(4))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &target.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &target.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}
