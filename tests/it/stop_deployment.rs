//! `stackdeck stop-deployment` behind the devstack agent, whose control plane answers ECS's
//! service-deployment APIs: a deployment that stays in progress (its tasks never become ready)
//! is stopped with StopServiceDeployment ROLLBACK, and a separate SDK client sees the previous
//! task definition run again and the history say ROLLBACK_SUCCESSFUL; without a deployment in
//! progress it is refused, as under --read-only; each attempt is one audit line.

use super::kit::{agent_stack, outcomes, run, text, AgentStack};
use aws_sdk_ecs::types::ServiceDeploymentStatus;
use devstack::testenv::TestEnv;
use devstack::testkit::stack::Revision;
use devstack::testkit::{eventually, NEVER_READY};
use std::process::Output;
use std::time::Duration;

fn stackdeck(s: &AgentStack, args: &[&str]) -> Output {
    run(&s.endpoint, &s.name, &s.work.path().join("state"), args)
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_deployment_rolls_the_deployment_in_progress_back() {
    let env = TestEnv::shared().await;
    let s = agent_stack(env, "stopdep").await;
    let previous = s
        .describe_service()
        .await
        .task_definition()
        .unwrap()
        .to_owned();

    // Nothing in progress: refused, in one line.
    let out = stackdeck(&s, &["stop-deployment", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no deployment in progress"),
        "{}",
        text(&out)
    );

    // A deployment that stays in progress.
    let sdk = devstack::aws::sdk_config(&s.endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let slow = s.register(&Revision::python(NEVER_READY).memory(128)).await;
    ecs.update_service()
        .cluster(&s.cluster)
        .service(&s.service)
        .task_definition(&slow)
        .send()
        .await
        .unwrap();
    eventually(
        Duration::from_secs(60),
        "the slow deployment in progress",
        || async {
            let d = s.describe_service().await.deployments().to_vec();
            (d.len() == 2 && d[0].task_definition() == Some(slow.as_str())).then_some(())
        },
    )
    .await;

    // Read-only: refused, the deployment goes on.
    let out = stackdeck(&s, &["--read-only", "stop-deployment", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("read-only"), "{}", text(&out));
    assert_eq!(
        s.describe_service().await.task_definition(),
        Some(slow.as_str())
    );

    let out = stackdeck(
        &s,
        &[
            "stop-deployment",
            "--yes",
            "--wait-stable",
            "--timeout",
            "90s",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    let short = |td: &str| td.rsplit('/').next().unwrap().to_owned();
    assert!(
        shown.contains("stop deployment")
            && shown.contains(&format!("(to {})", short(&slow)))
            && shown.contains(&format!("source revision {}", short(&previous))),
        "{shown}"
    );

    // A separate client: the previous task definition runs, and the history says why.
    let other = aws_sdk_ecs::Client::new(&devstack::aws::sdk_config(&s.endpoint).await);
    let service = other
        .describe_services()
        .cluster(&s.cluster)
        .services(&s.service)
        .send()
        .await
        .unwrap();
    assert_eq!(
        service.services()[0].task_definition(),
        Some(previous.as_str())
    );
    let listed = other
        .list_service_deployments()
        .cluster(&s.cluster)
        .service(&s.service)
        .send()
        .await
        .unwrap();
    let newest = &listed.service_deployments()[0];
    assert_eq!(
        newest.status(),
        Some(&ServiceDeploymentStatus::RollbackSuccessful),
        "{listed:?}"
    );

    assert_eq!(
        outcomes(s.audit()),
        [
            ("stop-deployment".into(), "refused".into()),
            ("stop-deployment".into(), "refused".into()),
            ("stop-deployment".into(), "ok".into()),
        ]
    );
}
