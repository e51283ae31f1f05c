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

/// The `courier` binary next to `next_to` (a binary under test in the same target folder),
/// built with `cargo build -p courier` when it is missing (a test run alone, not by `make test`).
pub fn binary(next_to: &std::path::Path) -> std::path::PathBuf {
    let bin = next_to.with_file_name("courier");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "courier", "--bin", "courier"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p courier");
        assert!(status.success(), "cargo build -p courier failed");
    }
    assert!(bin.is_file(), "no courier binary at {}", bin.display());
    bin
}

/// What a courier task needs of its own, made in `sdk`'s moto under `name`: the table, the topic
/// and a queue subscribed to it; the task environment naming them, with short waits (a test's
/// worker polls every second and shuts down within 5 s).
pub async fn task_environment(
    sdk: &aws_config::SdkConfig,
    name: &str,
) -> Vec<(&'static str, String)> {
    let topic_arn = create_table_and_topic(sdk, name).await;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let (queue_url, queue_arn) = super::stack::create_queue(&sqs, name, &[])
        .await
        .expect("create queue");
    subscribe(sdk, &topic_arn, &queue_arn).await;
    vec![
        ("COURIER_TABLE", name.to_owned()),
        ("COURIER_TOPIC_ARN", topic_arn),
        ("COURIER_QUEUE_URL", queue_url),
        ("COURIER_SQS_WAIT_SECONDS", "1".to_owned()),
        ("COURIER_SHUTDOWN_SECONDS", "5".to_owned()),
        ("COURIER_DB_POOL", "4".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}
