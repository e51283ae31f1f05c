//! The production banner: a stack whose name or account matches a configured pattern.

use super::State;
use crate::model::glob::glob_match;

impl State {
    /// Does the stack's name or account match a configured production pattern?
    pub fn production(&self) -> bool {
        self.production_patterns.iter().any(|p| {
            glob_match(p, self.stack()) || self.account.as_deref().is_some_and(|a| glob_match(p, a))
        })
    }
}
