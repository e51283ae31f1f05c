//! PostgreSQL down while the worker has a batch in hand: the worker holds it (kept invisible, not
//! received again), so however long the outage its valid messages do not spend their receives and
//! reach the DLQ; when the database is back they end delivered and deleted.

use crate::helpers::{eventually, message_json, spawn_app_with};
use aws_sdk_sqs::types::QueueAttributeName as A;
use courier::config::Role;
use courier::worker::Worker;
use devstack::testenv::TestEnv;
use std::sync::Arc;
use std::time::Duration;

/// (visible, in flight) of a queue.
async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> (i64, i64) {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::All)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .unwrap_or_default();
    let n = |k: A| attrs.get(&k).and_then(|v| v.parse().ok()).unwrap_or(-1);
    (
        n(A::ApproximateNumberOfMessages),
        n(A::ApproximateNumberOfMessagesNotVisible),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_does_not_spend_receives() {
    // An environment of its own: its PostgreSQL is stopped and started.
    let env = Arc::new(
        tokio::task::spawn_blocking(TestEnv::start)
            .await
            .unwrap()
            .expect("own test environment"),
    );
    // The API and relay in process; the worker started by the test once the database is down.
    // The queue: 5 s visibility, dead-lettered after 3 receives.
    let app = spawn_app_with(&env, Role::Api, &[]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let answer = app
            .post(&message_json("hold", &format!("m{i}")), None)
            .await;
        ids.push(answer.json()["id"].as_i64().expect("accepted"));
    }
    let sqs = aws_sdk_sqs::Client::new(&app.sdk);
    let queue = app.resources.queue_url.clone();
    eventually(
        "the 5 messages relayed",
        Duration::from_secs(30),
        || async { (depth(&sqs, &queue).await.0 == 5).then_some(()) },
    )
    .await;

    let stopping = env.clone();
    tokio::task::spawn_blocking(move || stopping.stop_postgres())
        .await
        .unwrap();
    let (trigger, shutdown) = courier::shutdown::channel();
    let worker = Worker {
        pool: app.pool.clone(),
        sqs: sqs.clone(),
        queue_url: queue.clone(),
        wait_seconds: 1,
    };
    let running = tokio::spawn(worker.run(shutdown));
    // The outage outlasts 3 visibility timeouts: a batch handed back at each failure would have
    // been received a fourth time and dead-lettered by now.
    eventually("the batch received", Duration::from_secs(30), || async {
        (depth(&sqs, &queue).await == (0, 5)).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(
        depth(&sqs, &queue).await,
        (0, 5),
        "held: in flight, not back on the queue"
    );
    assert_eq!(
        depth(&sqs, &app.resources.dlq_url).await,
        (0, 0),
        "nothing dead-lettered"
    );

    let starting = env.clone();
    tokio::task::spawn_blocking(move || starting.start_postgres())
        .await
        .unwrap()
        .expect("PostgreSQL starts again");
    let pool = app.pool.clone();
    eventually(
        "the held batch delivered",
        Duration::from_secs(90),
        || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM messages WHERE id = ANY($1) AND status = 'delivered'",
            )
            .bind(&ids)
            .fetch_one(&pool)
            .await
            .ok()?;
            (n == 5).then_some(())
        },
    )
    .await;
    eventually(
        "the held batch deleted",
        Duration::from_secs(30),
        || async { (depth(&sqs, &queue).await == (0, 0)).then_some(()) },
    )
    .await;
    assert_eq!(
        depth(&sqs, &app.resources.dlq_url).await,
        (0, 0),
        "nothing dead-lettered"
    );
    trigger.fire();
    running.await.expect("worker task");
    app.stop().await;
}
