//! Which resources a stack has, from every source in order: the SSM contract (`/stackdeck/X/`,
//! the fast path: one call), the config file's `[stacks.X.resources]`, the ECS service named by
//! `--cluster/--service` (or the config's `cluster`/`service`), and `--tag`. What an earlier
//! source found stands, except that the config's resources always win. A stack needs no SSM
//! parameter at all when another source names it.

use super::Discoverer;
use crate::aws::error::AwsErrorKind;
use crate::aws::ssm::Discovery;
use crate::config::Config;
use crate::model::stack::{discovery_path, Source, StackResources};
use crate::model::tagged::parse_tag;
use std::collections::BTreeMap;

/// What the command line and the config say about the stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `--stack` (or the config's `default_stack`); None when the stack is named by the rest.
    pub stack: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub tags: Vec<(String, String)>,
    /// `[stacks.X.resources]`.
    pub overrides: BTreeMap<String, String>,
}

impl Request {
    /// The request for `stack` from the config's `[stacks.<stack>]` alone; `flags` (cluster,
    /// service, tags), where given, replace the config's.
    pub fn new(
        stack: Option<String>,
        flags: Flags<'_>,
        config: &Config,
    ) -> Result<Request, String> {
        let stanza = stack
            .as_deref()
            .map(|n| config.stack(n))
            .unwrap_or_default();
        let tags = if flags.tags.is_empty() {
            &stanza.tags[..]
        } else {
            flags.tags
        };
        Ok(Request {
            stack,
            cluster: flags.cluster.map(str::to_owned).or(stanza.cluster),
            service: flags.service.map(str::to_owned).or(stanza.service),
            tags: tags
                .iter()
                .map(|t| parse_tag(t))
                .collect::<Result<_, _>>()?,
            overrides: stanza.resources,
        })
    }

    /// The stack's name: `--stack`, else the service's, else the first tag's value.
    pub fn name(&self) -> Option<String> {
        self.stack
            .clone()
            .or_else(|| self.service.clone())
            .or_else(|| self.tags.first().map(|(_, v)| v.clone()))
    }

    fn has_other_sources(&self) -> bool {
        self.service.is_some() || !self.tags.is_empty() || !self.overrides.is_empty()
    }
}

/// `--cluster`, `--service`, `--tag` as given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flags<'a> {
    pub cluster: Option<&'a str>,
    pub service: Option<&'a str>,
    pub tags: &'a [String],
}

/// The cluster `--service` is looked up in when neither `--cluster` nor the stack names one (as
/// the AWS CLI does).
pub const DEFAULT_CLUSTER: &str = "default";

/// Resolve `request` (see the module's doc), or the one-line reason it names nothing.
pub async fn resolve(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    request: &Request,
) -> Result<StackResources, String> {
    let Some(name) = request.name() else {
        return Err(
            "no stack given: pass --stack NAME (`stackdeck stacks` lists them), --cluster C --service S, or --tag KEY=VALUE"
                .into(),
        );
    };
    let mut found = StackResources {
        stack: name.clone(),
        ..StackResources::default()
    };
    if request.stack.is_some() {
        match Discovery::new(sdk, profile.to_owned()).stack(&name).await {
            Ok(ssm) => found = ssm,
            // Another source may name the stack: only a failure that would fail it too stops here.
            Err(e)
                if !request.has_other_sources()
                    || matches!(
                        e.kind,
                        AwsErrorKind::Credentials | AwsErrorKind::Unreachable
                    ) =>
            {
                return Err(e.message)
            }
            Err(_) => {}
        }
    }
    for (key, value) in &request.overrides {
        found.set(key, value, Source::Config);
    }
    let discoverer = Discoverer::new(sdk, profile.to_owned());
    if let Some(service) = &request.service {
        // No --cluster: the stack's own (SSM, the config), else the AWS CLI's `default`.
        let cluster = request
            .cluster
            .clone()
            .or_else(|| found.get("cluster").map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_CLUSTER.to_owned());
        let cluster = cluster.as_str();
        found.set("cluster", cluster, Source::Flag);
        found.set("service", service, Source::Flag);
        discoverer
            .from_service(&mut found, cluster, service)
            .await
            .map_err(|e| e.message)?;
    }
    if !request.tags.is_empty() {
        discoverer
            .from_tags(&mut found, &request.tags)
            .await
            .map_err(|e| e.message)?;
    }
    for (key, value) in &request.overrides {
        found.set(key, value, Source::Config);
    }
    if found.values.is_empty() {
        return Err(format!(
            "no parameters under {} (profile {profile}) and no cluster/service, tags or resources for stack {name} in the config: pass --cluster C --service S or --tag KEY=VALUE; `stackdeck stacks` lists the SSM stacks",
            discovery_path(&name)
        ));
    }
    Ok(found)
}
