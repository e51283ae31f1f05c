//! stall-worker: a revision of the running task definition with `COURIER_ROLE=api` — courier
//! without its worker, as a bad configuration change would deploy it — while steady traffic goes
//! on. The queue grows; stackdeck warns that nothing consumes it minutes before the depth alarm.

use super::{About, Target};
use anyhow::Result;

pub const ABOUT: About = About {
    fault:
        "deploys the running task definition with COURIER_ROLE=api (courier without its worker) \
            and sends steady traffic",
    look: "the service panel (a deployment that completes cleanly), then the queue's depth and \
           age climbing, the header's `nothing consumed` warning, later the queue-depth alarm",
    recover: "roll back (ctrl-b on the dashboard, or `stackdeck rollback --to previous --yes \
              --wait-stable`); the worker drains the queue and the alarm returns to OK",
};

/// Deploy the stalled revision; the line saying what was deployed.
pub async fn inject(target: &Target) -> Result<String> {
    let revision = super::deploy::with_env(target, &[("COURIER_ROLE", Some("api"))]).await?;
    Ok(format!(
        "deployed {revision}, which runs courier without its worker; the queue grows while traffic goes on"
    ))
}
