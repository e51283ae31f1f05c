//! `stackdeck doctor` against moto: a stack whose every part answers is all ✓ and exit 0; a stack
//! with no parameters, or no region, is ✗ with the fix and exit 1. (moto enforces no IAM: the
//! access-denied row is a unit test of the classification, in `src/doctor/report_tests.rs`.)

use super::kit::{stackdeck, text};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::stack::{Alarm, Revision, StackBuilder};
use stackdeck::aws::permissions::DOCTOR;
use std::process::Output;

/// `stackdeck --stack STACK doctor [--format json]`.
fn doctor(env: &TestEnv, stack: &str, json: bool) -> Output {
    let format: &[&str] = if json { &["--format", "json"] } else { &[] };
    stackdeck(&env.aws_endpoint())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .args(["--stack", stack, "doctor"])
        .args(format)
        .output()
        .unwrap()
}

fn checks(out: &Output) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)));
    json["checks"].as_array().unwrap().clone()
}

fn row<'a>(checks: &'a [serde_json::Value], check: &str) -> &'a serde_json::Value {
    checks
        .iter()
        .find(|c| c["check"] == check)
        .unwrap_or_else(|| panic!("no {check} row in {checks:?}"))
}

#[tokio::test]
async fn a_stack_that_answers_everything_is_all_passed() {
    let env = TestEnv::shared().await;
    let s = StackBuilder::new("doctor")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .log_group()
        .alarm(Alarm::new("queue-depth"))
        .build(&env.sdk_config().await)
        .await
        .unwrap();

    let out = doctor(env, &s.name, false);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(!shown.contains('✗'), "{shown}");
    assert!(
        shown.contains("all 19 checks passed, 1 not tried"),
        "{shown}"
    );
    for line in shown.lines() {
        assert!(
            line.chars().count() <= 80,
            "{line:?} is wider than 80 columns"
        );
    }

    let out = doctor(env, &s.name, true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let checks = checks(&out);
    assert_eq!(
        row(&checks, "identity")["detail"],
        "account 123456789012, arn:aws:sts::123456789012:user/moto"
    );
    assert!(
        row(&checks, "discovery")["detail"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "stack {}: 7 parameters under /stackdeck/{}/",
                s.name, s.name
            )),
        "{checks:?}"
    );
    // Every read stackdeck makes has its row, tried on the stack's own resources.
    for action in DOCTOR.iter().filter(|a| **a != "sts:GetCallerIdentity") {
        let r = row(&checks, action);
        let expected = if *action == "logs:StartLiveTail" {
            "skip"
        } else {
            "pass"
        };
        assert_eq!(r["result"], expected, "{r}");
    }
    assert_eq!(
        row(&checks, "ecs:DescribeServices")["detail"],
        format!("allowed (service {} in cluster {})", s.service, s.cluster)
    );
    assert_eq!(
        row(&checks, "sqs:GetQueueAttributes")["detail"],
        format!("allowed (queue {}-work)", s.name)
    );
    assert_eq!(
        row(&checks, "logs:FilterLogEvents")["detail"],
        format!("allowed (log group {})", s.log_group)
    );
}

#[tokio::test]
async fn a_stack_without_parameters_fails_discovery_with_the_fix() {
    let env = TestEnv::shared().await;
    let stack = unique_name("no-params").replace('_', "-");
    let out = doctor(env, &stack, false);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("✗ discovery"), "{shown}");
    assert!(
        shown.contains("1 of 19 checks failed, 1 not tried"),
        "{shown}"
    );

    let out = doctor(env, &stack, true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let checks = checks(&out);
    let discovery = row(&checks, "discovery");
    assert_eq!(discovery["result"], "fail");
    assert_eq!(
        discovery["detail"],
        format!("stack {stack}: no parameters under /stackdeck/{stack}/ (profile default)")
    );
    assert!(
        discovery["fix"]
            .as_str()
            .unwrap()
            .starts_with("check --stack and --region"),
        "{discovery}"
    );
    // The reads are still tried, on names no resource has.
    assert_eq!(row(&checks, "ecs:DescribeServices")["result"], "pass");
}

#[tokio::test]
async fn no_region_fails_and_skips_every_call() {
    let env = TestEnv::shared().await;
    let home = tempfile::tempdir().unwrap();
    let out = stackdeck(&env.aws_endpoint())
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .args(["doctor", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let checks = checks(&out);
    let region = row(&checks, "region");
    assert_eq!(region["result"], "fail");
    assert_eq!(region["detail"], "no region for profile default: pass --region, set AWS_REGION, or add region to profile default in ".to_owned() + &home.path().join("config").display().to_string());
    assert_eq!(row(&checks, "credentials")["result"], "pass");
    assert_eq!(row(&checks, "identity")["result"], "skip");
    assert_eq!(row(&checks, "reads")["result"], "skip");
}

/// Every probe the doctor has — those of today's reads and those ready for discovery from the
/// AWS API — is answered by moto, on a stack's resources and on none.
#[tokio::test]
async fn every_probe_is_answered_on_a_stack_and_on_no_stack() {
    use stackdeck::aws::probe::{try_action, Aim, PROBED};
    use stackdeck::doctor::{read_row, Mark};
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let s = StackBuilder::new("probes")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .log_group()
        .build(&sdk)
        .await
        .unwrap();
    let found = stackdeck::aws::ssm::Discovery::new(&sdk, "default".into())
        .stack(&s.name)
        .await
        .unwrap();
    for resources in [found, Default::default()] {
        let aim = Aim {
            resources: &resources,
            account: "123456789012",
            region: devstack::REGION,
            profile: "default",
            no_live_tail: Some("the endpoint is local"),
        };
        for action in PROBED {
            let outcome = try_action(&sdk, action, &aim).await;
            let row = read_row(action, outcome);
            let expected = if *action == "logs:StartLiveTail" {
                Mark::Skip
            } else {
                Mark::Pass
            };
            assert_eq!(
                row.result, expected,
                "{action} on {:?}: {row:?}",
                resources.stack
            );
        }
    }
}
