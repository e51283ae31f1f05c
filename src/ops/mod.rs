//! Operating the stack: the mutations an on-call engineer makes (redeploy, rollback, purge,
//! redrive), the choice of rollback target and the dashboard's revision picker, and the audit log every attempt is written to.

pub mod audit;
pub mod commands;
pub mod picker;
pub mod rollback;
