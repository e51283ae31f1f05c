//! Alarm evaluation: moto stores metric alarms but never evaluates them. Every evaluation
//! interval the agent evaluates each metric alarm of the stack (name prefix from the discovery
//! parameter `alarm_prefix`) against the metrics in moto, as CloudWatch does: the last
//! `EvaluationPeriods` periods, `DatapointsToAlarm` of them breaching, missing data treated as the
//! alarm says (metric-math alarms too, see [`super::alarm_data`]); a change of state is set in
//! moto with CloudWatch's reason and kept in the history.

use super::Agent;
use anyhow::Result;
use aws_sdk_cloudwatch::types::{ComparisonOperator, MetricAlarm, StateValue};
use serde_json::json;
use std::sync::Arc;

pub async fn run(agent: Arc<Agent>) {
    let started = super::now_secs();
    let mut tick = tokio::time::interval(agent.config.evaluation_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = evaluate_all(&agent, started).await {
            eprintln!("devstack agent: alarm evaluation: {e:#}");
        }
    }
}

/// Evaluate every alarm of the stack, for an agent started at `started` (seconds).
pub async fn evaluate_all(agent: &Agent, started: f64) -> Result<()> {
    let stack = agent.discover().await?;
    let Some(prefix) = stack.get("alarm_prefix") else {
        return Ok(());
    };
    let cw = aws_sdk_cloudwatch::Client::new(&agent.sdk);
    let mut alarms = Vec::new();
    let mut token = None;
    loop {
        let out = cw
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .set_next_token(token)
            .send()
            .await?;
        alarms.extend(out.metric_alarms().iter().cloned());
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    for alarm in alarms {
        if let Err(e) = evaluate(agent, &cw, &alarm, started).await {
            eprintln!(
                "devstack agent: alarm {}: {e:#}",
                alarm.alarm_name().unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// One period's value (None: no data).
#[derive(Clone, Copy, Debug)]
pub struct Datapoint {
    pub start: f64,
    pub value: Option<f64>,
}

/// What an evaluation decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub state: StateValue,
    pub reason: String,
}

/// The state of an alarm with these settings over these datapoints (oldest first), or None when
/// the state is to be kept (missing data treated as `ignore`).
pub fn decide(
    datapoints: &[Datapoint],
    threshold: f64,
    comparison: &ComparisonOperator,
    datapoints_to_alarm: usize,
    treat_missing: &str,
    _current: &StateValue,
) -> Option<Decision> {
    let n = datapoints.len();
    let breaches = |v: f64| match comparison {
        ComparisonOperator::GreaterThanOrEqualToThreshold => v >= threshold,
        ComparisonOperator::GreaterThanThreshold => v > threshold,
        ComparisonOperator::LessThanThreshold => v < threshold,
        ComparisonOperator::LessThanOrEqualToThreshold => v <= threshold,
        _ => false,
    };
    let present: Vec<(f64, f64)> = datapoints
        .iter()
        .filter_map(|d| d.value.map(|v| (d.start, v)))
        .collect();
    let missing = n - present.len();
    let mut breaching = present.iter().filter(|(_, v)| breaches(*v)).count();
    if treat_missing == "breaching" {
        breaching += missing;
    }
    let listed = present
        .iter()
        .rev()
        .map(|(t, v)| format!("{v:?} ({})", short_date(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    let wording = comparison_wording(comparison);
    if breaching >= datapoints_to_alarm {
        let reason = format!(
            "Threshold Crossed: {breaching} out of the last {n} datapoints [{listed}] {} {wording} the threshold ({threshold:?}) \
             (minimum {datapoints_to_alarm} datapoint{} for OK -> ALARM transition).",
            if breaching == 1 { "was" } else { "were" },
            if datapoints_to_alarm == 1 { "" } else { "s" },
        );
        return Some(Decision {
            state: StateValue::Alarm,
            reason,
        });
    }
    let no_data =
        present.is_empty() && treat_missing != "breaching" && treat_missing != "notBreaching";
    if no_data {
        return match treat_missing {
            "ignore" => None,
            _ => Some(Decision {
                state: StateValue::InsufficientData,
                reason: format!(
                    "Insufficient Data: {n} datapoint{} {} unknown.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "was" } else { "were" }
                ),
            }),
        };
    }
    let ok = n - breaching;
    Some(Decision {
        state: StateValue::Ok,
        reason: format!(
            "Threshold Crossed: {ok} datapoint{} [{listed}] {} not {wording} the threshold ({threshold:?}) \
             (minimum 1 datapoint for ALARM -> OK transition).",
            if ok == 1 { "" } else { "s" },
            if ok == 1 { "was" } else { "were" },
        ),
    })
}

fn comparison_wording(comparison: &ComparisonOperator) -> &'static str {
    match comparison {
        ComparisonOperator::GreaterThanOrEqualToThreshold => "greater than or equal to",
        ComparisonOperator::GreaterThanThreshold => "greater than",
        ComparisonOperator::LessThanThreshold => "less than",
        ComparisonOperator::LessThanOrEqualToThreshold => "less than or equal to",
        _ => "compared with",
    }
}

/// `dd/MM/yy HH:mm:ss` in UTC, as CloudWatch writes datapoint times in reasons.
pub fn short_date(secs: f64) -> String {
    let secs = secs as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{month:02}/{:02} {:02}:{:02}:{:02}",
        year % 100,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

async fn evaluate(
    agent: &Agent,
    cw: &aws_sdk_cloudwatch::Client,
    alarm: &MetricAlarm,
    started: f64,
) -> Result<()> {
    let name = alarm.alarm_name().unwrap_or_default();
    let periods = alarm.evaluation_periods().unwrap_or(1).max(1) as usize;
    let (Some(threshold), Some(comparison)) = (alarm.threshold(), alarm.comparison_operator())
    else {
        return Ok(());
    };
    let treat_missing = alarm.treat_missing_data().unwrap_or("missing");
    let current = alarm
        .state_value()
        .cloned()
        .unwrap_or(StateValue::InsufficientData);
    let now = super::now_secs();
    let series = super::alarm_data::series(cw, alarm, now, started).await?;
    let datapoints = series.datapoints;
    // Until the agent has run for the alarm's periods there are fewer datapoints, and the
    // alarm still needs `DatapointsToAlarm` of them breaching.
    let to_alarm = alarm
        .datapoints_to_alarm()
        .map(|d| d as usize)
        .unwrap_or(periods)
        .clamp(1, periods);
    let Some(decision) = decide(
        &datapoints,
        threshold,
        comparison,
        to_alarm,
        treat_missing,
        &current,
    ) else {
        return Ok(());
    };
    if decision.state == current {
        return Ok(());
    }
    let reason_data = json!({
        "version": "1.0",
        "queryDate": super::cloudwatch::iso(now),
        "startDate": super::cloudwatch::iso(datapoints.first().map(|d| d.start).unwrap_or(now)),
        "statistic": series.statistic,
        "period": series.period as i64,
        "recentDatapoints": datapoints.iter().rev().filter_map(|d| d.value).collect::<Vec<_>>(),
        "threshold": threshold,
        "evaluatedDatapoints": datapoints.iter().rev().filter_map(|d| d.value.map(|v| json!({
            "timestamp": super::cloudwatch::iso(d.start),
            "sampleCount": 1.0,
            "value": v,
        }))).collect::<Vec<_>>(),
    })
    .to_string();
    cw.set_alarm_state()
        .alarm_name(name)
        .state_value(decision.state.clone())
        .state_reason(&decision.reason)
        .state_reason_data(&reason_data)
        .send()
        .await?;
    agent.cloudwatch.record_state_change(
        name,
        (current.as_str(), alarm.state_reason().unwrap_or_default()),
        (decision.state.as_str(), &decision.reason),
        Some(&reason_data),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[Option<f64>]) -> Vec<Datapoint> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Datapoint {
                start: 1_700_000_000.0 + 60.0 * i as f64,
                value: *v,
            })
            .collect()
    }

    const GT: ComparisonOperator = ComparisonOperator::GreaterThanThreshold;

    #[test]
    fn m_out_of_n_breaching_datapoints_alarm_and_fewer_do_not() {
        let ok = decide(
            &points(&[Some(150.0), Some(50.0)]),
            100.0,
            &GT,
            2,
            "missing",
            &StateValue::Ok,
        )
        .unwrap();
        assert_eq!(ok.state, StateValue::Ok);
        let alarm = decide(
            &points(&[Some(150.0), Some(120.0)]),
            100.0,
            &GT,
            2,
            "missing",
            &StateValue::Ok,
        )
        .unwrap();
        assert_eq!(alarm.state, StateValue::Alarm);
        assert!(
            alarm.reason.starts_with("Threshold Crossed: 2 out of the last 2 datapoints [120.0 (14/11/23 22:14:20), 150.0 (14/11/23 22:13:20)] were greater than the threshold (100.0)"),
            "{}",
            alarm.reason
        );
    }

    #[test]
    fn missing_data_follows_the_alarms_treatment() {
        let none = points(&[None, None]);
        assert_eq!(
            decide(&none, 1.0, &GT, 1, "missing", &StateValue::Ok)
                .unwrap()
                .state,
            StateValue::InsufficientData
        );
        assert_eq!(
            decide(&none, 1.0, &GT, 1, "breaching", &StateValue::Ok)
                .unwrap()
                .state,
            StateValue::Alarm
        );
        assert_eq!(
            decide(&none, 1.0, &GT, 1, "notBreaching", &StateValue::Alarm)
                .unwrap()
                .state,
            StateValue::Ok
        );
        assert_eq!(
            decide(&none, 1.0, &GT, 1, "ignore", &StateValue::Alarm),
            None
        );
    }
}
