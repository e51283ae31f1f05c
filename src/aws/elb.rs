//! Elastic Load Balancing v2, the reading side: the health of the service's targets.

use super::calls::Counter;
use super::error::{describe, AwsError};
use crate::model::dashboard::Target;
use aws_sdk_elasticloadbalancingv2::Client;

pub struct Elb {
    client: Client,
    profile: String,
}

impl Elb {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_elasticloadbalancingv2::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        Elb {
            client: Client::from_conf(conf),
            profile,
        }
    }

    /// Every registered target and its health (DescribeTargetHealth is not paginated).
    pub async fn target_health(&self, target_group_arn: &str) -> Result<Vec<Target>, AwsError> {
        let out = self
            .client
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &e,
                    "DescribeTargetHealth",
                    &format!("target group {target_group_arn}"),
                    &self.profile,
                )
            })?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let health = d.target_health();
                Target {
                    id: d
                        .target()
                        .and_then(|t| t.id())
                        .unwrap_or_default()
                        .to_owned(),
                    port: d.target().and_then(|t| t.port()),
                    state: health
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: health
                        .and_then(|h| h.description().or(h.reason().map(|r| r.as_str())))
                        .unwrap_or_default()
                        .to_owned(),
                }
            })
            .collect())
    }
}
