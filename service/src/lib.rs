//! courier: the messaging service the stack runs.
//!
//! `POST /messages` writes a message and its outbox row in one PostgreSQL transaction (with an
//! optional DynamoDB idempotency record around it); the [`relay`] publishes outbox rows to SNS; SNS
//! delivers to SQS; the [`worker`] marks messages delivered and deletes them from the queue.

pub mod api;
pub mod aws;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod healthcheck;
pub mod idempotency;
pub mod relay;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
pub mod worker;
pub mod writer;
