//! `devstack traffic`: the burst reaches courier's API, and the stall-worker incident deploys a
//! revision of the running task definition with courier's worker switched off.

use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair};
use devstack::testenv::TestEnv;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

fn traffic(env: &TestEnv, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_devstack"))
        .arg("traffic")
        .args(args)
        .env("AWS_ENDPOINT_URL", env.aws_endpoint())
        .output()
        .expect("run devstack traffic")
}

/// A stand-in HTTP peer that answers every request with 202 and counts POST /messages.
fn accepting_server() -> (u16, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let posts = Arc::new(AtomicU32::new(0));
    let counter = posts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 2048];
                if let Ok(n) = stream.read(&mut buf) {
                    if buf[..n].starts_with(b"POST /messages ") {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n");
            });
        }
    });
    (port, posts)
}

#[tokio::test]
async fn a_burst_posts_every_message() {
    let env = TestEnv::shared().await;
    let (port, posts) = accepting_server();
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
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("traffic: 60 accepted, 0 failed"),
        "{stdout}"
    );
    assert!(posts.load(Ordering::Relaxed) >= 60);
}

#[tokio::test]
async fn stall_worker_deploys_the_running_revision_without_the_worker() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    ecs.create_cluster()
        .cluster_name("courier-local-cluster")
        .send()
        .await
        .unwrap();
    let env_var = |k: &str, v: &str| KeyValuePair::builder().name(k).value(v).build();
    ecs.register_task_definition()
        .family("courier-local-courier")
        .container_definitions(
            ContainerDefinition::builder()
                .name("courier")
                .image("courier:1")
                .memory(512)
                .environment(env_var("COURIER_ROLE", "all"))
                .environment(env_var("COURIER_PORT", "5678"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("courier-local-cluster")
        .service_name("courier-local-svc")
        .task_definition("courier-local-courier:1")
        .desired_count(1)
        .send()
        .await
        .unwrap();
    for (key, value) in [
        ("cluster", "courier-local-cluster"),
        ("service", "courier-local-svc"),
    ] {
        ssm.put_parameter()
            .name(format!("/stackdeck/courier-local/{key}"))
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    }

    // Nothing answers at the URL: the incident is deployed all the same, then traffic says why
    // it cannot run.
    let free = devstack::ports::free_port().unwrap();
    let out = traffic(
        env,
        &[
            "--profile",
            "stall-worker",
            "--seconds",
            "1",
            "--url",
            &format!("http://127.0.0.1:{free}"),
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("stall-worker: deployed courier-local-courier:2"),
        "{text}"
    );
    assert!(text.contains("nothing answers at"), "{text}");

    let service = ecs
        .describe_services()
        .cluster("courier-local-cluster")
        .services("courier-local-svc")
        .send()
        .await
        .unwrap();
    let task_definition = service.services()[0].task_definition().unwrap().to_owned();
    assert!(
        task_definition.ends_with("courier-local-courier:2"),
        "{task_definition}"
    );
    let described = ecs
        .describe_task_definition()
        .task_definition(&task_definition)
        .send()
        .await
        .unwrap();
    let container = &described.task_definition().unwrap().container_definitions()[0];
    let env: Vec<(&str, &str)> = container
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?, kv.value()?)))
        .collect();
    assert!(env.contains(&("COURIER_ROLE", "api")), "{env:?}");
    assert!(
        env.contains(&("COURIER_PORT", "5678")),
        "the rest of the environment is kept: {env:?}"
    );
    assert!(!env.contains(&("COURIER_ROLE", "all")));
    assert_eq!(container.image(), Some("courier:1"));
}
