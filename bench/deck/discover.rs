//! Measure 9, discovery from the AWS API: a stack with no SSM parameter, found from
//! `--cluster C --service S` alone (the task definition, its queue and the queue's DLQ, the log
//! group, the alarms by their dimensions) in an account holding `ALARMS` other alarms, as
//! `stackdeck --cluster C --service S` resolves it (`aws::discover::resolve`, in process): the
//! calls (≤ 8 + ⌈alarms / 100⌉: DescribeAlarms is read 100 a page and matched on the client)
//! and the median time of `--runs` (≤ 1 s).

use super::usage::median;
use super::{Bench, Row};
use anyhow::{ensure, Result};
use devstack::testkit::foreign::{self, queue_alarm};
use futures_util::{stream, StreamExt, TryStreamExt};
use stackdeck::aws::discover::resolve::{resolve, Flags, Request};
use stackdeck::config::Config;
use std::time::{Duration, Instant};

/// Alarms of other stacks in the account: what discovery must page through and leave out.
const ALARMS: usize = 500;

pub async fn discovery(b: &Bench) -> Result<Vec<Row>> {
    let builder = foreign::builder("bench-disc");
    let name = builder.name().to_owned();
    let stack = builder.build(&b.sdk).await?;
    queue_alarm(
        &b.sdk,
        &format!("{name}-queue-depth"),
        &format!("{name}-work"),
    )
    .await?;
    stream::iter(0..ALARMS)
        .map(|i| async move {
            queue_alarm(
                &b.sdk,
                &format!("other-{i:04}-depth"),
                &format!("other-{i:04}"),
            )
            .await
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await?;
    let request = Request::new(
        None,
        Flags {
            cluster: Some(&stack.cluster),
            service: Some(&stack.service),
            tags: &[],
        },
        &Config::default(),
    )
    .map_err(anyhow::Error::msg)?;
    let (mut times, mut calls) = (Vec::new(), 0);
    for _ in 0..b.options.runs {
        let before = stackdeck::aws::calls::sent();
        let started = Instant::now();
        let found = resolve(&b.sdk, "default", &request)
            .await
            .map_err(anyhow::Error::msg)?;
        times.push(started.elapsed());
        calls = calls.max(stackdeck::aws::calls::sent() - before);
        ensure!(
            found.values.get("dlq_url") == Some(&stack.dlq_url)
                && found.values.get("alarm_names") == Some(&format!("{name}-queue-depth")),
            "discovery missed the DLQ or the alarm: {:?}",
            found.values
        );
    }
    let alarms = (ALARMS + 1) as u64;
    let bound = 8 + alarms.div_ceil(100);
    let time = median(times);
    Ok(vec![
        (
            format!("discovery from --cluster/--service ({alarms} alarms): time"),
            format!("{:.0} ms", time.as_secs_f64() * 1e3),
            "≤ 1 s".into(),
            time <= Duration::from_secs(1),
        ),
        (
            format!("discovery from --cluster/--service ({alarms} alarms): API calls"),
            format!("{calls}"),
            format!("≤ {bound}"),
            calls <= bound,
        ),
    ])
}
