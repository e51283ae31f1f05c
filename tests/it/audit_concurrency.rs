//! The audit log survives concurrent writers: two processes appending at once lose and mangle
//! no line.

use stackdeck::model::audit::Record;
use stackdeck::ops::audit;
use std::process::Command;

const PER_WRITER: usize = 300;

fn record(writer: &str, i: usize) -> Record {
    Record {
        time: "2026-11-24T03:00:00Z".into(),
        unix: i as i64,
        user: format!("writer-{writer}"),
        profile: "default".into(),
        region: "us-east-1".into(),
        stack: "courier-local".into(),
        action: "redeploy".into(),
        // Long enough that a torn write would show.
        target: format!(
            "arn:aws:ecs:us-east-1:123456789012:service/cluster/{}",
            "x".repeat(900)
        ),
        parameters: serde_json::json!({ "i": i }),
        result: "ok".into(),
        error: None,
    }
}

/// Not a test on its own: the body each writer process runs (see below).
#[test]
fn writer_child() {
    let (Ok(path), Ok(writer)) = (
        std::env::var("AUDIT_TEST_PATH"),
        std::env::var("AUDIT_TEST_WRITER"),
    ) else {
        return; // run directly by the harness: nothing to do
    };
    for i in 0..PER_WRITER {
        audit::append(std::path::Path::new(&path), &record(&writer, i)).unwrap();
    }
}

#[test]
fn two_processes_appending_at_once_keep_every_line_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let writers: Vec<_> = ["a", "b"]
        .iter()
        .map(|writer| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "audit_concurrency::writer_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("AUDIT_TEST_PATH", &path)
                .env("AUDIT_TEST_WRITER", writer)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut w in writers {
        assert!(w.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let records: Vec<Record> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("torn line ({e}): {l:.80}")))
        .collect();
    assert_eq!(records.len(), 2 * PER_WRITER);
    for writer in ["writer-a", "writer-b"] {
        let mine: Vec<i64> = records
            .iter()
            .filter(|r| r.user == writer)
            .map(|r| r.unix)
            .collect();
        assert_eq!(
            mine,
            (0..PER_WRITER as i64).collect::<Vec<_>>(),
            "{writer}'s lines in order"
        );
    }
}
