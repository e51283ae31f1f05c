//! `stackdeck status` against moto: the exit code is the verdict (0 healthy, 1 degraded, 2 error)
//! and `--format json` carries the same snapshot.

mod common;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use devstack::testenv::{unique_name, TestEnv};
use std::process::{Command, Output};

struct Stack {
    name: String,
    dlq_url: String,
    alarm: String,
}

/// `desired`: None for no service at all.
async fn stack(env: &TestEnv, desired: Option<i32>) -> Stack {
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let name = unique_name("status").replace('_', "-");
    let mut params = vec![];
    if let Some(desired) = desired {
        let cluster = format!("{name}-cluster");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        ecs.register_task_definition()
            .family(&name)
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("courier")
                    .image("courier:1")
                    .memory(256)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        // Plain moto runs no tasks: 0 of 0 is healthy and complete; 1 of 1 never completes.
        ecs.create_service()
            .cluster(&cluster)
            .service_name(&name)
            .task_definition(format!("{name}:1"))
            .desired_count(desired)
            .send()
            .await
            .unwrap();
        params.push(("cluster", cluster));
        params.push(("service", name.clone()));
    }
    let queue = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .send()
        .await
        .unwrap();
    let dlq = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap();
    let alarm = format!("{name}-queue-depth");
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(10)
        .threshold(100.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    cw.set_alarm_state()
        .alarm_name(&alarm)
        .state_value(StateValue::Ok)
        .state_reason("quiet")
        .send()
        .await
        .unwrap();
    params.push(("queue_url", queue.queue_url().unwrap().to_owned()));
    params.push(("dlq_url", dlq.queue_url().unwrap().to_owned()));
    params.push(("alarm_prefix", format!("{name}-")));
    common::publish(&ssm, &name, params).await;
    Stack {
        name,
        dlq_url: dlq.queue_url().unwrap().to_owned(),
        alarm,
    }
}

fn status(env: &TestEnv, stack: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdeck"))
        .args(["--stack", stack, "status"])
        .args(args)
        .env("AWS_ENDPOINT_URL", env.aws_endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn healthy_then_degraded_by_an_alarm_and_the_dlq() {
    let env = TestEnv::shared().await;
    let s = stack(env, Some(0)).await;
    let out = status(env, &s.name, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("healthy"));
    assert!(text(&out).contains(&s.alarm));

    let sdk = env.sdk_config().await;
    aws_sdk_cloudwatch::Client::new(&sdk)
        .set_alarm_state()
        .alarm_name(&s.alarm)
        .state_value(StateValue::Alarm)
        .state_reason("depth above 100")
        .send()
        .await
        .unwrap();
    aws_sdk_sqs::Client::new(&sdk)
        .send_message()
        .queue_url(&s.dlq_url)
        .message_body("poison")
        .send()
        .await
        .unwrap();

    let out = status(env, &s.name, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = json["verdict"]["Degraded"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("is in ALARM")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("holds 1 message")),
        "{reasons:?}"
    );
    assert_eq!(
        json["snapshot"]["alarms"]["Ok"][0]["state"], "ALARM",
        "ALARM sorts first"
    );
}

#[tokio::test]
async fn a_source_that_cannot_be_read_is_an_error() {
    let env = TestEnv::shared().await;
    let s = stack(env, None).await;
    let out = status(env, &s.name, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no `cluster` discovery parameter"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn wait_stable_times_out_clearly_on_a_deployment_that_never_completes() {
    // Plain moto leaves every deployment IN_PROGRESS: the wait must end at its timeout.
    let env = TestEnv::shared().await;
    let s = stack(env, Some(1)).await;
    let out = status(env, &s.name, &["--wait-stable", "--timeout", "3s"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("did not become stable within 3 s"),
        "{}",
        text(&out)
    );
}
