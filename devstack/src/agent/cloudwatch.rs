//! CloudWatch interceptions: DescribeAlarmHistory (moto answers 500) from the agent's own record
//! of state changes, and SetAlarmState (forwarded, then recorded). Both wire protocols moto speaks
//! are answered: Query (aws-sdk-cloudwatch 1.99, XML) and JSON (the AWS CLI v1).

use super::proxy::{self, body_of, Call};
use super::Agent;
use anyhow::Result;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{Response, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// How many history items are kept (oldest dropped first); AWS keeps two weeks.
const HISTORY_LIMIT: usize = 10_000;

/// One alarm history item, as DescribeAlarmHistory returns it.
#[derive(Clone, Debug)]
pub struct HistoryItem {
    pub alarm_name: String,
    pub timestamp: f64,
    pub summary: String,
    /// The HistoryData JSON text.
    pub data: String,
}

#[derive(Default)]
pub struct State {
    history: Mutex<Vec<HistoryItem>>,
}

impl State {
    /// Record a state change of `alarm` in CloudWatch's wording.
    pub fn record_state_change(
        &self,
        alarm: &str,
        old: (&str, &str),
        new: (&str, &str),
        reason_data: Option<&str>,
    ) {
        let mut new_state = json!({"stateValue": new.0, "stateReason": new.1});
        if let Some(data) = reason_data.and_then(|d| serde_json::from_str::<Value>(d).ok()) {
            new_state["stateReasonData"] = data;
        }
        let data = json!({
            "version": "1.0",
            "oldState": {"stateValue": old.0, "stateReason": old.1},
            "newState": new_state,
        });
        let mut history = self.history.lock().expect("history lock");
        if history.len() >= HISTORY_LIMIT {
            history.remove(0);
        }
        history.push(HistoryItem {
            alarm_name: alarm.to_owned(),
            timestamp: super::now_secs(),
            summary: format!("Alarm updated from {} to {}", old.0, new.0),
            data: data.to_string(),
        });
    }

    pub fn items(&self) -> Vec<HistoryItem> {
        self.history.lock().expect("history lock").clone()
    }
}

/// The request's parameters, whichever protocol carried them.
struct Params<'a> {
    call: &'a Call,
    json: Option<Value>,
}

impl<'a> Params<'a> {
    fn of(call: &'a Call) -> Params<'a> {
        let json = call
            .op
            .json
            .then(|| serde_json::from_slice(&call.body).unwrap_or(Value::Null));
        Params { call, json }
    }

    fn str(&self, key: &str) -> Option<String> {
        match &self.json {
            Some(json) => json.get(key).and_then(Value::as_str).map(str::to_owned),
            None => proxy::form_value(&self.call.body, key),
        }
    }

    fn time(&self, key: &str) -> Option<f64> {
        match &self.json {
            Some(json) => json
                .get(key)
                .and_then(|v| v.as_f64().or_else(|| v.as_str().and_then(parse_time))),
            None => proxy::form_value(&self.call.body, key).and_then(|s| parse_time(&s)),
        }
    }
}

fn parse_time(text: &str) -> Option<f64> {
    DateTime::from_str(text, Format::DateTime)
        .ok()
        .map(|t| t.as_secs_f64())
        .or_else(|| text.parse().ok())
}

/// ISO 8601 as CloudWatch's Query protocol writes it.
pub fn iso(secs: f64) -> String {
    DateTime::from_secs_f64(secs)
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

pub fn describe_alarm_history(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let params = Params::of(call);
    let name = params.str("AlarmName");
    let item_type = params.str("HistoryItemType");
    let start = params.time("StartDate");
    let end = params.time("EndDate");
    let max = params
        .str("MaxRecords")
        .or_else(|| {
            params
                .json
                .as_ref()
                .and_then(|j| j.get("MaxRecords")?.as_u64().map(|n| n.to_string()))
        })
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 100);
    let skip: usize = params
        .str("NextToken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let ascending = params.str("ScanBy").as_deref() == Some("TimestampAscending");

    let mut items: Vec<HistoryItem> = agent
        .cloudwatch
        .items()
        .into_iter()
        .filter(|i| name.as_deref().is_none_or(|n| n == i.alarm_name))
        .filter(|_| item_type.as_deref().is_none_or(|t| t == "StateUpdate"))
        .filter(|i| start.is_none_or(|s| i.timestamp >= s))
        .filter(|i| end.is_none_or(|e| i.timestamp <= e))
        .collect();
    if !ascending {
        items.reverse();
    }
    let page: Vec<&HistoryItem> = items.iter().skip(skip).take(max).collect();
    let next = (skip + page.len() < items.len()).then(|| (skip + page.len()).to_string());

    if call.op.json {
        let body = json!({
            "AlarmHistoryItems": page.iter().map(|i| json!({
                "AlarmName": i.alarm_name,
                "AlarmType": "MetricAlarm",
                "Timestamp": i.timestamp,
                "HistoryItemType": "StateUpdate",
                "HistorySummary": i.summary,
                "HistoryData": i.data,
            })).collect::<Vec<_>>(),
            "NextToken": next,
        });
        return Ok(proxy::answer(
            StatusCode::OK,
            "application/x-amz-json-1.0",
            body.to_string(),
        ));
    }
    let mut members = String::new();
    for i in page {
        members.push_str(&format!(
            "<member><AlarmName>{}</AlarmName><AlarmType>MetricAlarm</AlarmType><Timestamp>{}</Timestamp>\
             <HistoryItemType>StateUpdate</HistoryItemType><HistorySummary>{}</HistorySummary>\
             <HistoryData>{}</HistoryData></member>",
            xml_escape(&i.alarm_name),
            iso(i.timestamp),
            xml_escape(&i.summary),
            xml_escape(&i.data)
        ));
    }
    let next = next
        .map(|n| format!("<NextToken>{n}</NextToken>"))
        .unwrap_or_default();
    let body = format!(
        "<DescribeAlarmHistoryResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">\
         <DescribeAlarmHistoryResult><AlarmHistoryItems>{members}</AlarmHistoryItems>{next}\
         </DescribeAlarmHistoryResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
         </DescribeAlarmHistoryResponse>",
        proxy::request_id()
    );
    Ok(proxy::answer(StatusCode::OK, "text/xml", body))
}

/// Forward SetAlarmState, and record the change when the state really changed.
pub async fn set_alarm_state(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let params = Params::of(call);
    let name = params.str("AlarmName").unwrap_or_default();
    let old = current_state(agent, &name).await;
    let response = agent.forward(call).await?;
    let (parts, body) = body_of(response).await;
    if parts.status.is_success() {
        if let (Some((old_value, old_reason)), Some(new_value)) = (old, params.str("StateValue")) {
            if old_value != new_value {
                let reason = params.str("StateReason").unwrap_or_default();
                agent.cloudwatch.record_state_change(
                    &name,
                    (&old_value, &old_reason),
                    (&new_value, &reason),
                    params.str("StateReasonData").as_deref(),
                );
            }
        }
    }
    Ok(Response::from_parts(parts, Full::new(body)))
}

/// (state value, state reason) of alarm `name` in moto.
async fn current_state(agent: &Agent, name: &str) -> Option<(String, String)> {
    let cw = aws_sdk_cloudwatch::Client::new(&agent.sdk);
    let out = cw.describe_alarms().alarm_names(name).send().await.ok()?;
    let alarm = out.metric_alarms().first()?;
    Some((
        alarm.state_value()?.as_str().to_owned(),
        alarm.state_reason().unwrap_or_default().to_owned(),
    ))
}

pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
