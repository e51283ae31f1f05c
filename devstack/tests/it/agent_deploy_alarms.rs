//! The deployment alarms, as ECS uses them: a deployment in progress whose deployment alarm moves
//! to ALARM fails and, with `rollback`, the service rolls back to the last completed task
//! definition (the agent's control plane; moto has no deployments); an alarm already in ALARM
//! when the deployment started does not.

use super::kit::{breaker_service, steady_on};
use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use aws_sdk_ecs::types::{DeploymentAlarms, DeploymentCircuitBreaker, DeploymentConfiguration};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::stack::Revision;
use devstack::testkit::{eventually, NEVER_READY};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_deployment_alarm_in_alarm_rolls_the_deployment_back() {
    let env = TestEnv::shared().await;
    let (_agent, sdk, stack) = breaker_service(env, "dalarm").await;
    let rev1 = stack.revisions[0].clone();

    // An alarm outside the stack's prefix: the agent's evaluator leaves its state to the test.
    let alarm = unique_name("guard");
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("Test")
        .metric_name("Nothing")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    let set = |state: StateValue| {
        cw.set_alarm_state()
            .alarm_name(&alarm)
            .state_value(state)
            .state_reason("test")
            .send()
    };
    // In ALARM before the deployment starts (the incident a fix is deployed for): not a trigger.
    set(StateValue::Alarm).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let rev2 = stack
        .register(&Revision::python(NEVER_READY).memory(128))
        .await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&rev2)
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
                .alarms(
                    DeploymentAlarms::builder()
                        .alarm_names(&alarm)
                        .enable(true)
                        .rollback(true)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    eventually(Duration::from_secs(60), "rev2 deploying", || async {
        let s = stack.describe_service().await;
        let d = s.deployments();
        (d.len() == 2
            && d[0].task_definition() == Some(rev2.as_str())
            && d[0].rollout_state().map(|r| r.as_str()) == Some("IN_PROGRESS"))
        .then_some(())
    })
    .await;
    // Still in progress a few control cycles on, the alarm in ALARM since before it started: it
    // is the alarm's move to ALARM that ends it, not its state, nor readiness.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = stack.describe_service().await;
    assert_eq!(
        s.deployments()[0].rollout_state().map(|r| r.as_str()),
        Some("IN_PROGRESS"),
        "{s:?}"
    );

    set(StateValue::Ok).await.unwrap();
    set(StateValue::Alarm).await.unwrap();
    let s = steady_on(&stack, &rev1, 1).await;
    let failed = s
        .events()
        .iter()
        .filter_map(|e| e.message())
        .find(|m| m.contains("deployment failed"))
        .unwrap_or_default()
        .to_owned();
    assert!(failed.contains(&format!("alarm {alarm} in ALARM")), "{s:?}");
    assert!(
        s.events()
            .iter()
            .filter_map(|e| e.message())
            .any(|m| m.contains("rolling back")),
        "{s:?}"
    );
}
