//! A warning before the alarm: pure rules over what a refresh already reads (the queue's metric
//! series, the service's events, the target health) that name a stall minutes before the depth
//! and age alarms (10 and 5 periods) fire. Each rule is its own function; none fires on a
//! healthy, busy queue, on an idle empty one, or on series with missing points.

use super::dashboard::{Metrics, Series, Target, OLDEST_AGE, PERIOD_SECONDS};
use super::dashboard::{QUEUE_DELETED, QUEUE_DEPTH, QUEUE_RECEIVED};
use super::ecs::Rollout;
use super::health::{ServiceHealth, Snapshot, Verdict};
use super::time::age;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One warning: a condition the alarms do not see yet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// `queue_not_consumed`, `queue_age_rising`, `tasks_restarting`, `targets_unhealthy`.
    pub code: &'static str,
    /// One line naming the resource.
    pub message: String,
    /// Unix seconds when the condition began, from the series (None when it has no series).
    pub since: Option<i64>,
}

/// When each rule fires; `[warnings]` in the config file overrides any of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Depth rising over at least this many consecutive minutes with nothing received or deleted.
    pub not_consumed_minutes: u32,
    /// The oldest message's age rising over at least this many consecutive minutes…
    pub age_rising_minutes: u32,
    /// …and at least this old (seconds).
    pub age_seconds: u32,
    /// At least this many tasks stopped (outside a deployment's rollout)…
    pub task_stops: u32,
    /// …within this many seconds.
    pub task_stops_window_seconds: u32,
    /// At least this many targets failing their health checks.
    pub unhealthy_targets: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            not_consumed_minutes: 3,
            age_rising_minutes: 3,
            age_seconds: 120,
            task_stops: 2,
            task_stops_window_seconds: 600,
            unhealthy_targets: 1,
        }
    }
}

impl Thresholds {
    /// The defaults with the config file's `[warnings]` values over them; an unknown key is an
    /// error naming it.
    pub fn with_overrides(overrides: &BTreeMap<String, u32>) -> Result<Thresholds, String> {
        let mut value = serde_json::to_value(Thresholds::default()).map_err(|e| e.to_string())?;
        for (key, v) in overrides {
            if value.get(key).is_none() {
                let known: Vec<String> = value
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                return Err(format!(
                    "[warnings]: unknown key `{key}` (known: {})",
                    known.join(", ")
                ));
            }
            value[key] = (*v).into();
        }
        serde_json::from_value(value).map_err(|e| format!("[warnings]: {e}"))
    }
}

/// The plain values the rules read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarningInput {
    /// The work queue's name.
    pub queue: String,
    /// Minute points, oldest first: visible messages (Maximum), the oldest message's age
    /// (Maximum), messages received and deleted (Sum).
    pub depth: Series,
    pub age: Series,
    pub received: Series,
    pub deleted: Series,
    /// The ECS service's name and the times its tasks stopped outside a rollout.
    pub service: String,
    pub task_stops: Vec<i64>,
    /// The target group's name and its targets.
    pub target_group: String,
    pub targets: Vec<Target>,
    /// Unix seconds.
    pub now: i64,
}

impl WarningInput {
    /// The input from a refresh's parts: the health snapshot, the metric series (empty when they
    /// failed) and the targets (None without a target group, or when they failed).
    pub fn from_parts(
        health: &Snapshot,
        metrics: &Metrics,
        targets: Option<&[Target]>,
        target_group: &str,
        now: i64,
    ) -> WarningInput {
        let service = health.service.as_ref().ok();
        let queue = health.queue.as_ref().map_or("", |q| q.name.as_str());
        WarningInput {
            service: service.map(|s| s.service.clone()).unwrap_or_default(),
            task_stops: service.map(task_stops).unwrap_or_default(),
            target_group: target_group_name(target_group).to_owned(),
            targets: targets.map(<[Target]>::to_vec).unwrap_or_default(),
            ..WarningInput::from_queue(queue, metrics, now)
        }
    }

    /// The input of the queue's rules alone: the work queue `queue` and its series in `metrics`.
    pub fn from_queue(queue: &str, metrics: &Metrics, now: i64) -> WarningInput {
        let series = |id: &str| metrics.get(id).cloned().unwrap_or_default();
        WarningInput {
            queue: queue.to_owned(),
            depth: series(QUEUE_DEPTH),
            age: series(OLDEST_AGE),
            received: series(QUEUE_RECEIVED),
            deleted: series(QUEUE_DELETED),
            now,
            ..Default::default()
        }
    }
}

/// Every warning, in the order of the rules (the header shows the first).
pub fn warnings(input: &WarningInput, t: &Thresholds) -> Vec<Warning> {
    [
        queue_not_consumed(input, t),
        queue_age_rising(input, t),
        tasks_restarting(input, t),
        targets_unhealthy(input, t),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The verdict with the warnings: a healthy stack with a warning is degraded (its reasons are the
/// warnings' messages); a degraded one gets them after its own reasons; an error stays an error.
pub fn degrade(verdict: Verdict, warnings: &[Warning]) -> Verdict {
    let messages = warnings.iter().map(|w| format!("WARNING: {}", w.message));
    match verdict {
        Verdict::Healthy if warnings.is_empty() => Verdict::Healthy,
        Verdict::Healthy => Verdict::Degraded(messages.collect()),
        Verdict::Degraded(mut reasons) => {
            reasons.extend(messages);
            Verdict::Degraded(reasons)
        }
        error @ Verdict::Error(_) => error,
    }
}

/// The newest run of points one period apart, oldest first.
fn consecutive(series: &[(i64, f64)]) -> &[(i64, f64)] {
    let period = i64::from(PERIOD_SECONDS);
    let mut start = series.len().saturating_sub(1);
    while start > 0 && series[start].0 - series[start - 1].0 == period {
        start -= 1;
    }
    &series[start..]
}

/// Depth rising over consecutive minutes in which nothing was received or deleted. Only minutes
/// with all three points count: a missing point of consumption is not taken for a zero.
pub fn queue_not_consumed(input: &WarningInput, t: &Thresholds) -> Option<Warning> {
    let at = |s: &Series, time: i64| s.iter().find(|(x, _)| *x == time).map(|(_, v)| *v);
    let joined: Vec<(i64, f64)> = input
        .depth
        .iter()
        .filter_map(|&(time, depth)| {
            let consumed = at(&input.received, time)? + at(&input.deleted, time)?;
            (consumed == 0.0).then_some((time, depth))
        })
        .collect();
    let points = rising_run(consecutive(&joined), false);
    let (first, last) = (points.first()?, points.last()?);
    if points.len() <= t.not_consumed_minutes as usize || last.1 <= first.1 {
        return None;
    }
    let per_second = (last.1 - first.1) / (last.0 - first.0) as f64;
    Some(Warning {
        code: "queue_not_consumed",
        message: format!(
            "{} {}, nothing consumed for {}",
            input.queue,
            rate(per_second),
            minutes(input.now - first.0)
        ),
        since: Some(first.0),
    })
}

/// The oldest message's age rising every minute over consecutive minutes, and already old.
pub fn queue_age_rising(input: &WarningInput, t: &Thresholds) -> Option<Warning> {
    let points = rising_run(consecutive(&input.age), true);
    let (first, last) = (points.first()?, points.last()?);
    if points.len() <= t.age_rising_minutes as usize || last.1 < f64::from(t.age_seconds) {
        return None;
    }
    Some(Warning {
        code: "queue_age_rising",
        message: format!(
            "{}: oldest message {} old and rising",
            input.queue,
            age(last.1 as i64)
        ),
        since: Some(first.0),
    })
}

/// The newest run in which each point is above the one before (`strict`) or not below it; a flat
/// start is cut to its last point, so an idle queue's flat hour is not part of a rise.
fn rising_run(points: &[(i64, f64)], strict: bool) -> &[(i64, f64)] {
    let up = |a: f64, b: f64| if strict { b > a } else { b >= a };
    let mut start = points.len().saturating_sub(1);
    while start > 0 && up(points[start - 1].1, points[start].1) {
        start -= 1;
    }
    let run = &points[start..];
    let flat = run.windows(2).take_while(|w| w[1].1 == w[0].1).count();
    &run[flat..]
}

/// Tasks stopping again and again: `task_stops` or more in the window before now.
pub fn tasks_restarting(input: &WarningInput, t: &Thresholds) -> Option<Warning> {
    let window = i64::from(t.task_stops_window_seconds);
    let recent: Vec<i64> = input
        .task_stops
        .iter()
        .copied()
        .filter(|at| input.now - at <= window && *at <= input.now)
        .collect();
    if recent.is_empty() || recent.len() < t.task_stops as usize {
        return None;
    }
    Some(Warning {
        code: "tasks_restarting",
        message: format!(
            "service {}: {} tasks stopped in the last {}",
            input.service,
            recent.len(),
            minutes(window)
        ),
        since: recent.iter().min().copied(),
    })
}

/// Targets failing their health checks.
pub fn targets_unhealthy(input: &WarningInput, t: &Thresholds) -> Option<Warning> {
    let unhealthy: Vec<&Target> = input
        .targets
        .iter()
        .filter(|target| target.state == "unhealthy")
        .collect();
    if unhealthy.is_empty() || unhealthy.len() < t.unhealthy_targets as usize {
        return None;
    }
    let reason = unhealthy
        .iter()
        .map(|target| target.reason.as_str())
        .find(|r| !r.is_empty())
        .map_or(String::new(), |r| format!(" ({r})"));
    Some(Warning {
        code: "targets_unhealthy",
        message: format!(
            "target group {}: {} of {} targets unhealthy{reason}",
            input.target_group,
            unhealthy.len(),
            input.targets.len()
        ),
        since: None,
    })
}

/// The times the service's tasks stopped, from its events (`has stopped N running tasks`, newest
/// first, as ECS writes them and as the devstack agent does), leaving out the stops of a
/// deployment's rollout: from its creation to its `deployment completed` event, or to now while
/// it is IN_PROGRESS. Events are the source because `stackdeck status` has them too, and the
/// agent's DescribeTasks does not keep stopped tasks' times.
pub fn task_stops(service: &ServiceHealth) -> Vec<i64> {
    let rollouts: Vec<(i64, i64)> = service
        .deployments
        .iter()
        .filter_map(|d| {
            let created = d.created?;
            let completed = service
                .events
                .iter()
                .filter(|e| {
                    e.message.contains(&format!("(deployment {})", d.id))
                        && e.message.contains("deployment completed")
                })
                .find_map(|e| e.at);
            // Without its completed event: rolling still, or long done (its events gone).
            let end = match d.rollout_state {
                Rollout::InProgress => i64::MAX,
                _ => created,
            };
            Some((created, completed.unwrap_or(end)))
        })
        .collect();
    service
        .events
        .iter()
        .filter_map(|e| Some((e.at?, stopped_count(&e.message)?)))
        .filter(|(at, _)| !rollouts.iter().any(|(from, to)| from <= at && at <= to))
        .flat_map(|(at, n)| std::iter::repeat_n(at, n))
        .collect()
}

/// N of an event `… has stopped N running tasks: …`.
fn stopped_count(message: &str) -> Option<usize> {
    let rest = message.split("has stopped ").nth(1)?;
    let (n, rest) = rest.split_once(' ')?;
    rest.starts_with("running task").then(|| n.parse().ok())?
}

/// `courier-local` of `arn:…:targetgroup/courier-local/0123abcd`.
fn target_group_name(arn: &str) -> &str {
    arn.split("targetgroup/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(arn)
}

/// `+5/s`, `+0.4/s`, `+3/min`.
fn rate(per_second: f64) -> String {
    if per_second >= 9.95 {
        format!("+{per_second:.0}/s")
    } else if per_second >= 0.1 {
        format!("+{}/s", trimmed(per_second))
    } else {
        format!("+{}/min", trimmed(per_second * 60.0))
    }
}

fn trimmed(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

/// Whole minutes, at least one: `3 min`.
fn minutes(seconds: i64) -> String {
    format!("{} min", (seconds / 60).max(1))
}
