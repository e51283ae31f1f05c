//! Stack discovery through SSM against moto: `stackdeck discover` and `stackdeck stacks` read
//! what Terraform's discovery module writes, and say clearly what is missing.

use super::kit::stackdeck;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::stack::publish;
use stackdeck::model::stack::DISCOVERY_KEYS;
use std::process::Output;

fn run(env: &TestEnv, args: &[&str]) -> Output {
    stackdeck(&env.aws_endpoint())
        .args(args)
        .output()
        .expect("run stackdeck")
}

#[tokio::test]
async fn discover_prints_every_parameter_of_the_stack_across_pages() {
    let env = TestEnv::shared().await;
    let ssm = aws_sdk_ssm::Client::new(&env.sdk_config().await);
    let stack = unique_name("stack").replace('_', "-");
    publish(
        &ssm,
        &stack,
        DISCOVERY_KEYS
            .iter()
            .map(|key| (key, format!("{key}-value"))),
    )
    .await;
    // GetParametersByPath returns at most 10 per page: 12 keys need two pages.
    let out = run(env, &["--stack", &stack, "discover", "--format", "json"]);
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

    let stacks = run(env, &["stacks"]);
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
    publish(&ssm, &stack, [("cluster", "c1")]).await;
    let out = run(env, &["--stack", &stack, "discover"]);
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
    let out = run(env, &["--stack", "no-such-stack", "discover"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/stackdeck/no-such-stack/"), "{stderr}");
    assert!(stderr.contains("stackdeck stacks"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_endpoint_says_so() {
    // The endpoint from the flag alone.
    let out = stackdeck("http://127.0.0.1:9")
        .env_remove("AWS_ENDPOINT_URL")
        .args([
            "--stack",
            "x",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "discover",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did not answer"), "{stderr}");
    assert!(stderr.contains("--endpoint-url"), "{stderr}");
}

/// An SSO profile whose session was never started (or has expired) is named as such, with the
/// command that fixes it, not as an endpoint that did not answer — even when the endpoint is up.
#[tokio::test]
async fn an_sso_profile_without_a_session_says_aws_sso_login() {
    let env = TestEnv::shared().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::write(
        &config,
        "[profile oncall]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n",
    )
    .unwrap();
    let out = stackdeck(&env.aws_endpoint())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_PROFILE", "oncall")
        .args(["--stack", "courier-local", "status"])
        .output()
        .expect("run stackdeck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the SSO session of profile oncall is missing or expired")
            && stderr.contains("`aws sso login --profile oncall`"),
        "{stderr}"
    );
    assert!(!stderr.contains("check the network"), "{stderr}");
}
