//! stackdeck: the on-call engineer's dashboard for a messaging stack on AWS.
//!
//! `aws` holds one adapter per AWS service returning `model` types; `app` the dashboard's state
//! and pure `update`; `ui` its pure `view`; `tui` the runner that carries out effects; `cli` the
//! command line.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod logs_cmd;
pub mod model;
pub mod ops;
pub mod refresh;
pub mod status;
pub mod theme;
pub mod tui;
pub mod ui;
