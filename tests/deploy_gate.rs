//! The deploy workflow's health gate and rollback, run as the workflow runs them, against moto
//! with the devstack agent in front (it runs the service's tasks and its circuit breaker):
//! a deploy to a task definition whose container exits fails the gate and ends rolled back.

use aws_sdk_ecs::types::{
    ContainerDefinition, DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair,
    LaunchType,
};
use devstack::testenv::{unique_name, TestEnv};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A task that answers /healthz and /readyz on $COURIER_PORT, like courier does.
const TASK: &str = r#"
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

fn python() -> String {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .expect("python3 on PATH")
        .display()
        .to_string()
}

async fn register(ecs: &aws_sdk_ecs::Client, family: &str, command: &[&str]) -> String {
    ecs.register_task_definition()
        .family(family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("courier")
                // The agent runs an absolute path as the container's program.
                .image(python())
                .set_command(Some(command.iter().map(|c| c.to_string()).collect()))
                .memory(256)
                .environment(KeyValuePair::builder().name("ROLE").value("api").build())
                .build(),
        )
        .cpu("256")
        .memory("512")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned()
}

fn stackdeck(endpoint: &str, stack: &str, state: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdeck"))
        .args(["--stack", stack])
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("XDG_STATE_HOME", state)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("run stackdeck")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_that_fails_its_health_gate_ends_rolled_back() {
    let env = TestEnv::shared().await;
    let stack = unique_name("gate").replace('_', "-");
    let work = tempfile::tempdir().unwrap();

    // The agent, in process, in front of this test binary's moto.
    let listen_port = devstack::ports::free_port().unwrap();
    let first_task_port = devstack::ports::free_port()
        .unwrap()
        .saturating_sub(10)
        .max(20000);
    let config = devstack::agent::Config {
        listen_port,
        moto_port: env.moto_port(),
        stack: stack.clone(),
        pg_port: None,
        pg_data: None,
        metrics_interval: Duration::from_secs(5),
        evaluation_interval: Duration::from_secs(5),
        control_interval: Duration::from_millis(300),
        first_task_port,
        courier_bin: python().into(),
        log_dir: work.path().join("logs"),
    };
    tokio::spawn(devstack::agent::run(config));
    let endpoint = format!("http://127.0.0.1:{listen_port}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !devstack::moto::answers(listen_port) {
        assert!(
            std::time::Instant::now() < deadline,
            "the agent did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let sdk = devstack::aws::sdk_config(&endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let cluster = format!("{stack}-cluster");
    let service = format!("{stack}-svc");
    let family = format!("{stack}-courier");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let good = register(&ecs, &family, &["-c", TASK]).await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(&good)
        .desired_count(1)
        .launch_type(LaunchType::Fargate)
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .minimum_healthy_percent(100)
                .maximum_percent(200)
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{stack}-work"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{stack}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let alarm_prefix = format!("{stack}-");
    for (key, value) in [
        ("cluster", cluster.as_str()),
        ("service", service.as_str()),
        ("task_family", family.as_str()),
        ("queue_url", queue_url.as_str()),
        ("dlq_url", dlq_url.as_str()),
        ("alarm_prefix", alarm_prefix.as_str()),
    ] {
        ssm.put_parameter()
            .name(format!("/stackdeck/{stack}/{key}"))
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    }

    // The service is healthy before the deploy: the gate passes.
    let before = stackdeck(
        &endpoint,
        &stack,
        work.path(),
        &["status", "--wait-stable", "--timeout", "3m"],
    );
    assert_eq!(
        before.status.code(),
        Some(0),
        "gate before the deploy:\n{}",
        text(&before)
    );

    // The deploy: a new revision whose container exits at once.
    let bad = register(&ecs, &family, &["-c", "import sys; sys.exit(3)"]).await;
    ecs.update_service()
        .cluster(&cluster)
        .service(&service)
        .task_definition(&bad)
        .send()
        .await
        .unwrap();

    // The health gate fails...
    let gate = stackdeck(
        &endpoint,
        &stack,
        work.path(),
        &[
            "status",
            "--wait-stable",
            "--timeout",
            "3m",
            "--expect-task-definition",
            &bad,
        ],
    );
    assert_eq!(
        gate.status.code(),
        Some(1),
        "the gate must fail:\n{}",
        text(&gate)
    );
    assert!(text(&gate).contains("not on"), "{}", text(&gate));

    // ...and the workflow's rollback leaves the service stable on the good revision.
    let rollback = stackdeck(
        &endpoint,
        &stack,
        work.path(),
        &[
            "rollback",
            "--to",
            "last-completed",
            "--yes",
            "--wait-stable",
            "--timeout",
            "3m",
        ],
    );
    assert_eq!(
        rollback.status.code(),
        Some(0),
        "rollback:\n{}",
        text(&rollback)
    );

    let described = ecs
        .describe_services()
        .cluster(&cluster)
        .services(&service)
        .send()
        .await
        .unwrap();
    let svc = &described.services()[0];
    let primary = &svc.deployments()[0];
    assert_eq!(
        primary.task_definition(),
        Some(good.as_str()),
        "{:?}",
        svc.deployments()
    );
    assert_eq!(
        primary.rollout_state().map(|s| s.as_str()),
        Some("COMPLETED")
    );
    assert_eq!(svc.running_count(), 1);
}
