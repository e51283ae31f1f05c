//! One adapter per AWS service, each returning `crate::model` types.

pub mod config;
pub mod error;
pub mod ssm;
