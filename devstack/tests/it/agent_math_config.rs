//! Issue 17 part 3 against a real moto: a metric-math alarm (the stack's running-below-desired,
//! `desired - running` over Container Insights' task counts) evaluates, and DescribeServices
//! answers the deployment configuration and capacity provider strategy that CreateService and
//! UpdateService set (moto answers `null`), with the control plane's task counts put as
//! `ECS/ContainerInsights` metrics.

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StateValue,
};
use aws_sdk_ecs::types::{
    CapacityProviderStrategyItem, DeploymentAlarms, DeploymentCircuitBreaker,
    DeploymentConfiguration,
};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::{eventually, TASK};
use std::time::Duration;

fn dims(cluster: &str, service: &str) -> Vec<Dimension> {
    [("ClusterName", cluster), ("ServiceName", service)]
        .iter()
        .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
        .collect()
}

fn count(id: &str, metric: &str, dims: &[Dimension]) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace("ECS/ContainerInsights")
        .metric_name(metric)
        .set_dimensions(Some(dims.to_vec()))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(10)
                .stat("Minimum")
                .build(),
        )
        .return_data(false)
        .build()
}

async fn state(cw: &aws_sdk_cloudwatch::Client, name: &str) -> (StateValue, String) {
    let out = cw.describe_alarms().alarm_names(name).send().await.unwrap();
    let alarm = &out.metric_alarms()[0];
    (
        alarm.state_value().unwrap().clone(),
        alarm.state_reason().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_running_below_desired_metric_math_alarm_fires_and_clears() {
    let env = TestEnv::shared().await;
    let agent = Agent::start(env, Options::stack(&unique_name("math"))).await;
    let sdk = agent.sdk().await;
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let prefix = format!("{}-", agent.stack);
    agent.discovery(&[("alarm_prefix", &prefix)]).await;
    let (cluster, service) = (unique_name("c"), unique_name("s"));
    let dims = dims(&cluster, &service);
    let alarm = format!("{prefix}running-below-desired");
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .threshold(0.0)
        .evaluation_periods(1)
        .datapoints_to_alarm(1)
        .treat_missing_data("notBreaching")
        .metrics(
            MetricDataQuery::builder()
                .id("missing")
                .expression("desired - running")
                .return_data(true)
                .build(),
        )
        .metrics(count("desired", "DesiredTaskCount", &dims))
        .metrics(count("running", "RunningTaskCount", &dims))
        .send()
        .await
        .unwrap();
    let put = |desired: f64, running: f64| {
        let data = [("DesiredTaskCount", desired), ("RunningTaskCount", running)].map(|(m, v)| {
            MetricDatum::builder()
                .metric_name(m)
                .set_dimensions(Some(dims.clone()))
                .value(v)
                .timestamp(aws_smithy_types::DateTime::from_secs_f64(
                    devstack::agent::now_secs(),
                ))
                .build()
        });
        cw.put_metric_data()
            .namespace("ECS/ContainerInsights")
            .set_metric_data(Some(data.to_vec()))
            .send()
    };

    // Two desired, one running: 2 - 1 = 1 > 0.
    put(2.0, 1.0).await.unwrap();
    let (_, reason) = eventually(
        Duration::from_secs(30),
        "the metric-math alarm to fire",
        || async {
            put(2.0, 1.0).await.ok()?;
            let s = state(&cw, &alarm).await;
            (s.0 == StateValue::Alarm).then_some(s)
        },
    )
    .await;
    assert!(
        reason.starts_with("Threshold Crossed: 1 out of the last 1 datapoints [1.0 ("),
        "{reason}"
    );

    // Both running: the next period's value is 0 and the alarm returns to OK on its own.
    eventually(
        Duration::from_secs(40),
        "the metric-math alarm to return to OK",
        || async {
            put(2.0, 2.0).await.ok()?;
            (state(&cw, &alarm).await.0 == StateValue::Ok).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_services_answers_the_deployment_configuration_that_was_set() {
    let env = TestEnv::shared().await;
    let builder = StackBuilder::new("depcfg");
    let agent = Agent::start(env, Options::stack(builder.name())).await;
    let sdk = agent.sdk().await;
    let stack = builder
        .revision(Revision::python(TASK).memory(128))
        .service(1)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    // A separate client reads what the agent answers.
    let reader = aws_sdk_ecs::Client::new(&agent.sdk().await);
    let describe = || async {
        let out = reader
            .describe_services()
            .cluster(&stack.cluster)
            .services(&stack.service)
            .send()
            .await
            .unwrap();
        out.services()[0].clone()
    };
    let service = describe().await;
    let config = service.deployment_configuration().expect("a configuration");
    assert_eq!(config.maximum_percent(), Some(200));
    assert_eq!(config.minimum_healthy_percent(), Some(100));
    let breaker = config.deployment_circuit_breaker().unwrap();
    assert!(breaker.enable() && breaker.rollback());

    // UpdateService sets the deployment alarms and a capacity provider strategy; the
    // percentages and the breaker set before are kept.
    let alarm = format!("{}-queue-depth", stack.name);
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .alarms(
                    DeploymentAlarms::builder()
                        .alarm_names(&alarm)
                        .enable(true)
                        .rollback(true)
                        .build()
                        .unwrap(),
                )
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .build(),
        )
        .capacity_provider_strategy(
            CapacityProviderStrategyItem::builder()
                .capacity_provider("FARGATE_SPOT")
                .weight(3)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let service = describe().await;
    let config = service.deployment_configuration().unwrap();
    assert_eq!(config.maximum_percent(), Some(200));
    assert_eq!(config.alarms().unwrap().alarm_names(), [alarm.as_str()]);
    let strategy = service.capacity_provider_strategy();
    assert_eq!(strategy.len(), 1, "{strategy:?}");
    assert_eq!(strategy[0].capacity_provider(), "FARGATE_SPOT");
    assert_eq!(strategy[0].weight(), 3);

    // The control plane's counts as Container Insights metrics: one desired, one running.
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let cluster_name = stack.cluster.rsplit('/').next().unwrap().to_owned();
    eventually(
        Duration::from_secs(60),
        "RunningTaskCount 1 in ECS/ContainerInsights",
        || async {
            let now = devstack::agent::now_secs();
            let out = cw
                .get_metric_statistics()
                .namespace("ECS/ContainerInsights")
                .metric_name("RunningTaskCount")
                .set_dimensions(Some(dims(&cluster_name, &stack.service)))
                .start_time(aws_smithy_types::DateTime::from_secs_f64(now - 60.0))
                .end_time(aws_smithy_types::DateTime::from_secs_f64(now + 1.0))
                .period(60)
                .statistics(aws_sdk_cloudwatch::types::Statistic::Maximum)
                .send()
                .await
                .ok()?;
            out.datapoints()
                .iter()
                .any(|d| d.maximum() == Some(1.0))
                .then_some(())
        },
    )
    .await;
}
