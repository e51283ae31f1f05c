//! Domain types that validate input at the edge: a value of these types is always valid.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The largest message body: 256 KiB of UTF-8 (the SNS and SQS message size limit).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The longest channel or sender name.
pub const MAX_IDENTIFIER_LEN: usize = 64;
/// The longest Idempotency-Key.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A channel or sender: 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or
/// digit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Identifier(String);

impl Identifier {
    pub fn parse(what: &str, value: &str) -> Result<Identifier, String> {
        let valid = !value.is_empty()
            && value.len() <= MAX_IDENTIFIER_LEN
            && value.as_bytes()[0].is_ascii_alphanumeric()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Identifier(value.to_owned()))
        } else {
            Err(format!(
                "{what} must be 1 to {MAX_IDENTIFIER_LEN} characters of A-Z a-z 0-9 . _ - starting with a letter or digit"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The JSON body of `POST /messages`, as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessageRequest {
    pub channel: String,
    pub sender: String,
    pub body: String,
}

/// A validated new message.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub channel: Identifier,
    pub sender: Identifier,
    pub body: String,
}

impl TryFrom<NewMessageRequest> for NewMessage {
    type Error = String;
    fn try_from(r: NewMessageRequest) -> Result<NewMessage, String> {
        let channel = Identifier::parse("channel", &r.channel)?;
        let sender = Identifier::parse("sender", &r.sender)?;
        if r.body.is_empty() || r.body.len() > MAX_BODY_BYTES {
            return Err(format!(
                "body must be 1 to {MAX_BODY_BYTES} bytes of UTF-8 (it has {})",
                r.body.len()
            ));
        }
        Ok(NewMessage {
            channel,
            sender,
            body: r.body,
        })
    }
}

impl NewMessage {
    /// SHA-256 (hex) of the request's content: a reused Idempotency-Key with another payload is
    /// refused.
    pub fn payload_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [self.channel.as_str(), self.sender.as_str(), &self.body] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A client's Idempotency-Key: 1 to 255 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &[u8]) -> Result<IdempotencyKey, String> {
        let valid = !value.is_empty()
            && value.len() <= MAX_IDEMPOTENCY_KEY_LEN
            && value.iter().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(IdempotencyKey(
                String::from_utf8(value.to_vec()).expect("ASCII"),
            ))
        } else {
            Err(format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a message is: `accepted` (in PostgreSQL and the outbox), `published` (SNS took it),
/// `delivered` (the worker consumed it).
pub const STATUSES: [&str; 3] = ["accepted", "published", "delivered"];

/// A stored message, as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub channel: String,
    pub sender: String,
    pub body: String,
    pub status: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub published_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// The answer to an accepted `POST /messages`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Accepted {
    pub id: i64,
    pub status: String,
}

// FromRow by hand: sqlx is built without its macros (no compile-time database, faster builds).
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Message {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Message, sqlx::Error> {
        use sqlx::Row;
        Ok(Message {
            id: row.try_get("id")?,
            channel: row.try_get("channel")?,
            sender: row.try_get("sender")?,
            body: row.try_get("body")?,
            status: row.try_get("status")?,
            created_at: row.try_get("created_at")?,
            published_at: row.try_get("published_at")?,
            delivered_at: row.try_get("delivered_at")?,
        })
    }
}

/// What the relay publishes to SNS and the worker reads back. The body stays in PostgreSQL: a
/// 256 KiB body plus an envelope would not fit SNS's 256 KiB message limit.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Envelope {
    pub id: i64,
    pub channel: String,
    pub sender: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(channel: &str, sender: &str, body: &str) -> NewMessageRequest {
        NewMessageRequest {
            channel: channel.into(),
            sender: sender.into(),
            body: body.into(),
        }
    }

    #[test]
    fn identifiers() {
        for ok in ["a", "orders", "Orders-2024_v1.0", &"x".repeat(64)] {
            assert!(Identifier::parse("channel", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            ".",
            "a b",
            "a/b",
            "../etc",
            "é",
            &"x".repeat(65),
            "a\0",
        ] {
            assert!(Identifier::parse("channel", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn body_bounds() {
        assert!(NewMessage::try_from(req("c", "s", "")).is_err());
        assert!(NewMessage::try_from(req("c", "s", "x")).is_ok());
        assert!(NewMessage::try_from(req("c", "s", &"x".repeat(MAX_BODY_BYTES))).is_ok());
        assert!(NewMessage::try_from(req("c", "s", &"x".repeat(MAX_BODY_BYTES + 1))).is_err());
    }

    #[test]
    fn payload_hash_tells_fields_apart() {
        let a = NewMessage::try_from(req("ab", "c", "d")).unwrap();
        let b = NewMessage::try_from(req("a", "bc", "d")).unwrap();
        assert_ne!(a.payload_hash(), b.payload_hash());
        assert_eq!(a.payload_hash(), a.clone().payload_hash());
    }

    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse(b"abc-123").is_ok());
        assert!(IdempotencyKey::parse(b"").is_err());
        assert!(IdempotencyKey::parse(b"a b").is_err());
        assert!(IdempotencyKey::parse(&[b'k'; 256]).is_err());
    }
}
