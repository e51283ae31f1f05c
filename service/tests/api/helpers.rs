//! Test helpers: per-test AWS resources in moto, a per-test database, the app in process on port
//! 0 (zero2prod's spawn_app), courier processes for the loss test, and a small HTTP client.

use bytes::Bytes;
use courier::config::{Role, Settings};
use courier::shutdown::{self, Trigger};
use courier::startup::Application;
use devstack::testenv::{unique_name, TestEnv};
use http_body_util::{BodyExt, Full};
use hyper::http::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sqlx::PgPool;
use std::collections::HashMap;
use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The AWS resources of one test: idempotency table, topic, queue subscribed to it, DLQ.
#[derive(Clone, Debug)]
pub struct Resources {
    pub table: String,
    pub topic_arn: String,
    pub queue_url: String,
    pub dlq_url: String,
}

/// Create a table, a topic, a queue with a DLQ (redrive after `max_receives`) subscribed to the
/// topic with RawMessageDelivery off (the worker reads the SNS envelope).
pub async fn create_resources(
    sdk: &aws_config::SdkConfig,
    visibility_seconds: u32,
    max_receives: u32,
) -> Resources {
    let name = unique_name("courier");
    let topic_arn = devstack::testkit::courier::create_table_and_topic(sdk, &name).await;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    use aws_sdk_sqs::types::QueueAttributeName;
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .expect("create dlq")
        .queue_url
        .unwrap();
    let dlq_arn = queue_arn(&sqs, &dlq_url).await;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": max_receives.to_string(),
    })
    .to_string();
    let queue_url = sqs
        .create_queue()
        .queue_name(&name)
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility_seconds.to_string(),
        )
        .send()
        .await
        .expect("create queue")
        .queue_url
        .unwrap();
    let arn = queue_arn(&sqs, &queue_url).await;
    devstack::testkit::courier::subscribe(sdk, &topic_arn, &arn).await;
    Resources {
        table: name,
        topic_arn,
        queue_url,
        dlq_url,
    }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    use aws_sdk_sqs::types::QueueAttributeName;
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue arn")
        .attributes
        .unwrap()
        .remove(&QueueAttributeName::QueueArn)
        .unwrap()
}

/// The environment of a courier process for these resources and this database.
pub fn environment(
    endpoint: &str,
    db_url: &str,
    resources: &Resources,
    extra: &[(&str, &str)],
) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("COURIER_PORT", "0"),
        ("COURIER_TABLE", resources.table.as_str()),
        ("COURIER_TOPIC_ARN", resources.topic_arn.as_str()),
        ("COURIER_QUEUE_URL", resources.queue_url.as_str()),
        ("COURIER_SQS_WAIT_SECONDS", "1"),
        ("COURIER_RELAY_IDLE_MS", "20"),
        ("COURIER_SHUTDOWN_SECONDS", "5"),
        ("DATABASE_URL", db_url),
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("RUST_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    env
}

/// courier running in this test process.
pub struct TestApp {
    pub address: String,
    pub pool: PgPool,
    pub resources: Resources,
    pub sdk: aws_config::SdkConfig,
    trigger: Trigger,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SIGTERM's path: stop and wait for the drain.
    pub async fn stop(mut self) {
        self.trigger.fire();
        if let Some(handle) = self.handle.take() {
            handle.await.expect("app task").expect("app run");
        }
    }

    pub async fn post(&self, json: &str, key: Option<&str>) -> Answer {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        send(
            Method::POST,
            &self.url("/messages"),
            &headers,
            json.as_bytes().to_vec(),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        send(Method::GET, &self.url(path), &[], Vec::new()).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.trigger.fire();
    }
}

/// The shared environment, resources and database of a test, and courier in process with `role`.
pub async fn spawn_app(role: Role) -> TestApp {
    spawn_app_with(TestEnv::shared().await, role, &[]).await
}

/// As [`spawn_app`], in `env`, with extra configuration.
pub async fn spawn_app_with(env: &TestEnv, role: Role, extra: &[(&str, &str)]) -> TestApp {
    init_logs();
    let sdk = env.sdk_config().await;
    let resources = create_resources(&sdk, 5, 3).await;
    let db_url = env
        .create_database(&unique_name("courier"))
        .await
        .expect("create database");
    start_in_process(env, &sdk, role, &db_url, resources, extra).await
}

/// courier in process on port 0 for given resources and database; waits until /readyz says 200.
pub async fn start_in_process(
    env: &TestEnv,
    sdk: &aws_config::SdkConfig,
    role: Role,
    db_url: &str,
    resources: Resources,
    extra: &[(&str, &str)],
) -> TestApp {
    let vars = environment(&env.aws_endpoint(), db_url, &resources, extra);
    let settings = Settings::from_lookup(Some(role), |k| vars.get(k).cloned()).expect("settings");
    let app = Application::build(settings, sdk.clone())
        .await
        .expect("build");
    let port = app.port();
    let pool = app.state().pool().clone();
    let (trigger, stop) = shutdown::channel();
    let handle = tokio::spawn(app.run_until_stopped(stop));
    let test_app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        pool,
        resources,
        sdk: sdk.clone(),
        trigger,
        handle: Some(handle),
    };
    eventually(
        "courier /readyz answers 200",
        Duration::from_secs(30),
        || async { (test_app.get("/readyz").await.status == StatusCode::OK).then_some(()) },
    )
    .await;
    test_app
}

/// Logs of the in-process app when TEST_LOG is set.
fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            courier::telemetry::init();
        }
    });
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The `error` of a JSON error answer (and checks the shape).
    pub fn error(&self) -> String {
        let json = self.json();
        assert!(json["detail"].is_string(), "no detail in {json}");
        json["error"].as_str().expect("error field").to_owned()
    }
}

fn client() -> &'static Client<HttpConnector, Full<Bytes>> {
    static CLIENT: OnceLock<Client<HttpConnector, Full<Bytes>>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(5))
            .build_http()
    })
}

/// One HTTP request; a transport error panics (the tests expect courier to answer).
pub async fn send(method: Method, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    try_send(method, url, headers, body)
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

pub async fn try_send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Answer, String> {
    let mut request = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(30), client().request(request))
        .await
        .map_err(|_| "no answer in 30 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// Poll `check` until it gives a value; panic with `what` after `deadline`. For eventual delivery
/// only: the deadline is generous and is not what the test asserts.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if start.elapsed() > deadline {
            panic!("{what}: not within {deadline:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A valid message body for channel `channel`.
pub fn message_json(channel: &str, body: &str) -> String {
    serde_json::json!({"channel": channel, "sender": "tester", "body": body}).to_string()
}

/// The courier binary running as ECS runs it: its environment is `vars` and nothing else.
pub struct Process {
    child: tokio::process::Child,
    /// The port it logged (COURIER_PORT=0 lets it choose).
    pub port: u16,
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    logs: tokio::task::JoinHandle<Vec<String>>,
}

impl Process {
    /// Start it and wait until `/readyz` answers 200.
    pub async fn start(vars: &HashMap<String, String>) -> Process {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_courier"))
            .env_clear()
            .envs(vars)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        // The JSON log says which port was bound.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("courier logs its start")
                .unwrap()
                .expect("courier exited early");
            let json: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
            if json["message"] == "courier starting" {
                break json["port"].as_u64().unwrap() as u16;
            }
        };
        let logs = tokio::spawn(async move {
            let mut all = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                all.push(line);
            }
            all
        });
        let base = format!("http://127.0.0.1:{port}");
        eventually("ready", Duration::from_secs(30), || async {
            let a = send(Method::GET, &format!("{base}/readyz"), &[], Vec::new()).await;
            (a.status == StatusCode::OK).then_some(())
        })
        .await;
        Process {
            child,
            port,
            base,
            logs,
        }
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGTERM, as ECS stops a task: it must exit 0 within 30 s. Its log lines.
    pub async fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().unwrap() as i32;
        // SAFETY: kill(2) on our own child.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("courier stops within its grace time after SIGTERM")
            .unwrap();
        assert!(status.success(), "exit status {status}");
        self.logs.await.unwrap()
    }
}
