//! The scriptable mutations against moto: each verified with a separate SDK client, each refused
//! in read-only mode and without --yes off a terminal, and each attempt audited.

use super::kit::{outcomes, run, text};
use devstack::testenv::TestEnv;
use devstack::testkit::stack::{Revision, Stack, StackBuilder};
use stackdeck::model::audit::Record;
use std::path::Path;
use std::process::Output;

/// A stack on plain moto: ECS cluster + service on revision 3 of a family whose revisions
/// differ in one env var, a work queue and a DLQ, the discovery parameters; and stackdeck's
/// state home.
struct Ops {
    stack: Stack,
    endpoint: String,
    state: tempfile::TempDir,
}

impl std::ops::Deref for Ops {
    type Target = Stack;
    fn deref(&self) -> &Stack {
        &self.stack
    }
}

async fn stack(env: &TestEnv) -> Ops {
    let mut builder = StackBuilder::new("ops");
    for revision in 1..=3 {
        builder = builder.revision(
            Revision::image(format!("courier:{revision}"))
                .memory(512)
                .env("REVISION", revision.to_string()),
        );
    }
    let stack = builder
        .service(1)
        .queues()
        .build(&env.sdk_config().await)
        .await
        .unwrap();
    Ops {
        stack,
        endpoint: env.aws_endpoint(),
        state: tempfile::tempdir().unwrap(),
    }
}

impl Ops {
    fn stackdeck(&self, args: &[&str]) -> Output {
        run(&self.endpoint, &self.name, self.state.path(), args)
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
}

#[tokio::test]
async fn redeploy_starts_a_new_deployment_and_is_audited() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let (_, before) = s.service_state().await;
    let out = s.stackdeck(&["redeploy", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("started deployment"), "{}", text(&out));
    let (_, after) = s.service_state().await;
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
    let out = s.stackdeck(&["redeploy", "--yes"]);
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
    let out = s.stackdeck(&["rollback", "--to", "1", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("courier image: courier:3 → courier:1"),
        "{shown}"
    );
    assert!(shown.contains("courier env REVISION: 3 → 1"), "{shown}");
    let (task_definition, _) = s.service_state().await;
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
    let out = s.stackdeck(&["rollback", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no deployment history"),
        "{}",
        text(&out)
    );
    let (task_definition, _) = s.service_state().await;
    assert!(task_definition.ends_with(":2"), "{task_definition}");
}

#[tokio::test]
async fn purge_empties_the_queue_and_a_second_one_within_60_s_is_refused_before_calling() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    s.send(&s.queue_url, 5).await;
    let out = s.stackdeck(&["purge", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(s.depth(&s.queue_url).await, 0);

    // Refill: if the second purge reached SQS, these would go.
    s.send(&s.queue_url, 3).await;
    let again = s.stackdeck(&["purge", "--yes"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let shown = text(&again);
    assert!(
        shown.contains("purged less than 60 s ago") && shown.contains("try again in"),
        "{shown}"
    );
    assert_eq!(
        s.depth(&s.queue_url).await,
        3,
        "the refused purge must not be sent"
    );

    // The DLQ is another queue: its clock is its own.
    s.send(&s.dlq_url, 2).await;
    let dlq = s.stackdeck(&["purge", "--dlq", "--yes"]);
    assert!(dlq.status.success(), "{}", text(&dlq));
    assert_eq!(s.depth(&s.dlq_url).await, 0);

    let results = outcomes(s.audit());
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
    s.send(&s.queue_url, 2).await;
    let before = s.service_state().await;
    for args in [
        &["--read-only", "redeploy", "--yes"][..],
        &["--read-only", "rollback", "--to", "1", "--yes"],
        &["--read-only", "purge", "--yes"],
        &["--read-only", "redrive", "--yes"],
        &["--read-only", "stop-deployment", "--yes"],
    ] {
        let out = s.stackdeck(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("read-only"), "{}", text(&out));
    }
    assert_eq!(
        s.service_state().await,
        before,
        "the service must be untouched"
    );
    assert_eq!(
        s.depth(&s.queue_url).await,
        2,
        "the queue must be untouched"
    );
    let audit = s.audit();
    assert_eq!(audit.len(), 5);
    assert!(audit.iter().all(|r| r.result == "refused"));
}

#[tokio::test]
async fn without_yes_and_without_a_terminal_nothing_happens() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    s.send(&s.queue_url, 1).await;
    let out = s.stackdeck(&["purge"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("without --yes"), "{}", text(&out));
    assert_eq!(s.depth(&s.queue_url).await, 1);
    assert_eq!(s.audit()[0].result, "refused");
}

#[tokio::test]
async fn redrive_on_an_endpoint_without_move_tasks_fails_clearly_and_is_audited() {
    let env = TestEnv::shared().await;
    let s = stack(env).await;
    let out = s.stackdeck(&["redrive", "--yes"]);
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
