//! Plain values the unit tests of the rollback choice and the picker share.

use crate::model::ecs::{CurrentDeployment, Rollout};

const ARN: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/courier";

/// Revision `revision` of the test family.
pub fn td(revision: u32) -> String {
    format!("{ARN}:{revision}")
}

/// A deployment of revision `revision`, one task running.
pub fn dep(primary: bool, revision: u32, rollout: Rollout) -> CurrentDeployment {
    CurrentDeployment {
        primary,
        task_definition: td(revision),
        rollout,
        running: 1,
    }
}
