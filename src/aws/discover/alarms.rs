//! Every alarm of the account and region, metric and composite, as discovery matches them
//! (DescribeAlarms paginated, matched on the client: DescribeAlarmsForMetric misses math and
//! composite alarms).

use super::Discoverer;
use crate::aws::error::{describe, AwsError};
use crate::model::discovery::AlarmFacts;
use aws_sdk_cloudwatch::types::{AlarmType, Dimension};

impl Discoverer {
    pub(super) async fn all_alarms(&self) -> Result<Vec<AlarmFacts>, AwsError> {
        let mut pages = self
            .cloudwatch
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(100)
            .into_paginator()
            .send();
        let dims = |d: &[Dimension]| -> Vec<(String, String)> {
            d.iter()
                .filter_map(|d| Some((d.name()?.to_owned(), d.value()?.to_owned())))
                .collect()
        };
        let mut alarms = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(&e, "DescribeAlarms", "the account's alarms", &self.profile)
            })?;
            alarms.extend(page.metric_alarms().iter().map(|a| {
                let mut dimensions = dims(a.dimensions());
                for query in a.metrics() {
                    if let Some(metric) = query.metric_stat().and_then(|s| s.metric()) {
                        dimensions.extend(dims(metric.dimensions()));
                    }
                }
                AlarmFacts {
                    name: a.alarm_name().unwrap_or_default().to_owned(),
                    dimensions,
                    rule: None,
                }
            }));
            alarms.extend(page.composite_alarms().iter().map(|a| AlarmFacts {
                name: a.alarm_name().unwrap_or_default().to_owned(),
                dimensions: Vec::new(),
                rule: Some(a.alarm_rule().unwrap_or_default().to_owned()),
            }));
        }
        Ok(alarms)
    }
}
