//! The stack's discovery parameters (`/stackdeck/<stack>/<key>`, ARCHITECTURE.md): everything
//! the agent knows about the stack's resources comes from here, as it does for the dashboard.

use anyhow::{Context, Result};
use aws_config::SdkConfig;
use std::collections::HashMap;

/// The discovery parameters of one stack, by key (`cluster`, `queue_url`, …).
#[derive(Clone, Debug, Default)]
pub struct Stack {
    values: HashMap<String, String>,
}

impl Stack {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Read `/stackdeck/<stack>/` with GetParametersByPath (all pages).
pub async fn read(sdk: &SdkConfig, stack: &str) -> Result<Stack> {
    let ssm = aws_sdk_ssm::Client::new(sdk);
    let path = format!("/stackdeck/{stack}/");
    let mut values = HashMap::new();
    let mut pages = ssm
        .get_parameters_by_path()
        .path(&path)
        .recursive(false)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.with_context(|| format!("cannot read the discovery parameters under {path}"))?;
        for parameter in page.parameters() {
            if let (Some(name), Some(value)) = (parameter.name(), parameter.value()) {
                let key = name.strip_prefix(&path).unwrap_or(name);
                values.insert(key.to_owned(), value.to_owned());
            }
        }
    }
    Ok(Stack { values })
}
