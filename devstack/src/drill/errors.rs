//! errors: a dependency outage that leaves courier alive but failing — its DynamoDB
//! idempotency table is gone (deleted by a mistaken cleanup, a bad apply) while clients keep
//! posting. courier's liveness (`/healthz`) stays 200, so its tasks stay healthy targets, and
//! every `POST /messages` with an idempotency key answers 503 (`service_unavailable`, the store's
//! ResourceNotFoundException in its log line): the 5xx are the target's, the alb-5xx alarm
//! fires. The drill reads the table's definition first and recreates it when it ends; on a real
//! stack `terraform apply` recreates it and point-in-time recovery brings its items back.

use super::{About, Target};
use anyhow::{Context, Result};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, ProvisionedThroughput, TableDescription,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use std::time::Duration;

/// How long the table stays gone without `--seconds`.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(180);

pub const ABOUT: About = About {
    fault: "deletes courier's DynamoDB idempotency table (the dynamodb_table parameter) for \
            --seconds (default 3 min) while steady traffic goes on, then recreates it",
    look: "the load balancer's 5xx (HTTPCode_Target_5XX_Count) and the alb-5xx alarm (`stackdeck \
           status`); courier's log lines name the missing table (ResourceNotFoundException) \
           while its health checks stay green",
    recover: "restore the table (the drill recreates it when it ends; on a real stack \
              `terraform apply` and point-in-time recovery); courier answers 202 again and the \
              alarm returns to OK",
};

/// What recreates the table as it was: its key schema, attributes, billing mode and TTL.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub table: String,
    pub keys: Vec<KeySchemaElement>,
    pub attributes: Vec<AttributeDefinition>,
    pub billing: BillingMode,
    /// Read and write capacity units of a provisioned table.
    pub capacity: Option<(i64, i64)>,
    /// The TTL attribute, when TTL is on.
    pub ttl: Option<String>,
}

impl Definition {
    /// The definition of `table` from its DescribeTable answer and its TTL attribute.
    pub fn from_description(
        table: &str,
        description: &TableDescription,
        ttl: Option<String>,
    ) -> Definition {
        let billing = description
            .billing_mode_summary()
            .and_then(|b| b.billing_mode().cloned())
            .unwrap_or(BillingMode::Provisioned);
        let capacity = (billing == BillingMode::Provisioned)
            .then(|| description.provisioned_throughput())
            .flatten()
            .map(|p| {
                (
                    p.read_capacity_units().unwrap_or(1).max(1),
                    p.write_capacity_units().unwrap_or(1).max(1),
                )
            });
        Definition {
            table: table.to_owned(),
            keys: description.key_schema().to_vec(),
            attributes: description.attribute_definitions().to_vec(),
            billing,
            capacity,
            ttl,
        }
    }
}

/// One line for a failed DynamoDB call: what was called on which table, and the service's error.
fn failed(what: String, e: impl std::error::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{what}: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(e)
    )
}

/// Read the definition of the stack's idempotency table, then delete it.
pub async fn inject(target: &Target) -> Result<(String, Definition)> {
    let table = target.parameter("dynamodb_table").await?;
    let ddb = Client::new(&target.sdk);
    let described = ddb
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .map_err(|e| {
            failed(
                format!("DescribeTable {table}: is the stack's table there?"),
                e,
            )
        })?;
    let description = described
        .table()
        .with_context(|| format!("DescribeTable {table} answered no table"))?;
    let ttl = ddb
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .map_err(|e| failed(format!("DescribeTimeToLive {table}"), e))?
        .time_to_live_description()
        .filter(|t| t.time_to_live_status() == Some(&TimeToLiveStatus::Enabled))
        .and_then(|t| t.attribute_name().map(str::to_owned));
    let definition = Definition::from_description(&table, description, ttl);
    ddb.delete_table()
        .table_name(&table)
        .send()
        .await
        .map_err(|e| failed(format!("DeleteTable {table}"), e))?;
    let seconds = target.duration_or(DEFAULT_DURATION).as_secs();
    Ok((
        format!(
            "deleted courier's idempotency table {table} for {seconds} s; courier answers 5xx \
             while steady traffic goes on"
        ),
        definition,
    ))
}

/// Recreate the table from `definition` (and its TTL).
pub async fn restore(target: &Target, definition: &Definition) -> Result<()> {
    let ddb = Client::new(&target.sdk);
    let table = &definition.table;
    let mut create = ddb
        .create_table()
        .table_name(table)
        .set_key_schema(Some(definition.keys.clone()))
        .set_attribute_definitions(Some(definition.attributes.clone()))
        .billing_mode(definition.billing.clone());
    if let Some((read, write)) = definition.capacity {
        create = create.provisioned_throughput(
            ProvisionedThroughput::builder()
                .read_capacity_units(read)
                .write_capacity_units(write)
                .build()
                .context("provisioned throughput")?,
        );
    }
    create.send().await.map_err(|e| {
        failed(
            format!("CreateTable {table}: recreate it with `terraform apply` (envs/local)"),
            e,
        )
    })?;
    if let Some(attribute) = &definition.ttl {
        ddb.update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(attribute)
                    .build()
                    .context("TTL specification")?,
            )
            .send()
            .await
            .map_err(|e| failed(format!("UpdateTimeToLive {table} ({attribute})"), e))?;
    }
    Ok(())
}

/// The outage: steady traffic for the drill's duration (or until ctrl-c), then the table back,
/// whatever the traffic's end.
pub async fn outage(target: &Target, definition: &Definition) -> Result<()> {
    let duration = target.duration_or(DEFAULT_DURATION);
    let traffic = Target {
        sdk: target.sdk.clone(),
        stack: target.stack.clone(),
        courier_url: target.courier_url.clone(),
        database_url: target.database_url.clone(),
        duration: Some(duration),
        rate: target.rate,
    };
    let sent = traffic.traffic().await;
    restore(target, definition).await?;
    println!(
        "errors: recreated {} as it was; courier answers 202 again",
        definition.table
    );
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::{
        BillingModeSummary, KeyType, ProvisionedThroughputDescription, ScalarAttributeType,
    };

    fn key() -> (KeySchemaElement, AttributeDefinition) {
        (
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn an_on_demand_table_is_recreated_on_demand_with_its_key_and_ttl() {
        let (k, a) = key();
        let description = TableDescription::builder()
            .key_schema(k.clone())
            .attribute_definitions(a.clone())
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(BillingMode::PayPerRequest)
                    .build(),
            )
            .provisioned_throughput(
                ProvisionedThroughputDescription::builder()
                    .read_capacity_units(0)
                    .write_capacity_units(0)
                    .build(),
            )
            .build();
        let definition =
            Definition::from_description("courier-idem", &description, Some("expires_at".into()));
        assert_eq!(
            definition,
            Definition {
                table: "courier-idem".into(),
                keys: vec![k],
                attributes: vec![a],
                billing: BillingMode::PayPerRequest,
                capacity: None,
                ttl: Some("expires_at".into()),
            }
        );
    }

    #[test]
    fn a_table_without_a_billing_summary_is_provisioned_with_its_capacity() {
        let (k, a) = key();
        let description = TableDescription::builder()
            .key_schema(k)
            .attribute_definitions(a)
            .provisioned_throughput(
                ProvisionedThroughputDescription::builder()
                    .read_capacity_units(5)
                    .write_capacity_units(2)
                    .build(),
            )
            .build();
        let definition = Definition::from_description("t", &description, None);
        assert_eq!(definition.billing, BillingMode::Provisioned);
        assert_eq!(definition.capacity, Some((5, 2)));
    }
}
