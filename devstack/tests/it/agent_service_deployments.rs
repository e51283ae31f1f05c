//! ECS's service-deployment APIs through the agent (moto has none of them): the history lists
//! each deployment, DescribeServiceDeployments shows its status, circuit breaker and source
//! revision, and StopServiceDeployment ROLLBACK of a deployment in progress deploys the source
//! revision again — checked by a separate SDK client.

use super::kit::{breaker_service, steady_on};
use aws_sdk_ecs::types::{ServiceDeploymentStatus, StopServiceDeploymentStopType};
use devstack::testkit::stack::Revision;
use devstack::testkit::{eventually, NEVER_READY};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_deployment_rolls_back_and_the_history_says_so() {
    let env = devstack::testenv::TestEnv::shared().await;
    let (agent, sdk, stack) = breaker_service(env, "sdeploy").await;
    let rev1 = stack.revisions[0].clone();
    let ecs = aws_sdk_ecs::Client::new(&sdk);

    // The first deployment: SUCCESSFUL, its target revision the first task definition.
    let listed = ecs
        .list_service_deployments()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .send()
        .await
        .unwrap();
    let first = listed.service_deployments().to_vec();
    assert_eq!(first.len(), 1, "{listed:?}");
    assert_eq!(
        first[0].status(),
        Some(&ServiceDeploymentStatus::Successful)
    );
    let revisions = ecs
        .describe_service_revisions()
        .service_revision_arns(first[0].target_service_revision_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        revisions.service_revisions()[0].task_definition(),
        Some(rev1.as_str())
    );

    // A deployment whose tasks never become ready stays IN_PROGRESS.
    let rev2 = stack
        .register(&Revision::python(NEVER_READY).memory(128))
        .await;
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&rev2)
        .send()
        .await
        .unwrap();
    let arn = eventually(Duration::from_secs(60), "rev2 in the history", || async {
        let listed = (ecs.list_service_deployments())
            .cluster(&stack.cluster)
            .service(&stack.service)
            .status(ServiceDeploymentStatus::InProgress)
            .send()
            .await
            .unwrap();
        let d = listed.service_deployments().first()?.clone();
        d.service_deployment_arn().map(str::to_owned)
    })
    .await;
    let described = ecs
        .describe_service_deployments()
        .service_deployment_arns(&arn)
        .send()
        .await
        .unwrap();
    let d = &described.service_deployments()[0];
    assert_eq!(
        d.status(),
        Some(&ServiceDeploymentStatus::InProgress),
        "{d:?}"
    );
    let breaker = d.deployment_circuit_breaker().unwrap();
    assert_eq!(breaker.status().map(|s| s.as_str()), Some("MONITORING"));
    assert_eq!(breaker.threshold(), 3);
    assert_eq!(
        d.source_service_revisions()[0].arn(),
        first[0].target_service_revision_arn()
    );

    // Stopped with ROLLBACK by one client; another sees the first task definition run again.
    let stopped = ecs
        .stop_service_deployment()
        .service_deployment_arn(&arn)
        .stop_type(StopServiceDeploymentStopType::Rollback)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.service_deployment_arn(), Some(arn.as_str()));
    let other = aws_sdk_ecs::Client::new(&agent.sdk().await);
    steady_on(&stack, &rev1, 1).await;
    let d = eventually(Duration::from_secs(60), "ROLLBACK_SUCCESSFUL", || async {
        let out = (other.describe_service_deployments())
            .service_deployment_arns(&arn)
            .send()
            .await
            .unwrap();
        let d = out.service_deployments().first()?.clone();
        (d.status() == Some(&ServiceDeploymentStatus::RollbackSuccessful)).then_some(d)
    })
    .await;
    let rollback = d.rollback().unwrap();
    assert_eq!(
        rollback.service_revision_arn(),
        first[0].target_service_revision_arn()
    );
    assert!(d.finished_at().is_some(), "{d:?}");
    let service = other
        .describe_services()
        .cluster(&stack.cluster)
        .services(&stack.service)
        .send()
        .await
        .unwrap();
    assert_eq!(service.services()[0].task_definition(), Some(rev1.as_str()));

    // No longer in progress: a second stop is refused, as is an unknown deployment.
    let again = other
        .stop_service_deployment()
        .service_deployment_arn(&arn)
        .stop_type(StopServiceDeploymentStopType::Rollback)
        .send()
        .await
        .unwrap_err();
    assert!(again.into_service_error().is_conflict_exception());
    let unknown = other
        .stop_service_deployment()
        .service_deployment_arn(format!("{arn}0"))
        .send()
        .await
        .unwrap_err();
    assert!(unknown
        .into_service_error()
        .is_service_deployment_not_found_exception());

    // The history pages: two deployments, one a page.
    let page = other
        .list_service_deployments()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.service_deployments().len(), 1);
    let rest = other
        .list_service_deployments()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.service_deployments().len(), 1);
    assert_eq!(rest.next_token(), None);
}
