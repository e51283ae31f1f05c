//! One adapter per AWS service, each returning `crate::model` types.

pub mod cloudwatch;
pub mod config;
pub mod ecs;
pub mod ecs_actions;
pub mod error;
pub mod permissions;
pub mod sqs_actions;
pub mod ssm;
