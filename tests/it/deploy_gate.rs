//! The deploy workflow's health gate and rollback, run as the workflow runs them, against moto
//! with the devstack agent in front (it runs the service's tasks and its circuit breaker):
//! a deploy to a task definition whose container exits fails the gate and ends rolled back.

use super::kit::{agent_stack, run, task, text};
use devstack::testenv::TestEnv;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_that_fails_its_health_gate_ends_rolled_back() {
    let env = TestEnv::shared().await;
    let stack = agent_stack(env, "gate").await;
    let (endpoint, name, work) = (&stack.endpoint, &stack.name, stack.work.path());
    let ecs = aws_sdk_ecs::Client::new(&stack.sdk);
    let good = stack.revisions[1].clone();

    // The service is healthy before the deploy: the gate passes.
    let before = run(
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
    let bad = stack
        .register(&task("bad").command(&["-c", "import sys; sys.exit(3)"]))
        .await;
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&bad)
        .send()
        .await
        .unwrap();

    // The health gate fails...
    let gate = run(
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
    let rollback = run(
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
