//! The scriptable mutations against moto: each verified with a separate SDK client, each refused
//! in read-only mode and without --yes off a terminal, and each attempt audited.

mod common;

use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair};
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::ops::audit::Record;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A stack created through the SDK: ECS cluster + service on revision 3 of a family whose
/// revisions differ in one env var, a work queue and a DLQ, and the discovery parameters.
struct Stack {
    name: String,
    cluster: String,
    service: String,
    family: String,
    queue_url: String,
    dlq_url: String,
    state: tempfile::TempDir,
}

async fn stack(env: &TestEnv) -> Stack {
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let name = unique_name("ops").replace('_', "-");
    let cluster = format!("{name}-cluster");
    let family = format!("{name}-courier");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    for revision in 1..=3 {
        ecs.register_task_definition()
            .family(&family)
            .container_definitions(
                ContainerDefinition::builder()
                    .name("courier")
                    .image(format!("courier:{revision}"))
                    .memory(512)
                    .environment(
                        KeyValuePair::builder()
                            .name("REVISION")
                            .value(revision.to_string())
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let service = format!("{name}-svc");
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(format!("{family}:3"))
        .desired_count(1)
        .send()
        .await
        .unwrap();
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    common::publish(
        &ssm,
        &name,
        [
            ("cluster", cluster.as_str()),
            ("service", service.as_str()),
            ("task_family", family.as_str()),
            ("queue_url", queue_url.as_str()),
            ("dlq_url", dlq_url.as_str()),
        ],
    )
    .await;
    Stack {
        name,
        cluster,
        service,
        family,
        queue_url,
        dlq_url,
        state: tempfile::tempdir().unwrap(),
    }
}

impl Stack {
    fn stackdeck(&self, env: &TestEnv, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_stackdeck"))
            .args(["--stack", &self.name])
            .args(args)
            .env("AWS_ENDPOINT_URL", env.aws_endpoint())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("XDG_STATE_HOME", self.state.path())
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .output()
            .expect("run stackdeck")
    }

    fn audit(&self) -> Vec<Record> {
        let path = self.state.path().join("stackdeck/audit.jsonl");
        if !Path::new(&path).exists() {
            return Vec::new();
        }
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    async fn service_state(&self, env: &TestEnv) -> (String, Vec<String>) {
        let ecs = aws_sdk_ecs::Client::new(&env.sdk_config().await);
        let out = ecs
            .describe_services()
            .cluster(&self.cluster)
            .services(&self.service)
            .send()
            .await
            .unwrap();
        let svc = &out.services()[0];
        (
            svc.task_definition().unwrap_or_default().to_owned(),
            svc.deployments()
                .iter()
                .filter_map(|d| d.id().map(str::to_owned))
                .collect(),
        )
    }

    async fn send_messages(&self, env: &TestEnv, url: &str, n: usize) {
        let sqs = aws_sdk_sqs::Client::new(&env.sdk_config().await);
        for i in 0..n {
            sqs.send_message()
                .queue_url(url)
                .message_body(format!("m{i}"))
                .send()
                .await
                .unwrap();
        }
    }

    async fn depth(&self, env: &TestEnv, url: &str) -> i64 {
        let sqs = aws_sdk_sqs::Client::new(&env.sdk_config().await);
        let out = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        out.attributes()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn redeploy_starts_a_new_deployment_and_is_audited() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let (_, before) = s.service_state(env).await;
    let out = s.stackdeck(env, &["redeploy", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("started deployment"), "{}", text(&out));
    let (_, after) = s.service_state(env).await;
    assert!(
        after.iter().any(|id| !before.contains(id)),
        "a new deployment: before {before:?}, after {after:?}"
    );
    let audit = s.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].result.as_str()),
        ("redeploy", "ok")
    );
    assert_eq!(audit[0].target, format!("{}/{}", s.cluster, s.service));
    assert_eq!(audit[0].stack, s.name);
    assert!(!audit[0].user.is_empty());
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_is_reported_not_swallowed() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    // The state directory is a file: the audit log's directory cannot be created.
    std::fs::remove_dir_all(s.state.path()).unwrap();
    std::fs::write(s.state.path(), "not a directory").unwrap();
    let out = s.stackdeck(env, &["redeploy", "--yes"]);
    std::fs::remove_file(s.state.path()).unwrap();
    std::fs::create_dir(s.state.path()).unwrap();
    assert!(
        out.status.success(),
        "the redeploy itself worked: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("could not write the audit log"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn rollback_moves_the_service_to_the_chosen_revision_and_shows_the_diff() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let out = s.stackdeck(env, &["rollback", "--to", "1", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("courier image: courier:3 → courier:1"),
        "{shown}"
    );
    assert!(shown.contains("courier env REVISION: 3 → 1"), "{shown}");
    let (task_definition, _) = s.service_state(env).await;
    assert!(
        task_definition.ends_with(&format!("{}:1", s.family)),
        "{task_definition}"
    );
    let audit = s.audit();
    assert_eq!(
        audit[0].parameters["task_definition"]
            .as_str()
            .map(|t| t.ends_with(":1")),
        Some(true)
    );
}

#[tokio::test]
async fn rollback_without_deployment_history_goes_to_the_previous_revision_and_says_why() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let out = s.stackdeck(env, &["rollback", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no deployment history"),
        "{}",
        text(&out)
    );
    let (task_definition, _) = s.service_state(env).await;
    assert!(task_definition.ends_with(":2"), "{task_definition}");
}

#[tokio::test]
async fn purge_empties_the_queue_and_a_second_one_within_60_s_is_refused_before_calling() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    s.send_messages(env, &s.queue_url, 5).await;
    let out = s.stackdeck(env, &["purge", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(s.depth(env, &s.queue_url).await, 0);

    // Refill: if the second purge reached SQS, these would go.
    s.send_messages(env, &s.queue_url, 3).await;
    let again = s.stackdeck(env, &["purge", "--yes"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let shown = text(&again);
    assert!(
        shown.contains("purged less than 60 s ago") && shown.contains("try again in"),
        "{shown}"
    );
    assert_eq!(
        s.depth(env, &s.queue_url).await,
        3,
        "the refused purge must not be sent"
    );

    // The DLQ is another queue: its clock is its own.
    s.send_messages(env, &s.dlq_url, 2).await;
    let dlq = s.stackdeck(env, &["purge", "--dlq", "--yes"]);
    assert!(dlq.status.success(), "{}", text(&dlq));
    assert_eq!(s.depth(env, &s.dlq_url).await, 0);

    let results: Vec<(String, String)> = s
        .audit()
        .into_iter()
        .map(|r| (r.action, r.result))
        .collect();
    assert_eq!(
        results,
        vec![
            ("purge".into(), "ok".into()),
            ("purge".into(), "refused".into()),
            ("purge".into(), "ok".into())
        ]
    );
}

#[tokio::test]
async fn read_only_refuses_every_mutation_and_sends_nothing() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    s.send_messages(env, &s.queue_url, 2).await;
    let before = s.service_state(env).await;
    for args in [
        &["--read-only", "redeploy", "--yes"][..],
        &["--read-only", "rollback", "--to", "1", "--yes"],
        &["--read-only", "purge", "--yes"],
        &["--read-only", "redrive", "--yes"],
    ] {
        let out = s.stackdeck(env, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("read-only"), "{}", text(&out));
    }
    assert_eq!(
        s.service_state(env).await,
        before,
        "the service must be untouched"
    );
    assert_eq!(
        s.depth(env, &s.queue_url).await,
        2,
        "the queue must be untouched"
    );
    let audit = s.audit();
    assert_eq!(audit.len(), 4);
    assert!(audit.iter().all(|r| r.result == "refused"));
}

#[tokio::test]
async fn without_yes_and_without_a_terminal_nothing_happens() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    s.send_messages(env, &s.queue_url, 1).await;
    let out = s.stackdeck(env, &["purge"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("without --yes"), "{}", text(&out));
    assert_eq!(s.depth(env, &s.queue_url).await, 1);
    assert_eq!(s.audit()[0].result, "refused");
}

#[tokio::test]
async fn redrive_on_an_endpoint_without_move_tasks_fails_clearly_and_is_audited() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let out = s.stackdeck(env, &["redrive", "--yes"]);
    // moto 5.2 answers StartMessageMoveTask with an error: a clear message, exit 1, no panic.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("StartMessageMoveTask") && shown.contains("dead-letter queue"),
        "{shown}"
    );
    assert!(!shown.contains("panicked"), "{shown}");
    let audit = s.audit();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].result.as_str()),
        ("redrive", "error")
    );
    assert!(audit[0].error.is_some());
}
