//! The agent's ECS control plane against a real moto: task processes for the service's desired
//! count, rolling deployments, rollback by task definition, the circuit breaker, log shipping.
//!
//! The container image here is an absolute path to python3 (the agent runs such an image as is):
//! a tiny HTTP task answering /healthz, /readyz and /env ($MARK), so that these tests do not
//! depend on the courier service.

use super::kit::{
    assert_stopped_by_a_deployment, describe_tasks, force_new_deployment, has_event, list_tasks,
    steady_on,
};
use devstack::testenv::TestEnv;
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::{eventually, first_task_port, http, TASK};
use std::time::Duration;

/// What the stand-in tasks on ports `first..first+32` answer on /env. The agent skips ports in
/// use, and other tests' servers may listen in that range: only answers carrying the task's
/// `mark=` prefix count.
async fn marks(first: u16) -> Vec<String> {
    let mut marks = Vec::new();
    for port in first..first + 32 {
        if let Some(answer) = http::get(port, "/env").await {
            if let Some(mark) = answer.body.strip_prefix("mark=") {
                marks.push(mark.to_owned());
            }
        }
    }
    marks
}

/// A revision of the stand-in task, logging to `group`, with $MARK = `mark`.
fn task(group: &str, mark: &str, script: &str) -> Revision {
    Revision::python(script)
        .memory(128)
        .env("MARK", mark)
        .logs_to(group)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_runs_rolls_rolls_back_and_ships_logs() {
    let env = TestEnv::shared().await;
    let first_port = first_task_port();
    let builder = StackBuilder::new("ecs");
    let group = format!("/ecs/{}", builder.name());
    let options = Options {
        first_task_port: first_port,
        postgres: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(env, options).await;
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let stack = builder
        .log_group()
        .revision(task(&group, "one", TASK))
        .service(2)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    let rev1 = stack.revisions[0].clone();

    // Desired count 2: two processes answer, ListTasks shows two RUNNING tasks.
    steady_on(&stack, &rev1, 2).await;
    assert_eq!(marks(first_port).await, ["one", "one"]);
    let arns = list_tasks(&ecs, &stack.cluster, false).await;
    let tasks = describe_tasks(&ecs, &stack.cluster, arns.clone()).await;
    let running: Vec<_> = tasks
        .iter()
        .filter(|t| t.last_status() == Some("RUNNING"))
        .collect();
    assert_eq!(running.len(), 2, "{tasks:?}");

    // Their output reaches the log group, one stream per task named prefix/container/task-id.
    let task_id = arns[0].rsplit('/').next().unwrap().to_owned();
    let what = "the task's log line in the log group";
    eventually(Duration::from_secs(30), what, || async {
        let out = logs
            .filter_log_events()
            .log_group_name(&group)
            .log_stream_names(format!("courier/courier/{task_id}"))
            .send()
            .await
            .ok()?;
        out.events()
            .iter()
            .any(|e| e.message() == Some("task starting mark=one"))
            .then_some(())
    })
    .await;

    // A forced new deployment replaces the tasks; the old ones are STOPPED with a reason.
    force_new_deployment(&ecs, &stack).await;
    let s = steady_on(&stack, &rev1, 2).await;
    assert!(has_event(&s, "has reached a steady state"));
    assert_stopped_by_a_deployment(&describe_tasks(&ecs, &stack.cluster, arns.clone()).await);

    // Another revision, then back to the older one whose env differs: the processes follow.
    let deploy = |td: String| {
        ecs.update_service()
            .cluster(&stack.cluster)
            .service(&stack.service)
            .task_definition(td)
            .send()
    };
    let rev2 = stack.register(&task(&group, "two", TASK)).await;
    deploy(rev2.clone()).await.unwrap();
    steady_on(&stack, &rev2, 2).await;
    assert_eq!(marks(first_port).await, ["two", "two"]);
    deploy(rev1.clone()).await.unwrap();
    steady_on(&stack, &rev1, 2).await;
    assert_eq!(marks(first_port).await, ["one", "one"]);

    // A revision whose container exits: the circuit breaker fails it and rolls back to rev1.
    let exits = "import sys; print('boom', flush=True); sys.exit(3)";
    let bad = stack.register(&task(&group, "bad", exits)).await;
    deploy(bad).await.unwrap();
    let what = "the bad deployment to fail and roll back";
    let failed = eventually(Duration::from_secs(90), what, || async {
        let s = stack.describe_service().await;
        let primary = s.deployments().first()?.clone();
        (s.task_definition() == Some(rev1.as_str())
            && primary.task_definition() == Some(rev1.as_str())
            && primary.rollout_state().map(|r| r.as_str()) == Some("COMPLETED")
            && s.running_count() == 2)
            .then_some(s)
    })
    .await;
    assert!(
        has_event(&failed, "deployment failed: tasks failed to start"),
        "{:?}",
        failed.events()
    );
    assert_eq!(marks(first_port).await, ["one", "one"]);
}
