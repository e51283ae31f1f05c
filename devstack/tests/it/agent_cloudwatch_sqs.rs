//! The agent as the local AWS endpoint, against a real moto: forwarding, alarm evaluation and
//! history, the PurgeQueue rule, message move tasks, AWS/SQS and AWS/RDS metrics.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StateValue, Statistic};
use aws_sdk_sqs::types::QueueAttributeName;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{create_queue, depth};
use devstack::testkit::{eventually, http};
use std::time::Duration;

/// An agent with the environment's PostgreSQL, for a stack named after `prefix`.
async fn agent(env: &TestEnv, prefix: &str) -> Agent {
    let options = Options {
        postgres: true,
        ..Options::stack(&unique_name(prefix))
    };
    Agent::start(env, options).await
}

async fn queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> (String, String) {
    create_queue(sqs, name, attributes).await.unwrap()
}

async fn alarm_state(cw: &aws_sdk_cloudwatch::Client, name: &str) -> (StateValue, String, f64) {
    let out = cw.describe_alarms().alarm_names(name).send().await.unwrap();
    let alarm = &out.metric_alarms()[0];
    (
        alarm.state_value().unwrap().clone(),
        alarm.state_reason().unwrap_or_default().to_owned(),
        alarm
            .state_updated_timestamp()
            .map(|t| t.as_secs_f64())
            .unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_endpoint_forwards_everything_else_to_moto_unchanged() {
    let env = TestEnv::shared().await;
    let agent = agent(env, "fwd").await;
    let through = aws_sdk_ssm::Client::new(&agent.sdk().await);
    let direct = aws_sdk_ssm::Client::new(&env.sdk_config().await);
    let name = format!("/{}/p", unique_name("fwd"));
    through
        .put_parameter()
        .name(&name)
        .value("v1")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap();
    let seen = direct.get_parameter().name(&name).send().await.unwrap();
    assert_eq!(seen.parameter().unwrap().value(), Some("v1"));
    // moto's own errors come back as moto sent them.
    let missing = through
        .get_parameter()
        .name("/nope/never")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_ssm::error::ProvideErrorMetadata::code(&missing),
        Some("ParameterNotFound")
    );
    assert_eq!(
        devstack::moto::http_status(agent.port, "/moto-api/"),
        Some(200)
    );
    // moto closes its connection after each answer; the agent's client keeps its own: two calls
    // on one connection, and no hop-by-hop `connection: close` passed on.
    let mut conn = http::Connection::open(agent.port).await.unwrap();
    for n in 0..2 {
        let call = http::Request::aws("sqs", "application/x-amz-json-1.0", "{}")
            .header("x-amz-target", "AmazonSQS.ListQueues");
        let answer = conn
            .send(&call)
            .await
            .unwrap_or_else(|e| panic!("call {n} on the same connection: {e:#}"));
        assert_eq!(answer.status, 200, "call {n}: {answer:?}");
        let connection = answer
            .headers
            .get("connection")
            .and_then(|v| v.to_str().ok());
        assert!(
            !connection.is_some_and(|v| v.eq_ignore_ascii_case("close")),
            "call {n}: {answer:?}"
        );
        assert!(
            answer.headers.contains_key("content-length"),
            "call {n} without content-length: {answer:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_depth_alarm_fires_after_a_burst_and_clears_after_a_purge() {
    let env = TestEnv::shared().await;
    let agent = agent(env, "alarm").await;
    let stack = agent.stack.clone();
    let sdk = agent.sdk().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let queue_name = unique_name("work");
    let (url, _) = queue(&sqs, &queue_name, &[]).await;
    let (dlq_url, _) = queue(&sqs, &unique_name("dlq"), &[]).await;
    let db_instance = unique_name("db");
    let prefix = format!("{stack}-");
    agent
        .discovery(&[
            ("queue_url", &url),
            ("dlq_url", &dlq_url),
            ("alarm_prefix", &prefix),
            ("db_instance_id", &db_instance),
        ])
        .await;
    let alarm = format!("{prefix}queue-depth");
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(
            Dimension::builder()
                .name("QueueName")
                .value(&queue_name)
                .build(),
        )
        .statistic(Statistic::Maximum)
        .period(10)
        .evaluation_periods(2)
        .datapoints_to_alarm(2)
        .threshold(100.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .unwrap();

    eventually(
        Duration::from_secs(60),
        "the alarm to be OK on an empty queue",
        || async { (alarm_state(&cw, &alarm).await.0 == StateValue::Ok).then_some(()) },
    )
    .await;

    // The burst: 150 messages, over the threshold of 100.
    let burst_at = devstack::agent::now_secs();
    for batch in 0..15 {
        let mut send = sqs.send_message_batch().queue_url(&url);
        for i in 0..10 {
            send = send.entries(
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(format!("m{i}"))
                    .message_body(format!("burst {batch}-{i}"))
                    .build()
                    .unwrap(),
            );
        }
        send.send().await.unwrap();
    }
    let (_, reason, fired_at) = eventually(
        Duration::from_secs(120),
        "the alarm to fire after the burst",
        || async {
            let state = alarm_state(&cw, &alarm).await;
            (state.0 == StateValue::Alarm).then_some(state)
        },
    )
    .await;
    assert!(
        reason.starts_with("Threshold Crossed: 2 out of the last 2 datapoints [150.0"),
        "{reason}"
    );
    assert!(
        reason.contains("were greater than the threshold (100.0)"),
        "{reason}"
    );
    // Two breaching periods of 10 s are needed: the first begins at the burst's period at the
    // earliest, so the alarm cannot fire before the next period starts.
    let first_breaching_period = (burst_at / 10.0).floor() * 10.0;
    assert!(
        fired_at >= first_breaching_period + 10.0,
        "fired at {fired_at}, before a second breaching period could begin ({})",
        first_breaching_period + 10.0
    );

    // A purge empties the queue, the alarm clears; a second purge within 60 s is refused.
    sqs.purge_queue().queue_url(&url).send().await.unwrap();
    let again = sqs.purge_queue().queue_url(&url).send().await.unwrap_err();
    let code = aws_sdk_sqs::error::ProvideErrorMetadata::code(&again)
        .unwrap_or_default()
        .to_owned();
    assert!(code.contains("PurgeQueueInProgress"), "{again:?}");
    eventually(
        Duration::from_secs(90),
        "the alarm to clear after the purge",
        || async { (alarm_state(&cw, &alarm).await.0 == StateValue::Ok).then_some(()) },
    )
    .await;

    // DescribeAlarmHistory (Query protocol, the SDK's) tells the story, newest first.
    let history = cw
        .describe_alarm_history()
        .alarm_name(&alarm)
        .send()
        .await
        .unwrap();
    let summaries: Vec<&str> = history
        .alarm_history_items()
        .iter()
        .filter_map(|i| i.history_summary())
        .collect();
    // (moto creates alarms in OK, so the first evaluation on an empty queue changes nothing.)
    assert_eq!(
        summaries[..2],
        [
            "Alarm updated from ALARM to OK",
            "Alarm updated from OK to ALARM",
        ]
    );
    let data: serde_json::Value =
        serde_json::from_str(history.alarm_history_items()[1].history_data().unwrap()).unwrap();
    assert_eq!(data["newState"]["stateValue"], "ALARM");
    assert_eq!(data["oldState"]["stateValue"], "OK");

    // The metrics behind it, with AWS's dimensions: queue depth and age, and the database.
    for (namespace, metric, dimension, value) in [
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            "QueueName",
            queue_name.as_str(),
        ),
        (
            "AWS/RDS",
            "DatabaseConnections",
            "DBInstanceIdentifier",
            db_instance.as_str(),
        ),
    ] {
        let listed = cw
            .list_metrics()
            .namespace(namespace)
            .metric_name(metric)
            .dimensions(
                aws_sdk_cloudwatch::types::DimensionFilter::builder()
                    .name(dimension)
                    .value(value)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(listed.metrics().len(), 1, "{namespace} {metric} {value}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_move_task_redrives_the_dlq_into_its_source_queue() {
    let env = TestEnv::shared().await;
    let agent = agent(env, "move").await;
    let sqs = aws_sdk_sqs::Client::new(&agent.sdk().await);
    let (dlq_url, dlq_arn) = queue(&sqs, &unique_name("dlq"), &[]).await;
    let policy =
        serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}).to_string();
    let (url, _) = queue(
        &sqs,
        &unique_name("work"),
        &[(QueueAttributeName::RedrivePolicy, policy)],
    )
    .await;
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&dlq_url)
            .message_body(format!("dead {i}"))
            .send()
            .await
            .unwrap();
    }

    let handle = sqs
        .start_message_move_task()
        .source_arn(&dlq_arn)
        .send()
        .await
        .unwrap()
        .task_handle()
        .unwrap()
        .to_owned();
    assert!(!handle.is_empty());
    let task = eventually(
        Duration::from_secs(60),
        "the move task to complete",
        || async {
            let out = sqs
                .list_message_move_tasks()
                .source_arn(&dlq_arn)
                .send()
                .await
                .unwrap();
            out.results()
                .first()
                .filter(|t| t.status() == Some("COMPLETED"))
                .cloned()
        },
    )
    .await;
    assert_eq!(task.approximate_number_of_messages_moved(), 3);
    assert_eq!(task.approximate_number_of_messages_to_move(), Some(3));
    assert_eq!(task.source_arn(), Some(dlq_arn.as_str()));

    let mut bodies = Vec::new();
    while bodies.len() < 3 {
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        assert!(
            !out.messages().is_empty(),
            "moved messages missing from {url}: got {bodies:?}"
        );
        bodies.extend(out.messages().iter().map(|m| m.body().unwrap().to_owned()));
    }
    bodies.sort();
    assert_eq!(bodies, ["dead 0", "dead 1", "dead 2"]);
    assert_eq!(depth(&sqs, &dlq_url).await, 0);

    // An unknown source is AWS's ResourceNotFoundException.
    let missing = sqs
        .list_message_move_tasks()
        .source_arn("arn:aws:sqs:us-east-1:123456789012:nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&missing)
            .unwrap_or_default()
            .contains("NonExistentQueue")
            || aws_sdk_sqs::error::ProvideErrorMetadata::code(&missing)
                .unwrap_or_default()
                .contains("ResourceNotFound"),
        "{missing:?}"
    );
}
