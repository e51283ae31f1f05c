//! devstack's integration tests, one binary: the test environment shared by the modules (one
//! moto and one PostgreSQL, see `devstack::testenv::TestEnv::shared`) starts once. Tests that
//! stop a server or need a moto of their own start a private `TestEnv`.

mod agent_cloudwatch_sqs;
mod agent_courier;
mod agent_deploy_alarms;
mod agent_ecs;
mod agent_lb;
mod agent_math_config;
mod agent_queues;
mod agent_service_deployments;
mod drill;
mod free_ports;
mod kit;
mod lifecycle;
mod terraform_local;
mod traffic;
