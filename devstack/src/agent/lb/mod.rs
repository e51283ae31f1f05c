//! The local load balancer: the ALB's listener, served by the agent on a stable port (8080 for
//! `devstack up`), in front of the service's tasks, whose ports move as deployments roll.
//!
//! A task is a target once it passed its readiness probe (the control loop's `/readyz`, as ECS
//! registers a task with the target group when it is healthy); the health checks of
//! [`health`] take a ready task out while its target group's health-check path fails and put it
//! back when it passes. Requests go to the healthy targets round robin; a task the control loop
//! stops is out of the service (no new request) before it is [`State::drain`]ed: its requests in
//! flight finish, then it gets SIGTERM. No healthy target: 503; the connection to the target fails
//! or resets: 502; the target does not answer within the idle timeout: 504 — with an ALB's bodies.
//!
//! Each metrics interval [`metric_data`] gives the `AWS/ApplicationELB` metrics of the interval
//! (RequestCount, HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count, TargetResponseTime) with the
//! dimension the stack's alb-5xx alarm reads: `LoadBalancer`, the `app/<name>/<id>` suffix of the
//! `load_balancer_arn` discovery parameter.
//!
//! - [`serve`]: the listener and the forwarding of one request;
//! - [`health`]: the target group's health checks.

pub mod health;
pub mod serve;

use super::Agent;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How long a stopping task's requests in flight may take before it gets SIGTERM anyway (an
/// ALB's deregistration delay, shortened: courier's requests take milliseconds).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// What happened in one metrics interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub requests: u64,
    pub target_5xx: u64,
    pub elb_5xx: u64,
    /// Seconds the targets took to answer, summed, and how many answered.
    pub response_secs: f64,
    pub responses: u64,
}

/// The load balancer's state: where the next request goes, the requests in flight per target,
/// the targets its health checks failed, and the interval's counts.
#[derive(Default)]
pub struct State {
    next: AtomicUsize,
    in_flight: Mutex<HashMap<u16, usize>>,
    unhealthy: Mutex<HashSet<u16>>,
    counts: Mutex<Counts>,
    finished: tokio::sync::Notify,
}

impl State {
    /// The next healthy target (a task port) round robin, counted in flight until [`State::done`];
    /// `None` when no target is healthy.
    pub fn pick(&self, agent: &Agent) -> Option<u16> {
        let unhealthy = self.unhealthy.lock().expect("lb lock").clone();
        // The ECS lock is held while the request is counted in flight: a task the control loop
        // takes out afterwards sees it when it drains.
        let guard = agent.ecs.service.lock().expect("ecs lock");
        let targets: Vec<u16> = (guard.as_ref()?.tasks.iter())
            .filter(|t| t.ready && !unhealthy.contains(&t.port))
            .map(|t| t.port)
            .collect();
        if targets.is_empty() {
            return None;
        }
        let port = targets[self.next.fetch_add(1, Ordering::Relaxed) % targets.len()];
        *self
            .in_flight
            .lock()
            .expect("lb lock")
            .entry(port)
            .or_default() += 1;
        Some(port)
    }

    /// The request sent to `port` is over.
    pub fn done(&self, port: u16) {
        let mut in_flight = self.in_flight.lock().expect("lb lock");
        if let Some(n) = in_flight.get_mut(&port) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                in_flight.remove(&port);
            }
        }
        self.finished.notify_waiters();
    }

    fn in_flight(&self, port: u16) -> usize {
        (self.in_flight.lock().expect("lb lock"))
            .get(&port)
            .copied()
            .unwrap_or(0)
    }

    /// Wait until the requests in flight to `port` are over (at most [`DRAIN_TIMEOUT`]). The task
    /// is out of the service already, so no new request goes to it.
    pub async fn drain(&self, port: u16) {
        let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if self.in_flight(port) == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, finished).await.is_err() {
                eprintln!(
                    "devstack agent: lb: requests to 127.0.0.1:{port} still in flight after {}s; stopping the task anyway",
                    DRAIN_TIMEOUT.as_secs()
                );
                return;
            }
        }
    }

    pub(crate) fn set_unhealthy(&self, ports: HashSet<u16>) {
        *self.unhealthy.lock().expect("lb lock") = ports;
    }

    /// Count one request: the status answered, and whether a target answered it (and how long
    /// it took) or the load balancer did.
    pub fn count(&self, status: u16, target_took: Option<Duration>) {
        let mut counts = self.counts.lock().expect("lb lock");
        counts.requests += 1;
        match target_took {
            Some(took) => {
                counts.responses += 1;
                counts.response_secs += took.as_secs_f64();
                if (500..600).contains(&status) {
                    counts.target_5xx += 1;
                }
            }
            None if (500..600).contains(&status) => counts.elb_5xx += 1,
            None => {}
        }
    }

    /// The interval's counts, which start again from zero.
    pub fn take(&self) -> Counts {
        std::mem::take(&mut *self.counts.lock().expect("lb lock"))
    }
}

/// The part of an ELB ARN CloudWatch's dimensions use: `app/<name>/<id>` of a load balancer,
/// `targetgroup/<name>/<id>` of a target group.
pub fn arn_suffix(arn: &str) -> Option<&str> {
    if let Some((_, rest)) = arn.split_once(":loadbalancer/") {
        return Some(rest);
    }
    arn.find(":targetgroup/").map(|i| &arn[i + 1..])
}

/// The `AWS/ApplicationELB` data of one interval's `counts`, for the load balancer `lb` at `now`:
/// the counts as sums (0 included), the response time as the average of the interval's answers
/// (none when no target answered).
///
/// Only the `LoadBalancer` dimension set, the one the stack's alarm reads: CloudWatch also keeps
/// a `LoadBalancer` + `TargetGroup` set, but moto matches a query's dimensions as a subset, so
/// that second set would double every sum the alarm reads.
pub fn metric_data(counts: &Counts, lb: &str, now: f64) -> Vec<MetricDatum> {
    let datum = |name: &str, value: f64, unit: StandardUnit| {
        MetricDatum::builder()
            .metric_name(name)
            .dimensions(Dimension::builder().name("LoadBalancer").value(lb).build())
            .value(value)
            .unit(unit)
            .timestamp(DateTime::from_secs_f64(now))
            .build()
    };
    let mut data = vec![
        datum("RequestCount", counts.requests as f64, StandardUnit::Count),
        datum(
            "HTTPCode_Target_5XX_Count",
            counts.target_5xx as f64,
            StandardUnit::Count,
        ),
        datum(
            "HTTPCode_ELB_5XX_Count",
            counts.elb_5xx as f64,
            StandardUnit::Count,
        ),
    ];
    if counts.responses > 0 {
        data.push(datum(
            "TargetResponseTime",
            counts.response_secs / counts.responses as f64,
            StandardUnit::Seconds,
        ));
    }
    data
}

/// The interval's data for the discovered load balancer (none without `load_balancer_arn`).
pub fn interval_data(agent: &Agent, stack: &super::discovery::Stack, now: f64) -> Vec<MetricDatum> {
    let counts = agent.lb.take();
    let Some(lb) = stack.get("load_balancer_arn").and_then(arn_suffix) else {
        return Vec::new();
    };
    metric_data(&counts, lb, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_are_the_arn_suffixes() {
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/courier-local/50dc6c495c0c9188";
        let tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/courier/73e2d6bc24d8a067";
        assert_eq!(arn_suffix(lb), Some("app/courier-local/50dc6c495c0c9188"));
        assert_eq!(arn_suffix(tg), Some("targetgroup/courier/73e2d6bc24d8a067"));
        assert_eq!(arn_suffix("courier"), None);
    }

    #[test]
    fn target_and_elb_errors_are_counted_apart_and_zero_is_published() {
        let state = State::default();
        state.count(200, Some(Duration::from_millis(10)));
        state.count(500, Some(Duration::from_millis(30)));
        state.count(503, None);
        state.count(502, None);
        let counts = state.take();
        assert_eq!(
            (
                counts.requests,
                counts.target_5xx,
                counts.elb_5xx,
                counts.responses
            ),
            (4, 1, 2, 2)
        );
        assert!((counts.response_secs - 0.04).abs() < 1e-9);
        assert_eq!(
            state.take(),
            Counts::default(),
            "each interval starts from zero"
        );

        let data = metric_data(&Counts::default(), "app/a/1", 0.0);
        let names: Vec<&str> = data.iter().filter_map(|d| d.metric_name()).collect();
        assert_eq!(
            names,
            [
                "RequestCount",
                "HTTPCode_Target_5XX_Count",
                "HTTPCode_ELB_5XX_Count"
            ],
            "zeros are data; no response time without answers"
        );
        assert!(data.iter().all(|d| d.value() == Some(0.0)));
        assert_eq!(data[0].dimensions()[0].value(), Some("app/a/1"));
    }
}
