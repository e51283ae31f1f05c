//! `devstack drill`: the list, the stall-worker drill's deployment, and the poison drill's
//! refusal of a queue without a DLQ (the drills end to end, with courier behind the agent and
//! stackdeck reading the signal, are stackdeck's `tests/it/drills/`).

use devstack::testenv::TestEnv;
use devstack::testkit::command::{aws_command, output_text};
use devstack::testkit::stack::{Revision, StackBuilder};

/// `devstack args…` against `env`'s moto, off the test's runtime.
async fn devstack(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut cmd = aws_command(env!("CARGO_BIN_EXE_devstack"), &env.aws_endpoint());
    cmd.args(args)
        .env_remove("STACKDECK_STACK")
        .env_remove("COURIER_URL");
    tokio::task::spawn_blocking(move || cmd.output().expect("run devstack"))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_list_names_every_drill_with_what_to_look_at_and_how_to_recover() {
    let env = TestEnv::shared().await;
    let out = devstack(env, &["drill", "--list"]).await;
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    for name in [
        "stall-worker",
        "bad-deploy",
        "poison",
        "slow-db",
        "errors",
        "task-kill",
    ] {
        let block = text
            .split_once(&format!("{name}\n"))
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
            .1;
        let lines: Vec<&str> = block.lines().take(3).collect();
        assert!(lines[0].starts_with("  fault: "), "{name}: {lines:?}");
        assert!(lines[1].starts_with("  look at: "), "{name}: {lines:?}");
        assert!(lines[2].starts_with("  recover: "), "{name}: {lines:?}");
    }
    let out = devstack(env, &["drill"]).await;
    assert!(!out.status.success(), "a drill or --list is required");
}

#[tokio::test]
async fn stall_worker_deploys_the_running_revision_without_the_worker_then_sends_traffic() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    // The local stack's names: `devstack drill` drills courier-local by default.
    let stack = StackBuilder::named(devstack::STACK_NAME)
        .revision(
            Revision::image("courier:1")
                .memory(512)
                .env("COURIER_ROLE", "all")
                .env("COURIER_PORT", "5678"),
        )
        .service(1)
        .build(&sdk)
        .await
        .unwrap();

    // Nothing answers at the URL: the incident is deployed all the same, then its traffic says
    // why it cannot run.
    let free = devstack::ports::free_port().unwrap();
    let out = devstack(
        env,
        &[
            "drill",
            "stall-worker",
            "--seconds",
            "1",
            "--url",
            &format!("http://127.0.0.1:{free}"),
        ],
    )
    .await;
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("stall-worker: deployed courier-local-courier:2"),
        "{text}"
    );
    assert!(text.contains("nothing answers GET /healthz at"), "{text}");

    let task_definition = stack
        .describe_service()
        .await
        .task_definition()
        .unwrap()
        .to_owned();
    assert!(
        task_definition.ends_with("courier-local-courier:2"),
        "{task_definition}"
    );
    let described = ecs
        .describe_task_definition()
        .task_definition(&task_definition)
        .send()
        .await
        .unwrap();
    let container = &described.task_definition().unwrap().container_definitions()[0];
    let env: Vec<(&str, &str)> = container
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?, kv.value()?)))
        .collect();
    assert!(env.contains(&("COURIER_ROLE", "api")), "{env:?}");
    assert!(
        env.contains(&("COURIER_PORT", "5678")),
        "the rest of the environment is kept: {env:?}"
    );
    assert!(!env.contains(&("COURIER_ROLE", "all")));
    assert_eq!(container.image(), Some("courier:1"));
}

#[tokio::test]
async fn poison_refuses_a_queue_without_a_redrive_policy_before_publishing_anything() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let stack = devstack::testenv::unique_name("poison");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let (queue_url, _) = devstack::testkit::stack::create_queue(&sqs, &stack, &[])
        .await
        .unwrap();
    let topic = format!("arn:aws:sns:us-east-1:123456789012:{stack}");
    devstack::testkit::stack::publish(
        &aws_sdk_ssm::Client::new(&sdk),
        &stack,
        [
            ("queue_url", queue_url.as_str()),
            ("topic_arn", topic.as_str()),
        ],
    )
    .await;
    let out = devstack(env, &["drill", "poison", "--stack", &stack]).await;
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "queue {queue_url} has no redrive policy with a maxReceiveCount"
        )),
        "{text}"
    );
    assert!(!text.contains("published"), "nothing published: {text}");
}
