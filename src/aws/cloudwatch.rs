//! CloudWatch, the reading side: the stack's alarms. (aws-sdk-cloudwatch is pinned to 1.99.0,
//! the last Query-protocol release; see the README.)

use super::error::{describe, AwsError};
use crate::model::health::{sort_alarms, Alarm};
use aws_sdk_cloudwatch::Client;

pub struct CloudWatch {
    client: Client,
    profile: String,
}

impl CloudWatch {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        CloudWatch {
            client: Client::new(config),
            profile,
        }
    }

    /// Every metric alarm whose name starts with `prefix` (paginated: a stack may have hundreds),
    /// ALARM first.
    pub async fn alarms(&self, prefix: &str) -> Result<Vec<Alarm>, AwsError> {
        let mut pages = self
            .client
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .max_records(100)
            .into_paginator()
            .send();
        let mut alarms = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "DescribeAlarms",
                    &format!("alarms with prefix {prefix}"),
                    &self.profile,
                )
            })?;
            alarms.extend(page.metric_alarms().iter().map(|a| {
                Alarm {
                    name: a.alarm_name().unwrap_or_default().to_owned(),
                    state: a
                        .state_value()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: a.state_reason().unwrap_or_default().to_owned(),
                    since: a.state_updated_timestamp().map(|t| t.secs()),
                }
            }));
        }
        sort_alarms(&mut alarms);
        Ok(alarms)
    }
}
