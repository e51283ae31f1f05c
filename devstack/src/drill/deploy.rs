//! Deploy a copy of the service's running task definition with some environment changed, as a
//! bad configuration change reaches a service through its pipeline.

use super::Target;
use anyhow::{Context, Result};
use aws_sdk_ecs::types::KeyValuePair;

/// One change to the containers' environment: set `name` to the value, or remove it (`None`).
pub type Change<'a> = (&'a str, Option<&'a str>);

/// Register a revision of the running task definition with `changes` applied to every
/// container's environment, and deploy it (UpdateService). Returns the new revision,
/// `family:N`.
pub async fn with_env(target: &Target, changes: &[Change<'_>]) -> Result<String> {
    let (cluster, service) = target.service().await?;
    let ecs = aws_sdk_ecs::Client::new(&target.sdk);
    let described = ecs
        .describe_services()
        .cluster(&cluster)
        .services(&service)
        .send()
        .await
        .with_context(|| format!("DescribeServices {service} in {cluster}"))?;
    let running = described
        .services()
        .first()
        .and_then(|s| s.task_definition())
        .with_context(|| format!("service {service} not found in cluster {cluster}"))?
        .to_owned();
    let current = ecs
        .describe_task_definition()
        .task_definition(&running)
        .send()
        .await
        .with_context(|| format!("DescribeTaskDefinition {running}"))?;
    let td = current
        .task_definition()
        .with_context(|| format!("DescribeTaskDefinition {running} returned nothing"))?;
    let containers = td
        .container_definitions()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.environment = Some(changed(c.environment(), changes));
            c
        })
        .collect();
    let registered = ecs
        .register_task_definition()
        .family(td.family().unwrap_or_default())
        .set_container_definitions(Some(containers))
        .set_cpu(td.cpu().map(str::to_owned))
        .set_memory(td.memory().map(str::to_owned))
        .set_network_mode(td.network_mode().cloned())
        .set_requires_compatibilities(Some(td.requires_compatibilities().to_vec()))
        .set_task_role_arn(td.task_role_arn().map(str::to_owned))
        .set_execution_role_arn(td.execution_role_arn().map(str::to_owned))
        .send()
        .await
        .with_context(|| format!("RegisterTaskDefinition of {running}'s family"))?;
    let arn = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .context("RegisterTaskDefinition returned no ARN")?
        .to_owned();
    ecs.update_service()
        .cluster(&cluster)
        .service(&service)
        .task_definition(&arn)
        .send()
        .await
        .with_context(|| format!("UpdateService {service} to {arn}"))?;
    Ok(arn.rsplit('/').next().unwrap_or(&arn).to_owned())
}

/// `environment` with `changes` applied, in order; a set variable goes last.
fn changed(environment: &[KeyValuePair], changes: &[Change<'_>]) -> Vec<KeyValuePair> {
    let mut env: Vec<KeyValuePair> = environment
        .iter()
        .filter(|kv| !changes.iter().any(|(name, _)| kv.name() == Some(name)))
        .cloned()
        .collect();
    for (name, value) in changes {
        if let Some(value) = value {
            env.push(KeyValuePair::builder().name(*name).value(*value).build());
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(name: &str, value: &str) -> KeyValuePair {
        KeyValuePair::builder().name(name).value(value).build()
    }

    #[test]
    fn changes_set_replace_and_remove_variables() {
        let env = [kv("A", "1"), kv("COURIER_ROLE", "all"), kv("B", "2")];
        let out = changed(&env, &[("COURIER_ROLE", Some("api")), ("B", None)]);
        let pairs: Vec<_> = out
            .iter()
            .map(|kv| (kv.name().unwrap(), kv.value().unwrap()))
            .collect();
        assert_eq!(pairs, [("A", "1"), ("COURIER_ROLE", "api")]);
    }
}
