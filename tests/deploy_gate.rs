//! The deploy workflow's health gate and rollback, run as the workflow runs them, against moto
//! with the devstack agent in front (it runs the service's tasks and its circuit breaker):
//! a deploy to a task definition whose container exits fails the gate and ends rolled back.

mod common;

use common::register;
use devstack::testenv::TestEnv;
use std::process::{Command, Output, Stdio};

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
    let stack = common::agent_stack(env, "gate").await;
    let (endpoint, name, work) = (&stack.endpoint, &stack.name, stack.work.path());
    let ecs = aws_sdk_ecs::Client::new(&stack.sdk);
    let good = stack.revisions[1].clone();

    // The service is healthy before the deploy: the gate passes.
    let before = stackdeck(
        endpoint,
        name,
        work,
        &["status", "--wait-stable", "--timeout", "3m"],
    );
    assert_eq!(
        before.status.code(),
        Some(0),
        "gate before the deploy:\n{}",
        text(&before)
    );

    // The deploy: a new revision whose container exits at once.
    let bad = register(
        &ecs,
        &stack.family,
        &["-c", "import sys; sys.exit(3)"],
        "bad",
    )
    .await;
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&bad)
        .send()
        .await
        .unwrap();

    // The health gate fails...
    let gate = stackdeck(
        endpoint,
        name,
        work,
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
        endpoint,
        name,
        work,
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
        .cluster(&stack.cluster)
        .services(&stack.service)
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
