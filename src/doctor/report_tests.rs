use super::*;
use crate::aws::error::AwsError;

fn failed(on: &str, kind: AwsErrorKind, message: &str) -> Option<Outcome> {
    let e = AwsError {
        kind,
        message: message.into(),
    };
    Some(Outcome::Failed(on.into(), e))
}

#[test]
fn a_message_splits_into_the_cause_and_the_fix_at_its_last_clause() {
    assert_eq!(
        split_fix("no region for profile p (see a; b); pass --region; or set AWS_REGION"),
        (
            "no region for profile p (see a; b); pass --region".into(),
            Some("or set AWS_REGION".into())
        )
    );
    assert_eq!(split_fix("plain"), ("plain".into(), None));
}

#[test]
fn access_denied_is_a_failure_that_names_the_iam_action() {
    let row = read_row(
        "ecs:DescribeServices",
        failed(
            "service api in cluster prod",
            AwsErrorKind::AccessDenied,
            "DescribeServices on service api in cluster prod: access denied …",
        ),
    );
    assert_eq!(row.result, Mark::Fail);
    assert_eq!(row.detail, "access denied (service api in cluster prod)");
    assert_eq!(
        row.fix.as_deref(),
        Some(
            "needs IAM action ecs:DescribeServices: add it to the caller's policy (the read-only \
             policy of stackdeck's operator module has it)"
        )
    );
}

#[test]
fn not_found_means_the_permission_holds() {
    let asked = read_row(
        "sqs:GetQueueAttributes",
        failed(
            &format!("queue {NO_SUCH}"),
            AwsErrorKind::NotFound,
            "GetQueueAttributes: queue not found",
        ),
    );
    assert_eq!(asked.result, Mark::Pass);
    assert!(
        asked.detail.contains("only the permission counts"),
        "{asked:?}"
    );
    let named = read_row(
        "ecs:DescribeServices",
        failed(
            "service api in cluster prod",
            AwsErrorKind::NotFound,
            "DescribeServices: not found",
        ),
    );
    assert_eq!(named.result, Mark::Pass);
    assert_eq!(
        named.detail,
        "allowed, but service api in cluster prod was not found: check the stack's resources"
    );
}

#[test]
fn other_failures_keep_their_message_and_fix_and_skips_do_not_fail() {
    let row = read_row(
        "rds:DescribeDBInstances",
        failed(
            "DB instance db",
            AwsErrorKind::Unreachable,
            "DescribeDBInstances on DB instance db: the AWS endpoint did not answer (Connection \
             refused (os error 111)); check the network, --region and --endpoint-url",
        ),
    );
    assert_eq!(row.result, Mark::Fail);
    assert_eq!(
        row.fix.as_deref(),
        Some("check the network, --region and --endpoint-url")
    );
    let rows = vec![
        read_row(
            "logs:StartLiveTail",
            Some(Outcome::NotTried("local".into())),
        ),
        read_row("x:Unknown", None),
        read_row(
            "ssm:GetParametersByPath",
            Some(Outcome::Answered("/stackdeck/".into())),
        ),
    ];
    assert_eq!(
        rows.iter().map(|r| r.result).collect::<Vec<_>>(),
        [Mark::Skip, Mark::Skip, Mark::Pass]
    );
    assert_eq!(exit_code(&rows), 0);
    assert_eq!(exit_code(&[row]), 1);
}

fn sample() -> Vec<Row> {
    vec![
        Row::pass("profile", "oncall, in /home/alice/.aws/config"),
        Row::fail(
            "credentials",
            "the SSO session of profile oncall is missing or expired (no cached token at \
             /home/alice/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json); run `aws \
             sso login --profile oncall`, then try again",
        ),
        Row::pass("region", "eu-west-1, from profile oncall"),
        Row::skip("identity", "needs credentials and a region"),
        read_row(
            "elasticloadbalancing:DescribeTargetHealth",
            failed(
                "target group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef",
                AwsErrorKind::AccessDenied,
                "denied",
            ),
        ),
    ]
}

#[test]
fn the_text_report_fits_80_columns() {
    let text = text(
        "stackdeck doctor: profile oncall, region eu-west-1",
        &sample(),
    );
    for line in text.lines() {
        assert!(line.chars().count() <= WIDTH, "{line:?} is too wide");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn the_json_report_carries_every_row() {
    let json = json(serde_json::json!({"profile": "oncall"}), &sample());
    assert_eq!(json["ok"], false);
    assert_eq!(json["summary"], "2 of 4 checks failed, 1 not tried");
    assert_eq!(json["checks"][1]["result"], "fail");
    assert_eq!(
        json["checks"][1]["fix"],
        "run `aws sso login --profile oncall`, then try again"
    );
    assert!(json["checks"][0].get("fix").is_none());
}

#[test]
fn the_doctor_tries_every_read_stackdeck_makes() {
    let reads = crate::doctor::reads();
    for action in &reads {
        assert!(
            crate::aws::probe::PROBED.contains(action),
            "stackdeck reads with {action} but the doctor has no probe for it (aws/probe.rs)"
        );
    }
    let mut doctor: Vec<&str> = vec!["sts:GetCallerIdentity"];
    doctor.extend(&reads);
    doctor.sort();
    let mut table = crate::aws::permissions::DOCTOR.to_vec();
    table.sort();
    assert_eq!(table, doctor, "permissions::DOCTOR is the doctor's calls");
}
