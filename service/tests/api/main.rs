//! courier's integration tests: one binary, so one moto and one PostgreSQL are shared
//! (TestEnv::shared); each test has its own database, table, topic and queues.

mod helpers;

mod api;
mod delivery;
mod dynamodb_outage;
mod hold;
mod idempotency;
mod loss;
mod outage;
mod process;
