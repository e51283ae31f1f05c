//! The stack's queues served from the agent's memory (issue 17): moto's SQS walks every message of
//! a queue on each call, so with a backlog of thousands it spent most of a core answering the
//! worker, and drained at 1.4 msg/s. The agent keeps the messages of the queues named by the
//! discovery parameters `queue_url` and `dlq_url` in a [`store::Store`] each and answers their
//! message operations itself (`ops`), and delivers Publish / PublishBatch of the stack's topic
//! (`topic_arn`) into them (`sns`). Queue definitions — CreateQueue, SetQueueAttributes,
//! DeleteQueue, ListQueues, GetQueueUrl, tags — stay with moto, and the definition attributes the
//! store needs (visibility timeout, delay, wait, size, retention, redrive policy) are read from
//! moto. Every other queue is moto's, as before.
//!
//! Whatever reaches moto's copy of a store queue all the same (a client writing to moto directly,
//! a publish moto delivered because the topic has other subscribers, messages sent before the
//! queue was discovered) is taken into the store by the sweep; when the agent stops, the store's
//! messages are handed back to moto's queues, where the next agent finds them.

pub mod moves;
pub mod ops;
pub mod sns;
pub mod store;
mod sweep;
pub mod wire;

pub use sweep::{hand_back_all, run};

use super::Agent;
use aws_sdk_sqs::types::QueueAttributeName;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use store::{Message, Store};
use tokio::sync::Notify;

/// How long the set of stack queues read from the discovery parameters is used before asking
/// [`Agent::discover`] (itself cached) again.
const VIEW_FRESH: Duration = Duration::from_secs(1);

/// The messages of the stack's queues, and which queues those are.
#[derive(Default)]
pub struct Queues {
    view: Mutex<View>,
    adopted: RwLock<HashMap<String, Arc<Queue>>>,
    adopting: tokio::sync::Mutex<()>,
    pub(crate) subscriptions: sns::Cache,
}

/// What the discovery parameters say: the stack's queues (name, URL) and topic.
#[derive(Clone, Default)]
struct View {
    read_at: Option<Instant>,
    queues: Vec<(String, String)>,
    topic_arn: Option<String>,
}

/// A queue's definition attributes, as moto keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub visibility_ms: i64,
    pub delay_ms: i64,
    pub wait_secs: i64,
    pub max_size: usize,
    pub retention_ms: i64,
    /// The dead-letter queue's name and maxReceiveCount.
    pub redrive: Option<(String, u32)>,
}

impl Definition {
    pub fn of(attributes: &HashMap<QueueAttributeName, String>) -> Definition {
        let number = |name: QueueAttributeName, default: i64| {
            attributes
                .get(&name)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(default)
        };
        let redrive = attributes
            .get(&QueueAttributeName::RedrivePolicy)
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
            .and_then(|p| {
                let target = p["deadLetterTargetArn"].as_str()?.rsplit(':').next()?;
                let max = match &p["maxReceiveCount"] {
                    serde_json::Value::String(s) => s.parse().ok()?,
                    v => v.as_u64()? as u32,
                };
                Some((target.to_owned(), max))
            });
        Definition {
            visibility_ms: number(QueueAttributeName::VisibilityTimeout, 30) * 1000,
            delay_ms: number(QueueAttributeName::DelaySeconds, 0) * 1000,
            wait_secs: number(QueueAttributeName::ReceiveMessageWaitTimeSeconds, 0),
            max_size: number(QueueAttributeName::MaximumMessageSize, 262_144) as usize,
            retention_ms: number(QueueAttributeName::MessageRetentionPeriod, 345_600) * 1000,
            redrive,
        }
    }
}

/// One store queue.
pub struct Queue {
    pub name: String,
    pub url: String,
    pub arn: String,
    definition: Mutex<Definition>,
    pub store: Mutex<Store>,
    /// Woken when messages become visible: the long polls of ReceiveMessage wait on it.
    pub arrived: Notify,
}

impl Queue {
    pub fn definition(&self) -> Definition {
        self.definition.lock().expect("definition lock").clone()
    }

    pub fn set_definition(&self, definition: Definition) {
        *self.definition.lock().expect("definition lock") = definition;
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("store lock")
    }

    /// Add messages (visible after `delay_ms`) and wake the long polls.
    pub fn send_all(&self, messages: impl IntoIterator<Item = Message>, delay_ms: i64) {
        let now = now_ms();
        {
            let mut store = self.store();
            for message in messages {
                store.send(message, now, delay_ms);
            }
        }
        self.arrived.notify_waiters();
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    (super::now_secs() * 1000.0) as i64
}

/// The queue name of a queue URL (`http://host/123456789012/name`).
pub fn queue_name(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

impl Queues {
    async fn view(&self, agent: &Agent, force: bool) -> View {
        {
            let view = self.view.lock().expect("view lock");
            if !force && view.read_at.is_some_and(|at| at.elapsed() < VIEW_FRESH) {
                return view.clone();
            }
        }
        let read = agent.discover().await;
        let mut view = self.view.lock().expect("view lock");
        view.read_at = Some(Instant::now());
        if let Ok(stack) = read {
            view.queues = ["queue_url", "dlq_url"]
                .iter()
                .filter_map(|key| stack.get(key))
                // FIFO queues keep their order and deduplication in moto.
                .filter(|url| !url.ends_with(".fifo"))
                .map(|url| (queue_name(url).to_owned(), url.to_owned()))
                .collect();
            view.topic_arn = stack.get("topic_arn").map(str::to_owned);
        }
        view.clone()
    }

    /// The stack's topic, when the discovery parameters name one.
    pub async fn topic_arn(&self, agent: &Agent) -> Option<String> {
        self.view(agent, false).await.topic_arn
    }

    /// The store queue of `url` (or a bare queue name), when it is one of the stack's queues and
    /// exists in moto; taken into the store at its first use.
    pub async fn queue(&self, agent: &Agent, url: &str) -> Option<Arc<Queue>> {
        let name = queue_name(url);
        if let Some(queue) = self.adopted(name) {
            return Some(queue);
        }
        let view = self.view(agent, false).await;
        let (_, url) = view.queues.iter().find(|(n, _)| n == name)?;
        self.adopt(agent, name, url).await
    }

    /// The store queue named `name`, if it was taken into the store.
    pub fn adopted(&self, name: &str) -> Option<Arc<Queue>> {
        self.adopted.read().expect("queues lock").get(name).cloned()
    }

    pub fn all(&self) -> Vec<Arc<Queue>> {
        self.adopted
            .read()
            .expect("queues lock")
            .values()
            .cloned()
            .collect()
    }

    async fn adopt(&self, agent: &Agent, name: &str, url: &str) -> Option<Arc<Queue>> {
        let _one_at_a_time = self.adopting.lock().await;
        if let Some(queue) = self.adopted(name) {
            return Some(queue);
        }
        let attributes = read_attributes(agent, url).await?;
        let queue = Arc::new(Queue {
            name: name.to_owned(),
            url: url.to_owned(),
            arn: attributes
                .get(&QueueAttributeName::QueueArn)
                .cloned()
                .unwrap_or_else(|| format!("arn:aws:sqs:us-east-1:123456789012:{name}")),
            definition: Mutex::new(Definition::of(&attributes)),
            store: Mutex::new(Store::new(fastrand::u32(..))),
            arrived: Notify::new(),
        });
        self.adopted
            .write()
            .expect("queues lock")
            .insert(name.to_owned(), queue.clone());
        Some(queue)
    }

    /// Forget a queue moto deleted (its messages go with it, as SQS's do).
    pub fn forget(&self, name: &str) {
        self.adopted.write().expect("queues lock").remove(name);
    }

    fn take(&self, name: &str) -> Option<Arc<Queue>> {
        self.adopted.write().expect("queues lock").remove(name)
    }

    /// Read a queue's definition from moto again (after SetQueueAttributes).
    pub async fn refresh(&self, agent: &Agent, queue: &Queue) {
        if let Some(attributes) = read_attributes(agent, &queue.url).await {
            queue.set_definition(Definition::of(&attributes));
        }
    }

    /// Put messages that exceeded a redrive policy into the dead-letter queue `dlq`: the
    /// store's, or moto's when the DLQ is not one of the stack's.
    pub async fn dead_letter(&self, agent: &Agent, dlq: &str, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        match self.queue(agent, dlq).await {
            Some(queue) => queue.send_all(messages, 0),
            None => {
                if let Err(e) = sweep::send_to_moto(agent, dlq, messages).await {
                    eprintln!("devstack agent: cannot dead-letter messages into {dlq}: {e:#}");
                }
            }
        }
    }
}

/// Every attribute of queue `url` in moto; `None` when moto has no such queue.
async fn read_attributes(agent: &Agent, url: &str) -> Option<HashMap<QueueAttributeName, String>> {
    aws_sdk_sqs::Client::new(&agent.sdk)
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .ok()
        .map(|out| out.attributes().cloned().unwrap_or_default())
}
