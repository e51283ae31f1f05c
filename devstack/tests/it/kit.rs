//! What several of devstack's agent tests ask of ECS through the agent.

use devstack::testenv::TestEnv;
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::eventually;
use devstack::testkit::stack::{Revision, Stack, StackBuilder};
use devstack::testkit::{first_task_port, TASK};
use std::time::Duration;

/// Wait (up to 120 s) for one COMPLETED deployment on `td` with `desired` tasks running.
pub async fn steady_on(stack: &Stack, td: &str, desired: i32) -> aws_sdk_ecs::types::Service {
    let what = format!("a completed deployment of {td}");
    eventually(Duration::from_secs(120), &what, || async {
        let s = stack.describe_service().await;
        let d = s.deployments();
        (d.len() == 1
            && d[0].task_definition() == Some(td)
            && d[0].rollout_state().map(|r| r.as_str()) == Some("COMPLETED")
            && d[0].running_count() == desired
            && s.running_count() == desired)
            .then_some(s)
    })
    .await
}

/// DescribeTasks of `arns` in `cluster`.
pub async fn describe_tasks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    arns: impl IntoIterator<Item = String>,
) -> Vec<aws_sdk_ecs::types::Task> {
    ecs.describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(arns.into_iter().collect()))
        .send()
        .await
        .unwrap()
        .tasks()
        .to_vec()
}

/// Task ARNs of `cluster` as ListTasks gives them.
pub async fn list_tasks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    running_only: bool,
) -> Vec<String> {
    let mut list = ecs.list_tasks().cluster(cluster);
    if running_only {
        list = list.desired_status(aws_sdk_ecs::types::DesiredStatus::Running);
    }
    list.send().await.unwrap().task_arns().to_vec()
}

/// Every task of `tasks` STOPPED by a deployment.
pub fn assert_stopped_by_a_deployment(tasks: &[aws_sdk_ecs::types::Task]) {
    for task in tasks {
        assert_eq!(task.last_status(), Some("STOPPED"), "{task:?}");
        assert!(
            task.stopped_reason()
                .unwrap_or_default()
                .contains("deployment"),
            "{task:?}"
        );
    }
}

/// Whether one of the service's events contains `text`.
pub fn has_event(service: &aws_sdk_ecs::types::Service, text: &str) -> bool {
    service
        .events()
        .iter()
        .any(|e| e.message().unwrap_or_default().contains(text))
}

/// Force a new deployment of the stack's service; it shows at once beside the old one.
pub async fn force_new_deployment(ecs: &aws_sdk_ecs::Client, stack: &Stack) {
    let forced = ecs
        .update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .force_new_deployment(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forced.service().unwrap().deployments().len(),
        2,
        "the new deployment shows at once"
    );
}

/// An agent of its own (named after `prefix`) serving a one-task service of the python stand-in
/// with the circuit breaker on, steady on revision 1: the agent, its SDK config and the stack.
pub async fn breaker_service(env: &TestEnv, prefix: &str) -> (Agent, aws_config::SdkConfig, Stack) {
    let builder = StackBuilder::new(prefix);
    let options = Options {
        first_task_port: first_task_port(),
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(env, options).await;
    let sdk = agent.sdk().await;
    let stack = builder
        .revision(Revision::python(TASK).memory(128))
        .service(1)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    let rev1 = stack.revisions[0].clone();
    steady_on(&stack, &rev1, 1).await;
    (agent, sdk, stack)
}
