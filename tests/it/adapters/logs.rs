//! CloudWatch Logs: fetches over many pages and windows, the poller, the polling tail (moto has
//! no StartLiveTail), filtered and newest-first history.

use super::{now_ms, PROFILE};
use crate::kit::CALLS;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::aws::logs::{History, Logs, Poller, Tail};
use stackdeck::model::logs::{TailEvent, TailMode};
use std::time::{Duration, Instant};

#[tokio::test]
async fn log_fetch_reads_every_page_and_every_window() {
    // FilterLogEvents answers at most 10 000 events a page.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "many-logs").await;
    const EVENTS: i64 = 12_345;
    let t0 = now_ms() - 3_600_000;
    // PutLogEvents takes at most 10 000 events a call.
    for batch in (0..EVENTS).collect::<Vec<_>>().chunks(5_000) {
        let events = batch.iter().map(|i| (t0 + i * 250, format!("event {i}")));
        put_events(&client, &group, "s", events).await;
    }
    let lines = Logs::new(&sdk, PROFILE.into())
        .fetch(&group, t0, None, None)
        .await
        .unwrap();
    assert_eq!(lines.len() as i64, EVENTS);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.message, format!("event {i}"));
        assert_eq!(line.at_ms, t0 + i as i64 * 250);
    }
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, EVENTS, "event ids are unique");

    // `stackdeck logs` reads the same hour in time windows, several at once: every event once,
    // in order, over more than one window.
    let mut windowed = Vec::new();
    let mut windows = 0;
    Logs::new(&sdk, PROFILE.into())
        .fetch_windows(&group, t0, t0 + 3_600_000, None, |lines| {
            windows += usize::from(!lines.is_empty());
            windowed.extend(lines);
            true
        })
        .await
        .unwrap();
    assert!(windows > 1, "{windows} windows held events");
    assert_eq!(windowed, lines);
}

/// Put `(timestamp, message)` events, oldest first, into `stream` in one call.
async fn put_events(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    events: impl IntoIterator<Item = (i64, String)>,
) {
    client
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(
            events
                .into_iter()
                .map(|(at, message)| {
                    InputLogEvent::builder()
                        .timestamp(at)
                        .message(message)
                        .build()
                        .unwrap()
                })
                .collect(),
        ))
        .send()
        .await
        .unwrap();
}

async fn put_now(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    messages: &[&str],
) {
    let at = now_ms();
    put_events(
        client,
        group,
        stream,
        messages.iter().map(|m| (at, m.to_string())),
    )
    .await;
}

async fn log_group(
    sdk: &aws_config::SdkConfig,
    prefix: &str,
) -> (aws_sdk_cloudwatchlogs::Client, String) {
    let client = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let group = format!("/ecs/{}", unique_name(prefix));
    client
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    client
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("s")
        .send()
        .await
        .unwrap();
    (client, group)
}

#[tokio::test]
async fn the_poller_reports_each_event_once_late_ones_included() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "poller").await;
    let start = now_ms() - 60_000;
    let mut poller = Poller::new(Logs::new(&sdk, PROFILE.into()), &group, start);
    assert_eq!(poller.poll().await.unwrap(), []);

    put_now(&client, &group, "s", &["one", "two"]).await;
    let first = messages(&mut poller).await;
    assert_eq!(first, ["one", "two"]);
    // Nothing new: the overlap window reads them again, and drops them.
    assert_eq!(poller.poll().await.unwrap(), []);

    // An event arriving late, stamped a few seconds before the newest one seen (ingestion lag),
    // still inside the overlap: reported, once.
    put_events(&client, &group, "s", [(now_ms() - 5_000, "late".into())]).await;
    put_now(&client, &group, "s", &["three"]).await;
    let second = messages(&mut poller).await;
    assert_eq!(second, ["late", "three"]);
    assert_eq!(poller.poll().await.unwrap(), []);
}

/// The messages of one poll.
async fn messages(poller: &mut Poller) -> Vec<String> {
    let lines = poller.poll().await.unwrap();
    lines.into_iter().map(|l| l.message).collect()
}

/// Lines of a tail event into `received`; a second mode or an error fails the test.
fn take(event: TailEvent, received: &mut Vec<String>) {
    match event {
        TailEvent::Lines(lines) => received.extend(lines.into_iter().map(|l| l.message)),
        TailEvent::Mode(mode) => panic!("a second mode: {mode:?}"),
        TailEvent::Error(e) => panic!("the tail reported an error: {e}"),
    }
}

/// How often the tails of these tests poll.
const TAIL_EVERY: Duration = Duration::from_millis(200);

/// A tail of `group` in a task of its own; what it reports arrives on the receiver.
fn spawn_tail(
    sdk: &aws_config::SdkConfig,
    group: &str,
    start_ms: i64,
    history: History,
    pattern: Option<&'static str>,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let logs = Logs::new(sdk, PROFILE.into());
    let group = group.to_owned();
    let task = tokio::spawn(async move {
        let tail = Tail {
            group: &group,
            start_ms,
            history,
            pattern,
            every: TAIL_EVERY,
        };
        logs.tail(tail, move |event| tx.send(event).is_ok()).await
    });
    (task, rx)
}

/// Collect what a tail reports until it says its mode (the history comes first).
async fn until_mode(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
    received: &mut Vec<String>,
) -> TailMode {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let event = tokio::time::timeout_at(deadline.into(), rx.recv())
            .await
            .expect("no mode reported")
            .expect("the tail ended");
        match event {
            TailEvent::Mode(mode) => return mode,
            other => take(other, received),
        }
    }
}

/// Collect what a tail reports during `wait`.
async fn during(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
    wait: Duration,
    received: &mut Vec<String>,
) {
    let quiet = Instant::now() + wait;
    while let Ok(event) = tokio::time::timeout_at(quiet.into(), rx.recv()).await {
        take(event.expect("the tail ended"), received);
    }
}

#[tokio::test]
async fn the_polling_tail_receives_events_put_after_it_started_once_each() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "tail").await;
    put_now(&client, &group, "s", &["history 1", "history 2"]).await;

    let (tail, mut rx) = spawn_tail(&sdk, &group, now_ms() - 60_000, History::All, None);

    let mut received: Vec<String> = Vec::new();

    // History first, then the mode: moto has no StartLiveTail, so polling.
    let mode = until_mode(&mut rx, &mut received).await;
    match &mode {
        TailMode::Polling { every: e, why } => {
            assert_eq!(*e, TAIL_EVERY);
            assert!(!why.is_empty());
        }
        TailMode::Live => panic!("moto has no live tail, yet the tail says live"),
    }
    assert_eq!(received, ["history 1", "history 2"]);

    // Events put after the tail started arrive.
    put_now(&client, &group, "s", &["after 1", "after 2"]).await;
    put_now(&client, &group, "s", &["after 3"]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.len() < 5 {
        let event = tokio::time::timeout_at(deadline.into(), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {received:?} arrived"))
            .expect("the tail ended");
        take(event, &mut received);
    }
    // …and only once: several more polls (each re-reading the overlap) bring nothing.
    during(&mut rx, TAIL_EVERY * 8, &mut received).await;
    tail.abort();
    assert_eq!(
        received,
        ["history 1", "history 2", "after 1", "after 2", "after 3"]
    );
}

#[tokio::test]
async fn a_filtered_tail_reports_only_matching_events_from_history_and_polls() {
    // `stackdeck logs --follow --filter PATTERN`.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "filtered").await;
    put_now(&client, &group, "s", &["keep 1", "drop 1"]).await;
    let (tail, mut rx) = spawn_tail(&sdk, &group, now_ms() - 60_000, History::All, Some("keep"));
    let mut received = Vec::new();
    until_mode(&mut rx, &mut received).await;
    put_now(&client, &group, "s", &["drop 2", "keep 2"]).await;
    during(&mut rx, TAIL_EVERY * 10, &mut received).await;
    tail.abort();
    assert_eq!(received, ["keep 1", "keep 2"]);
}

#[tokio::test]
async fn the_dashboard_reads_only_the_newest_history_and_polling_skips_what_it_read() {
    // Counts this test's calls: no other test may send meanwhile.
    let _calls = CALLS.write().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "recent").await;
    let now = now_ms();
    // 3 000 events over the last nine minutes; the tail starts ten minutes back (ten windows).
    let events = (0..3_000).map(|i| (now - 540_000 + i * 180, format!("old {i}")));
    put_events(&client, &group, "s", events).await;
    let start = now - 600_000;

    let logs = Logs::new(&sdk, PROFILE.into());
    let before = stackdeck::aws::calls::sent();
    let recent = logs.recent(&group, start, now, None, 100).await.unwrap();
    let calls = stackdeck::aws::calls::sent() - before;
    let expected: Vec<String> = (3_000 - recent.len()..3_000)
        .map(|i| format!("old {i}"))
        .collect();
    let messages: Vec<String> = recent.iter().map(|l| l.message.clone()).collect();
    assert_eq!(messages, expected, "the newest events, oldest first");
    assert!(
        (100..3_000).contains(&recent.len()),
        "{} read",
        recent.len()
    );
    assert!(
        calls <= 4,
        "{calls} calls: only the windows in flight are read"
    );

    // The tail reports exactly the newest 20 (fewer than the last 10 s of polling overlap holds),
    // then each new event once — none of the older ones it read and did not show.
    let (tail, mut rx) = spawn_tail(&sdk, &group, start, History::Newest(20), None);
    let mut received = Vec::new();
    until_mode(&mut rx, &mut received).await;
    assert_eq!(received, expected[expected.len() - 20..]);
    received.clear();
    put_now(&client, &group, "s", &["new 1"]).await;
    during(&mut rx, TAIL_EVERY * 10, &mut received).await;
    tail.abort();
    assert_eq!(received, ["new 1"], "older events are not reported late");
}
