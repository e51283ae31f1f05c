//! bad-deploy: a revision of the running task definition without `COURIER_QUEUE_URL`, as a
//! configuration change that drops a variable (a renamed Terraform output, a bad merge) reaches
//! the service. courier refuses to start without the queue its worker consumes and exits at once;
//! every task of the deployment fails, ECS's deployment circuit breaker fails the deployment
//! (3 failed tasks for a desired count up to 6) and rolls the service back to the last completed
//! revision. The engineer's part: read why the tasks stopped, fix the task definition, redeploy.

use super::{About, Target};
use anyhow::Result;

pub const ABOUT: About = About {
    fault: "deploys the running task definition without COURIER_QUEUE_URL: each task of the \
            revision exits at start",
    look: "the service panel (the deployment FAILED by the circuit breaker, then the rollback \
           to the previous revision completing), the stopped tasks' reason (`stackdeck \
           timeline --since 10m`) and courier's last line (`stackdeck logs --since 10m`: \
           COURIER_QUEUE_URL is not set)",
    recover: "none needed to serve: the breaker left the service on the previous revision; \
              fix the task definition (set COURIER_QUEUE_URL) and deploy it again",
};

/// The variable the bad revision lacks.
pub const DROPPED: &str = "COURIER_QUEUE_URL";

/// Deploy the revision without the queue's URL; the line saying what was deployed.
pub async fn inject(target: &Target) -> Result<String> {
    let revision = super::deploy::with_env(target, &[(DROPPED, None)]).await?;
    Ok(format!(
        "deployed {revision} without {DROPPED}; its tasks exit at start until the circuit breaker \
         fails the deployment and rolls back"
    ))
}
