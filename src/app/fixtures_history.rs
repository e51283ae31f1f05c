//! The dashboard fixture with ECS's deployment history (kept apart: `fixtures.rs` is at its
//! line limit).

use super::fixtures::{failing_deployment, NOW};
use crate::model::dashboard::Dashboard;

/// [`failing_deployment`] with ECS's deployment history: the circuit breaker counted 3 of 3
/// failed tasks and the rollback is under way.
pub fn failing_deployment_with_history() -> Dashboard {
    let mut d = failing_deployment();
    d.history = Some(vec![
        crate::model::deployments::ServiceDeployment {
            arn: "arn:aws:ecs:us-east-1:000000000000:service-deployment/courier-local/courier-local-courier/2".into(),
            status: "ROLLBACK_IN_PROGRESS".into(),
            target: "arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:8".into(),
            source: Some("arn:aws:ecs:us-east-1:000000000000:task-definition/courier-local:7".into()),
            created_at: NOW - 240,
            circuit_breaker: Some((3, 3)),
            rollback_reason: Some("ECS deployment circuit breaker: tasks failed to start.".into()),
            ..Default::default()
        },
    ]);
    d
}
