//! The local load balancer (issue 17): the agent's stable listener in front of the service's
//! tasks. Real courier tasks take turns behind it and keep answering through a forced
//! deployment, with no 502 or 503 while a healthy target exists; at desired count 0 it answers
//! an ALB's 503. Python tasks that answer 500, or drop the connection, give the AWS/ApplicationELB
//! metrics (a separate SDK client reads them from CloudWatch) and the alb-5xx alarm evaluates.

use super::kit::{force_new_deployment, steady_on};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StateValue, Statistic};
use devstack::agent::lb::serve::TARGET_HEADER;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::{eventually, first_task_port, http};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The target that answered a GET of `path` through the load balancer on `port`, with the status.
async fn through(port: u16, path: &str) -> (u16, String) {
    let answer = http::get(port, path)
        .await
        .expect("the load balancer answers");
    let target = (answer.headers.get(TARGET_HEADER))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (answer.status, target)
}

#[tokio::test(flavor = "multi_thread")]
async fn courier_tasks_take_turns_behind_the_load_balancer_and_stay_reachable_through_a_deployment()
{
    let bin = tokio::task::spawn_blocking(|| {
        devstack::testkit::courier::binary(std::path::Path::new(env!("CARGO_BIN_EXE_devstack")))
    })
    .await
    .unwrap();
    let env = TestEnv::shared().await;
    env.create_database(devstack::COURIER_DB).await.unwrap();
    let resources =
        devstack::testkit::courier::task_environment(&env.sdk_config().await, &unique_name("lb"))
            .await;
    let builder = StackBuilder::new("lb");
    let options = Options {
        first_task_port: first_task_port(),
        courier_bin: bin,
        postgres: true,
        lb: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(env, options).await;
    let lb = agent.lb_port.unwrap();
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let revision = resources.iter().fold(
        Revision::image("courier:local").memory(256),
        |revision, (k, v)| revision.env(k, v),
    );
    let stack = builder
        .revision(revision)
        .service(2)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    let td = stack.revisions[0].clone();

    // Two ready tasks: requests take turns, one each, in order.
    steady_on(&stack, &td, 2).await;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let (status, target) = through(lb, "/healthz").await;
        assert_eq!(status, 200, "through the load balancer: {target}");
        seen.push(target);
    }
    let mut per_target: BTreeMap<&str, usize> = BTreeMap::new();
    for target in &seen {
        *per_target.entry(target.as_str()).or_default() += 1;
    }
    assert_eq!(per_target.len(), 2, "both tasks answer: {seen:?}");
    assert!(
        per_target.values().all(|n| *n == 5),
        "round robin: {seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0] != w[1]), "in turn: {seen:?}");

    // A message through the load balancer: the body and headers reach courier.
    let (status, body) = devstack::http::post_json(
        &format!("{}/messages", agent.lb_url()),
        &[("idempotency-key", &unique_name("lb-key"))],
        &serde_json::json!({"channel": "lb", "sender": "test", "body": "hello"}),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&body));

    // A forced deployment replaces both tasks; requests sent all along keep succeeding.
    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let mut targets = std::collections::BTreeSet::new();
            while !stop.load(Ordering::Relaxed) {
                let (status, target) = through(lb, "/healthz").await;
                *statuses.entry(status).or_default() += 1;
                targets.insert(target);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (statuses, targets)
        })
    };
    force_new_deployment(&ecs, &stack).await;
    steady_on(&stack, &td, 2).await;
    stop.store(true, Ordering::Relaxed);
    let (statuses, targets) = sender.await.unwrap();
    let ok = statuses.get(&200).copied().unwrap_or(0);
    assert!(
        ok > 10,
        "requests went on during the deployment: {statuses:?}"
    );
    assert_eq!(
        statuses.len(),
        1,
        "no 502 or 503 while a healthy target exists: {statuses:?} (targets {targets:?})"
    );

    // No task at all: the ALB's 503.
    ecs.update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .desired_count(0)
        .send()
        .await
        .unwrap();
    let answer = eventually(Duration::from_secs(60), "a 503 without targets", || async {
        let answer = http::get(lb, "/healthz").await?;
        (answer.status == 503).then_some(answer)
    })
    .await;
    assert!(
        answer.body.contains("503 Service Temporarily Unavailable"),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.headers.get("server").and_then(|v| v.to_str().ok()),
        Some("awselb/2.0")
    );
}

/// A task that answers /readyz and /healthz 200, /fail 500, and drops the connection of /reset
/// without an answer.
const FLAKY: &str = r#"
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/reset":
            self.close_connection = True
            return
        code = 500 if self.path == "/fail" else 200
        self.send_response(code)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

/// The Sum of `metric` of the load balancer `lb` over the last ten minutes, read from CloudWatch.
async fn sum(cw: &aws_sdk_cloudwatch::Client, metric: &str, lb: &str) -> f64 {
    let now = std::time::SystemTime::now();
    let out = cw
        .get_metric_statistics()
        .namespace("AWS/ApplicationELB")
        .metric_name(metric)
        .dimensions(Dimension::builder().name("LoadBalancer").value(lb).build())
        .start_time((now - Duration::from_secs(600)).into())
        .end_time((now + Duration::from_secs(60)).into())
        .period(60)
        .statistics(Statistic::Sum)
        .send()
        .await
        .unwrap();
    out.datapoints().iter().filter_map(|d| d.sum()).sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn target_and_load_balancer_errors_become_alb_metrics_and_the_5xx_alarm_fires() {
    let env = TestEnv::shared().await;
    let builder = StackBuilder::new("lb5xx");
    let options = Options {
        lb: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(env, options).await;
    let lb_port = agent.lb_port.unwrap();
    let sdk = agent.sdk().await;
    let stack = builder
        .revision(Revision::python(FLAKY))
        .service(1)
        .build(&sdk)
        .await
        .unwrap();
    let name = unique_name("lb");
    let lb_arn = format!(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/1f2e3d"
    );
    let lb = format!("app/{name}/1f2e3d");
    stack.publish([("load_balancer_arn", &lb_arn)]).await;
    // The stack's alb-5xx alarm, as terraform/modules/observability makes it, but breaching at
    // one 5xx in either of two periods (the requests below may straddle a minute).
    let cw = aws_sdk_cloudwatch::Client::new(&env.sdk_config().await);
    let alarm = format!("{}alb-5xx", stack.alarm_prefix);
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/ApplicationELB")
        .metric_name("HTTPCode_Target_5XX_Count")
        .dimensions(Dimension::builder().name("LoadBalancer").value(&lb).build())
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(2)
        .datapoints_to_alarm(1)
        .threshold(0.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .unwrap();

    steady_on(&stack, &stack.revisions[0], 1).await;
    for _ in 0..3 {
        assert_eq!(through(lb_port, "/fail").await.0, 500, "the target's 500");
    }
    assert_eq!(
        through(lb_port, "/reset").await.0,
        502,
        "a dropped connection"
    );
    assert_eq!(through(lb_port, "/").await.0, 200);

    let what = "the load balancer's metrics in CloudWatch";
    eventually(Duration::from_secs(30), what, || async {
        let seen = (
            sum(&cw, "HTTPCode_Target_5XX_Count", &lb).await,
            sum(&cw, "HTTPCode_ELB_5XX_Count", &lb).await,
            sum(&cw, "RequestCount", &lb).await,
        );
        if seen == (3.0, 1.0, 5.0) {
            Ok(())
        } else {
            Err(format!("(target 5xx, elb 5xx, requests) = {seen:?}"))
        }
    })
    .await;
    let state = eventually(
        Duration::from_secs(30),
        "the alb-5xx alarm in ALARM",
        || async {
            let out = cw.describe_alarms().alarm_names(&alarm).send().await.ok()?;
            let alarm = out.metric_alarms().first()?;
            (alarm.state_value() == Some(&StateValue::Alarm))
                .then(|| alarm.state_reason().unwrap_or_default().to_owned())
        },
    )
    .await;
    assert!(state.starts_with("Threshold Crossed"), "{state}");
}
