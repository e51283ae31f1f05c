//! courier's own resources for the tests that run it (courier's API tests and the agent's
//! courier tasks): its idempotency table and its topic, subscribed to the queue it consumes.

/// Create courier's DynamoDB idempotency table (hash key `pk`, on demand) and its SNS topic,
/// both named `name`; the topic's ARN.
pub async fn create_table_and_topic(sdk: &aws_config::SdkConfig, name: &str) -> String {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    aws_sdk_dynamodb::Client::new(sdk)
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
    aws_sdk_sns::Client::new(sdk)
        .create_topic()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTopic {name}: {e:?}"))
        .topic_arn
        .expect("CreateTopic answers the topic's ARN")
}

/// Subscribe the queue `queue_arn` to the topic (raw message delivery off: the worker reads the
/// SNS envelope).
pub async fn subscribe(sdk: &aws_config::SdkConfig, topic_arn: &str, queue_arn: &str) {
    aws_sdk_sns::Client::new(sdk)
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("Subscribe {queue_arn} to {topic_arn}: {e:?}"));
}
