//! DynamoDB unreachable (issue 4): a POST with an Idempotency-Key cannot claim its key, so it is
//! 503 `service_unavailable` (never 500, never a panic) and nothing is stored; the process stays
//! up, and once DynamoDB is back the same request is accepted once.
//!
//! The courier binary runs with `AWS_ENDPOINT_URL_DYNAMODB` (the SDK's service-specific endpoint)
//! pointing at a TCP relay to the test's moto, and everything else straight at moto: closing the
//! relay's port makes DynamoDB alone unreachable (connection refused), opening it again brings it
//! back.

use crate::helpers::{create_resources, environment, eventually, message_json, send, Process};
use devstack::testenv::{unique_name, TestEnv};
use hyper::http::{Method, StatusCode};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP relay on a fixed local port to `target`; while down nothing listens on the port; while
/// stalled it accepts connections and never answers (a peer gone silent).
struct Relay {
    port: u16,
    target: u16,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    async fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut relay = Relay {
            port: listener.local_addr().unwrap().port(),
            target,
            task: None,
        };
        relay.serve(listener, true);
        relay
    }

    fn serve(&mut self, listener: TcpListener, forward: bool) {
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            // Dropped (so every connection aborted) when the relay goes down.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if !forward {
                        let _held = inbound;
                        return std::future::pending::<()>().await;
                    }
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Close the port and every open connection.
    async fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listen on the same port again, relaying (`forward`) or holding every connection silent.
    async fn up(&mut self, forward: bool) {
        self.down().await;
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the relay's port is still free");
        self.serve(listener, forward);
    }
}

async fn messages_with_key(pool: &sqlx::PgPool, key: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM messages WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap();
    n
}

async fn messages(pool: &sqlx::PgPool) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM messages")
        .fetch_one(pool)
        .await
        .unwrap();
    n
}

async fn post(base: &str, body: &str, key: Option<&str>) -> crate::helpers::Answer {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    send(
        Method::POST,
        &format!("{base}/messages"),
        &headers,
        body.as_bytes().to_vec(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_unreachable_is_503_stores_nothing_and_recovers() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let resources = create_resources(&sdk, 5, 3).await;
    let db_url = env.create_database(&unique_name("courier")).await.unwrap();
    let pool = sqlx::PgPool::connect(&db_url).await.unwrap();
    let mut relay = Relay::start(env.moto_port()).await;
    let dynamodb_url = format!("http://127.0.0.1:{}", relay.port);
    let vars = environment(
        &env.aws_endpoint(),
        &db_url,
        &resources,
        &[
            ("RUST_LOG", "info"),
            ("COURIER_ROLE", "api"),
            ("AWS_ENDPOINT_URL_DYNAMODB", &dynamodb_url),
        ],
    );
    let mut courier = Process::start(&vars).await;
    let base = courier.base.clone();

    // DynamoDB reachable: the key is claimed through the relay.
    let first = post(&base, &message_json("ddb", "before"), Some("ddb-before")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{first:?}");
    let item = aws_sdk_dynamodb::Client::new(&sdk)
        .get_item()
        .table_name(&resources.table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("ddb-before".into()),
        )
        .send()
        .await
        .unwrap();
    assert!(item.item().is_some(), "the idempotency record exists");

    // DynamoDB unreachable: 503 JSON, nothing stored, the process still serves.
    relay.down().await;
    let body = message_json("ddb", "during");
    for _ in 0..3 {
        let answer = post(&base, &body, Some("ddb-during")).await;
        assert_eq!(
            answer.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{:?}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.error(), "service_unavailable");
        assert!(
            answer.json()["detail"]
                .as_str()
                .unwrap()
                .contains("DynamoDB"),
            "{}",
            answer.json()
        );
    }
    assert_eq!(messages_with_key(&pool, "ddb-during").await, 0);
    assert_eq!(messages(&pool).await, 1, "only the first message");
    // Without a key DynamoDB is not asked: PostgreSQL alone takes the message.
    let keyless = post(&base, &message_json("ddb", "no key"), None).await;
    assert_eq!(keyless.status, StatusCode::ACCEPTED, "{keyless:?}");
    let health = send(Method::GET, &format!("{base}/healthz"), &[], Vec::new()).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(courier.running(), "courier is still running");

    // DynamoDB back: the same request is accepted, once.
    relay.up(true).await;
    let accepted = eventually(
        "POST with a key accepted once DynamoDB is back",
        Duration::from_secs(30),
        || async {
            let answer = post(&base, &body, Some("ddb-during")).await;
            // 409 too: a claim whose call failed may have been applied; it is given back in
            // the background, and the client retries as the answer says.
            assert!(
                answer.status == StatusCode::ACCEPTED
                    || answer.status == StatusCode::SERVICE_UNAVAILABLE
                    || answer.status == StatusCode::CONFLICT,
                "{answer:?}"
            );
            (answer.status == StatusCode::ACCEPTED).then_some(answer)
        },
    )
    .await;
    let again = post(&base, &body, Some("ddb-during")).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(
        again.json(),
        accepted.json(),
        "the retry gets the first answer"
    );
    assert_eq!(messages_with_key(&pool, "ddb-during").await, 1);

    // DynamoDB silent (connections accepted, never answered): 503 all the same, not a hang.
    relay.up(false).await;
    let silent = post(&base, &message_json("ddb", "silent"), Some("ddb-silent")).await;
    assert_eq!(
        silent.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        String::from_utf8_lossy(&silent.body)
    );
    assert_eq!(silent.error(), "service_unavailable");
    assert_eq!(messages_with_key(&pool, "ddb-silent").await, 0);
    relay.up(true).await;
    let back = eventually(
        "POST accepted once DynamoDB answers again",
        Duration::from_secs(30),
        || async {
            let answer = post(&base, &message_json("ddb", "silent"), Some("ddb-silent")).await;
            (answer.status == StatusCode::ACCEPTED).then_some(answer)
        },
    )
    .await;
    assert_eq!(back.status, StatusCode::ACCEPTED);
    assert_eq!(messages_with_key(&pool, "ddb-silent").await, 1);

    // SIGTERM: a clean stop, and no panic anywhere in the log.
    let logs = courier.stop().await;
    assert!(
        !logs.iter().any(|l| l.contains("panicked")),
        "{}",
        logs.join("\n")
    );
    relay.down().await;
}
