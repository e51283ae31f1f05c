//! RDS, the reading side: the stack's database instance.

use super::calls::Counter;
use super::error::{describe, AwsError, AwsErrorKind};
use crate::model::dashboard::Database;
use aws_sdk_rds::Client;

pub struct Rds {
    client: Client,
    profile: String,
}

impl Rds {
    pub fn new(config: &aws_config::SdkConfig, profile: String) -> Self {
        let conf = aws_sdk_rds::config::Builder::from(config)
            .interceptor(Counter)
            .build();
        Rds {
            client: Client::from_conf(conf),
            profile,
        }
    }

    pub async fn instance(&self, id: &str) -> Result<Database, AwsError> {
        let what = format!("database instance {id}");
        let out = self
            .client
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(|e| describe(&e, "DescribeDBInstances", &what, &self.profile))?;
        let db = out.db_instances().first().ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotFound,
            message: format!(
                "DescribeDBInstances: {what} not found; check the stack's SSM parameters"
            ),
        })?;
        Ok(Database {
            id: db.db_instance_identifier().unwrap_or(id).to_owned(),
            status: db.db_instance_status().unwrap_or_default().to_owned(),
            class: db.db_instance_class().unwrap_or_default().to_owned(),
            engine: db.engine().unwrap_or_default().to_owned(),
            engine_version: db.engine_version().unwrap_or_default().to_owned(),
            multi_az: db.multi_az().unwrap_or(false),
            allocated_storage_gib: db.allocated_storage().unwrap_or(0),
        })
    }
}
