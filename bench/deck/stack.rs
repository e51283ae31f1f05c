//! The stack the benchmark reads, and its log events.

use anyhow::Result;
use devstack::testkit::stack::{Alarm, Revision, Stack, StackBuilder};

/// A service wanting no tasks, the queues, five alarms and a log group, under a unique name.
pub async fn create_stack(sdk: &aws_config::SdkConfig) -> Result<Stack> {
    let mut builder = StackBuilder::new("bench")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .log_group();
    for alarm in [
        "queue-depth",
        "queue-age",
        "dlq-depth",
        "rds-cpu",
        "alb-5xx",
    ] {
        builder = builder.alarm(Alarm::new(alarm).evaluation_periods(5));
    }
    builder.build(sdk).await
}

/// The bench's log events are this far apart.
const EVENT_SPACING_MS: i64 = 30;

/// Put `n` JSON log lines into the stack's group, 10 000 per call, one stream per 25 000, event
/// `i` stamped `start + EVENT_SPACING_MS · i`; returns `start` (epoch ms).
pub async fn put_events(sdk: &aws_config::SdkConfig, group: &str, n: usize) -> Result<i64> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let start_ms = (jiff::Timestamp::now().as_second() - 3600) * 1000;
    let mut sent = 0;
    while sent < n {
        let stream = format!("courier/courier/task{:04}", sent / 25_000);
        if sent % 25_000 == 0 {
            logs.create_log_stream()
                .log_group_name(group)
                .log_stream_name(&stream)
                .send()
                .await?;
        }
        let batch: Vec<_> = (sent..(sent + 10_000).min(n).min((sent / 25_000 + 1) * 25_000))
            .map(|i| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(start_ms + i as i64 * EVENT_SPACING_MS)
                    .message(format!(
                        r#"{{"level":"INFO","message":"request","request_id":"{i:x}","route":"/messages","status":202,"latency_ms":4.2}}"#
                    ))
                    .build()
                    .expect("timestamp and message set")
            })
            .collect();
        sent += batch.len();
        logs.put_log_events()
            .log_group_name(group)
            .log_stream_name(&stream)
            .set_log_events(Some(batch))
            .send()
            .await?;
    }
    Ok(start_ms)
}

/// The least a FilterLogEvents reader can ask of the server for the events `put_events` wrote:
/// windows cut exactly at every 10 000th event (one full page each — a boundary only this bench
/// knows), read one after another, the events counted and dropped. Returns (events, pages).
pub async fn floor_read(
    sdk: &aws_config::SdkConfig,
    group: &str,
    start_ms: i64,
    n: usize,
) -> Result<(usize, usize)> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let (mut read, mut pages) = (0, 0);
    for first in (0..n).step_by(10_000) {
        let from = start_ms + first as i64 * EVENT_SPACING_MS;
        let mut token = None;
        loop {
            let page = logs
                .filter_log_events()
                .log_group_name(group)
                .start_time(from)
                .end_time(from + 10_000 * EVENT_SPACING_MS - 1)
                .limit(10_000)
                .set_next_token(token)
                .send()
                .await?;
            read += page.events().len();
            pages += 1;
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    Ok((read, pages))
}
