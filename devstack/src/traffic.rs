//! `devstack traffic`: load for the local stack, so that the dashboard has something to show and
//! an incident has something to fix.
//!
//! - `steady`: a constant rate of `POST /messages` to courier.
//! - `burst`: many messages at once from many connections, then steady: the queue jumps, the
//!   worker drains it.
//!
//! The incidents are `devstack drill` ([`crate::drill`]); the drills that need traffic send it
//! with this module's steady profile.

use anyhow::{bail, Context, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which load to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Steady,
    Burst,
}

/// Settings of one traffic run.
#[derive(Clone, Debug)]
pub struct Traffic {
    /// courier's base URL: the local load balancer (`COURIER_URL`, http://127.0.0.1:8080), which
    /// sends each request to a healthy task wherever deployments moved them.
    pub url: String,
    /// Messages per second for steady traffic.
    pub rate: u32,
    /// Messages in a burst.
    pub burst: u32,
    /// How long to run; `None` until interrupted.
    pub duration: Option<Duration>,
}

/// Counts of what was sent, for the closing line.
#[derive(Default)]
struct Counts {
    accepted: AtomicU64,
    failed: AtomicU64,
}

/// `host:port` of an `http://host:port` URL.
fn authority(url: &str) -> Result<&str> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("--url must be http://HOST:PORT, not {url}"))?;
    Ok(rest.split('/').next().unwrap_or(rest))
}

/// Does courier answer `GET /healthz` with a 2xx at `authority`? (Through the load balancer:
/// a 503 while no task is healthy.)
async fn healthy(authority: &str) -> bool {
    let url = format!("http://{authority}/healthz");
    crate::http::get(&url, Duration::from_secs(1))
        .await
        .is_ok_and(|(status, _)| status.is_success())
}

/// One `POST /messages`; true when courier answered 202.
async fn post_to(authority: &str, n: u64) -> bool {
    let body = serde_json::json!({"channel": "traffic", "sender": "devstack", "body": format!("message {n}")});
    let key = format!("devstack-{}-{n}", std::process::id());
    let url = format!("http://{authority}/messages");
    crate::http::post_json(
        &url,
        &[("idempotency-key", &key)],
        &body,
        Duration::from_secs(5),
    )
    .await
    .is_ok_and(|(status, _)| status == hyper::StatusCode::ACCEPTED)
}

impl Traffic {
    /// Send `count` messages from `connections` tasks as fast as courier takes them.
    async fn burst(
        &self,
        count: u32,
        connections: u32,
        counts: &Arc<Counts>,
        next: &Arc<AtomicU64>,
    ) -> Result<()> {
        let authority = authority(&self.url)?.to_owned();
        let mut senders = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let (authority, counts, next) = (authority.clone(), counts.clone(), next.clone());
            senders.spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= u64::from(count) {
                        break;
                    }
                    count_one(&counts, post_to(&authority, n).await);
                }
            });
        }
        while senders.join_next().await.is_some() {}
        Ok(())
    }

    /// Send at `rate` per second until `duration` ends (or forever).
    async fn steady(&self, counts: &Arc<Counts>, next: &Arc<AtomicU64>) -> Result<()> {
        let authority = authority(&self.url)?.to_owned();
        let started = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / f64::from(self.rate.max(1)));
        let mut last_report = Instant::now();
        loop {
            if self.duration.is_some_and(|d| started.elapsed() >= d) {
                return Ok(());
            }
            let tick = Instant::now();
            let n = next.fetch_add(1, Ordering::Relaxed);
            count_one(counts, post_to(&authority, n).await);
            if last_report.elapsed() >= Duration::from_secs(10) {
                report(counts);
                last_report = Instant::now();
            }
            tokio::time::sleep(interval.saturating_sub(tick.elapsed())).await;
        }
    }

    /// Fail clearly when courier does not answer at the URL (the local load balancer), waiting a
    /// little for a deployment under way.
    async fn check_courier(&self) -> Result<()> {
        let authority = authority(&self.url)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !healthy(authority).await {
            if Instant::now() >= deadline {
                bail!(
                    "nothing answers GET /healthz at {}: is the local stack up (`make up`), with a healthy courier task behind its load balancer (`devstack status`)?",
                    self.url
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    /// Run `profile`.
    pub async fn run(&self, profile: Profile) -> Result<()> {
        let counts = Arc::new(Counts::default());
        let next = Arc::new(AtomicU64::new(0));
        self.check_courier().await?;
        if profile == Profile::Burst {
            println!(
                "burst: {} messages over 16 connections to {}",
                self.burst, self.url
            );
            self.burst(self.burst, 16, &counts, &next).await?;
            report(&counts);
        }
        println!(
            "steady: {} message(s)/s to {} (ctrl-c stops)",
            self.rate, self.url
        );
        tokio::select! {
            done = self.steady(&counts, &next) => done?,
            _ = tokio::signal::ctrl_c() => {}
        }
        report(&counts);
        Ok(())
    }
}

/// Count one message as accepted or failed.
fn count_one(counts: &Counts, accepted: bool) {
    let counter = if accepted {
        &counts.accepted
    } else {
        &counts.failed
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

fn report(counts: &Counts) {
    println!(
        "traffic: {} accepted, {} failed",
        counts.accepted.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_must_be_plain_http() {
        assert_eq!(
            authority("http://127.0.0.1:5678").unwrap(),
            "127.0.0.1:5678"
        );
        assert_eq!(
            authority("http://127.0.0.1:5678/").unwrap(),
            "127.0.0.1:5678"
        );
        assert!(authority("https://x").is_err());
    }
}
