//! stackdeck: the on-call engineer's dashboard for a messaging stack on AWS.
//!
//! `aws` holds one adapter per AWS service returning `model` types; `cli` the command line.

pub mod app;
pub mod aws;
pub mod cli;
pub mod model;
pub mod ops;
pub mod status;
pub mod tui;
pub mod ui;
