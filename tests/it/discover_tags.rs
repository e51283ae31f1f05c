//! A stack found by its tag (`--tag KEY=VALUE`, as Terraform's `default_tags` or CloudFormation's
//! `aws:cloudformation:stack-name` tag it) through the Tagging API's GetResources against moto,
//! with no SSM parameter: `status` fills every part from it; and the dashboard itself, in tmux,
//! fills its panels from `--cluster/--service` alone, and `:service NAME` moves it to another.

use super::kit::stackdeck;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use devstack::testenv::TestEnv;
use devstack::testkit::command::shell_line;
use devstack::testkit::foreign;
use devstack::testkit::parts::register;
use devstack::testkit::stack::{Revision, Stack};
use devstack::testkit::tmux::Tmux;

async fn foreign_stack(env: &TestEnv, prefix: &str) -> Stack {
    foreign::builder(prefix)
        .build(&env.sdk_config().await)
        .await
        .expect("build the stack")
}

/// Tag the cluster, the service, the work queue and a new alarm `<name>-tagged` with
/// `team=<name>`; an untagged alarm of the same prefix stays out.
async fn tag(sdk: &aws_config::SdkConfig, stack: &Stack) {
    let tag = ("team", stack.name.as_str());
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let described = ecs
        .describe_services()
        .cluster(&stack.cluster)
        .services(&stack.service)
        .send()
        .await
        .expect("DescribeServices");
    let service = &described.services()[0];
    for arn in [service.cluster_arn(), service.service_arn()] {
        let t = aws_sdk_ecs::types::Tag::builder()
            .key(tag.0)
            .value(tag.1)
            .build();
        ecs.tag_resource()
            .resource_arn(arn.expect("ARN"))
            .tags(t)
            .send()
            .await
            .expect("ecs TagResource");
    }
    aws_sdk_sqs::Client::new(sdk)
        .tag_queue()
        .queue_url(&stack.queue_url)
        .tags(tag.0, tag.1)
        .send()
        .await
        .expect("TagQueue");
    let cw = aws_sdk_cloudwatch::Client::new(sdk);
    for (alarm, tagged) in [("tagged", true), ("untagged", false)] {
        let t = aws_sdk_cloudwatch::types::Tag::builder()
            .key(tag.0)
            .value(tag.1)
            .build();
        cw.put_metric_alarm()
            .alarm_name(format!("{}-{alarm}", stack.name))
            .namespace("Custom")
            .metric_name("Errors")
            .statistic(Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .set_tags(tagged.then(|| vec![t]))
            .send()
            .await
            .expect("PutMetricAlarm");
    }
}

#[tokio::test]
async fn a_tag_finds_the_stack_and_status_fills_from_it() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let stack = foreign_stack(env, "tagged").await;
    tag(&sdk, &stack).await;
    let out = stackdeck(&env.aws_endpoint())
        .args(["--tag", &format!("team={}", stack.name)])
        .args(["status", "--format", "json"])
        .output()
        .expect("run stackdeck");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("status: {}", String::from_utf8_lossy(&out.stderr)));
    let snapshot = &json["snapshot"];
    assert_eq!(
        snapshot["service"]["Ok"]["service"],
        stack.service.as_str(),
        "{json}"
    );
    let queue = &snapshot["queue"]["Ok"];
    assert_eq!(queue["name"], format!("{}-work", stack.name), "{json}");
    assert_eq!(queue["dlq_name"], format!("{}-dlq", stack.name), "{json}");
    let alarms: Vec<&str> = snapshot["alarms"]["Ok"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(alarms, [format!("{}-tagged", stack.name)], "{json}");

    // The dashboard from the same tag: every panel fills.
    let mut cmd = stackdeck(&env.aws_endpoint());
    cmd.args(["--tag", &format!("team={}", stack.name)]);
    let tmux = Tmux::start(&shell_line(&cmd), 120, 40);
    let screen = tmux.wait_for(&format!("{}-dlq", stack.name)).await;
    for part in [
        stack.service.clone(),
        format!("{}-work", stack.name),
        format!("{}-tagged", stack.name),
        format!("/ecs/{}", stack.name),
    ] {
        assert!(screen.contains(&part), "{part} missing:\n{screen}");
    }
    tmux.keys(&["q"]);

    // A tag nothing carries: one line naming the tag and how to check it; exit 2.
    let none = stackdeck(&env.aws_endpoint())
        .args(["--tag", "team=nobody-has-this", "status"])
        .output()
        .expect("run stackdeck");
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert_eq!(none.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("tagged team=nobody-has-this") && stderr.contains("get-resources"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_dashboard_fills_its_panels_from_cluster_and_service() {
    let env = TestEnv::shared().await;
    let stack = foreign_stack(env, "tuidisc").await;
    let mut cmd = stackdeck(&env.aws_endpoint());
    cmd.args(["--cluster", &stack.cluster, "--service", &stack.service]);
    let tmux = Tmux::start(&shell_line(&cmd), 120, 40);
    let screen = tmux.wait_for(&format!("{}-dlq", stack.name)).await;
    for part in [
        stack.service.clone(),
        format!("{}-work", stack.name),
        format!("/ecs/{}", stack.name),
    ] {
        assert!(screen.contains(&part), "{part} missing:\n{screen}");
    }
    assert!(!screen.contains("no parameters under"), "{screen}");

    // `:service NAME` opens another service of the same cluster, found the same way.
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let worker = format!("{}-worker", stack.name);
    let definition = register(&ecs, &worker, &Revision::image("w:1"))
        .await
        .expect("RegisterTaskDefinition");
    ecs.create_service()
        .cluster(&stack.cluster)
        .service_name(&worker)
        .task_definition(&definition)
        .desired_count(0)
        .send()
        .await
        .expect("CreateService");
    tmux.keys(&[":"]);
    tmux.keys(&[&format!("service {worker}")]);
    tmux.keys(&["Enter"]);
    let screen = tmux
        .wait_for(&format!("{worker} ({})", stack.cluster))
        .await;
    let header = screen
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        header.contains(&worker),
        "the stack is named after it:\n{screen}"
    );
    tmux.keys(&["q"]);
}
