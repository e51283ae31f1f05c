//! ECS, every service of every cluster for the start picker, fast on large accounts: ListClusters
//! (paginated), then per cluster ListServices 100 per page, each page cut into DescribeServices
//! calls of 10 (the API's maximum) that run while the next page is read; at most
//! [`DESCRIBES`] DescribeServices and [`LISTS`] ListServices in flight. Each DescribeServices
//! answer is sent on as it arrives, so the picker fills while the listing runs.
//!
//! Calls for n services in c clusters: ⌈c/100⌉ + Σ ⌈nᵢ/100⌉ (at least one per cluster) +
//! Σ ⌈nᵢ/10⌉ ≤ ⌈n/100⌉ + ⌈n/10⌉ + 2c + 1.

use super::calls::Counter;
use super::error::describe;
use crate::model::ecs::Rollout;
use crate::model::picker::ServiceRow;
use aws_sdk_ecs::Client;
use std::sync::Arc;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

/// DescribeServices calls in flight at most.
pub const DESCRIBES: usize = 8;
/// ListServices calls in flight at most (one per cluster at a time: its pages follow each other).
pub const LISTS: usize = 4;
/// ListServices' page size (the API's maximum).
const PAGE: i32 = 100;
/// Services per DescribeServices call (the API's maximum).
const BATCH: usize = 10;

/// One DescribeServices answer's rows, or one failed call in words.
pub type Listed = Result<Vec<ServiceRow>, String>;

pub struct EcsList {
    client: Client,
    profile: String,
}

impl EcsList {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_ecs::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        EcsList {
            client: Client::from_conf(conf),
            profile,
        }
    }

    /// Every service of every cluster, sent on `tx` one DescribeServices answer at a time; each
    /// failed call is sent as its one-line message and the rest goes on (a cluster denied does
    /// not hide the others). Returns once every call has answered. Dropping the future stops
    /// the calls still running.
    pub async fn services(&self, tx: mpsc::UnboundedSender<Listed>) {
        let clusters = match self.clusters().await {
            Ok(clusters) => clusters,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        let lister = Lister {
            client: self.client.clone(),
            profile: self.profile.clone(),
            describes: Arc::new(Semaphore::new(DESCRIBES)),
            lists: Arc::new(Semaphore::new(LISTS)),
            tx,
        };
        let mut clusters_listed = JoinSet::new();
        for arn in clusters {
            clusters_listed.spawn(lister.clone().cluster(arn));
        }
        while clusters_listed.join_next().await.is_some() {}
    }

    /// The ARN of every cluster.
    async fn clusters(&self) -> Result<Vec<String>, String> {
        let mut pages = self
            .client
            .list_clusters()
            .max_results(PAGE)
            .into_paginator()
            .send();
        let mut arns = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                describe(&e, "ListClusters", "the ECS clusters", &self.profile).message
            })?;
            arns.extend(page.cluster_arns().iter().cloned());
        }
        Ok(arns)
    }
}

/// What each cluster's task shares.
#[derive(Clone)]
struct Lister {
    client: Client,
    profile: String,
    describes: Arc<Semaphore>,
    lists: Arc<Semaphore>,
    tx: mpsc::UnboundedSender<Listed>,
}

/// `arn:aws:ecs:region:account:cluster/NAME` → NAME.
fn name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Lister {
    /// The cluster's services: its pages one after another, each page's DescribeServices calls
    /// started as the page arrives; returns when all have answered.
    async fn cluster(self, arn: String) {
        let cluster = name_of(&arn).to_owned();
        let mut describes = JoinSet::new();
        let mut token = None;
        loop {
            let page = {
                let _permit = self.lists.acquire().await;
                self.client
                    .list_services()
                    .cluster(&arn)
                    .max_results(PAGE)
                    .set_next_token(token)
                    .send()
                    .await
            };
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    let what = format!("cluster {cluster}");
                    let _ = self.tx.send(Err(
                        describe(&e, "ListServices", &what, &self.profile).message
                    ));
                    break;
                }
            };
            for batch in page.service_arns().chunks(BATCH) {
                let lister = self.clone();
                let (arn, cluster, batch) = (arn.clone(), cluster.clone(), batch.to_vec());
                describes.spawn(async move { lister.describe(&arn, &cluster, batch).await });
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        while describes.join_next().await.is_some() {}
    }

    /// One DescribeServices call of up to 10 services, its rows sent on.
    async fn describe(&self, arn: &str, cluster: &str, services: Vec<String>) {
        let answer = {
            let _permit = self.describes.acquire().await;
            self.client
                .describe_services()
                .cluster(arn)
                .set_services(Some(services))
                .send()
                .await
        };
        let listed = match answer {
            Ok(out) => Ok(out.services().iter().map(|s| row(cluster, s)).collect()),
            Err(e) => {
                let what = format!("the services of cluster {cluster}");
                Err(describe(&e, "DescribeServices", &what, &self.profile).message)
            }
        };
        let _ = self.tx.send(listed);
    }
}

fn row(cluster: &str, s: &aws_sdk_ecs::types::Service) -> ServiceRow {
    let primary = s
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"));
    ServiceRow {
        cluster: cluster.to_owned(),
        service: s
            .service_name()
            .or(s.service_arn().map(name_of))
            .unwrap_or_default()
            .to_owned(),
        status: s.status().unwrap_or_default().to_owned(),
        running: s.running_count(),
        desired: s.desired_count(),
        rollout: Rollout::parse(primary.and_then(|d| d.rollout_state()).map(|r| r.as_str())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cluster_or_service_arn_ends_in_its_name() {
        assert_eq!(
            super::name_of("arn:aws:ecs:us-east-1:123456789012:cluster/prod"),
            "prod"
        );
        assert_eq!(
            super::name_of("arn:aws:ecs:us-east-1:1:service/prod/api"),
            "api"
        );
        assert_eq!(super::name_of("prod"), "prod");
    }
}
