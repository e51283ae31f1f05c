//! The stack's queues served from the agent's memory (issue 17), with the real SDK clients against
//! the agent in front of moto: batches, receipt handles, visibility, the redrive policy, long
//! polling, purge, GetQueueAttributes counts, message move tasks within the store, SNS Publish /
//! PublishBatch of the stack's topic (envelope and raw delivery); a queue that is not the
//! stack's stays moto's.

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::eventually;
use devstack::testkit::stack::{create_queue, queue_attribute, Stack, StackBuilder};
use std::time::Duration;

/// An agent serving a stack of a work queue and its DLQ (redrive after `max_receive`), once it
/// has taken both queues into its store: a message sent to moto's copy directly is then the
/// agent's (moto holds nothing, the agent counts it), and is received and deleted.
async fn served_stack(env: &TestEnv, max_receive: i32) -> (Agent, Stack, aws_sdk_sqs::Client) {
    let builder = StackBuilder::new("queues").redrive(max_receive);
    let agent = Agent::start(env, Options::stack(builder.name())).await;
    let sdk = agent.sdk().await;
    let stack = builder.build(&sdk).await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let direct = aws_sdk_sqs::Client::new(&env.sdk_config().await);
    for url in [&stack.queue_url, &stack.dlq_url] {
        direct
            .send_message()
            .queue_url(url)
            .message_body("probe")
            .send()
            .await
            .unwrap();
        let what = format!("the agent to take {url} into its store");
        eventually(Duration::from_secs(60), &what, || async {
            let in_moto = counts(&direct, url).await;
            let in_agent = counts(&sqs, url).await;
            if in_moto == (0, 0, 0) && in_agent == (1, 0, 0) {
                Ok(())
            } else {
                Err(format!("moto {in_moto:?}, agent {in_agent:?}"))
            }
        })
        .await;
        let got = receive(&sqs, url, 10, 30).await;
        assert_eq!(got.len(), 1);
        delete(&sqs, url, &got).await;
    }
    (agent, stack, sqs)
}

/// (visible, not visible, delayed) of queue `url`.
async fn counts(sqs: &aws_sdk_sqs::Client, url: &str) -> (i64, i64, i64) {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = out.attributes().unwrap();
    let n = |name: QueueAttributeName| attributes[&name].parse::<i64>().unwrap();
    (
        n(QueueAttributeName::ApproximateNumberOfMessages),
        n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        n(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
    )
}

async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    max: i32,
    visibility: i32,
) -> Vec<aws_sdk_sqs::types::Message> {
    sqs.receive_message()
        .queue_url(url)
        .max_number_of_messages(max)
        .visibility_timeout(visibility)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap()
        .messages()
        .to_vec()
}

async fn delete(sqs: &aws_sdk_sqs::Client, url: &str, messages: &[aws_sdk_sqs::types::Message]) {
    for m in messages {
        sqs.delete_message()
            .queue_url(url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
}

fn system(m: &aws_sdk_sqs::types::Message, name: MessageSystemAttributeName) -> String {
    m.attributes().unwrap()[&name].clone()
}

fn code<E: aws_sdk_sqs::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn batches_are_sent_received_and_deleted_in_the_store_and_bad_handles_fail_per_entry() {
    let env = TestEnv::shared().await;
    let (_agent, stack, sqs) = served_stack(env, 5).await;
    let url = &stack.queue_url;
    let mut batch = sqs.send_message_batch().queue_url(url);
    for i in 0..10 {
        let mut entry = SendMessageBatchRequestEntry::builder()
            .id(format!("e{i}"))
            .message_body(if i == 0 {
                "hello".into()
            } else {
                format!("m{i}")
            });
        if i == 0 {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value("v")
                .build()
                .unwrap();
            entry = entry.message_attributes("k", value);
        }
        batch = batch.entries(entry.build().unwrap());
    }
    let sent = batch.send().await.unwrap();
    assert_eq!(sent.successful().len(), 10, "{sent:?}");
    assert_eq!(
        sent.successful()[0].md5_of_message_body(),
        "5d41402abc4b2a76b9719d911017c592",
        "MD5 of \"hello\""
    );
    // One delayed message besides: counted apart.
    sqs.send_message()
        .queue_url(url)
        .message_body("later")
        .delay_seconds(900)
        .send()
        .await
        .unwrap();
    assert_eq!(counts(&sqs, url).await, (10, 0, 1));

    let got = receive(&sqs, url, 10, 60).await;
    assert_eq!(got.len(), 10);
    let hello = got.iter().find(|m| m.body() == Some("hello")).unwrap();
    assert_eq!(
        hello.md5_of_body(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(
        hello.message_attributes().unwrap()["k"].string_value(),
        Some("v")
    );
    assert_eq!(
        system(hello, MessageSystemAttributeName::ApproximateReceiveCount),
        "1"
    );
    let sent_at: i64 = system(hello, MessageSystemAttributeName::SentTimestamp)
        .parse()
        .unwrap();
    assert!(sent_at > 1_700_000_000_000, "{sent_at}");
    assert_eq!(counts(&sqs, url).await, (0, 10, 1));
    // moto holds none of it.
    let direct = aws_sdk_sqs::Client::new(&env.sdk_config().await);
    assert_eq!(counts(&direct, url).await, (0, 0, 0));

    let mut delete = sqs.delete_message_batch().queue_url(url);
    for (i, m) in got.iter().enumerate().skip(1) {
        delete = delete.entries(
            DeleteMessageBatchRequestEntry::builder()
                .id(format!("d{i}"))
                .receipt_handle(m.receipt_handle().unwrap())
                .build()
                .unwrap(),
        );
    }
    delete = delete.entries(
        DeleteMessageBatchRequestEntry::builder()
            .id("bad")
            .receipt_handle("not-a-receipt-handle")
            .build()
            .unwrap(),
    );
    let deleted = delete.send().await.unwrap();
    assert_eq!(deleted.successful().len(), 9, "{deleted:?}");
    assert_eq!(deleted.failed().len(), 1);
    assert_eq!(deleted.failed()[0].id(), "bad");
    assert_eq!(deleted.failed()[0].code(), "ReceiptHandleIsInvalid");
    let bad = sqs
        .delete_message()
        .queue_url(url)
        .receipt_handle("not-a-receipt-handle")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad), "ReceiptHandleIsInvalid", "{bad:?}");
    assert_eq!(counts(&sqs, url).await, (0, 1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn visibility_timeouts_expire_and_change_message_visibility_moves_them() {
    let env = TestEnv::shared().await;
    let (_agent, stack, sqs) = served_stack(env, 10).await;
    let url = &stack.queue_url;
    stack.send(url, 2).await;
    let first = receive(&sqs, url, 1, 1).await;
    assert_eq!(first.len(), 1);
    // Its timeout of 1 s runs out: received again, a second time.
    let again = eventually(
        Duration::from_secs(30),
        "the message visible again",
        || async {
            receive(&sqs, url, 10, 600)
                .await
                .into_iter()
                .find(|m| m.message_id() == first[0].message_id())
        },
    )
    .await;
    assert_eq!(
        system(&again, MessageSystemAttributeName::ApproximateReceiveCount),
        "2"
    );
    // Back to visible at once with a timeout of 0.
    sqs.change_message_visibility()
        .queue_url(url)
        .receipt_handle(again.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let third = receive(&sqs, url, 10, 600).await;
    assert_eq!(third.len(), 1, "{third:?}");
    assert_eq!(third[0].message_id(), first[0].message_id());
    // Both in flight now; in a batch, one extended, one handle bad.
    assert_eq!(counts(&sqs, url).await, (0, 2, 0));
    let changed = sqs
        .change_message_visibility_batch()
        .queue_url(url)
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("good")
                .receipt_handle(third[0].receipt_handle().unwrap())
                .visibility_timeout(0)
                .build()
                .unwrap(),
        )
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("bad")
                .receipt_handle("nope")
                .visibility_timeout(10)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.successful().len(), 1, "{changed:?}");
    assert_eq!(changed.failed()[0].code(), "ReceiptHandleIsInvalid");
    assert_eq!(counts(&sqs, url).await, (1, 1, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_max_receive_count_a_message_moves_to_the_dlq_and_a_move_task_brings_it_back() {
    let env = TestEnv::shared().await;
    let (_agent, stack, sqs) = served_stack(env, 2).await;
    let url = &stack.queue_url;
    stack.send(url, 1).await;
    for n in 1..=2 {
        let got = receive(&sqs, url, 1, 0).await;
        assert_eq!(got.len(), 1, "receive {n}");
    }
    assert!(receive(&sqs, url, 10, 0).await.is_empty(), "dead-lettered");
    assert_eq!(counts(&sqs, url).await, (0, 0, 0));
    assert_eq!(counts(&sqs, &stack.dlq_url).await, (1, 0, 0));

    let handle = sqs
        .start_message_move_task()
        .source_arn(&stack.dlq_arn)
        .send()
        .await
        .unwrap()
        .task_handle()
        .unwrap()
        .to_owned();
    assert!(!handle.is_empty());
    let task = eventually(
        Duration::from_secs(60),
        "the move task to complete",
        || async {
            let out = sqs
                .list_message_move_tasks()
                .source_arn(&stack.dlq_arn)
                .send()
                .await
                .unwrap();
            out.results()
                .first()
                .filter(|t| t.status() == Some("COMPLETED"))
                .cloned()
        },
    )
    .await;
    assert_eq!(task.approximate_number_of_messages_moved(), 1);
    let back = receive(&sqs, url, 10, 30).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].body(), Some("m0"));
    assert_eq!(counts(&sqs, &stack.dlq_url).await, (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_poll_is_woken_by_a_send_and_a_purge_empties_the_queue() {
    let env = TestEnv::shared().await;
    let (_agent, stack, sqs) = served_stack(env, 5).await;
    let url = stack.queue_url.clone();
    let poll = {
        let (sqs, url) = (sqs.clone(), url.clone());
        tokio::spawn(async move {
            sqs.receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    stack.send(&url, 1).await;
    let out = poll.await.unwrap();
    assert_eq!(out.messages().len(), 1, "{out:?}");
    assert_eq!(out.messages()[0].body(), Some("m0"));

    stack.send(&url, 5).await;
    assert_eq!(counts(&sqs, &url).await, (5, 1, 0));
    sqs.purge_queue().queue_url(&url).send().await.unwrap();
    assert_eq!(counts(&sqs, &url).await, (0, 0, 0));
    let again = sqs.purge_queue().queue_url(&url).send().await.unwrap_err();
    assert!(code(&again).contains("PurgeQueueInProgress"), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_that_is_not_the_stacks_stays_with_moto() {
    let env = TestEnv::shared().await;
    let (agent, _stack, sqs) = served_stack(env, 5).await;
    let (other, _) = create_queue(&sqs, &unique_name("other"), &[])
        .await
        .unwrap();
    sqs.send_message()
        .queue_url(&other)
        .message_body("to moto")
        .send()
        .await
        .unwrap();
    let direct = aws_sdk_sqs::Client::new(&env.sdk_config().await);
    assert_eq!(counts(&direct, &other).await, (1, 0, 0));
    let got = receive(&direct, &other, 1, 30).await;
    assert_eq!(got[0].body(), Some("to moto"));
    drop(agent);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_publish_to_the_stacks_topic_delivers_the_envelope_and_raw_messages() {
    let env = TestEnv::shared().await;
    let (agent, stack, sqs) = served_stack(env, 5).await;
    let sns = aws_sdk_sns::Client::new(&agent.sdk().await);
    let topic = sns
        .create_topic()
        .name(unique_name("topic"))
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let arn = |url: &str| {
        let sqs = sqs.clone();
        let url = url.to_owned();
        async move { queue_attribute(&sqs, &url, QueueAttributeName::QueueArn).await }
    };
    for (url, raw) in [(&stack.queue_url, false), (&stack.dlq_url, true)] {
        let subscription = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(arn(url).await)
            .send()
            .await
            .unwrap();
        if raw {
            sns.set_subscription_attributes()
                .subscription_arn(subscription.subscription_arn().unwrap())
                .attribute_name("RawMessageDelivery")
                .attribute_value("true")
                .send()
                .await
                .unwrap();
        }
    }
    stack.publish([("topic_arn", &topic)]).await;
    // Once the agent knows the topic, it delivers (its envelope is signed by "devstack").
    let envelope = eventually(Duration::from_secs(60), "the agent's delivery", || async {
        sns.publish()
            .topic_arn(&topic)
            .message("probe")
            .send()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let got = receive(&sqs, &stack.queue_url, 10, 30).await;
        delete(&sqs, &stack.queue_url, &got).await;
        delete(
            &sqs,
            &stack.dlq_url,
            &receive(&sqs, &stack.dlq_url, 10, 30).await,
        )
        .await;
        got.iter()
            .filter_map(|m| serde_json::from_str::<serde_json::Value>(m.body()?).ok())
            .find(|e| {
                e["SigningCertURL"]
                    .as_str()
                    .is_some_and(|u| u.contains("devstack"))
            })
    })
    .await;
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic.as_str());
    assert_eq!(envelope["Message"], "probe");

    let value = aws_sdk_sns::types::MessageAttributeValue::builder()
        .data_type("String")
        .string_value("blue")
        .build()
        .unwrap();
    let published = sns
        .publish()
        .topic_arn(&topic)
        .message("hello")
        .subject("greeting")
        .message_attributes("colour", value)
        .send()
        .await
        .unwrap();
    let mut batch = sns.publish_batch().topic_arn(&topic);
    for i in 0..3 {
        batch = batch.publish_batch_request_entries(
            aws_sdk_sns::types::PublishBatchRequestEntry::builder()
                .id(format!("b{i}"))
                .message(format!("batch {i}"))
                .build()
                .unwrap(),
        );
    }
    let batch = batch.send().await.unwrap();
    assert_eq!(batch.successful().len(), 3, "{batch:?}");
    assert!(batch.failed().is_empty());

    // (A probe moto delivered before the agent knew the topic may arrive late: left aside.)
    let got = receive(&sqs, &stack.queue_url, 10, 30).await;
    let envelopes: Vec<serde_json::Value> = got
        .iter()
        .map(|m| serde_json::from_str::<serde_json::Value>(m.body().unwrap()).unwrap())
        .filter(|e| e["Message"] != "probe")
        .collect();
    assert_eq!(envelopes.len(), 4, "{got:?}");
    let hello = envelopes.iter().find(|e| e["Message"] == "hello").unwrap();
    assert_eq!(hello["MessageId"], published.message_id().unwrap());
    assert_eq!(hello["Subject"], "greeting");
    assert_eq!(hello["MessageAttributes"]["colour"]["Value"], "blue");
    for key in [
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "UnsubscribeURL",
    ] {
        assert!(hello[key].is_string(), "{key}: {hello}");
    }
    let raw = receive(&sqs, &stack.dlq_url, 10, 30).await;
    let mut bodies: Vec<&str> = raw
        .iter()
        .filter_map(|m| m.body())
        .filter(|b| *b != "probe")
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["batch 0", "batch 1", "batch 2", "hello"]);
    let raw_hello = raw.iter().find(|m| m.body() == Some("hello")).unwrap();
    assert_eq!(
        raw_hello.message_attributes().unwrap()["colour"].string_value(),
        Some("blue")
    );
    assert!(
        hello["SigningCertURL"]
            .as_str()
            .is_some_and(|u| u.contains("devstack")),
        "delivered by the agent: {hello}"
    );
}
