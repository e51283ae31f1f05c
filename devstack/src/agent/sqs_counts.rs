//! NumberOfMessagesReceived and NumberOfMessagesDeleted, which moto never publishes: the agent
//! forwards ReceiveMessage, DeleteMessage and DeleteMessageBatch (JSON protocol) unchanged and
//! counts the messages of their answers — messages, not calls, as AWS counts — per queue; the
//! metrics loop puts each interval's counts (see `metrics`).

use super::proxy::{self, Call};
use super::Agent;
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Messages received and deleted per queue name since the last [`Counts::take`].
#[derive(Default)]
pub struct Counts {
    by_queue: Mutex<HashMap<String, (u64, u64)>>,
}

impl Counts {
    pub fn add(&self, queue: &str, received: u64, deleted: u64) {
        let mut counts = self.by_queue.lock().expect("counts lock");
        let entry = counts.entry(queue.to_owned()).or_default();
        entry.0 += received;
        entry.1 += deleted;
    }

    /// (received, deleted) of `queue` since the last take, and start again from zero.
    pub fn take(&self, queue: &str) -> (u64, u64) {
        let mut counts = self.by_queue.lock().expect("counts lock");
        counts.remove(queue).unwrap_or_default()
    }
}

/// The queue name and (received, deleted) messages of one successful call's request and answer.
pub fn counted(operation: &str, request: &[u8], answer: &[u8]) -> Option<(String, u64, u64)> {
    let request: Value = serde_json::from_slice(request).ok()?;
    let url = request["QueueUrl"].as_str()?;
    let queue = url.trim_end_matches('/').rsplit('/').next()?.to_owned();
    let answer: Value = serde_json::from_slice(answer).unwrap_or(Value::Null);
    let length = |key: &str| answer[key].as_array().map_or(0, |a| a.len() as u64);
    match operation {
        "ReceiveMessage" => Some((queue, length("Messages"), 0)),
        "DeleteMessage" => Some((queue, 0, 1)),
        "DeleteMessageBatch" => Some((queue, 0, length("Successful"))),
        _ => None,
    }
}

/// Forward `call` to moto; count its messages when moto answered it.
pub async fn forward(agent: &Arc<Agent>, call: &Call) -> Result<Response<Full<Bytes>>> {
    let response = agent.forward(call).await?;
    if !response.status().is_success() {
        return Ok(response);
    }
    let (parts, body) = proxy::body_of(response).await;
    if let Some((queue, received, deleted)) = counted(&call.op.name, &call.body, &body) {
        agent.sqs_counts.add(&queue, received, deleted);
    }
    Ok(Response::from_parts(parts, Full::new(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = r#"{"QueueUrl":"http://127.0.0.1:4566/123456789012/courier-local-work"}"#;

    #[test]
    fn messages_are_counted_not_calls() {
        let two = br#"{"Messages":[{"MessageId":"a"},{"MessageId":"b"}]}"#;
        assert_eq!(
            counted("ReceiveMessage", URL.as_bytes(), two),
            Some(("courier-local-work".into(), 2, 0))
        );
        assert_eq!(
            counted("ReceiveMessage", URL.as_bytes(), b"{}").map(|c| c.1),
            Some(0),
            "an empty receive"
        );
        let batch = br#"{"Successful":[{"Id":"1"},{"Id":"2"},{"Id":"3"}],"Failed":[{"Id":"4"}]}"#;
        assert_eq!(
            counted("DeleteMessageBatch", URL.as_bytes(), batch).map(|c| c.2),
            Some(3)
        );
        assert_eq!(
            counted("DeleteMessage", URL.as_bytes(), b"").map(|c| c.2),
            Some(1)
        );
        assert_eq!(counted("SendMessage", URL.as_bytes(), b"{}"), None);
        assert_eq!(counted("ReceiveMessage", b"not json", b"{}"), None);
    }

    #[test]
    fn counts_add_up_per_queue_until_taken() {
        let counts = Counts::default();
        counts.add("q", 10, 0);
        counts.add("q", 0, 7);
        counts.add("dlq", 1, 0);
        assert_eq!(counts.take("q"), (10, 7));
        assert_eq!(counts.take("q"), (0, 0));
        assert_eq!(counts.take("dlq"), (1, 0));
    }
}
