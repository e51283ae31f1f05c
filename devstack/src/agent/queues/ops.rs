//! The SQS operations (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<op>`) on a store queue: sending,
//! receiving (with long polling woken by sends), deleting and visibility changes, one by one and
//! in batches; GetQueueAttributes (moto's answer with the store's counts laid over it),
//! PurgeQueue (the 60 s rule of `sqs`, then the store emptied), SetQueueAttributes and
//! DeleteQueue (moto's, then the store follows).

use super::store::NotChanged;
use super::wire::{self, entries, error, failed, number, ok, Answer};
use super::{now_ms, Queue};
use crate::agent::proxy::{self, Call};
use crate::agent::Agent;
use anyhow::Result;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The SQS operations the store answers for its queues.
pub const OPERATIONS: &[&str] = &[
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "GetQueueAttributes",
    "PurgeQueue",
    "SetQueueAttributes",
    "DeleteQueue",
];

/// Answer `call` when its queue is a store queue; `None` leaves it to moto.
pub async fn sqs(agent: &Arc<Agent>, call: &Call) -> Option<Result<Answer>> {
    let request: Value = serde_json::from_slice(&call.body).ok()?;
    let queue = agent
        .queues
        .queue(agent, request["QueueUrl"].as_str()?)
        .await?;
    let answer = match call.op.name.as_str() {
        "SendMessage" => send_message(&queue, &request),
        "SendMessageBatch" => send_message_batch(&queue, &request),
        "ReceiveMessage" => receive_message(agent, &queue, &request).await,
        "DeleteMessage" => delete_message(agent, &queue, &request),
        "DeleteMessageBatch" => delete_message_batch(agent, &queue, &request),
        "ChangeMessageVisibility" => change_visibility(&queue, &request),
        "ChangeMessageVisibilityBatch" => change_visibility_batch(&queue, &request),
        "GetQueueAttributes" => return Some(get_queue_attributes(agent, &queue, call).await),
        "PurgeQueue" => {
            let answer = crate::agent::sqs::purge_queue(agent, call).await;
            if answer.as_ref().is_ok_and(|a| a.status().is_success()) {
                queue.store().purge();
            }
            return Some(answer);
        }
        "SetQueueAttributes" => {
            let answer = agent.forward(call).await;
            agent.queues.refresh(agent, &queue).await;
            return Some(answer);
        }
        "DeleteQueue" => {
            let answer = agent.forward(call).await;
            if answer.as_ref().is_ok_and(|a| a.status().is_success()) {
                agent.queues.forget(&queue.name);
            }
            return Some(answer);
        }
        _ => return None,
    };
    Some(Ok(answer))
}

/// One message to send, checked: (message, delay) or the error of the entry.
fn message_of(
    queue: &Queue,
    entry: &Value,
) -> Result<(super::store::Message, i64), (String, String)> {
    let definition = queue.definition();
    let Some(body) = entry["MessageBody"].as_str().filter(|b| !b.is_empty()) else {
        return Err((
            "MissingParameter".into(),
            "The request must contain the parameter MessageBody.".into(),
        ));
    };
    let attributes = wire::attributes_in(&entry["MessageAttributes"])
        .map_err(|m| ("InvalidParameterValue".to_owned(), m))?;
    let size = body.len()
        + attributes
            .iter()
            .map(|(k, v)| {
                k.len()
                    + v.data_type.len()
                    + v.string.as_ref().map_or(0, String::len)
                    + v.binary.as_ref().map_or(0, Vec::len)
            })
            .sum::<usize>();
    if size > definition.max_size {
        return Err((
            "InvalidParameterValue".into(),
            format!("One or more parameters are invalid. Reason: Message must be shorter than {} bytes.", definition.max_size),
        ));
    }
    let delay = match entry["DelaySeconds"].as_i64() {
        Some(d) if !(0..=900).contains(&d) => {
            return Err((
                "InvalidParameterValue".into(),
                format!("Value {d} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."),
            ))
        }
        Some(d) => d * 1000,
        None => definition.delay_ms,
    };
    let trace = entry["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"]
        .as_str()
        .map(str::to_owned);
    Ok((
        wire::message(body.to_owned(), attributes, trace, now_ms()),
        delay,
    ))
}

fn sent(message: &super::store::Message) -> Value {
    let mut out = json!({"MessageId": message.id, "MD5OfMessageBody": message.md5_of_body});
    if let Some(md5) = &message.md5_of_attributes {
        out["MD5OfMessageAttributes"] = json!(md5);
    }
    out
}

fn send_message(queue: &Queue, request: &Value) -> Answer {
    match message_of(queue, request) {
        Ok((message, delay)) => {
            let answer = sent(&message);
            queue.send_all([message], delay);
            ok(answer)
        }
        Err((code, message)) => error(&code, &message),
    }
}

fn send_message_batch(queue: &Queue, request: &Value) -> Answer {
    let entries = match entries(request, "SendMessageBatchRequestEntry") {
        Ok(e) => e,
        Err(answer) => return *answer,
    };
    let (mut successful, mut failures, mut messages) = (Vec::new(), Vec::new(), Vec::new());
    for entry in entries {
        match message_of(queue, entry) {
            Ok((message, delay)) => {
                let mut answer = sent(&message);
                answer["Id"] = entry["Id"].clone();
                successful.push(answer);
                messages.push((message, delay));
            }
            Err((code, message)) => failures.push(failed(&entry["Id"], &code, &message)),
        }
    }
    let now = now_ms();
    {
        let mut store = queue.store();
        for (message, delay) in messages {
            store.send(message, now, delay);
        }
    }
    queue.arrived.notify_waiters();
    ok(json!({"Successful": successful, "Failed": failures}))
}

async fn receive_message(agent: &Agent, queue: &Queue, request: &Value) -> Answer {
    let definition = queue.definition();
    let read = || -> Result<(i64, i64, i64), Box<Answer>> {
        Ok((
            number(
                request,
                "MaxNumberOfMessages",
                1,
                1..=10,
                "Must be between 1 and 10, if provided.",
            )?,
            number(
                request,
                "WaitTimeSeconds",
                definition.wait_secs,
                0..=20,
                "Must be >= 0 and <= 20, if provided.",
            )?,
            number(
                request,
                "VisibilityTimeout",
                definition.visibility_ms / 1000,
                0..=43_200,
                "Must be >= 0 and <= 43200, if provided.",
            )?,
        ))
    };
    let (max, wait, visibility) = match read() {
        Ok(v) => v,
        Err(answer) => return *answer,
    };
    let mut system = wire::strings(&request["AttributeNames"]);
    system.extend(wire::strings(&request["MessageSystemAttributeNames"]));
    let message_attributes = wire::strings(&request["MessageAttributeNames"]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait as u64);
    let max_receive = definition.redrive.as_ref().map(|(_, max)| *max);
    loop {
        let arrived = queue.arrived.notified();
        tokio::pin!(arrived);
        arrived.as_mut().enable();
        let now = now_ms();
        let (received, dead, next) = {
            let mut store = queue.store();
            let (received, dead) = store.receive(now, max as usize, visibility * 1000, max_receive);
            (received, dead, store.next_change())
        };
        if let Some((dlq, _)) = &definition.redrive {
            agent.queues.dead_letter(agent, dlq, dead).await;
        }
        if !received.is_empty() || tokio::time::Instant::now() >= deadline {
            agent.sqs_counts.add(&queue.name, received.len() as u64, 0);
            if received.is_empty() {
                return ok(json!({}));
            }
            let messages: Vec<Value> = received
                .iter()
                .map(|r| wire::received(r, &system, &message_attributes))
                .collect();
            return ok(json!({ "Messages": messages }));
        }
        let wake = next
            .map(|at| tokio::time::Instant::now() + Duration::from_millis((at - now).max(1) as u64))
            .map_or(deadline, |at| at.min(deadline));
        tokio::select! {
            _ = &mut arrived => {}
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
}

fn invalid_handle(handle: &str) -> String {
    format!("The input receipt handle \"{handle}\" is not a valid receipt handle.")
}

fn delete_message(agent: &Agent, queue: &Queue, request: &Value) -> Answer {
    let handle = request["ReceiptHandle"].as_str().unwrap_or_default();
    match queue.store().delete(handle) {
        Ok(_) => {
            agent.sqs_counts.add(&queue.name, 0, 1);
            ok(json!({}))
        }
        Err(_) => error("ReceiptHandleIsInvalid", &invalid_handle(handle)),
    }
}

fn delete_message_batch(agent: &Agent, queue: &Queue, request: &Value) -> Answer {
    let entries = match entries(request, "DeleteMessageBatchRequestEntry") {
        Ok(e) => e,
        Err(answer) => return *answer,
    };
    let (mut successful, mut failures) = (Vec::new(), Vec::new());
    {
        let mut store = queue.store();
        for entry in entries {
            let handle = entry["ReceiptHandle"].as_str().unwrap_or_default();
            match store.delete(handle) {
                Ok(_) => successful.push(json!({"Id": entry["Id"]})),
                Err(_) => failures.push(failed(
                    &entry["Id"],
                    "ReceiptHandleIsInvalid",
                    &invalid_handle(handle),
                )),
            }
        }
    }
    agent
        .sqs_counts
        .add(&queue.name, 0, successful.len() as u64);
    ok(json!({"Successful": successful, "Failed": failures}))
}

/// One visibility change: `Err((code, message))` as SQS answers it.
fn change_one(queue: &Queue, entry: &Value) -> Result<(), (&'static str, String)> {
    let handle = entry["ReceiptHandle"].as_str().unwrap_or_default();
    let timeout = match entry["VisibilityTimeout"].as_i64() {
        Some(t) if (0..=43_200).contains(&t) => t,
        other => {
            return Err(("InvalidParameterValue", format!(
                "Value {} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.",
                other.map_or("(none)".to_owned(), |t| t.to_string())
            )))
        }
    };
    let changed = queue
        .store()
        .change_visibility(handle, now_ms(), timeout * 1000);
    match changed {
        Ok(()) => {
            if timeout == 0 {
                queue.arrived.notify_waiters();
            }
            Ok(())
        }
        Err(NotChanged::Invalid) => Err(("ReceiptHandleIsInvalid", invalid_handle(handle))),
        Err(NotChanged::Gone) => Err(("InvalidParameterValue", format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
        ))),
        Err(NotChanged::NotInFlight) => Err(("MessageNotInflight", "Message is not in flight: it was not received, or its visibility timeout ran out.".to_owned())),
    }
}

fn change_visibility(queue: &Queue, request: &Value) -> Answer {
    match change_one(queue, request) {
        Ok(()) => ok(json!({})),
        Err((code, message)) => error(code, &message),
    }
}

fn change_visibility_batch(queue: &Queue, request: &Value) -> Answer {
    let entries = match entries(request, "ChangeMessageVisibilityBatchRequestEntry") {
        Ok(e) => e,
        Err(answer) => return *answer,
    };
    let (mut successful, mut failures) = (Vec::new(), Vec::new());
    for entry in entries {
        match change_one(queue, entry) {
            Ok(()) => successful.push(json!({"Id": entry["Id"]})),
            Err((code, message)) => failures.push(failed(&entry["Id"], code, &message)),
        }
    }
    ok(json!({"Successful": successful, "Failed": failures}))
}

/// moto's answer (the definition attributes), with the counts of the store laid over it.
async fn get_queue_attributes(agent: &Agent, queue: &Queue, call: &Call) -> Result<Answer> {
    let answer = agent.forward(call).await?;
    if !answer.status().is_success() {
        return Ok(answer);
    }
    let (_, body) = proxy::body_of(answer).await;
    let mut json: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({}));
    let counts = queue.store().counts(now_ms());
    if let Some(attributes) = json["Attributes"].as_object_mut() {
        for (name, value) in [
            ("ApproximateNumberOfMessages", counts.visible),
            ("ApproximateNumberOfMessagesNotVisible", counts.not_visible),
            ("ApproximateNumberOfMessagesDelayed", counts.delayed),
        ] {
            if attributes.contains_key(name) {
                attributes.insert(name.to_owned(), json!(value.to_string()));
            }
        }
    }
    Ok(ok(json))
}
