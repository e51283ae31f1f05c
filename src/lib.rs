//! stackdeck: the on-call engineer's dashboard for a messaging stack on AWS.
//!
//! The layers run one way (ARCHITECTURE.md): `model` holds the plain domain types; `aws` one
//! adapter per AWS service returning `model` types; `ops` the mutations, planned, confirmed,
//! executed and audited; `app` the dashboard's state and pure `update`; `ui` its pure `view`; and
//! the runners on top: `tui` (the terminal loop carrying out effects), `picker_tui` (the start
//! picker), `terminal` (what those two share), `cli` (the command line), `status`, `doctor`,
//! `logs_cmd`, `timeline_cmd` and `refresh`.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod logs_cmd;
pub mod model;
pub mod ops;
pub mod picker_tui;
pub mod refresh;
pub mod status;
pub mod terminal;
pub mod theme;
pub mod timeline_cmd;
pub mod tui;
pub mod tui_clip;
pub mod tui_exec;
pub mod tui_switch;
pub mod ui;
