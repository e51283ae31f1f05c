//! The audit log: every attempted mutation, one JSON line, appended to
//! `$XDG_STATE_HOME/stackdeck/audit.jsonl` (default `~/.local/state/stackdeck/audit.jsonl`).
//!
//! Each line is written with one `write` on a file opened for appending, under an exclusive
//! advisory lock, so concurrent stackdeck processes (a TUI and a script, two engineers on one
//! bastion) never interleave or lose lines.

use crate::model::audit::Record;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Where the audit log lives.
pub fn default_path() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    state.join("stackdeck").join("audit.jsonl")
}

/// Append `record` as one line.
pub fn append(path: &Path, record: &Record) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.lock()?;
    let written = file.write_all(&line);
    file.unlock()?;
    written
}

/// The last `max` records, oldest first (reads only the file's tail).
pub fn tail(path: &Path, max: usize) -> std::io::Result<Vec<Record>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    file.lock_shared()?;
    // Enough bytes for `max` ordinary records; a record is a few hundred bytes.
    let window = (max as u64).saturating_mul(2048).max(64 * 1024);
    let len = file.metadata()?.len();
    let from = len.saturating_sub(window);
    file.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    file.unlock()?;
    // The window may start inside a line, even inside a character: from the middle of the file,
    // skip to the first whole line, and read the rest leniently.
    let whole = if from > 0 {
        bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(&bytes[bytes.len()..], |at| &bytes[at + 1..])
    } else {
        &bytes[..]
    };
    let text = String::from_utf8_lossy(whole);
    let lines: Vec<&str> = text.lines().collect();
    // A line cut by a concurrent writer's crash does not parse: skip it.
    let mut records: Vec<Record> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let start = records.len().saturating_sub(max);
    Ok(records.split_off(start))
}

/// Seconds left before `target` may be purged again: SQS allows one PurgeQueue per queue every
/// 60 seconds, and we refuse before calling rather than let the call fail.
pub fn purge_wait(records: &[Record], target: &str, now_unix: i64) -> Option<i64> {
    records
        .iter()
        .rev()
        .find(|r| r.action == "purge" && r.target == target && r.result == "ok")
        .map(|r| 60 - (now_unix - r.unix))
        .filter(|left| *left > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, target: &str, unix: i64, result: &str) -> Record {
        Record {
            time: "2026-11-24T03:00:00Z".into(),
            unix,
            user: "arn:aws:sts::123456789012:assumed-role/oncall/alice".into(),
            profile: "default".into(),
            region: "us-east-1".into(),
            stack: "courier-local".into(),
            action: action.into(),
            target: target.into(),
            parameters: serde_json::json!({}),
            result: result.into(),
            error: None,
        }
    }

    #[test]
    fn purge_is_refused_within_sixty_seconds_of_a_successful_one() {
        let log = [
            record("purge", "q1", 1000, "ok"),
            record("purge", "q2", 1030, "ok"),
        ];
        assert_eq!(purge_wait(&log, "q1", 1010), Some(50));
        assert_eq!(purge_wait(&log, "q1", 1060), None);
        assert_eq!(purge_wait(&log, "q2", 1060), Some(30));
        assert_eq!(purge_wait(&log, "q3", 1060), None);
    }

    #[test]
    fn failed_or_refused_purges_do_not_start_the_clock() {
        let log = [
            record("purge", "q1", 1000, "error"),
            record("purge", "q1", 1001, "refused"),
        ];
        assert_eq!(purge_wait(&log, "q1", 1002), None);
    }

    #[test]
    fn append_then_tail_round_trips_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/audit.jsonl");
        for i in 0..5 {
            append(&path, &record("redeploy", "svc", i, "ok")).unwrap();
        }
        let last = tail(&path, 3).unwrap();
        assert_eq!(
            last.iter().map(|r| r.unix).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        assert!(tail(&dir.path().join("absent.jsonl"), 3)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_window_starting_inside_a_character_still_reads_the_last_records() {
        // Lines full of multi-byte characters, in files of every length modulo 3, so that the
        // tail's window starts inside a character in some of them.
        for pad in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("audit.jsonl");
            for i in 0..400 {
                let mut r = record("redrive", "dlq", i, "error");
                r.error = Some(format!(
                    "{}—→ moved nothing{}",
                    "é".repeat(40),
                    "x".repeat(pad)
                ));
                append(&path, &r).unwrap();
            }
            append(&path, &record("purge", "q1", 1000, "ok")).unwrap();
            let last = tail(&path, 10).unwrap();
            assert_eq!(last.len(), 10, "pad {pad}");
            assert_eq!(purge_wait(&last, "q1", 1030), Some(30), "pad {pad}");
        }
    }
}
