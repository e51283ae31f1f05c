//! The courier binary as the devstack agent and ECS run it: configured by the environment only,
//! healthy and ready, `courier healthcheck` agrees, and SIGTERM stops it cleanly.

use crate::helpers::{create_resources, environment, eventually, message_json, send, Process};
use devstack::testenv::{unique_name, TestEnv};
use hyper::http::{Method, StatusCode};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_from_its_environment_and_stops_on_sigterm() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let resources = create_resources(&sdk, 5, 3).await;
    let db_url = env.create_database(&unique_name("courier")).await.unwrap();
    let mut vars = environment(
        &env.aws_endpoint(),
        &db_url,
        &resources,
        &[("RUST_LOG", "info")],
    );
    vars.insert("COURIER_ROLE".into(), "all".into());
    let courier = Process::start(&vars).await;
    let (base, port) = (courier.base.clone(), courier.port);
    let healthcheck = Command::new(env!("CARGO_BIN_EXE_courier"))
        .arg("healthcheck")
        .env("COURIER_PORT", port.to_string())
        .status()
        .await
        .unwrap();
    assert!(healthcheck.success());

    let a = send(
        Method::POST,
        &format!("{base}/messages"),
        &[
            ("content-type", "application/json"),
            ("x-request-id", "req-42"),
        ],
        message_json("proc", "hi").into_bytes(),
    )
    .await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    assert_eq!(a.headers["x-request-id"], "req-42");
    let id = a.json()["id"].as_i64().unwrap();
    eventually("delivered", Duration::from_secs(60), || async {
        let m = send(
            Method::GET,
            &format!("{base}/messages/{id}"),
            &[],
            Vec::new(),
        )
        .await;
        (m.json()["status"] == "delivered").then_some(())
    })
    .await;

    let logs = courier.stop().await;
    let request_log = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|j| j["request_id"] == "req-42")
        .expect("a log line for the request");
    assert_eq!(request_log["route"], "/messages");
    assert_eq!(request_log["status"], 202);
    assert!(request_log["latency_ms"].is_number());
    assert!(logs.iter().any(|l| l.contains("courier stopped")));

    // Stopped: the health check now fails.
    let healthcheck = Command::new(env!("CARGO_BIN_EXE_courier"))
        .arg("healthcheck")
        .env("COURIER_PORT", port.to_string())
        .stderr(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(!healthcheck.success());
}
