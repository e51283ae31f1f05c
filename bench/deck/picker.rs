//! Measure 8, the start picker on a large account: `--services N` (default 2,000) ECS services
//! across four clusters in moto, listed in process as `stackdeck` with no stack lists them
//! (`aws::ecs_list`): the time to the first rows (≤ 1 s), to all rows (≤ 2 s), and the calls
//! (≤ ⌈n/100⌉ + ⌈n/10⌉ + 2c + 1 for n services in c clusters); median times of `--runs`.
//! Printed beside them, not a target: the floor, moto answering the same ListServices and
//! DescribeServices calls one after another (moto is one Python process: concurrent calls
//! queue for its lock, so no client lists faster than this).

use super::usage::median;
use super::{Bench, Row};
use anyhow::Result;
use devstack::testkit::parts::register;
use devstack::testkit::stack::Revision;
use futures_util::{stream, StreamExt, TryStreamExt};
use stackdeck::aws::ecs_list::EcsList;
use std::time::{Duration, Instant};

const CLUSTERS: usize = 4;

/// Create `n` services (desired count 0: no tasks) over [`CLUSTERS`] clusters, 32 at a time.
async fn create_services(sdk: &aws_config::SdkConfig, n: usize) -> Result<()> {
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let clusters: Vec<String> = (0..CLUSTERS).map(|c| format!("picker-{c}")).collect();
    for cluster in &clusters {
        ecs.create_cluster().cluster_name(cluster).send().await?;
    }
    let task_definition = register(&ecs, "picker", &Revision::image("courier:1")).await?;
    stream::iter(0..n)
        .map(|i| {
            ecs.create_service()
                .cluster(&clusters[i % CLUSTERS])
                .service_name(format!("service-{i:05}"))
                .task_definition(&task_definition)
                .desired_count(0)
                .send()
        })
        .buffer_unordered(32)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

/// One listing: (time to the first rows, time to all, rows, calls).
async fn list(sdk: &aws_config::SdkConfig) -> Result<(Duration, Duration, usize, u64)> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let before = stackdeck::aws::calls::sent();
    let started = Instant::now();
    let listing = tokio::spawn({
        let ecs = EcsList::new(sdk, "default".into());
        async move { ecs.services(tx).await }
    });
    let (mut first, mut rows) = (None, 0);
    while let Some(listed) = rx.recv().await {
        let listed = listed.map_err(anyhow::Error::msg)?;
        first.get_or_insert_with(|| started.elapsed());
        rows += listed.len();
    }
    let all = started.elapsed();
    listing.await?;
    let calls = stackdeck::aws::calls::sent() - before;
    Ok((first.unwrap_or(all), all, rows, calls))
}

/// The floor: every cluster's ListServices pages and DescribeServices calls of 10, one after
/// another, by a plain client. Returns (time, calls).
async fn floor(sdk: &aws_config::SdkConfig) -> Result<(Duration, usize)> {
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let started = Instant::now();
    let clusters = ecs.list_clusters().send().await?;
    let mut calls = 1;
    for cluster in clusters.cluster_arns() {
        let mut pages = ecs
            .list_services()
            .cluster(cluster)
            .max_results(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            calls += 1;
            for batch in page?.service_arns().chunks(10) {
                let answer = ecs
                    .describe_services()
                    .cluster(cluster)
                    .set_services(Some(batch.to_vec()))
                    .send()
                    .await?;
                calls += 1;
                anyhow::ensure!(
                    answer.services().len() == batch.len(),
                    "DescribeServices lost services"
                );
            }
        }
    }
    Ok((started.elapsed(), calls))
}

pub async fn picker(b: &Bench) -> Result<Vec<Row>> {
    let n = b.options.services;
    println!("creating {n} ECS services in {CLUSTERS} clusters…");
    let created = Instant::now();
    create_services(&b.sdk, n).await?;
    println!("  created in {:.1} s", created.elapsed().as_secs_f64());
    let (mut firsts, mut alls, mut listed, mut calls) = (Vec::new(), Vec::new(), 0, 0);
    for _ in 0..b.options.runs {
        let (first, all, rows, sent) = list(&b.sdk).await?;
        firsts.push(first);
        alls.push(all);
        (listed, calls) = (rows, calls.max(sent));
    }
    let clusters = aws_sdk_ecs::Client::new(&b.sdk)
        .list_clusters()
        .send()
        .await?
        .cluster_arns()
        .len() as u64;
    let rows = listed as u64;
    let bound = rows.div_ceil(100) + rows.div_ceil(10) + 2 * clusters + 1;
    let (first, all) = (median(firsts), median(alls));
    let (floor, floor_calls) = floor(&b.sdk).await?;
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    Ok(vec![
        (
            format!("picker over {rows} services: time to the first rows"),
            ms(first),
            "≤ 1 s".into(),
            first <= Duration::from_secs(1),
        ),
        (
            format!("picker over {rows} services: time to all rows"),
            ms(all),
            "≤ 2 s".into(),
            all <= Duration::from_secs(2) && listed >= n,
        ),
        (
            format!("  floor: moto answering those {floor_calls} calls one after another"),
            ms(floor),
            "-".into(),
            true,
        ),
        (
            format!("picker over {rows} services in {clusters} clusters: API calls"),
            format!("{calls}"),
            format!("≤ {bound}"),
            calls <= bound,
        ),
    ])
}
