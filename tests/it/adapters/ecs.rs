//! ECS listings longer than one DescribeTasks batch.

use super::{endpoint, task_id, PROFILE};
use crate::kit::CALLS;
use aws_sdk_ecs::types::LaunchType;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::stack::{register, Revision};
use stackdeck::aws::ecs::Ecs;

#[tokio::test]
async fn tasks_beyond_one_describe_batch_are_all_read() {
    // DescribeTasks takes at most 100 tasks a call.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let agent = endpoint(env).await;
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let name = unique_name("many-tasks").replace('_', "-");
    ecs.create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .unwrap();
    let arn = register(&ecs, &name, &Revision::image("courier:1"))
        .await
        .unwrap();
    let mut started = Vec::new();
    for _ in 0..13 {
        let out = ecs
            .run_task()
            .cluster(&name)
            .task_definition(&arn)
            .count(10)
            .started_by(&name)
            .launch_type(LaunchType::Fargate)
            .send()
            .await
            .unwrap();
        started.extend(out.tasks().iter().map(|t| task_id(t.task_arn().unwrap())));
    }
    assert_eq!(started.len(), 130);
    // 10 stopped: the panel keeps every running task, and stopped ones only up to 30 tasks.
    let stopped: Vec<String> = started.drain(..10).collect();
    scale_in(&ecs, &name, stopped).await;
    let tasks = Ecs::new(&sdk, PROFILE.into())
        .tasks(&name, &name)
        .await
        .unwrap();
    let mut read: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    read.sort();
    started.sort();
    assert_eq!(read, started);
    assert!(
        tasks.iter().all(|t| t.last_status == "RUNNING"),
        "{tasks:?}"
    );

    // With fewer running than 30, the newest stopped ones fill up to 30.
    scale_in(&ecs, &name, started.drain(..100).collect()).await;
    let tasks = Ecs::new(&sdk, PROFILE.into())
        .tasks(&name, &name)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 30);
    let mut running: Vec<String> = tasks[..20].iter().map(|t| t.id.clone()).collect();
    running.sort();
    assert_eq!(running, started);
    assert!(tasks[20..]
        .iter()
        .all(|t| t.last_status == "STOPPED" && t.stopped_reason == "scaled in"));
}

/// Stop `tasks` of `cluster`, "scaled in".
async fn scale_in(ecs: &aws_sdk_ecs::Client, cluster: &str, tasks: Vec<String>) {
    for id in &tasks {
        ecs.stop_task()
            .cluster(cluster)
            .task(id)
            .reason("scaled in")
            .send()
            .await
            .unwrap();
    }
}
