//! Plain domain types: what the adapters in `crate::aws` return and the dashboard shows.

pub mod dashboard;
pub mod health;
pub mod stack;
