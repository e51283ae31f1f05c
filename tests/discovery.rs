//! Stack discovery through SSM against moto: `stackdeck discover` and `stackdeck stacks` read
//! what Terraform's discovery module writes, and say clearly what is missing.

use aws_sdk_ssm::types::ParameterType;
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::model::stack::DISCOVERY_KEYS;
use std::process::{Command, Output};

fn stackdeck(env: &TestEnv, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdeck"))
        .args(args)
        .env("AWS_ENDPOINT_URL", env.aws_endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("STACKDECK_STACK")
        .output()
        .expect("run stackdeck")
}

async fn put(ssm: &aws_sdk_ssm::Client, name: &str, value: &str) {
    ssm.put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::String)
        .send()
        .await
        .expect("PutParameter");
}

#[tokio::test]
async fn discover_prints_every_parameter_of_the_stack_across_pages() {
    let env = TestEnv::shared().await;
    let ssm = aws_sdk_ssm::Client::new(&env.sdk_config().await);
    let stack = unique_name("stack").replace('_', "-");
    for key in DISCOVERY_KEYS {
        put(
            &ssm,
            &format!("/stackdeck/{stack}/{key}"),
            &format!("{key}-value"),
        )
        .await;
    }
    // GetParametersByPath returns at most 10 per page: 12 keys need two pages.
    let out = stackdeck(env, &["--stack", &stack, "discover", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in DISCOVERY_KEYS {
        assert_eq!(json["values"][key], format!("{key}-value"), "key {key}");
    }
    assert!(
        out.stderr.is_empty(),
        "nothing missing: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let stacks = stackdeck(env, &["stacks"]);
    assert!(stacks.status.success());
    assert!(String::from_utf8_lossy(&stacks.stdout)
        .lines()
        .any(|l| l == stack));
}

#[tokio::test]
async fn a_half_built_stack_names_what_is_missing() {
    let env = TestEnv::shared().await;
    let ssm = aws_sdk_ssm::Client::new(&env.sdk_config().await);
    let stack = unique_name("half").replace('_', "-");
    put(&ssm, &format!("/stackdeck/{stack}/cluster"), "c1").await;
    let out = stackdeck(env, &["--stack", &stack, "discover"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cluster") && stdout.contains("c1"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("stack {stack} lacks 11")),
        "{stderr}"
    );
    assert!(stderr.contains("queue_url"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_stack_is_a_clear_error() {
    let env = TestEnv::shared().await;
    let out = stackdeck(env, &["--stack", "no-such-stack", "discover"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/stackdeck/no-such-stack/"), "{stderr}");
    assert!(stderr.contains("stackdeck stacks"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_endpoint_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_stackdeck"))
        .args([
            "--stack",
            "x",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "discover",
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did not answer"), "{stderr}");
    assert!(stderr.contains("--endpoint-url"), "{stderr}");
}
