//! `devstack traffic`: the burst reaches courier's API.

use bytes::Bytes;
use devstack::testenv::TestEnv;
use devstack::testkit::command::{aws_command, output_text};
use http_body_util::Full;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// `devstack traffic args…` against `env`, run off the test's runtime (which serves the peer).
async fn traffic(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut cmd = aws_command(env!("CARGO_BIN_EXE_devstack"), &env.aws_endpoint());
    cmd.arg("traffic").args(args);
    tokio::task::spawn_blocking(move || cmd.output().expect("run devstack traffic"))
        .await
        .unwrap()
}

/// A stand-in HTTP peer that answers every request with 202 and counts POST /messages.
async fn accepting_server() -> (u16, Arc<AtomicU32>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let posts = Arc::new(AtomicU32::new(0));
    let counter = posts.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            let answer = hyper::service::service_fn(move |request: hyper::Request<_>| {
                if request.method() == hyper::Method::POST && request.uri().path() == "/messages" {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                let accepted = hyper::Response::builder()
                    .status(202)
                    .body(Full::new(Bytes::new()));
                async move { accepted }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), answer),
            );
        }
    });
    (port, posts)
}

#[tokio::test]
async fn a_burst_posts_every_message() {
    let env = TestEnv::shared().await;
    let (port, posts) = accepting_server().await;
    let out = traffic(
        env,
        &[
            "--profile",
            "burst",
            "--burst",
            "60",
            "--rate",
            "1",
            "--seconds",
            "1",
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(
        stdout.contains("traffic: 60 accepted, 0 failed"),
        "{stdout}"
    );
    assert!(posts.load(Ordering::Relaxed) >= 60);
}
