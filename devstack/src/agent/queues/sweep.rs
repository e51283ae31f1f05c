//! The store's background loop (every 2 s, or the control interval when shorter): takes up the
//! stack's queues as soon as discovered, reads their definitions from moto again, takes into the
//! store whatever sits in moto's copy of a store queue, wakes the long polls for messages whose
//! visibility timeout or delay ran out, and drops messages past the retention period. A queue
//! that leaves the discovery parameters goes back to moto with its messages. Visibility expiry
//! is also applied by every operation (lazily), and dead-lettering happens on receive, as SQS
//! does it: the sweep only wakes waiters.

use super::store::{Attribute, Message};
use super::{now_ms, queue_name, wire, Definition, Queue};
use crate::agent::Agent;
use anyhow::{Context, Result};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageAttributeValue, MessageSystemAttributeName,
    QueueAttributeName, SendMessageBatchRequestEntry,
};
use aws_smithy_types::Blob;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the sweep runs at most.
pub const SWEEP: Duration = Duration::from_secs(2);

pub async fn run(agent: Arc<Agent>) {
    let mut tick = tokio::time::interval(SWEEP.min(agent.config.control_interval));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        sweep(&agent).await;
    }
}

async fn sweep(agent: &Agent) {
    let queues = &agent.queues;
    let view = queues.view(agent, true).await;
    for queue in queues.all() {
        if !view.queues.iter().any(|(name, _)| *name == queue.name) {
            if let Some(queue) = queues.take(&queue.name) {
                let messages = queue.store().take_all();
                if let Err(e) = send_to_moto(agent, &queue.url, messages).await {
                    eprintln!(
                        "devstack agent: cannot hand {} back to moto: {e:#}",
                        queue.name
                    );
                }
            }
        }
    }
    for (_, url) in &view.queues {
        let Some(queue) = queues.queue(agent, url).await else {
            continue; // not created yet
        };
        let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
        if let Ok(out) = sqs
            .get_queue_attributes()
            .queue_url(&queue.url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
        {
            let attributes = out.attributes().cloned().unwrap_or_default();
            queue.set_definition(Definition::of(&attributes));
            let in_moto = attributes
                .get(&QueueAttributeName::ApproximateNumberOfMessages)
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0);
            if in_moto > 0 {
                if let Err(e) = take_from_moto(&sqs, &queue, 50).await {
                    eprintln!(
                        "devstack agent: cannot take {}'s messages from moto: {e:#}",
                        queue.name
                    );
                }
            }
        }
        let now = now_ms();
        let retention = queue.definition().retention_ms;
        let due = {
            let mut store = queue.store();
            store.expire(now, retention);
            store.tick(now)
        };
        if due {
            queue.arrived.notify_waiters();
        }
    }
}

/// Move what moto holds of queue `queue.url` into the store, at most `batches` of 10; how many.
pub async fn take_from_moto(
    sqs: &aws_sdk_sqs::Client,
    queue: &Queue,
    batches: usize,
) -> Result<usize> {
    let mut moved = 0;
    for _ in 0..batches {
        let out = sqs
            .receive_message()
            .queue_url(&queue.url)
            .max_number_of_messages(10)
            .visibility_timeout(120)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .context("ReceiveMessage")?;
        if out.messages().is_empty() {
            break;
        }
        let mut taken = Vec::new();
        let mut deletes = Vec::new();
        for (i, m) in out.messages().iter().enumerate() {
            let system = m.attributes();
            let sent_ms = system
                .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(now_ms);
            let attributes = m
                .message_attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.clone(), attribute_of(v)))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default();
            let trace = system
                .and_then(|a| a.get(&MessageSystemAttributeName::AwsTraceHeader))
                .cloned();
            let mut message = wire::message(
                m.body().unwrap_or_default().to_owned(),
                attributes,
                trace,
                0,
            );
            message.sent_ms = sent_ms;
            if let Some(id) = m.message_id() {
                message.id = id.to_owned();
            }
            taken.push(message);
            if let Some(handle) = m.receipt_handle() {
                deletes.push(
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(handle)
                        .build()?,
                );
            }
        }
        sqs.delete_message_batch()
            .queue_url(&queue.url)
            .set_entries(Some(deletes))
            .send()
            .await
            .context("DeleteMessageBatch")?;
        moved += taken.len();
        queue.send_all(taken, 0);
    }
    Ok(moved)
}

fn attribute_of(v: &MessageAttributeValue) -> Attribute {
    Attribute {
        data_type: v.data_type().to_owned(),
        string: v.string_value().map(str::to_owned),
        binary: v.binary_value().map(|b| b.as_ref().to_vec()),
    }
}

fn attribute_value(a: &Attribute) -> Result<MessageAttributeValue> {
    Ok(MessageAttributeValue::builder()
        .data_type(&a.data_type)
        .set_string_value(a.string.clone())
        .set_binary_value(a.binary.clone().map(Blob::new))
        .build()?)
}

/// Send `messages` to moto's queue `queue` (a URL, or a name looked up with GetQueueUrl).
pub async fn send_to_moto(agent: &Agent, queue: &str, messages: Vec<Message>) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
    let url = if queue.contains('/') {
        queue.to_owned()
    } else {
        sqs.get_queue_url()
            .queue_name(queue_name(queue))
            .send()
            .await
            .with_context(|| format!("GetQueueUrl {queue}"))?
            .queue_url()
            .unwrap_or_default()
            .to_owned()
    };
    for chunk in messages.chunks(10) {
        let mut entries = Vec::new();
        for (i, m) in chunk.iter().enumerate() {
            let mut entry = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(&m.body);
            for (name, a) in &m.attributes {
                entry = entry.message_attributes(name, attribute_value(a)?);
            }
            entries.push(entry.build()?);
        }
        sqs.send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .with_context(|| format!("SendMessageBatch {url}"))?;
    }
    Ok(())
}

/// When the agent stops: every store queue's messages back to moto's queue, so that nothing
/// queued is lost and the next agent takes them up again.
pub async fn hand_back_all(agent: &Agent) {
    for queue in agent.queues.all() {
        let messages = queue.store().take_all();
        let n = messages.len();
        if let Err(e) = send_to_moto(agent, &queue.url, messages).await {
            eprintln!(
                "devstack agent: {n} messages of {} not handed back to moto: {e:#}",
                queue.name
            );
        }
    }
}
