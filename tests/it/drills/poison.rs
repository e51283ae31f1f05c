//! The poison drill, end to end: `devstack drill poison` publishes an import's envelopes before
//! their rows exist. courier's worker leaves them on the queue until the redrive policy moves
//! them to the DLQ; `stackdeck status` shows the DLQ's depth and the dlq-depth alarm in ALARM.
//! Once the drill has committed the rows, `stackdeck redrive` moves them back, the worker
//! delivers every one, the DLQ empties and the alarm returns to OK. Steady traffic runs during
//! the drill: none of it may end in the DLQ (nothing lost, nothing but the import dead-letters).
//! Shortened: a 2 s visibility timeout and 3 receives, so the import dead-letters in seconds.

use super::{DrillStack, Metric, Setup};
use crate::kit::text;
use aws_sdk_cloudwatch::types::Statistic;
use devstack::drill::{Name, POISON_MESSAGES};
use devstack::testkit::eventually;
use devstack::testkit::stack::depth;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn the_poison_drill_fills_the_dlq_and_a_redrive_after_the_commit_delivers_it_all() {
    let started = Instant::now();
    let deck = DrillStack::start(
        "poison",
        Setup {
            visibility: 2,
            max_receive: 3,
            ..Setup::default()
        },
    )
    .await;
    let dlq_name = deck.dlq_url.rsplit('/').next().unwrap().to_owned();
    let dlq_depth = Metric {
        namespace: "AWS/SQS",
        name: "ApproximateNumberOfMessagesVisible",
        dimension: ("QueueName", &dlq_name),
        statistic: Statistic::Maximum,
    };
    deck.alarm("dlq-depth", dlq_depth, 1, 0.0).await;
    eventually(
        Duration::from_secs(60),
        "the dlq-depth alarm OK",
        || async {
            let status = deck.status();
            (status.alarm("dlq-depth") == "OK").then_some(())
        },
    )
    .await;

    // Traffic that courier knows, during the whole drill.
    let target = deck.target(Some(Duration::from_secs(15))).await;
    let sending = tokio::spawn(async move { target.traffic().await });
    let target = deck.target(None).await;
    let drill = tokio::spawn(async move { devstack::drill::run(Name::Poison, &target).await });

    // The import dead-letters: the DLQ holds exactly its messages, the alarm fires.
    let sqs = aws_sdk_sqs::Client::new(&deck.agent.sdk().await);
    let ids = eventually(
        Duration::from_secs(120),
        "the import's messages in the DLQ",
        || async {
            let ids = peek(&sqs, &deck.dlq_url).await;
            (ids.len() == POISON_MESSAGES)
                .then_some(ids.clone())
                .ok_or(format!("DLQ holds {ids:?}"))
        },
    )
    .await;
    eventually(Duration::from_secs(60), "DLQ depth and ALARM", || async {
        let status = deck.status();
        let (dlq, alarm) = (status.queue("dlq_visible"), status.alarm("dlq-depth"));
        if dlq == POISON_MESSAGES as i64 && alarm == "ALARM" {
            Ok(())
        } else {
            Err(format!("DLQ {dlq}, alarm {alarm}: {}", status.json))
        }
    })
    .await;

    // The drill commits the rows late; the engineer checks one, then redrives.
    tokio::time::timeout(Duration::from_secs(60), drill)
        .await
        .expect("the drill commits within a minute")
        .unwrap()
        .expect("the drill");
    sending.await.unwrap().expect("traffic");
    let first = *ids.first().unwrap();
    assert_eq!(
        courier(&deck, &format!("/messages/{first}")).await["status"],
        "published",
        "the committed row of message {first}"
    );
    // Nothing lost: every message of the traffic delivered (so none dead-lettered), and the
    // DLQ holds the import's messages only.
    eventually(Duration::from_secs(60), "the traffic delivered", || async {
        let page = courier(&deck, "/channels/traffic/messages?limit=500").await;
        let messages = page["messages"].as_array().cloned().unwrap_or_default();
        let waiting: Vec<_> = messages
            .iter()
            .filter(|m| m["status"] != "delivered")
            .collect();
        (!messages.is_empty() && waiting.is_empty())
            .then_some(())
            .ok_or(format!(
                "{} messages, not delivered: {waiting:?}",
                messages.len()
            ))
    })
    .await;
    assert_eq!(depth(&sqs, &deck.dlq_url).await, POISON_MESSAGES as i64);
    assert_eq!(peek(&sqs, &deck.dlq_url).await, ids, "the DLQ's messages");

    let out = deck.run(&["redrive", "--yes", "--wait-stable", "--timeout", "2m"]);
    assert!(out.status.success(), "{}", text(&out));

    // Recovery: every message delivered, the DLQ empty, the alarm back to OK.
    for id in &ids {
        eventually(Duration::from_secs(60), "the message delivered", || async {
            let answer = courier(&deck, &format!("/messages/{id}")).await;
            (answer["status"] == "delivered")
                .then_some(())
                .ok_or(format!("message {id}: {answer}"))
        })
        .await;
    }
    eventually(Duration::from_secs(150), "DLQ empty and OK", || async {
        let status = deck.status();
        let (dlq, alarm) = (status.queue("dlq_visible"), status.alarm("dlq-depth"));
        if dlq == 0 && alarm == "OK" {
            Ok(())
        } else {
            Err(format!("DLQ {dlq}, alarm {alarm}: {}", status.json))
        }
    })
    .await;
    assert!(
        peek(&sqs, &deck.dlq_url).await.is_empty(),
        "nothing dead-letters again"
    );
    eprintln!("poison drill test: {:?}", started.elapsed());
}

/// The courier ids of the DLQ's visible messages, left visible (VisibilityTimeout 0).
async fn peek(sqs: &aws_sdk_sqs::Client, url: &str) -> BTreeSet<i64> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    out.messages()
        .iter()
        .map(|m| {
            let body: serde_json::Value = serde_json::from_str(m.body().unwrap()).unwrap();
            let inner: serde_json::Value =
                serde_json::from_str(body["Message"].as_str().unwrap_or("{}")).unwrap();
            inner["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("a courier envelope in the DLQ: {body}"))
        })
        .collect()
}

/// courier's JSON answer to `GET path` through the load balancer.
async fn courier(deck: &DrillStack, path: &str) -> serde_json::Value {
    let url = format!("{}{path}", deck.agent.lb_url());
    let (_, body) = devstack::http::get(&url, Duration::from_secs(5))
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{url}: {e}"))
}
