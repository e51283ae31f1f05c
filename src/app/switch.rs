//! Moving the dashboard elsewhere: another stack (`:stack NAME`), another AWS profile or region
//! (`:profile NAME`, `:region NAME`). The runner resolves first; the dashboard stays as it is
//! until the answer says it may move, and then forgets everything of the old place.

use super::keys::Keymap;
use super::{AwsSwitch, Effect, State, Switched};
use crate::model::stack::StackResources;

impl State {
    /// The caller's account id, once STS answered for the current profile.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The AWS profile the dashboard reads through.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The AWS region the dashboard reads in.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `:profile` / `:region`: the runner checks and resolves first.
    pub(super) fn switch_aws(&mut self, to: AwsSwitch) -> Vec<Effect> {
        self.refresh.switching = true;
        self.message = Some(format!("switching to {to}…"));
        vec![Effect::SwitchAws {
            to,
            stack: self.resources.clone(),
        }]
    }

    /// The runner's answer to [`Effect::SwitchAws`]: on success it already reads through the new
    /// profile and region, and the stack starts again there; else the footer says why not.
    pub(super) fn aws_switched(&mut self, result: Result<Switched, String>) -> Vec<Effect> {
        let to = match result {
            Ok(to) => to,
            Err(e) => {
                self.refresh.switching = false;
                self.message = Some(e);
                return Vec::new();
            }
        };
        // Another account, perhaps: the old one's id is not shown for it (`start` asks again).
        self.account = None;
        (self.profile, self.region) = (to.profile, to.region);
        let effects = self.switched(to.resources);
        self.message = Some(format!(
            "profile {} · region {} · stack {}",
            self.profile,
            self.region,
            self.stack()
        ));
        effects
    }

    /// Another stack's resources: everything of the old one is forgotten and started again.
    pub(super) fn switched(&mut self, resources: StackResources) -> Vec<Effect> {
        self.refresh.switching = false;
        self.resources = resources;
        self.ops.reset();
        self.refresh.reset();
        self.scroll.clear();
        self.message = Some(format!("stack {}", self.stack()));
        match Keymap::new(
            &self.key_overrides,
            self.read_only(),
            self.exec_in_read_only,
        ) {
            Ok(map) => self.keymap = map,
            Err(e) => self.message = Some(e),
        }
        let mut effects = self.start();
        if let Some(theme) = self
            .per_stack
            .get(&self.resources.stack)
            .and_then(|s| s.theme.clone())
        {
            effects.push(Effect::LoadTheme(theme));
        }
        effects
    }
}

#[cfg(test)]
#[path = "switch_tests.rs"]
mod tests;
