//! An alarm's datapoints, as CloudWatch evaluates them: the last `EvaluationPeriods` periods,
//! aligned to the period, the newest one the current (partial) one, one GetMetricStatistics per
//! metric and period. A metric-math alarm's queries are each read so, and its returned
//! expression ([`super::math`]) computed per period.
//!
//! Periods that ended before the agent started are left out: the agent produces the stack's
//! metrics, so nothing could be in them, and counting them as missing would, for an alarm that
//! treats missing data as breaching (running-below-desired), raise a false ALARM at every start.

use super::alarms::Datapoint;
use super::math;
use anyhow::{bail, Result};
use aws_sdk_cloudwatch::types::{Metric, MetricAlarm, Statistic};
use aws_smithy_types::DateTime;
use std::collections::HashMap;

/// What the evaluation reads: the period, the statistic (for the reason data) and the
/// datapoints, oldest first.
pub struct Series {
    pub period: f64,
    pub statistic: String,
    pub datapoints: Vec<Datapoint>,
}

/// The period starts to evaluate at `now` for an agent started at `started`.
fn starts(period: f64, periods: usize, now: f64, started: f64) -> Vec<f64> {
    let current = (now / period).floor() * period;
    (0..periods)
        .rev()
        .map(|k| current - k as f64 * period)
        .filter(|start| *start == current || start + period > started)
        .collect()
}

/// The alarm's datapoints; an error names what cannot be evaluated.
pub async fn series(
    cw: &aws_sdk_cloudwatch::Client,
    alarm: &MetricAlarm,
    now: f64,
    started: f64,
) -> Result<Series> {
    let periods = alarm.evaluation_periods().unwrap_or(1).max(1) as usize;
    if alarm.metrics().is_empty() {
        let period = alarm.period().unwrap_or(60).max(1) as f64;
        let statistic = alarm.statistic().cloned().unwrap_or(Statistic::Average);
        let metric = Metric::builder()
            .set_namespace(alarm.namespace().map(str::to_owned))
            .set_metric_name(alarm.metric_name().map(str::to_owned))
            .set_dimensions(Some(alarm.dimensions().to_vec()))
            .build();
        let mut datapoints = Vec::new();
        for start in starts(period, periods, now, started) {
            let value = one(cw, &metric, statistic.as_str(), start, period).await?;
            datapoints.push(Datapoint { start, value });
        }
        return Ok(Series {
            period,
            statistic: statistic.as_str().to_owned(),
            datapoints,
        });
    }

    // Metric math: the expression whose data is returned, over the metric queries' values.
    let queries = alarm.metrics();
    let Some(returned) = queries
        .iter()
        .find(|q| q.return_data() == Some(true) && q.expression().is_some())
        .or_else(|| queries.iter().find(|q| q.expression().is_some()))
    else {
        bail!("no query returns an expression");
    };
    let expr =
        math::parse(returned.expression().unwrap_or_default()).map_err(anyhow::Error::msg)?;
    let stats: Vec<_> = queries
        .iter()
        .filter_map(|q| Some((q.id()?, q.metric_stat()?)))
        .collect();
    for id in expr.ids() {
        if !stats.iter().any(|(sid, _)| *sid == id) {
            bail!("the expression reads {id}, which is not a metric of the alarm");
        }
    }
    let period = stats
        .iter()
        .filter_map(|(_, s)| s.period())
        .min()
        .or(alarm.period())
        .unwrap_or(60)
        .max(1) as f64;
    let mut datapoints = Vec::new();
    for start in starts(period, periods, now, started) {
        let mut values = HashMap::new();
        for (id, stat) in &stats {
            let Some(metric) = stat.metric() else {
                continue;
            };
            let statistic = stat.stat().unwrap_or("Average");
            let value = one(cw, metric, statistic, start, period).await?;
            values.insert(id.to_string(), value);
        }
        datapoints.push(Datapoint {
            start,
            value: expr.eval(&values),
        });
    }
    Ok(Series {
        period,
        statistic: "metric math".into(),
        datapoints,
    })
}

/// One statistic of one metric over one period (None: no data).
async fn one(
    cw: &aws_sdk_cloudwatch::Client,
    metric: &Metric,
    statistic: &str,
    start: f64,
    period: f64,
) -> Result<Option<f64>> {
    let statistic = Statistic::from(statistic);
    let out = cw
        .get_metric_statistics()
        .namespace(metric.namespace().unwrap_or_default())
        .metric_name(metric.metric_name().unwrap_or_default())
        .set_dimensions(Some(metric.dimensions().to_vec()))
        .start_time(DateTime::from_secs_f64(start))
        .end_time(DateTime::from_secs_f64(start + period))
        .period(period as i32)
        .statistics(statistic.clone())
        .send()
        .await?;
    Ok(out.datapoints().iter().find_map(|d| match statistic {
        Statistic::Maximum => d.maximum(),
        Statistic::Minimum => d.minimum(),
        Statistic::Sum => d.sum(),
        Statistic::SampleCount => d.sample_count(),
        _ => d.average(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_before_the_agent_started_are_left_out_but_the_current_one_is_kept() {
        // Three 60 s periods at 1000 s: 840, 900, 960 (the current one).
        assert_eq!(starts(60.0, 3, 1000.0, 0.0), [840.0, 900.0, 960.0]);
        // Started at 930 s: the period 840–900 could hold nothing.
        assert_eq!(starts(60.0, 3, 1000.0, 930.0), [900.0, 960.0]);
        // Started a moment ago: only the current period.
        assert_eq!(starts(60.0, 3, 1000.0, 999.0), [960.0]);
    }
}
