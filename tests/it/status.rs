//! `stackdeck status` against moto: the exit code is the verdict (0 healthy, 1 degraded, 2 error)
//! and `--format json` carries the same snapshot.

use super::kit::{stackdeck, text};
use aws_sdk_cloudwatch::types::StateValue;
use devstack::testenv::TestEnv;
use devstack::testkit::stack::{Alarm, Revision, Stack, StackBuilder};
use std::process::Output;

/// A stack on plain moto with an alarm in OK; `desired`: None for no service at all. Plain moto
/// runs no tasks: 0 of 0 is healthy and complete; 1 of 1 never completes.
async fn stack(env: &TestEnv, desired: Option<i32>) -> Stack {
    let mut builder = StackBuilder::new("status")
        .queues()
        .alarm(Alarm::new("queue-depth").ok("quiet"));
    if let Some(desired) = desired {
        builder = builder
            .revision(Revision::image("courier:1"))
            .service(desired);
    }
    builder.build(&env.sdk_config().await).await.unwrap()
}

fn status(env: &TestEnv, stack: &str, args: &[&str]) -> Output {
    stackdeck(&env.aws_endpoint())
        .args(["--stack", stack, "status"])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn healthy_then_degraded_by_an_alarm_and_the_dlq() {
    let env = TestEnv::shared().await;
    let s = stack(env, Some(0)).await;
    let out = status(env, &s.name, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("healthy"));
    assert!(text(&out).contains(&s.alarms[0]));

    let sdk = env.sdk_config().await;
    aws_sdk_cloudwatch::Client::new(&sdk)
        .set_alarm_state()
        .alarm_name(&s.alarms[0])
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
