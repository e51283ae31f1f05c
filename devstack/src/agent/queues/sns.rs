//! SNS Publish and PublishBatch (Query protocol, as aws-sdk-sns and the AWS CLI send them) to the
//! stack's topic (`topic_arn`), delivered by the agent into the store queues subscribed to it: the
//! SNS envelope (`Type: Notification`, MessageId, TopicArn, Subject, Message, Timestamp,
//! SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, MessageAttributes), or the raw
//! message with its attributes as SQS message attributes when the subscription has
//! RawMessageDelivery. The subscriptions are read from moto (ListSubscriptionsByTopic,
//! GetSubscriptionAttributes), kept 5 s, and forgotten at once on Subscribe, Unsubscribe,
//! SetSubscriptionAttributes and DeleteTopic through the agent. A topic with any other
//! subscription — another queue, another protocol, a filter policy — is published by moto, as
//! before (the sweep then takes what moto delivered to a store queue into the store).

use super::store::Attribute;
use super::{now_ms, wire, Queue};
use crate::agent::cloudwatch::xml_escape;
use crate::agent::proxy::{self, Call};
use crate::agent::Agent;
use anyhow::{Context, Result};
use base64::Engine;
use hyper::http::StatusCode;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FRESH: Duration = Duration::from_secs(5);

/// One subscription of the topic, as moto keeps it.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub raw: bool,
    pub filtered: bool,
}

/// A topic's subscriptions and when they were read.
type Read = (Instant, Arc<Vec<Subscription>>);

/// The topics' subscriptions, read from moto and kept [`FRESH`].
#[derive(Default)]
pub struct Cache {
    topics: Mutex<HashMap<String, Read>>,
}

impl Cache {
    fn clear(&self) {
        self.topics.lock().expect("subscriptions lock").clear();
    }
}

type Answer = wire::Answer;

/// Answer an SNS call the store is concerned with; `None` leaves it to moto.
pub async fn intercept(agent: &Arc<Agent>, call: &Call) -> Option<Result<Answer>> {
    match call.op.name.as_str() {
        "Subscribe" | "Unsubscribe" | "SetSubscriptionAttributes" | "DeleteTopic" => {
            let answer = agent.forward(call).await;
            agent.queues.subscriptions.clear();
            Some(answer)
        }
        "Publish" | "PublishBatch" if !call.op.json => {
            let form: HashMap<String, String> = form_urlencoded::parse(&call.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let topic = form.get("TopicArn")?;
            if agent.queues.topic_arn(agent).await.as_ref() != Some(topic) {
                return None;
            }
            let targets = targets(agent, topic).await?;
            Some(Ok(if call.op.name == "Publish" {
                publish(topic, &form, &targets)
            } else {
                publish_batch(topic, &form, &targets)
            }))
        }
        _ => None,
    }
}

/// The store queues subscribed to `topic` and whether each wants raw delivery; `None` when any
/// subscription is not a store queue's (moto publishes then).
async fn targets(agent: &Agent, topic: &str) -> Option<Vec<(Arc<Queue>, Subscription)>> {
    let subscriptions = match subscriptions(agent, topic).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("devstack agent: {e:#}; moto publishes to {topic}");
            return None;
        }
    };
    let mut targets = Vec::new();
    for s in subscriptions.iter() {
        if s.protocol != "sqs" || s.filtered {
            return None;
        }
        let name = s.endpoint.rsplit(':').next().unwrap_or_default();
        targets.push((agent.queues.queue(agent, name).await?, s.clone()));
    }
    (!targets.is_empty()).then_some(targets)
}

async fn subscriptions(agent: &Agent, topic: &str) -> Result<Arc<Vec<Subscription>>> {
    if let Some((at, subs)) = agent
        .queues
        .subscriptions
        .topics
        .lock()
        .expect("lock")
        .get(topic)
    {
        if at.elapsed() < FRESH {
            return Ok(subs.clone());
        }
    }
    let sns = aws_sdk_sns::Client::new(&agent.sdk);
    let mut found = Vec::new();
    let mut pages = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.with_context(|| format!("cannot list the subscriptions of {topic}"))?;
        for s in page.subscriptions() {
            let arn = s.subscription_arn().unwrap_or_default().to_owned();
            let protocol = s.protocol().unwrap_or_default().to_owned();
            let (mut raw, mut filtered) = (false, false);
            if protocol == "sqs" {
                let attributes = sns
                    .get_subscription_attributes()
                    .subscription_arn(&arn)
                    .send()
                    .await
                    .with_context(|| format!("cannot read the attributes of {arn}"))?;
                let attributes = attributes.attributes().cloned().unwrap_or_default();
                raw = attributes
                    .get("RawMessageDelivery")
                    .is_some_and(|v| v == "true");
                filtered = attributes
                    .get("FilterPolicy")
                    .is_some_and(|p| !p.trim().is_empty() && p.trim() != "{}");
            }
            found.push(Subscription {
                arn,
                protocol,
                endpoint: s.endpoint().unwrap_or_default().to_owned(),
                raw,
                filtered,
            });
        }
    }
    let found = Arc::new(found);
    agent
        .queues
        .subscriptions
        .topics
        .lock()
        .expect("lock")
        .insert(topic.to_owned(), (Instant::now(), found.clone()));
    Ok(found)
}

/// One message to publish, read from the form fields under `prefix`.
struct Publication {
    message: String,
    subject: Option<String>,
    attributes: BTreeMap<String, Attribute>,
}

fn publication(form: &HashMap<String, String>, prefix: &str) -> Result<Publication, String> {
    let field = |name: &str| form.get(&format!("{prefix}{name}")).cloned();
    let mut message = field("Message")
        .filter(|m| !m.is_empty())
        .ok_or("Invalid parameter: Empty message")?;
    if field("MessageStructure").as_deref() == Some("json") {
        let structure: serde_json::Value = serde_json::from_str(&message).map_err(|_| {
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        })?;
        message = structure["sqs"]
            .as_str()
            .or(structure["default"].as_str())
            .ok_or("Invalid parameter: Message Structure - No default entry in JSON message body")?
            .to_owned();
    }
    let mut attributes = BTreeMap::new();
    for n in 1.. {
        let entry = |name: &str| field(&format!("MessageAttributes.entry.{n}.{name}"));
        let Some(name) = entry("Name") else { break };
        let data_type = entry("Value.DataType").unwrap_or_else(|| "String".into());
        let binary = entry("Value.BinaryValue")
            .map(|b| base64::engine::general_purpose::STANDARD.decode(b))
            .transpose()
            .map_err(|_| {
                format!("Invalid parameter: the binary value of message attribute {name}")
            })?;
        attributes.insert(
            name,
            Attribute {
                data_type,
                string: entry("Value.StringValue"),
                binary,
            },
        );
    }
    if message.len() > 262_144 {
        return Err("Invalid parameter: Message too long".into());
    }
    Ok(Publication {
        message,
        subject: field("Subject"),
        attributes,
    })
}

/// ISO 8601 with milliseconds, as SNS writes its timestamps.
fn timestamp(ms: i64) -> String {
    let whole = crate::agent::cloudwatch::iso((ms / 1000) as f64);
    format!("{}.{:03}Z", whole.trim_end_matches('Z'), ms % 1000)
}

/// Deliver one publication to every target; its message id.
fn deliver(topic: &str, p: &Publication, targets: &[(Arc<Queue>, Subscription)]) -> String {
    let id = wire::message_id();
    let now = now_ms();
    let region = topic.split(':').nth(3).unwrap_or("us-east-1");
    for (queue, subscription) in targets {
        let message = if subscription.raw {
            let attributes = p
                .attributes
                .iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    if v.data_type == "String.Array" {
                        v.data_type = "String".into();
                    }
                    (k.clone(), v)
                })
                .collect();
            wire::message(p.message.clone(), attributes, None, now)
        } else {
            let mut envelope = serde_json::json!({
                "Type": "Notification",
                "MessageId": id,
                "TopicArn": topic,
                "Message": p.message,
                "Timestamp": timestamp(now),
                "SignatureVersion": "1",
                "Signature": base64::engine::general_purpose::STANDARD.encode(wire::md5_hex(format!("{id}{}", p.message).as_bytes())),
                "SigningCertURL": format!("https://sns.{region}.amazonaws.com/SimpleNotificationService-devstack.pem"),
                "UnsubscribeURL": format!("https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={}", subscription.arn),
            });
            if let Some(subject) = &p.subject {
                envelope["Subject"] = serde_json::json!(subject);
            }
            if !p.attributes.is_empty() {
                let attributes: serde_json::Map<String, serde_json::Value> = p
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        let value = match (&v.string, &v.binary) {
                            (_, Some(b)) => base64::engine::general_purpose::STANDARD.encode(b),
                            (s, None) => s.clone().unwrap_or_default(),
                        };
                        (
                            k.clone(),
                            serde_json::json!({"Type": v.data_type, "Value": value}),
                        )
                    })
                    .collect();
                envelope["MessageAttributes"] = serde_json::Value::Object(attributes);
            }
            wire::message(envelope.to_string(), BTreeMap::new(), None, now)
        };
        queue.send_all([message], queue.definition().delay_ms);
    }
    id
}

const XMLNS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

fn xml(body: String) -> Answer {
    proxy::answer(StatusCode::OK, "text/xml", body)
}

fn sns_error(code: &str, message: &str) -> Answer {
    proxy::answer(
        StatusCode::BAD_REQUEST,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            xml_escape(message),
            proxy::request_id()
        ),
    )
}

fn publish(
    topic: &str,
    form: &HashMap<String, String>,
    targets: &[(Arc<Queue>, Subscription)],
) -> Answer {
    match publication(form, "") {
        Ok(p) => {
            let id = deliver(topic, &p, targets);
            xml(format!(
                "<PublishResponse xmlns=\"{XMLNS}\"><PublishResult><MessageId>{id}</MessageId></PublishResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></PublishResponse>",
                proxy::request_id()
            ))
        }
        Err(message) => sns_error("InvalidParameter", &message),
    }
}

fn publish_batch(
    topic: &str,
    form: &HashMap<String, String>,
    targets: &[(Arc<Queue>, Subscription)],
) -> Answer {
    let entry = |n: usize| format!("PublishBatchRequestEntries.member.{n}.");
    let count = (1..)
        .take_while(|n| form.contains_key(&format!("{}Id", entry(*n))))
        .count();
    if count == 0 {
        return sns_error(
            "EmptyBatchRequest",
            "The batch request doesn't contain any entries.",
        );
    }
    if count > 10 {
        return sns_error(
            "TooManyEntriesInBatchRequest",
            "The batch request contains more entries than permissible.",
        );
    }
    let ids: HashSet<&String> = (1..=count)
        .filter_map(|n| form.get(&format!("{}Id", entry(n))))
        .collect();
    if ids.len() != count {
        return sns_error(
            "BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        );
    }
    let (mut successful, mut failed) = (String::new(), String::new());
    for n in 1..=count {
        let prefix = entry(n);
        let id = xml_escape(&form[&format!("{prefix}Id")]);
        match publication(form, &prefix) {
            Ok(p) => {
                let message_id = deliver(topic, &p, targets);
                successful.push_str(&format!("<member><Id>{id}</Id><MessageId>{message_id}</MessageId></member>"));
            }
            Err(message) => failed.push_str(&format!(
                "<member><Id>{id}</Id><Code>InvalidParameter</Code><Message>{}</Message><SenderFault>true</SenderFault></member>",
                xml_escape(&message)
            )),
        }
    }
    xml(format!(
        "<PublishBatchResponse xmlns=\"{XMLNS}\"><PublishBatchResult><Successful>{successful}</Successful><Failed>{failed}</Failed></PublishBatchResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></PublishBatchResponse>",
        proxy::request_id()
    ))
}
