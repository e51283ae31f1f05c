//! The stack a drill acts on: the local endpoint's SDK configuration, the stack's name (its
//! discovery parameters), courier's URL and database, and how long a drill's traffic or fault
//! lasts.

use anyhow::{Context, Result};
use std::time::Duration;

pub struct Target {
    /// SDK configuration of the endpoint the stack lives behind (the devstack agent).
    pub sdk: aws_config::SdkConfig,
    /// The stack's name: its discovery parameters are under `/stackdeck/<stack>/`.
    pub stack: String,
    /// courier's base URL: the local load balancer (`COURIER_URL`).
    pub courier_url: String,
    /// courier's database (`DATABASE_URL`).
    pub database_url: String,
    /// How long the drill's traffic or timed fault lasts; `None`: until ctrl-c (a timed fault
    /// then takes the drill's own default).
    pub duration: Option<Duration>,
    /// Messages per second of the drill's steady traffic.
    pub rate: u32,
}

impl Target {
    /// The SDK configuration for the local endpoint: `AWS_ENDPOINT_URL`, else the local stack's
    /// port.
    pub async fn local_sdk() -> aws_config::SdkConfig {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .unwrap_or_else(|_| format!("http://127.0.0.1:{}", crate::AWS_PORT));
        crate::aws::sdk_config(&endpoint).await
    }

    /// The discovery parameter `key` of the stack (`/stackdeck/<stack>/<key>`).
    pub async fn parameter(&self, key: &str) -> Result<String> {
        let name = format!("/stackdeck/{}/{key}", self.stack);
        aws_sdk_ssm::Client::new(&self.sdk)
            .get_parameter()
            .name(&name)
            .send()
            .await
            .ok()
            .and_then(|p| p.parameter()?.value().map(str::to_owned))
            .with_context(|| format!("no SSM parameter {name}: is the local stack up (`make up`)?"))
    }

    /// The stack's ECS cluster and service (their discovery parameters).
    pub async fn service(&self) -> Result<(String, String)> {
        Ok((
            self.parameter("cluster").await?,
            self.parameter("service").await?,
        ))
    }

    /// Steady traffic to courier through the load balancer, for `duration` or until ctrl-c.
    pub async fn traffic(&self) -> Result<()> {
        crate::traffic::Traffic {
            url: self.courier_url.clone(),
            rate: self.rate,
            burst: 0,
            duration: self.duration,
        }
        .run(crate::traffic::Profile::Steady)
        .await
    }

    /// `duration`, or `default` when the drill runs until ctrl-c.
    pub fn duration_or(&self, default: Duration) -> Duration {
        self.duration.unwrap_or(default)
    }
}
