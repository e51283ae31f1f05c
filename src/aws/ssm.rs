//! SSM Parameter Store: stack discovery (ARCHITECTURE.md, "SSM discovery").

use super::error::{describe, AwsError};
use crate::model::stack::{discovery_path, stack_names, StackResources, DISCOVERY_ROOT};
use aws_sdk_ssm::Client;

/// Discovery through one `GetParametersByPath` (paginated) per question.
pub struct Discovery {
    client: Client,
    profile: String,
}

impl Discovery {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        Discovery {
            client: Client::new(config),
            profile,
        }
    }

    /// Every parameter under `path` (recursively) as `(name, value)`.
    async fn parameters(&self, path: &str) -> Result<Vec<(String, String)>, AwsError> {
        let mut pages = self
            .client
            .get_parameters_by_path()
            .path(path)
            .recursive(true)
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| describe(&e, "GetParametersByPath", path, &self.profile))?;
            found.extend(
                page.parameters()
                    .iter()
                    .filter_map(|p| Some((p.name()?.to_owned(), p.value()?.to_owned()))),
            );
        }
        Ok(found)
    }

    /// The resources of `stack`.
    pub async fn stack(&self, stack: &str) -> Result<StackResources, AwsError> {
        let parameters = self.parameters(&discovery_path(stack)).await?;
        Ok(StackResources::from_parameters(stack, parameters))
    }

    /// Names of every stack with parameters under `/stackdeck/`.
    pub async fn stacks(&self) -> Result<Vec<String>, AwsError> {
        let parameters = self.parameters(DISCOVERY_ROOT).await?;
        Ok(stack_names(
            parameters.iter().map(|(name, _)| name.as_str()),
        ))
    }
}
