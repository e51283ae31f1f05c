//! Plain domain types: what the adapters in `crate::aws` return, what `crate::ops` plans and
//! audits, and what the dashboard shows. Depends on nothing else in the crate (ARCHITECTURE.md).

pub mod audit;
pub mod console;
pub mod dashboard;
pub mod deployments;
pub mod discovery;
pub mod ecs;
pub mod exec;
pub mod focus;
pub mod glob;
pub mod health;
pub mod logfilter;
pub mod logline;
pub mod logs;
pub mod mutation;
pub mod picker;
pub mod rollback;
pub mod sqs;
pub mod stack;
pub mod tagged;
pub mod time;
pub mod timeline;
pub mod warning_history;
pub mod warnings;

#[cfg(test)]
mod warnings_tests;
