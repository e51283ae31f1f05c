//! The deployment alarms, watched as ECS watches them: while a deployment is in progress, one of
//! the service's `deploymentConfiguration.alarms` that *moves* to ALARM — its state changed after
//! the deployment started — fails the deployment (and rolls it back when `rollback` is set). An
//! alarm already in ALARM when the deployment started does not: the deployment that fixes an
//! incident is not rolled back by the incident's own alarm.

use crate::agent::Agent;
use aws_sdk_cloudwatch::types::StateValue;

/// The first of `names` in ALARM since after `since` (seconds since the epoch), read from moto.
pub async fn triggered(agent: &Agent, names: &[String], since: f64) -> Option<String> {
    let cw = aws_sdk_cloudwatch::Client::new(&agent.sdk);
    let out = match cw
        .describe_alarms()
        .set_alarm_names(Some(names.to_vec()))
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!(
                "devstack agent: ecs: deployment alarms not read: {}",
                aws_sdk_cloudwatch::error::DisplayErrorContext(e)
            );
            return None;
        }
    };
    out.metric_alarms()
        .iter()
        .find(|a| {
            a.state_value() == Some(&StateValue::Alarm)
                && a.state_updated_timestamp()
                    .is_some_and(|t| t.as_secs_f64() > since)
        })
        .and_then(|a| a.alarm_name().map(str::to_owned))
}
