//! Each endpoint and each validation error.

use crate::helpers::{message_json, send, spawn_app};
use courier::config::Role;
use hyper::http::{Method, StatusCode};

#[tokio::test]
async fn health_readiness_and_openapi() {
    let app = spawn_app(Role::Api).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    let openapi = app.get("/openapi.json").await;
    assert_eq!(openapi.status, StatusCode::OK);
    let doc = openapi.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/messages",
        "/messages/{id}",
        "/channels/{channel}/messages",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi.json lacks {path}");
    }
    assert!(app
        .get("/healthz")
        .await
        .headers
        .contains_key("x-request-id"));
    app.stop().await;
}

#[tokio::test]
async fn post_then_get_a_message() {
    let app = spawn_app(Role::Api).await;
    let posted = app.post(&message_json("orders", "hello ✉"), None).await;
    assert_eq!(posted.status, StatusCode::ACCEPTED, "{:?}", posted.body);
    let json = posted.json();
    assert_eq!(json["status"], "accepted");
    let id = json["id"].as_i64().expect("numeric id");

    let got = app.get(&format!("/messages/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    let m = got.json();
    assert_eq!(m["id"], id);
    assert_eq!(m["channel"], "orders");
    assert_eq!(m["sender"], "tester");
    assert_eq!(m["body"], "hello ✉");
    // No relay runs here? Role::Api runs it: the status is accepted or already published.
    assert!(
        ["accepted", "published"].contains(&m["status"].as_str().unwrap()),
        "{m}"
    );
    assert!(m["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(m["delivered_at"].is_null());

    // The message and its outbox row were written together.
    let (rows,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM messages m WHERE m.id = $1 AND (m.status = 'published' OR EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id))",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1);
    app.stop().await;
}

#[tokio::test]
async fn channel_pages_oldest_first_with_cursor() {
    let app = spawn_app(Role::Api).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let a = app
            .post(&message_json("news", &format!("m{i}")), None)
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED);
        ids.push(a.json()["id"].as_i64().unwrap());
    }
    // Another channel does not show up.
    app.post(&message_json("other", "x"), None).await;

    let first = app.get("/channels/news/messages?limit=3").await;
    assert_eq!(first.status, StatusCode::OK);
    let page = first.json();
    let got: Vec<i64> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[..3]);
    assert_eq!(page["next_after"], ids[2]);

    let second = app
        .get(&format!("/channels/news/messages?after={}&limit=3", ids[2]))
        .await
        .json();
    let got: Vec<i64> = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[3..]);
    assert!(second["next_after"].is_null());
    assert_eq!(second["messages"][1]["body"], "m4");

    let empty = app.get("/channels/nobody/messages").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["messages"].as_array().unwrap().len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn invalid_messages_are_refused_with_json_errors() {
    let app = spawn_app(Role::Api).await;
    let big = "x".repeat(256 * 1024 + 1);
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (
            message_json("", "b"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            message_json("has space", "b"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            message_json(&"c".repeat(65), "b"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            r#"{"channel":"c","sender":"../../etc","body":"b"}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            message_json("c", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            message_json("c", &big),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            r#"{"channel":"c","sender":"s","body":"b","extra":1}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        ),
        (
            r#"{"channel":"c","sender":"s"}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        ),
        (
            r#"{"channel":"c","sender":"s","body":7}"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        ),
        (
            r#"{"channel":"c","sender":"s","body":"b""#.into(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        ("not json".into(), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            r#"[1,2]"#.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        ),
    ];
    for (body, status, error) in cases {
        let a = app.post(&body, None).await;
        assert_eq!(a.status, status, "{}", &body[..body.len().min(80)]);
        assert_eq!(a.error(), error, "{}", &body[..body.len().min(80)]);
    }
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM messages")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "a refused message was stored");
    app.stop().await;
}

#[tokio::test]
async fn bad_transport_is_4xx_never_500() {
    let app = spawn_app(Role::Api).await;
    let url = app.url("/messages");
    // Wrong or missing content type.
    let a = send(
        Method::POST,
        &url,
        &[("content-type", "text/plain")],
        message_json("c", "b").into_bytes(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(a.error(), "unsupported_media_type");
    let a = send(Method::POST, &url, &[], message_json("c", "b").into_bytes()).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Invalid UTF-8 inside the JSON string.
    let mut raw = br#"{"channel":"c","sender":"s","body":""#.to_vec();
    raw.extend_from_slice(&[0xff, 0xfe]);
    raw.extend_from_slice(br#""}"#);
    let a = send(
        Method::POST,
        &url,
        &[("content-type", "application/json")],
        raw,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error(), "malformed_json");
    // Oversize request body.
    let huge = message_json("c", &"x".repeat(3 * 1024 * 1024)).into_bytes();
    let a = send(
        Method::POST,
        &url,
        &[("content-type", "application/json")],
        huge,
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.error(), "payload_too_large");
    // Bad Idempotency-Key.
    let a = send(
        Method::POST,
        &url,
        &[
            ("content-type", "application/json"),
            ("idempotency-key", &"k".repeat(300)),
        ],
        message_json("c", "b").into_bytes(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Wrong method, unknown route.
    let a = send(Method::DELETE, &url, &[], Vec::new()).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(a.error(), "method_not_allowed");
    let a = app.get("/nope").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.error(), "not_found");
    app.stop().await;
}

#[tokio::test]
async fn path_and_query_injection_are_4xx() {
    let app = spawn_app(Role::Api).await;
    for (path, status) in [
        ("/messages/abc", StatusCode::BAD_REQUEST),
        ("/messages/0", StatusCode::BAD_REQUEST),
        ("/messages/-1", StatusCode::BAD_REQUEST),
        ("/messages/1%27%20OR%201=1", StatusCode::BAD_REQUEST),
        ("/messages/99999999999999999999", StatusCode::BAD_REQUEST),
        ("/messages/%FF", StatusCode::BAD_REQUEST),
        ("/messages/123456", StatusCode::NOT_FOUND),
        ("/messages/..%2F..%2Fetc%2Fpasswd", StatusCode::BAD_REQUEST),
        ("/channels/..%2Fsecret/messages", StatusCode::BAD_REQUEST),
        (
            "/channels/a'%3B%20DROP%20TABLE%20messages/messages",
            StatusCode::BAD_REQUEST,
        ),
        ("/channels/news/messages?limit=0", StatusCode::BAD_REQUEST),
        (
            "/channels/news/messages?limit=100000",
            StatusCode::BAD_REQUEST,
        ),
        ("/channels/news/messages?limit=x", StatusCode::BAD_REQUEST),
        ("/channels/news/messages?after=-5", StatusCode::BAD_REQUEST),
        (
            "/channels/news/messages?after=1%20OR%201=1",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let a = app.get(path).await;
        assert_eq!(a.status, status, "{path}");
        a.error();
    }
    app.stop().await;
}

/// Concurrent POSTs are group-committed: each must still get its own message's id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posts_get_their_own_ids() {
    let app = spawn_app(Role::Api).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..80 {
        let url = app.url("/messages");
        tasks.spawn(async move {
            let body = format!("message number {i}");
            let a = send(
                Method::POST,
                &url,
                &[("content-type", "application/json")],
                message_json(&format!("c{}", i % 3), &body).into_bytes(),
            )
            .await;
            assert_eq!(a.status, StatusCode::ACCEPTED);
            (a.json()["id"].as_i64().unwrap(), body)
        });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(done) = tasks.join_next().await {
        let (id, body) = done.unwrap();
        assert!(ids.insert(id), "id {id} given twice");
        let m = app.get(&format!("/messages/{id}")).await.json();
        assert_eq!(m["body"], body.as_str(), "message {id}");
    }
    let (outbox_or_published,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM messages m
         WHERE m.status = 'published' OR EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        outbox_or_published, 80,
        "every message has its outbox row or was published"
    );
    app.stop().await;
}
