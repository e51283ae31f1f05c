//! ECS's service-deployment APIs: the service's deployment history (ListServiceDeployments,
//! DescribeServiceDeployments, DescribeServiceRevisions for the task definitions) and
//! StopServiceDeployment ROLLBACK. Endpoints without them (older regions, a bare moto) answer
//! `None`: the caller keeps what DescribeServices gives.

use super::ecs_actions::EcsActions;
use super::error::AwsError;
use crate::model::deployments::ServiceDeployment;
use crate::model::ecs::ServiceRef;
use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecs::types::StopServiceDeploymentStopType;
use std::collections::BTreeMap;

/// How many deployments the history reads (one page; DescribeServiceDeployments takes 20).
const NEWEST: i32 = 20;

/// Whether `e` says the endpoint has no such operation (rather than that the call failed):
/// an unknown operation or action, an unsupported feature, or a bare 404/500/501 without an
/// error code (moto's answer to an operation it lacks).
fn unsupported<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    let code = e.code().unwrap_or_default();
    if matches!(
        code,
        "UnknownOperationException" | "InvalidAction" | "UnsupportedFeatureException"
    ) {
        return true;
    }
    let status = e.raw_response().map(|r| r.status().as_u16());
    code.is_empty() && matches!(status, Some(404 | 500 | 501))
}

impl EcsActions {
    /// The service's newest deployments, newest first; `None` where the endpoint lacks the
    /// service-deployment APIs.
    pub async fn service_deployments(
        &self,
        svc: &ServiceRef,
    ) -> Result<Option<Vec<ServiceDeployment>>, AwsError> {
        // One attempt: a missing API costs one round trip, not the retries' back-off.
        let once = aws_sdk_ecs::config::Builder::default()
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
        let what = svc.to_string();
        let listed = self
            .client
            .list_service_deployments()
            .cluster(&svc.cluster)
            .service(&svc.service)
            .max_results(NEWEST)
            .customize()
            .config_override(once)
            .send()
            .await;
        let listed = match listed {
            Ok(listed) => listed,
            Err(e) if unsupported(&e) => return Ok(None),
            Err(e) => return Err(self.err(&e, "ListServiceDeployments", &what)),
        };
        let arns: Vec<String> = (listed.service_deployments().iter())
            .filter_map(|d| d.service_deployment_arn().map(str::to_owned))
            .collect();
        if arns.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let described = self
            .client
            .describe_service_deployments()
            .set_service_deployment_arns(Some(arns.clone()))
            .send()
            .await
            .map_err(|e| self.err(&e, "DescribeServiceDeployments", &what))?;
        let deployments = described.service_deployments();
        let revisions: Vec<String> = (deployments.iter())
            .flat_map(|d| {
                let target = d.target_service_revision().and_then(|r| r.arn());
                let source = d.source_service_revisions().first().and_then(|r| r.arn());
                target.into_iter().chain(source)
            })
            .map(str::to_owned)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut task_definition_of: BTreeMap<String, String> = BTreeMap::new();
        for chunk in revisions.chunks(20) {
            let out = self
                .client
                .describe_service_revisions()
                .set_service_revision_arns(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| self.err(&e, "DescribeServiceRevisions", &what))?;
            for r in out.service_revisions() {
                if let (Some(arn), Some(td)) = (r.service_revision_arn(), r.task_definition()) {
                    task_definition_of.insert(arn.to_owned(), td.to_owned());
                }
            }
        }
        let td = |arn: Option<&str>| arn.and_then(|a| task_definition_of.get(a)).cloned();
        let mut history: Vec<ServiceDeployment> = (deployments.iter())
            .map(|d| ServiceDeployment {
                arn: d.service_deployment_arn().unwrap_or_default().to_owned(),
                status: d
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: d.status_reason().unwrap_or_default().to_owned(),
                target: td(d.target_service_revision().and_then(|r| r.arn())).unwrap_or_default(),
                source: td(d.source_service_revisions().first().and_then(|r| r.arn())),
                created_at: d.created_at().map_or(0, |t| t.secs()),
                circuit_breaker: (d.deployment_circuit_breaker())
                    .filter(|b| b.status().is_some_and(|s| s.as_str() != "DISABLED"))
                    .map(|b| (b.failure_count(), b.threshold())),
                triggered_alarms: (d.alarms())
                    .map(|a| a.triggered_alarm_names().to_vec())
                    .unwrap_or_default(),
                rollback_reason: d.rollback().and_then(|r| r.reason()).map(str::to_owned),
            })
            .collect();
        // DescribeServiceDeployments answers in no promised order: newest first, as listed.
        history.sort_by_key(|d| arns.iter().position(|a| *a == d.arn));
        Ok(Some(history))
    }

    /// StopServiceDeployment ROLLBACK: ECS stops the deployment and deploys its source revision.
    pub async fn stop_deployment(&self, arn: &str) -> Result<(), AwsError> {
        self.client
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(StopServiceDeploymentStopType::Rollback)
            .send()
            .await
            .map_err(|e| self.err(&e, "StopServiceDeployment", &format!("deployment {arn}")))?;
        Ok(())
    }
}
