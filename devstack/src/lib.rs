//! devstack: the courier stack on one machine, without an AWS account.
//!
//! moto's server stands in for the AWS API, a throwaway PostgreSQL cluster for RDS, and
//! `terraform apply` of `terraform/envs/local` creates the stack's resources in moto. The same
//! building blocks give tests their own moto and PostgreSQL on free ports ([`testenv`]).

pub mod agent;
pub mod aws;
pub mod down;
pub mod drill;
pub mod envfile;
pub mod http;
pub mod moto;
pub mod paths;
pub mod ports;
pub mod postgres;
pub mod process;
pub mod stack;
pub mod terraform;
pub mod testenv;
pub mod testkit;
pub mod traffic;

/// Name of the local stack (ARCHITECTURE.md): Terraform `name_prefix` and SSM path
/// `/stackdeck/courier-local/`.
pub const STACK_NAME: &str = "courier-local";
/// Port of the local AWS endpoint.
pub const AWS_PORT: u16 = 4566;
/// Port of the local load balancer (the ALB's listener, served by the agent).
pub const LB_PORT: u16 = 8080;
/// Port of the local PostgreSQL cluster.
pub const PG_PORT: u16 = 55432;
/// Database courier uses.
pub const COURIER_DB: &str = "courier";
/// Region of the local stack.
pub const REGION: &str = "us-east-1";
