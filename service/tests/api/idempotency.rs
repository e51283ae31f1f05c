//! Idempotency-Key: same key same body, same key other body, concurrent same key.

use crate::helpers::{message_json, spawn_app};
use courier::config::Role;
use courier::domain::{NewMessage, NewMessageRequest};
use courier::idempotency::{Begin, Store};
use hyper::http::StatusCode;

async fn messages_with_key(pool: &sqlx::PgPool, key: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM messages WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn same_key_same_body_returns_the_first_response() {
    let app = spawn_app(Role::Api).await;
    let body = message_json("payments", "charge 42");
    let first = app.post(&body, Some("key-1")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let again = app.post(&body, Some("key-1")).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(again.json(), first.json());
    assert_eq!(messages_with_key(&app.pool, "key-1").await, 1);
    // Another key is another message.
    let other = app.post(&body, Some("key-2")).await;
    assert_eq!(other.status, StatusCode::ACCEPTED);
    assert_ne!(other.json()["id"], first.json()["id"]);
    app.stop().await;
}

#[tokio::test]
async fn same_key_other_body_is_422() {
    let app = spawn_app(Role::Api).await;
    let first = app
        .post(&message_json("payments", "charge 42"), Some("k"))
        .await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let other = app
        .post(&message_json("payments", "charge 43"), Some("k"))
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.error(), "idempotency_key_reused");
    assert_eq!(messages_with_key(&app.pool, "k").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_key_in_progress_is_409() {
    let app = spawn_app(Role::Api).await;
    let body = message_json("payments", "charge 42");
    // Another request holds the key (its IN_PROGRESS record, for the same payload).
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&app.sdk),
        &app.resources.table,
    );
    let request: NewMessageRequest = serde_json::from_str(&body).unwrap();
    let hash = NewMessage::try_from(request).unwrap().payload_hash();
    assert_eq!(store.begin("busy", &hash).await.unwrap(), Begin::Started);
    let answer = app.post(&body, Some("busy")).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error(), "idempotency_key_in_progress");
    assert_eq!(messages_with_key(&app.pool, "busy").await, 0);
    // Once the holder gives the key back, the retry goes through.
    store.release("busy").await.unwrap();
    assert_eq!(
        app.post(&body, Some("busy")).await.status,
        StatusCode::ACCEPTED
    );
    app.stop().await;
}

#[tokio::test]
async fn a_repeated_claim_is_its_own_not_in_progress() {
    let app = spawn_app(Role::Api).await;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&app.sdk),
        &app.resources.table,
    );
    // The SDK retrying a PutItem that was applied: the same claim again is still ours.
    let claim = |token: &'static str| store.claim("retried", "hash", token);
    assert_eq!(claim("t1").await.unwrap(), Begin::Started);
    assert_eq!(claim("t1").await.unwrap(), Begin::Started);
    // Another request's claim meets it in progress.
    assert_eq!(claim("t2").await.unwrap(), Begin::InProgress);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_same_key_makes_one_message() {
    let app = spawn_app(Role::Api).await;
    let body = message_json("payments", "charge once");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let url = app.url("/messages");
        let body = body.clone();
        tasks.spawn(async move {
            crate::helpers::send(
                hyper::http::Method::POST,
                &url,
                &[
                    ("content-type", "application/json"),
                    ("idempotency-key", "race"),
                ],
                body.into_bytes(),
            )
            .await
        });
    }
    let mut ids = std::collections::HashSet::new();
    let mut conflicts = 0;
    while let Some(answer) = tasks.join_next().await {
        let answer = answer.unwrap();
        match answer.status {
            StatusCode::ACCEPTED => {
                ids.insert(answer.json()["id"].as_i64().unwrap());
            }
            StatusCode::CONFLICT => {
                assert_eq!(answer.error(), "idempotency_key_in_progress");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {:?}", answer.body),
        }
    }
    assert_eq!(ids.len(), 1, "every accepted answer names the same message");
    assert!(conflicts < 12);
    assert_eq!(messages_with_key(&app.pool, "race").await, 1);
    app.stop().await;
}
