//! SQS interceptions (JSON protocol): the message move tasks moto lacks (StartMessageMoveTask,
//! ListMessageMoveTasks, CancelMessageMoveTask), run by the agent against moto's queues, and
//! PurgeQueue's one-purge-per-60-seconds rule.

use super::proxy::{self, Call};
use super::Agent;
use anyhow::{Context, Result};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, SendMessageBatchRequestEntry,
};
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{HeaderValue, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// AWS allows one PurgeQueue per queue every 60 seconds.
pub const PURGE_INTERVAL_SECS: f64 = 60.0;

#[derive(Default)]
pub struct State {
    tasks: Mutex<Vec<Arc<MoveTask>>>,
    last_purge: Mutex<HashMap<String, f64>>,
}

/// One message move task.
pub struct MoveTask {
    pub handle: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: Option<i64>,
    pub started_ms: i64,
    pub to_move: i64,
    pub moved: AtomicI64,
    status: Mutex<(&'static str, Option<String>)>,
    cancel: AtomicBool,
}

impl MoveTask {
    fn status(&self) -> (&'static str, Option<String>) {
        self.status.lock().expect("status lock").clone()
    }
    fn set_status(&self, status: &'static str, reason: Option<String>) {
        *self.status.lock().expect("status lock") = (status, reason);
    }
    fn to_json(&self) -> Value {
        let (status, reason) = self.status();
        let mut v = json!({
            "Status": status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved.load(Ordering::Relaxed),
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        });
        if status == "RUNNING" {
            v["TaskHandle"] = json!(self.handle);
        }
        if let Some(d) = &self.destination_arn {
            v["DestinationArn"] = json!(d);
        }
        if let Some(r) = self.rate {
            v["MaxNumberOfMessagesPerSecond"] = json!(r);
        }
        if let Some(r) = reason {
            v["FailureReason"] = json!(r);
        }
        v
    }
}

/// An SQS JSON-protocol error, with the query-compatible code header AWS sends.
pub fn error(
    status: StatusCode,
    code: &str,
    query_code: &str,
    message: &str,
) -> Response<Full<Bytes>> {
    let mut response = proxy::answer(
        status,
        "application/x-amz-json-1.0",
        json!({"__type": format!("com.amazonaws.sqs#{code}"), "message": message}).to_string(),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("{query_code};Sender")) {
        response.headers_mut().insert("x-amzn-query-error", value);
    }
    response
}

fn ok(body: Value) -> Response<Full<Bytes>> {
    proxy::answer(
        StatusCode::OK,
        "application/x-amz-json-1.0",
        body.to_string(),
    )
}

fn request(call: &Call) -> Value {
    serde_json::from_slice(&call.body).unwrap_or(Value::Null)
}

/// The queue URL of `arn:aws:sqs:<region>:<account>:<name>`.
async fn url_of(sqs: &aws_sdk_sqs::Client, arn: &str) -> Option<String> {
    let name = arn.rsplit(':').next()?;
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .ok()?
        .queue_url()
        .map(str::to_owned)
}

pub async fn start_message_move_task(
    agent: &Arc<Agent>,
    call: &Call,
) -> Result<Response<Full<Bytes>>> {
    let req = request(call);
    let source_arn = req["SourceArn"].as_str().unwrap_or_default().to_owned();
    let destination_arn = req["DestinationArn"].as_str().map(str::to_owned);
    let rate = req["MaxNumberOfMessagesPerSecond"].as_i64();
    let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
    let Some(source_url) = url_of(&sqs, &source_arn).await else {
        return Ok(error(StatusCode::BAD_REQUEST, "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
            &format!("The resource that you specified for the SourceArn parameter doesn't exist: {source_arn}")));
    };
    if agent
        .sqs
        .tasks
        .lock()
        .expect("tasks")
        .iter()
        .any(|t| t.source_arn == source_arn && t.status().0 == "RUNNING")
    {
        return Ok(error(
            StatusCode::BAD_REQUEST,
            "UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
            &format!("There is already a message move task running for {source_arn}"),
        ));
    }
    // Without a destination, messages go back to the queue whose redrive policy names the source.
    let destination_url = match &destination_arn {
        Some(arn) => url_of(&sqs, arn).await,
        None => sqs
            .list_dead_letter_source_queues()
            .queue_url(&source_url)
            .send()
            .await
            .ok()
            .and_then(|o| o.queue_urls().first().cloned()),
    };
    let Some(destination_url) = destination_url else {
        return Ok(error(StatusCode::BAD_REQUEST, "InvalidParameterValue", "InvalidParameterValue",
            &format!("No destination for messages of {source_arn}: give DestinationArn, or make it the dead-letter queue of a queue")));
    };
    let to_move = match super::queues::moves::to_move(agent, &source_url).await {
        Some(n) => n,
        None => sqs
            .get_queue_attributes()
            .queue_url(&source_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .ok()
            .and_then(|o| {
                o.attributes()?
                    .get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)?
                    .parse()
                    .ok()
            })
            .unwrap_or(0),
    };
    let task = Arc::new(MoveTask {
        handle: format!("devstack-move-{}", proxy::request_id()),
        source_arn,
        destination_arn,
        rate,
        started_ms: (super::now_secs() * 1000.0) as i64,
        to_move,
        moved: AtomicI64::new(0),
        status: Mutex::new(("RUNNING", None)),
        cancel: AtomicBool::new(false),
    });
    agent.sqs.tasks.lock().expect("tasks").push(task.clone());
    tokio::spawn(run_move(
        agent.clone(),
        sqs,
        task.clone(),
        source_url,
        destination_url,
    ));
    Ok(ok(json!({"TaskHandle": task.handle})))
}

async fn run_move(
    agent: Arc<Agent>,
    sqs: aws_sdk_sqs::Client,
    task: Arc<MoveTask>,
    source: String,
    destination: String,
) {
    match move_messages(&agent, &sqs, &task, &source, &destination).await {
        Ok(()) if task.cancel.load(Ordering::Relaxed) => task.set_status("CANCELLED", None),
        Ok(()) => task.set_status("COMPLETED", None),
        Err(e) => task.set_status("FAILED", Some(format!("{e:#}"))),
    }
}

async fn move_messages(
    agent: &Agent,
    sqs: &aws_sdk_sqs::Client,
    task: &MoveTask,
    source: &str,
    destination: &str,
) -> Result<()> {
    let batch = task.rate.map(|r| r.clamp(1, 10) as i32).unwrap_or(10);
    loop {
        if task.cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
        // The stack's queues: moved within the agent's store (see `queues::moves`).
        if let Some(moved) =
            super::queues::moves::step(agent, source, destination, batch as usize).await?
        {
            if moved == 0 {
                return Ok(());
            }
            task.moved.fetch_add(moved as i64, Ordering::Relaxed);
            if task.rate.is_some() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            continue;
        }
        let out = sqs
            .receive_message()
            .queue_url(source)
            .max_number_of_messages(batch)
            .visibility_timeout(30)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .context("cannot receive from the source queue")?;
        let messages = out.messages();
        if messages.is_empty() {
            return Ok(());
        }
        let mut entries = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            entries.push(
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(m.body().unwrap_or_default())
                    .set_message_attributes(m.message_attributes().cloned())
                    .build()?,
            );
        }
        sqs.send_message_batch()
            .queue_url(destination)
            .set_entries(Some(entries))
            .send()
            .await
            .context("cannot send to the destination queue")?;
        let deletes = messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle()?)
                    .build()
                    .ok()
            })
            .collect();
        sqs.delete_message_batch()
            .queue_url(source)
            .set_entries(Some(deletes))
            .send()
            .await
            .context("cannot delete moved messages from the source queue")?;
        task.moved
            .fetch_add(messages.len() as i64, Ordering::Relaxed);
        if task.rate.is_some() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

pub async fn list_message_move_tasks(
    agent: &Arc<Agent>,
    call: &Call,
) -> Result<Response<Full<Bytes>>> {
    let req = request(call);
    let source_arn = req["SourceArn"].as_str().unwrap_or_default();
    let max = req["MaxResults"].as_u64().unwrap_or(1).clamp(1, 10) as usize;
    let results: Vec<Value> = agent
        .sqs
        .tasks
        .lock()
        .expect("tasks")
        .iter()
        .rev()
        .filter(|t| t.source_arn == source_arn)
        .take(max)
        .map(|t| t.to_json())
        .collect();
    if results.is_empty() {
        let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
        if url_of(&sqs, source_arn).await.is_none() {
            return Ok(error(StatusCode::BAD_REQUEST, "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
                &format!("The resource that you specified for the SourceArn parameter doesn't exist: {source_arn}")));
        }
    }
    Ok(ok(json!({"Results": results})))
}

pub fn cancel_message_move_task(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let req = request(call);
    let handle = req["TaskHandle"].as_str().unwrap_or_default();
    let tasks = agent.sqs.tasks.lock().expect("tasks");
    match tasks
        .iter()
        .find(|t| t.handle == handle && t.status().0 == "RUNNING")
    {
        Some(task) => {
            task.cancel.store(true, Ordering::Relaxed);
            task.set_status("CANCELLING", None);
            Ok(ok(
                json!({"ApproximateNumberOfMessagesMoved": task.moved.load(Ordering::Relaxed)}),
            ))
        }
        None => Ok(error(
            StatusCode::BAD_REQUEST,
            "ResourceNotFoundException",
            "ResourceNotFoundException",
            &format!("No running message move task with handle {handle}"),
        )),
    }
}

/// PurgeQueue: refused within 60 s of the queue's last purge, as AWS does; else forwarded.
pub async fn purge_queue(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let req = request(call);
    let url = req["QueueUrl"].as_str().unwrap_or_default();
    let queue = url.rsplit('/').next().unwrap_or(url).to_owned();
    let now = super::now_secs();
    if let Some(last) = agent.sqs.last_purge.lock().expect("purge lock").get(&queue) {
        if now - last < PURGE_INTERVAL_SECS {
            return Ok(error(
                StatusCode::FORBIDDEN,
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                &format!("Only one PurgeQueue operation on {queue} is allowed every 60 seconds."),
            ));
        }
    }
    let response = agent.forward(call).await?;
    if response.status().is_success() {
        agent
            .sqs
            .last_purge
            .lock()
            .expect("purge lock")
            .insert(queue, now);
    }
    Ok(response)
}
