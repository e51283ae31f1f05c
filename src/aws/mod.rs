//! One adapter per AWS service, each returning `crate::model` types.

pub mod autoscaling;
pub mod calls;
pub mod cloudwatch;
pub mod config;
pub mod discover;
pub mod ecs;
pub mod ecs_actions;
pub mod ecs_deployments;
pub mod ecs_exec;
pub mod ecs_list;
pub mod elb;
pub mod error;
pub mod logs;
pub mod permissions;
pub mod preflight;
pub mod probe;
pub mod rds;
pub mod sqs_actions;
pub mod ssm;
pub mod sts;
