//! stackdeck's integration tests, one binary: the test environment shared by the modules (one
//! moto and one PostgreSQL, see `devstack::testenv::TestEnv::shared`) starts once, and the
//! test kit (`devstack::testkit`, [`kit`]) builds the stacks.

mod adapters;
mod audit_concurrency;
mod cloudwatch_protocol;
mod credentials;
mod deploy_gate;
mod deploy_role;
mod discover_api;
mod discover_tags;
mod discovery;
mod doctor;
mod drills;
mod exec;
mod kit;
mod multi;
mod operations;
mod picker;
mod scale;
mod status;
mod stop_deployment;
mod stop_task;
mod switch;
mod tmux;
mod tui_ops;
