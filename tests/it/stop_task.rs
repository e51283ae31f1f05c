//! `stackdeck stop-task ID` behind the devstack agent: the task is stopped with stackdeck's
//! reason (a separate SDK client reads it), the service replaces it with a new task, and the
//! service's events say so; a task the service does not run is refused at plan time, read-only
//! refuses it; each attempt is one audit line. A StopTask without a reason gets ECS's.

use super::kit::{agent_stack, outcomes, run, text, AgentStack};
use devstack::testenv::TestEnv;
use devstack::testkit::eventually;
use stackdeck::model::mutation::STOP_REASON;
use std::process::Output;
use std::time::Duration;

fn stackdeck(s: &AgentStack, args: &[&str]) -> Output {
    run(&s.endpoint, &s.name, &s.work.path().join("state"), args)
}

/// The ids of the service's tasks that are meant to run.
async fn running(ecs: &aws_sdk_ecs::Client, s: &AgentStack) -> Vec<String> {
    ecs.list_tasks()
        .cluster(&s.cluster)
        .service_name(&s.service)
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
        .send()
        .await
        .unwrap()
        .task_arns()
        .iter()
        .map(|a| a.rsplit('/').next().unwrap().to_owned())
        .collect()
}

async fn task(ecs: &aws_sdk_ecs::Client, s: &AgentStack, id: &str) -> aws_sdk_ecs::types::Task {
    ecs.describe_tasks()
        .cluster(&s.cluster)
        .tasks(id)
        .send()
        .await
        .unwrap()
        .tasks()[0]
        .clone()
}

/// Wait until the service runs one task other than `gone`; its id.
async fn replaced(ecs: &aws_sdk_ecs::Client, s: &AgentStack, gone: &str) -> String {
    eventually(Duration::from_secs(60), "a replacement task", || async {
        match running(ecs, s).await.as_slice() {
            [one] if one != gone => Ok(one.clone()),
            other => Err(format!("running {other:?}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_task_stops_it_with_a_reason_and_the_service_replaces_it() {
    let env = TestEnv::shared().await;
    let s = agent_stack(env, "stoptask").await;
    let sdk = devstack::aws::sdk_config(&s.endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let [first] = running(&ecs, &s).await.try_into().unwrap();

    let out = stackdeck(
        &s,
        &[
            "stop-task",
            &first,
            "--yes",
            "--wait-stable",
            "--timeout",
            "90s",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains(&format!("stop task {first}"))
            && shown.contains("will replace it")
            && shown.contains("is at its count: 1 running"),
        "{shown}"
    );
    let stopped = task(&ecs, &s, &first).await;
    assert_eq!(stopped.last_status(), Some("STOPPED"));
    assert_eq!(stopped.stopped_reason(), Some(STOP_REASON));
    let second = replaced(&ecs, &s, &first).await;
    let events = s.describe_service().await;
    assert!(
        events.events().iter().any(|e| e
            .message()
            .is_some_and(|m| m.contains(&format!("has stopped 1 running tasks: (task {first})")))),
        "{:?}",
        events.events()
    );

    // A task the service does not run: refused, naming it.
    let out = stackdeck(&s, &["stop-task", &first, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("is not a running task"),
        "{}",
        text(&out)
    );
    // Read-only: refused, and the task runs on.
    let out = stackdeck(&s, &["--read-only", "stop-task", &second, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("read-only"), "{}", text(&out));
    assert_eq!(running(&ecs, &s).await, std::slice::from_ref(&second));

    let audit = s.audit();
    assert_eq!(
        outcomes(audit.clone()),
        [
            ("stop-task".into(), "ok".into()),
            ("stop-task".into(), "refused".into()),
            ("stop-task".into(), "refused".into()),
        ]
    );
    assert_eq!(audit[0].target, format!("{}/{first}", s.cluster));

    // A StopTask without a reason (the console's, a script's): ECS's reason, and replaced too.
    ecs.stop_task()
        .cluster(&s.cluster)
        .task(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(
        task(&ecs, &s, &second).await.stopped_reason(),
        Some("Task stopped by user")
    );
    replaced(&ecs, &s, &second).await;
}
