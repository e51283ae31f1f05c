//! CloudWatch, the reading side: the stack's alarms and every metric of a refresh in one
//! `GetMetricData`. (aws-sdk-cloudwatch is pinned to 1.99.0, the last Query-protocol release;
//! see the README.)

use super::calls::Counter;
use super::error::{describe, AwsError};
use crate::model::dashboard::{MetricQuery, Metrics};
use crate::model::health::{sort_alarms, Alarm};
use crate::model::stack::AlarmSelector;
use crate::model::timeline::AlarmTransition;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, HistoryItemType, Metric, MetricDataQuery, MetricStat};
use aws_sdk_cloudwatch::Client;

pub struct CloudWatch {
    client: Client,
    profile: String,
}

impl CloudWatch {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_cloudwatch::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        CloudWatch {
            client: Client::from_conf(conf),
            profile,
        }
    }

    /// The stack's metric alarms, ALARM first: every alarm whose name starts with the prefix
    /// (paginated: a stack may have hundreds), or the alarms named (100 names a call).
    pub async fn alarms(&self, selector: &AlarmSelector<'_>) -> Result<Vec<Alarm>, AwsError> {
        let requests: Vec<_> = match selector {
            AlarmSelector::Prefix(prefix) => {
                vec![self.client.describe_alarms().alarm_name_prefix(*prefix)]
            }
            AlarmSelector::Names(names) => names
                .chunks(100)
                .map(|chunk| {
                    chunk
                        .iter()
                        .fold(self.client.describe_alarms(), |r, n| r.alarm_names(*n))
                })
                .collect(),
        };
        let mut alarms = Vec::new();
        for request in requests {
            let mut pages = request.max_records(100).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    describe(&e, "DescribeAlarms", &selector.describe(), &self.profile)
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
                        metric: a.metric_name().unwrap_or_default().to_owned(),
                        threshold: a.threshold(),
                    }
                }));
            }
        }
        sort_alarms(&mut alarms);
        Ok(alarms)
    }

    /// The state changes between `start` and `end` (unix seconds) of the stack's alarms,
    /// oldest first (DescribeAlarmHistory, StateUpdate items, every page; the API has no name
    /// prefix, so the names are matched here).
    pub async fn alarm_history(
        &self,
        selector: &AlarmSelector<'_>,
        start: i64,
        end: i64,
    ) -> Result<Vec<AlarmTransition>, AwsError> {
        let mut pages = self
            .client
            .describe_alarm_history()
            .history_item_type(HistoryItemType::StateUpdate)
            .start_date(DateTime::from_secs(start))
            .end_date(DateTime::from_secs(end))
            .max_records(100)
            .into_paginator()
            .send();
        let mut transitions = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(
                    &e,
                    "DescribeAlarmHistory",
                    &selector.describe(),
                    &self.profile,
                )
            })?;
            transitions.extend(page.alarm_history_items().iter().filter_map(|item| {
                let alarm = item.alarm_name()?;
                selector.matches(alarm).then_some(())?;
                state_update(
                    alarm,
                    item.timestamp()?.secs(),
                    item.history_data().unwrap_or_default(),
                    item.history_summary().unwrap_or_default(),
                )
            }));
        }
        transitions.sort_by_key(|t| t.at);
        Ok(transitions)
    }

    /// Every query's points between `start` and `end` (unix seconds), in one `GetMetricData`
    /// request (more pages only when the points exceed one answer), oldest point first.
    pub async fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: i64,
        end: i64,
        period: i32,
    ) -> Result<Metrics, AwsError> {
        let mut metrics: Metrics = queries.iter().map(|q| (q.id.clone(), Vec::new())).collect();
        if queries.is_empty() {
            return Ok(metrics);
        }
        let data_queries: Vec<MetricDataQuery> = queries
            .iter()
            .map(|q| {
                let mut metric = Metric::builder()
                    .namespace(&q.namespace)
                    .metric_name(&q.metric);
                for (name, value) in &q.dimensions {
                    metric =
                        metric.dimensions(Dimension::builder().name(name).value(value).build());
                }
                MetricDataQuery::builder()
                    .id(&q.id)
                    .metric_stat(
                        MetricStat::builder()
                            .metric(metric.build())
                            .period(period)
                            .stat(&q.stat)
                            .build(),
                    )
                    .return_data(true)
                    .build()
            })
            .collect();
        let mut next_token: Option<String> = None;
        loop {
            let out = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(data_queries.clone()))
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| {
                    describe(
                        &e,
                        "GetMetricData",
                        &format!("{} metrics", queries.len()),
                        &self.profile,
                    )
                })?;
            for result in out.metric_data_results() {
                let Some(series) = result.id().and_then(|id| metrics.get_mut(id)) else {
                    continue;
                };
                series.extend(
                    result
                        .timestamps()
                        .iter()
                        .zip(result.values())
                        .map(|(t, v)| (t.secs(), *v)),
                );
            }
            match out.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
        for series in metrics.values_mut() {
            series.sort_by_key(|(t, _)| *t);
            series.dedup_by_key(|(t, _)| *t);
        }
        Ok(metrics)
    }
}

/// One StateUpdate item: the old and new `stateValue` of its HistoryData JSON, the new state's
/// reason (else the item's summary). `None` when the data says no state.
pub fn state_update(alarm: &str, at: i64, data: &str, summary: &str) -> Option<AlarmTransition> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        old_state: Option<State>,
        new_state: State,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct State {
        state_value: String,
        #[serde(default)]
        state_reason: String,
    }
    let data: Data = serde_json::from_str(data).ok()?;
    Some(AlarmTransition {
        alarm: alarm.to_owned(),
        at,
        from: data.old_state.map_or_else(|| "-".into(), |s| s.state_value),
        to: data.new_state.state_value,
        reason: if data.new_state.state_reason.is_empty() {
            summary.to_owned()
        } else {
            data.new_state.state_reason
        },
    })
}

#[cfg(test)]
mod tests {
    use super::state_update;

    #[test]
    fn history_data_gives_the_old_and_new_state() {
        let data = r#"{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"fine"},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed","stateReasonData":{"x":1}}}"#;
        let t = state_update("a", 5, data, "Alarm updated from OK to ALARM").unwrap();
        assert_eq!((t.from.as_str(), t.to.as_str(), t.at), ("OK", "ALARM", 5));
        assert_eq!(t.reason, "Threshold Crossed");
        let bare = state_update("a", 5, r#"{"newState":{"stateValue":"OK"}}"#, "summary").unwrap();
        assert_eq!((bare.from.as_str(), bare.reason.as_str()), ("-", "summary"));
        assert!(state_update("a", 5, "not json", "s").is_none());
    }
}
