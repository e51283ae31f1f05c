//! SQS's AWS JSON 1.0 wire format for the store's answers: message attributes in and out, the
//! MD5 digests SQS answers with (of the body, and of the attributes by SQS's encoding), the
//! received message's shape, and errors in AWS's JSON error shape with the `x-amzn-query-error`
//! header that SQS sends (the SDKs read the error code from it).

use super::store::{Attribute, Message, Received};
use crate::agent::proxy;
use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{Response, StatusCode};
use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

pub type Answer = Response<Full<Bytes>>;

pub fn ok(body: Value) -> Answer {
    proxy::answer(
        StatusCode::OK,
        "application/x-amz-json-1.0",
        body.to_string(),
    )
}

/// An SQS error: `code` is the error shape (`ReceiptHandleIsInvalid`, …), its query-compatible
/// code SQS's own (`AWS.SimpleQueueService.…` for some).
pub fn error(code: &str, message: &str) -> Answer {
    let (status, query) = match code {
        "QueueDoesNotExist" => (
            StatusCode::BAD_REQUEST,
            "AWS.SimpleQueueService.NonExistentQueue",
        ),
        "MessageNotInflight" => (
            StatusCode::BAD_REQUEST,
            "AWS.SimpleQueueService.MessageNotInflight",
        ),
        "EmptyBatchRequest"
        | "TooManyEntriesInBatchRequest"
        | "BatchEntryIdsNotDistinct"
        | "BatchRequestTooLong"
        | "InvalidBatchEntryId" => {
            return crate::agent::sqs::error(
                StatusCode::BAD_REQUEST,
                code,
                &format!("AWS.SimpleQueueService.{code}"),
                message,
            )
        }
        _ => (StatusCode::BAD_REQUEST, code),
    };
    crate::agent::sqs::error(status, code, query, message)
}

pub fn invalid_parameter(message: &str) -> Answer {
    error("InvalidParameterValue", message)
}

pub fn md5_hex(bytes: &[u8]) -> String {
    let digest = Md5::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// MD5OfMessageAttributes: each attribute in name order as length-prefixed name, data type, a
/// transport byte (1 string, 2 binary) and length-prefixed value.
pub fn md5_of_attributes(attributes: &BTreeMap<String, Attribute>) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut bytes = Vec::new();
    let field = |b: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    };
    for (name, value) in attributes {
        field(name.as_bytes(), &mut bytes);
        field(value.data_type.as_bytes(), &mut bytes);
        match (&value.string, &value.binary) {
            (_, Some(binary)) => {
                bytes.push(2);
                field(binary, &mut bytes);
            }
            (string, None) => {
                bytes.push(1);
                field(string.as_deref().unwrap_or_default().as_bytes(), &mut bytes);
            }
        }
    }
    Some(md5_hex(&bytes))
}

/// `MessageAttributes` of a request: `{name: {DataType, StringValue | BinaryValue (base64)}}`.
pub fn attributes_in(value: &Value) -> Result<BTreeMap<String, Attribute>, String> {
    let mut attributes = BTreeMap::new();
    let Some(object) = value.as_object() else {
        return Ok(attributes);
    };
    for (name, v) in object {
        let data_type = v["DataType"]
            .as_str()
            .ok_or_else(|| format!("The message attribute '{name}' must contain a non-empty message attribute type."))?
            .to_owned();
        let binary = match v["BinaryValue"].as_str() {
            Some(b) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|_| {
                        format!("The message attribute '{name}' has an invalid binary value.")
                    })?,
            ),
            None => None,
        };
        let string = v["StringValue"].as_str().map(str::to_owned);
        if string.is_none() && binary.is_none() {
            return Err(format!(
                "The message attribute '{name}' must contain a non-empty message attribute value."
            ));
        }
        attributes.insert(
            name.clone(),
            Attribute {
                data_type,
                string,
                binary,
            },
        );
    }
    Ok(attributes)
}

fn attribute_out(value: &Attribute) -> Value {
    let mut out = json!({"DataType": value.data_type});
    if let Some(s) = &value.string {
        out["StringValue"] = json!(s);
    }
    if let Some(b) = &value.binary {
        out["BinaryValue"] = json!(base64::engine::general_purpose::STANDARD.encode(b));
    }
    out
}

/// Whether attribute `name` is asked for by `wanted` (`All`, `.*`, a name, or `prefix.*`).
fn wanted(wanted: &[String], name: &str) -> bool {
    wanted.iter().any(|w| {
        w == "All"
            || w == ".*"
            || w == name
            || w.strip_suffix(".*").is_some_and(|p| name.starts_with(p))
    })
}

/// The strings of a list field (`AttributeNames`, …).
pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The sender local clients are: moto's fixed IAM user id.
pub const SENDER_ID: &str = "AIDAIT2UOQQY3AUEKVGXU";

/// One message of a ReceiveMessage answer, with the system attributes and message attributes
/// the request named.
pub fn received(r: &Received, system: &[String], message_attributes: &[String]) -> Value {
    let m = &r.message;
    let mut out = json!({
        "MessageId": m.id,
        "ReceiptHandle": r.receipt_handle,
        "MD5OfBody": m.md5_of_body,
        "Body": m.body,
    });
    let mut attrs = Map::new();
    let mut put = |name: &str, value: String| {
        if wanted(system, name) {
            attrs.insert(name.to_owned(), json!(value));
        }
    };
    put("SenderId", SENDER_ID.to_owned());
    put("SentTimestamp", m.sent_ms.to_string());
    put("ApproximateReceiveCount", m.receive_count.to_string());
    put(
        "ApproximateFirstReceiveTimestamp",
        m.first_receive_ms.unwrap_or(m.sent_ms).to_string(),
    );
    if let Some(trace) = &m.trace_header {
        put("AWSTraceHeader", trace.clone());
    }
    if !attrs.is_empty() {
        out["Attributes"] = Value::Object(attrs);
    }
    let chosen: BTreeMap<String, Attribute> = m
        .attributes
        .iter()
        .filter(|(name, _)| wanted(message_attributes, name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !chosen.is_empty() {
        out["MD5OfMessageAttributes"] = json!(md5_of_attributes(&chosen));
        out["MessageAttributes"] = Value::Object(
            chosen
                .iter()
                .map(|(k, v)| (k.clone(), attribute_out(v)))
                .collect(),
        );
    }
    out
}

/// A message id in the shape of SQS's (a random UUID).
pub fn message_id() -> String {
    let (a, b) = (fastrand::u64(..), fastrand::u64(..));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A message made from what a sender gave.
pub fn message(
    body: String,
    attributes: BTreeMap<String, Attribute>,
    trace_header: Option<String>,
    now_ms: i64,
) -> Message {
    Message {
        id: message_id(),
        md5_of_body: md5_hex(body.as_bytes()),
        md5_of_attributes: md5_of_attributes(&attributes),
        body,
        attributes,
        trace_header,
        sent_ms: now_ms,
        receive_count: 0,
        first_receive_ms: None,
    }
}

/// A batch's entries, checked as SQS checks them.
pub fn entries<'a>(request: &'a Value, what: &str) -> Result<&'a Vec<Value>, Box<Answer>> {
    let entries = match request["Entries"].as_array() {
        Some(e) if !e.is_empty() => e,
        _ => {
            return Err(Box::new(error(
                "EmptyBatchRequest",
                &format!("There should be at least one {what} in the request."),
            )))
        }
    };
    if entries.len() > 10 {
        return Err(Box::new(error(
            "TooManyEntriesInBatchRequest",
            &format!(
                "Maximum number of entries per request are 10. You have sent {}.",
                entries.len()
            ),
        )));
    }
    let mut ids = HashSet::new();
    for entry in entries {
        let id = entry["Id"].as_str().unwrap_or_default();
        if id.is_empty()
            || id.len() > 80
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Box::new(error(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            )));
        }
        if !ids.insert(id) {
            return Err(Box::new(error(
                "BatchEntryIdsNotDistinct",
                &format!("Id {id} repeated."),
            )));
        }
    }
    Ok(entries)
}

pub fn failed(id: &Value, code: &str, message: &str) -> Value {
    json!({"Id": id, "SenderFault": true, "Code": code, "Message": message})
}

/// A number field of a request within `range`, `default` when absent.
pub fn number(
    request: &Value,
    name: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    reason: &str,
) -> Result<i64, Box<Answer>> {
    match &request[name] {
        Value::Null => Ok(default),
        v => match v.as_i64() {
            Some(n) if range.contains(&n) => Ok(n),
            _ => Err(Box::new(invalid_parameter(&format!(
                "Value {v} for parameter {name} is invalid. Reason: {reason}"
            )))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sqs_s() {
        // MD5 of "hello"; the attribute digest over SQS's documented encoding, built by hand.
        assert_eq!(md5_hex(b"hello"), "5d41402abc4b2a76b9719d911017c592");
        let mut attributes = BTreeMap::new();
        attributes.insert(
            "k".to_owned(),
            Attribute {
                data_type: "String".into(),
                string: Some("v".into()),
                binary: None,
            },
        );
        let mut expected = Vec::new();
        for part in [b"k".as_slice(), b"String"] {
            expected.extend_from_slice(&(part.len() as u32).to_be_bytes());
            expected.extend_from_slice(part);
        }
        expected.push(1);
        expected.extend_from_slice(&1u32.to_be_bytes());
        expected.push(b'v');
        assert_eq!(md5_of_attributes(&attributes), Some(md5_hex(&expected)));
        assert_eq!(md5_of_attributes(&BTreeMap::new()), None);
    }

    #[test]
    fn attribute_names_match_all_names_and_prefixes() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(wanted(&w(&["All"]), "x"));
        assert!(wanted(&w(&["trace.*"]), "trace.id"));
        assert!(!wanted(&w(&["trace.*"]), "other"));
        assert!(!wanted(&[], "x"));
        assert_eq!(message_id().len(), 36);
    }
}
