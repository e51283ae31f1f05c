//! End to end through moto: POST → outbox → relay → SNS → SQS → worker → delivered; poison
//! messages reach the DLQ.

use crate::helpers::{eventually, message_json, spawn_app};
use courier::config::Role;
use hyper::http::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn posted_messages_end_delivered() {
    let app = spawn_app(Role::All).await;
    let mut ids = Vec::new();
    for i in 0..15 {
        let a = app
            .post(&message_json("e2e", &format!("message {i}")), None)
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED);
        ids.push(a.json()["id"].as_i64().unwrap());
    }
    for id in &ids {
        let m = eventually("message delivered", Duration::from_secs(60), || async {
            let m = app.get(&format!("/messages/{id}")).await.json();
            (m["status"] == "delivered").then_some(m)
        })
        .await;
        assert!(m["published_at"].is_string(), "{m}");
        assert!(m["delivered_at"].is_string(), "{m}");
    }
    let (outbox,): (i64,) = sqlx::query_as("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0);
    // The queue was emptied by the worker's deletes.
    let sqs = aws_sdk_sqs::Client::new(&app.sdk);
    eventually("queue drained", Duration::from_secs(30), || async {
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&app.resources.queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let attrs = attrs.attributes.unwrap();
        let count = |k: aws_sdk_sqs::types::QueueAttributeName| {
            attrs
                .get(&k)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(-1)
        };
        (count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages) == 0
            && count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                == 0)
            .then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn poison_messages_reach_the_dlq() {
    let env = devstack::testenv::TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let resources = crate::helpers::create_resources(&sdk, 1, 2).await;
    let db_url = env
        .create_database(&devstack::testenv::unique_name("courier"))
        .await
        .unwrap();
    let app =
        crate::helpers::start_in_process(env, &sdk, Role::Worker, &db_url, resources, &[]).await;
    let sqs = aws_sdk_sqs::Client::new(&app.sdk);
    // Not an envelope, and an envelope of a message PostgreSQL does not know.
    for body in [
        "this is not json",
        r#"{"id": 987654, "channel": "c", "sender": "s"}"#,
    ] {
        sqs.send_message()
            .queue_url(&app.resources.queue_url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "poison messages not in the DLQ within 60 s (seen {seen:?})"
        );
        let got = sqs
            .receive_message()
            .queue_url(&app.resources.dlq_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in got.messages() {
            seen.push(m.body().unwrap_or_default().to_owned());
        }
    }
    seen.sort();
    let expected = [
        "this is not json",
        r#"{"id": 987654, "channel": "c", "sender": "s"}"#,
    ];
    assert_eq!(seen, expected);
    app.stop().await;
}

#[tokio::test]
async fn a_partly_failed_delete_batch_is_absorbed() {
    let app = spawn_app(Role::Api).await;
    let id = app.post(&message_json("partial", "x"), None).await.json()["id"]
        .as_i64()
        .unwrap();
    let sqs = aws_sdk_sqs::Client::new(&app.sdk);
    let received = eventually(
        "the relayed message on the queue",
        Duration::from_secs(30),
        || async {
            let got = sqs
                .receive_message()
                .queue_url(&app.resources.queue_url)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            got.messages.filter(|m| !m.is_empty())
        },
    )
    .await;
    // The real message, and a copy of it whose receipt handle SQS refuses.
    let mut batch = received.clone();
    batch.push(
        aws_sdk_sqs::types::Message::builder()
            .set_body(received[0].body.clone())
            .message_id("forged")
            .receipt_handle("not-a-receipt-handle")
            .build(),
    );
    let worker = courier::worker::Worker {
        pool: app.pool.clone(),
        sqs: sqs.clone(),
        queue_url: app.resources.queue_url.clone(),
        wait_seconds: 0,
    };
    worker
        .process(&batch)
        .await
        .expect("a failed entry is not a failed batch");
    let (status, receipts): (String, i32) =
        sqlx::query_as("SELECT status, receipts FROM messages WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "delivered");
    assert_eq!(receipts, 1, "one UPDATE for the batch, however many copies");
    // The real one was deleted: neither waiting nor in flight.
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&app.resources.queue_url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs[&A::ApproximateNumberOfMessages], "0");
    assert_eq!(attrs[&A::ApproximateNumberOfMessagesNotVisible], "0");
    app.stop().await;
}
