//! Operating the stack: the mutations an on-call engineer makes (redeploy, rollback, purge,
//! redrive), the choice of rollback target and the dashboard's revision picker, and the audit log
//! every attempt is written to.
//!
//! A mutation goes request → [`plan`] → confirmation → [`execute`] (→ [`wait_stable`]), each step
//! audited through the [`Context`]. The scriptable commands take it whole ([`run`]); the TUI's
//! confirmed actions call the same functions, so a runbook and a key press take the same code
//! path, write the same audit line, and fail the same way. Exec into a task's container
//! ([`exec`]) is no mutation, but it is checked, refused in read-only mode and audited alike.

pub mod audit;
mod context;
pub mod exec;
#[cfg(test)]
mod exec_tests;
mod execute;
pub mod picker;
mod plan;
pub mod rollback;
mod run;
#[cfg(test)]
mod test_values;
mod wait;

pub use context::{refuse, with_audit_failure, Context};
pub use execute::{decline, execute};
pub use plan::{plan, plan_audited};
pub use run::{run, EXIT_FAILED, EXIT_OK, EXIT_REFUSED};
pub use wait::{wait_for_deployment, wait_for_redrive, wait_stable};
