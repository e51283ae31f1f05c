//! Logs: each task's stdout and stderr shipped to the service's log group in moto, one stream per
//! task named as the awslogs driver names them (`prefix/container/task-id`), batched (at most one
//! PutLogEvents per second per task), in order.

use super::Agent;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

const BATCH_EVERY: Duration = Duration::from_secs(1);
const BATCH_MAX: usize = 1000;

/// Ship the lines of `stdout` and `stderr` to `group`/`stream` until both close.
pub fn ship(
    agent: &Agent,
    group: Option<String>,
    stream: String,
    stdout: Option<impl AsyncRead + Unpin + Send + 'static>,
    stderr: Option<impl AsyncRead + Unpin + Send + 'static>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, String)>();
    for reader in [
        stdout.map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
        stderr.map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(reader).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let at = (super::now_secs() * 1000.0) as i64;
                if tx.send((at, line)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let client = aws_sdk_cloudwatchlogs::Client::new(&agent.sdk);
    tokio::spawn(async move {
        let mut created = false;
        let mut open = true;
        while open {
            let mut batch = Vec::new();
            let deadline = tokio::time::sleep(BATCH_EVERY);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    line = rx.recv() => match line {
                        Some(event) => { batch.push(event); if batch.len() >= BATCH_MAX { break; } }
                        None => { open = false; break; }
                    },
                    _ = &mut deadline => break,
                }
            }
            let Some(group) = &group else { continue };
            if batch.is_empty() {
                continue;
            }
            if !created {
                let _ = client
                    .create_log_stream()
                    .log_group_name(group)
                    .log_stream_name(&stream)
                    .send()
                    .await;
                created = true;
            }
            let events: Vec<InputLogEvent> = batch
                .into_iter()
                .filter_map(|(at, message)| {
                    InputLogEvent::builder()
                        .timestamp(at)
                        .message(message)
                        .build()
                        .ok()
                })
                .collect();
            if let Err(e) = client
                .put_log_events()
                .log_group_name(group)
                .log_stream_name(&stream)
                .set_log_events(Some(events))
                .send()
                .await
            {
                eprintln!("devstack agent: cannot ship logs to {group}/{stream}: {e}");
            }
        }
    });
}
