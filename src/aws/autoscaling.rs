//! Application Auto Scaling: the service's scalable target (its minimum and maximum desired
//! count), which a scale must stay within.

use super::error::{describe, AwsError};
use crate::model::ecs::ServiceRef;
use crate::model::mutation::ScaleRange;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use aws_sdk_applicationautoscaling::Client;

/// The Application Auto Scaling adapter.
pub struct Autoscaling {
    client: Client,
    profile: String,
}

impl Autoscaling {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        Autoscaling {
            client: Client::new(config),
            profile,
        }
    }

    /// The scalable target of `svc` (namespace ecs, resource `service/<cluster>/<service>`,
    /// dimension ecs:service:DesiredCount); `None` where none is registered.
    pub async fn service_range(&self, svc: &ServiceRef) -> Result<Option<ScaleRange>, AwsError> {
        let resource = format!("service/{}/{}", svc.cluster, svc.service);
        let out = self
            .client
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_ids(&resource)
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &e,
                    "DescribeScalableTargets",
                    &format!("the scalable target of {svc}"),
                    &self.profile,
                )
            })?;
        Ok(out
            .scalable_targets()
            .iter()
            .find(|t| t.resource_id() == resource)
            .map(|t| ScaleRange {
                min: t.min_capacity(),
                max: t.max_capacity(),
            }))
    }
}
