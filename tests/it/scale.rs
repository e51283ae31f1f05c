//! `stackdeck scale N` behind the devstack agent: the desired count changes (a separate SDK
//! client sees it, and the agent starts the task), a count outside the Application Auto Scaling
//! target's range is refused at plan time and changes nothing, read-only refuses it; each
//! attempt is one audit line.

use super::kit::{agent_stack, outcomes, run, text, AgentStack};
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use devstack::testenv::TestEnv;
use devstack::testkit::eventually;
use std::process::Output;
use std::time::Duration;

fn stackdeck(s: &AgentStack, args: &[&str]) -> Output {
    run(&s.endpoint, &s.name, &s.work.path().join("state"), args)
}

async fn desired(ecs: &aws_sdk_ecs::Client, s: &AgentStack) -> i32 {
    ecs.describe_services()
        .cluster(&s.cluster)
        .services(&s.service)
        .send()
        .await
        .unwrap()
        .services()[0]
        .desired_count()
}

#[tokio::test(flavor = "multi_thread")]
async fn scale_changes_the_desired_count_within_the_scalable_target_and_refuses_outside_it() {
    let env = TestEnv::shared().await;
    let s = agent_stack(env, "scale").await;
    let sdk = devstack::aws::sdk_config(&s.endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);

    // No scalable target: the plan says so, and the count changes.
    let out = stackdeck(
        &s,
        &["scale", "2", "--yes", "--wait-stable", "--timeout", "90s"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("from 1 to 2")
            && text(&out).contains("is at its count: 2 running")
            && text(&out).contains("no Application Auto Scaling target"),
        "{}",
        text(&out)
    );
    assert_eq!(desired(&ecs, &s).await, 2);
    eventually(Duration::from_secs(60), "a second task", || async {
        let running = ecs
            .list_tasks()
            .cluster(&s.cluster)
            .service_name(&s.service)
            .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        match running.task_arns().len() {
            2 => Ok(()),
            n => Err(format!("{n} running")),
        }
    })
    .await;

    // A scalable target of 1 to 3: 5 is refused, naming the service and the range.
    aws_sdk_applicationautoscaling::Client::new(&sdk)
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(format!("service/{}/{}", s.cluster, s.service))
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .min_capacity(1)
        .max_capacity(3)
        .send()
        .await
        .unwrap();
    let out = stackdeck(&s, &["scale", "5", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains(&s.service)
            && shown.contains("allows 1 to 3")
            && shown.contains("scalable target"),
        "{shown}"
    );
    assert_eq!(desired(&ecs, &s).await, 2, "nothing changed");

    // Within it: done, and the plan names the range.
    let out = stackdeck(&s, &["scale", "3", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("within 1 to 3") && text(&out).contains("may move it again"),
        "{}",
        text(&out)
    );
    assert_eq!(desired(&ecs, &s).await, 3);

    // Read-only: refused before anything is read.
    let out = stackdeck(&s, &["--read-only", "scale", "1", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("read-only"), "{}", text(&out));
    assert_eq!(desired(&ecs, &s).await, 3);

    let audit = s.audit();
    assert_eq!(
        outcomes(audit.clone()),
        [
            ("scale".into(), "ok".into()),
            ("scale".into(), "refused".into()),
            ("scale".into(), "ok".into()),
            ("scale".into(), "refused".into()),
        ]
    );
    assert_eq!(audit[0].target, format!("{}/{}", s.cluster, s.service));
    assert_eq!(audit[0].parameters, serde_json::json!({"from": 1, "to": 2}));
    assert!(audit[1].error.as_deref().unwrap().contains("allows 1 to 3"));
}
