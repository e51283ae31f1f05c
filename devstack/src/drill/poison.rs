//! poison: an import job that publishes before it commits — the classic outbox bug. It reserves
//! [`MESSAGES`] ids from courier's `messages` identity sequence, publishes their envelopes to the
//! stack's SNS topic as courier's relay would, and only then inserts the rows. The worker
//! receives envelopes whose ids PostgreSQL does not know, leaves each on the queue ("message id
//! unknown to PostgreSQL; leaving it for the DLQ"), and after the queue's maxReceiveCount the
//! redrive policy moves them to the DLQ: its depth alarm fires. The rows "commit late", once
//! every message has had time to dead-letter; then a redrive delivers them all.
//!
//! The rows are written with `sqlx`, courier's own PostgreSQL client with courier's features:
//! the workspace already compiles it (no second client such as tokio-postgres to build), and
//! unlike `psql` it binds the ids as an array parameter instead of splicing them into SQL text.

use super::{About, Target};
use anyhow::{bail, Context, Result};
use aws_sdk_sns::types::PublishBatchRequestEntry;
use aws_sdk_sqs::types::QueueAttributeName;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::time::Duration;

pub const ABOUT: About = About {
    fault: "an import that publishes before it commits: publishes 10 envelopes whose message ids \
            courier's database does not have yet, and inserts their rows only once every one has \
            dead-lettered",
    look: "courier's logs (`message id unknown to PostgreSQL; leaving it for the DLQ`), the queue \
           panel's DLQ count climbing to 10, then the dlq-depth alarm",
    recover: "once the drill prints that the rows are committed (check one: `curl \
              $COURIER_URL/messages/ID`), redrive the DLQ (`:redrive` on the dashboard, or \
              `stackdeck redrive --yes --wait-stable`); the worker delivers every message, the \
              DLQ empties and its alarm returns to OK",
};

/// Messages of the import: one PublishBatch.
pub const MESSAGES: usize = 10;
/// The import's messages: their channel and sender (valid courier identifiers).
const CHANNEL: &str = "import";
const SENDER: &str = "poison-drill";
/// Slack after the last receive a message needs before it dead-letters: the worker's long poll
/// and the agent's move to the DLQ.
const MARGIN: Duration = Duration::from_secs(10);

/// The published messages whose rows are not committed yet.
pub struct Import {
    pub ids: Vec<i64>,
    /// When the rows commit, after the publish.
    pub commit_in: Duration,
}

impl Import {
    /// The drill's first line: what was published and when the rows commit.
    pub fn line(&self) -> String {
        format!(
            "published {} envelopes (ids {}) to the stack's topic before committing their rows; \
             the rows commit in {} s",
            self.ids.len(),
            ranges(&self.ids),
            self.commit_in.as_secs()
        )
    }
}

/// Read the queue's timing, reserve the ids and publish their envelopes.
pub async fn inject(target: &Target) -> Result<Import> {
    let queue_url = target.parameter("queue_url").await?;
    let topic_arn = target.parameter("topic_arn").await?;
    let (visibility, max_receive) = queue_timing(target, &queue_url).await?;
    let commit_in = target.duration_or(dead_letter_after(visibility, max_receive));
    let mut db = connect(&target.database_url).await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1)",
    )
    .bind(MESSAGES as i32)
    .fetch_all(&mut db)
    .await
    .with_context(|| {
        format!(
            "cannot reserve message ids in {}: has courier started (it creates the messages \
             table)?",
            shown(&target.database_url)
        )
    })?;
    db.close().await.ok();
    publish(target, &topic_arn, &ids).await?;
    Ok(Import { ids, commit_in })
}

/// The long part: wait `commit_in` (ctrl-c cuts it short: the rows are never left out), then
/// insert the rows (status `published`, as the relay leaves them) and say so.
pub async fn commit_late(target: &Target, import: Import) -> Result<()> {
    tokio::select! {
        _ = tokio::time::sleep(import.commit_in) => {}
        _ = tokio::signal::ctrl_c() => println!("poison: ctrl-c: committing the rows now"),
    }
    let mut db = connect(&target.database_url).await?;
    let inserted = sqlx::query(
        "INSERT INTO messages (id, channel, sender, body, status, published_at)
         OVERRIDING SYSTEM VALUE
         SELECT id, $2, $3, 'imported row ' || id, 'published', now()
         FROM unnest($1::bigint[]) AS id",
    )
    .bind(&import.ids)
    .bind(CHANNEL)
    .bind(SENDER)
    .execute(&mut db)
    .await
    .with_context(|| {
        format!(
            "cannot insert the import's rows (ids {}) into {}",
            ranges(&import.ids),
            shown(&target.database_url)
        )
    })?
    .rows_affected();
    db.close().await.ok();
    println!(
        "poison: committed the import's {inserted} rows (ids {}): redrive the DLQ now",
        ranges(&import.ids)
    );
    Ok(())
}

/// The work queue's VisibilityTimeout and its RedrivePolicy's maxReceiveCount.
async fn queue_timing(target: &Target, queue_url: &str) -> Result<(u64, u64)> {
    let out = aws_sdk_sqs::Client::new(&target.sdk)
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::VisibilityTimeout)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read the attributes of queue {queue_url}: {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            )
        })?;
    let attributes = out.attributes();
    let visibility = attributes
        .and_then(|a| a.get(&QueueAttributeName::VisibilityTimeout))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("queue {queue_url} answered no VisibilityTimeout"))?;
    let Some(max_receive) = attributes
        .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
        .and_then(|p| max_receive_count(p))
    else {
        bail!(
            "queue {queue_url} has no redrive policy with a maxReceiveCount: poison messages \
             would never dead-letter; give it the stack's DLQ (terraform/modules/messaging)"
        );
    };
    Ok((visibility, max_receive))
}

/// A RedrivePolicy's maxReceiveCount (SQS answers it as a number, some endpoints as a string).
fn max_receive_count(policy: &str) -> Option<u64> {
    let policy: serde_json::Value = serde_json::from_str(policy).ok()?;
    match &policy["maxReceiveCount"] {
        serde_json::Value::String(s) => s.parse().ok(),
        v => v.as_u64(),
    }
}

/// How long until every message has dead-lettered: received `max_receive` times, one visibility
/// timeout apart, then moved at the next receive; one more timeout for a receive that came late,
/// and the margin.
fn dead_letter_after(visibility: u64, max_receive: u64) -> Duration {
    Duration::from_secs((max_receive + 1) * visibility) + MARGIN
}

/// The envelope courier's relay publishes (service/src/domain.rs `Envelope`).
fn envelope(id: i64) -> String {
    serde_json::json!({ "id": id, "channel": CHANNEL, "sender": SENDER }).to_string()
}

/// Publish the envelopes as the relay does: PublishBatch, entry id the message id.
async fn publish(target: &Target, topic_arn: &str, ids: &[i64]) -> Result<()> {
    let sns = aws_sdk_sns::Client::new(&target.sdk);
    for chunk in ids.chunks(10) {
        let entries = chunk
            .iter()
            .map(|id| {
                PublishBatchRequestEntry::builder()
                    .id(id.to_string())
                    .message(envelope(*id))
                    .build()
                    .expect("id and message are set")
            })
            .collect();
        let out = sns
            .publish_batch()
            .topic_arn(topic_arn)
            .set_publish_batch_request_entries(Some(entries))
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot publish to topic {topic_arn}: {}",
                    aws_sdk_sns::error::DisplayErrorContext(e)
                )
            })?;
        if let Some(failed) = out.failed().first() {
            bail!(
                "topic {topic_arn} refused message {}: {} {}",
                failed.id(),
                failed.code(),
                failed.message().unwrap_or_default()
            );
        }
    }
    Ok(())
}

async fn connect(url: &str) -> Result<PgConnection> {
    let options: PgConnectOptions = url
        .parse()
        .with_context(|| format!("--database-url {} is not a PostgreSQL URL", shown(url)))?;
    options.connect().await.with_context(|| {
        format!(
            "cannot connect to courier's database {}: is the local stack up (`make up`), or \
                 is --database-url / DATABASE_URL right?",
            shown(url)
        )
    })
}

/// A database URL without its password.
fn shown(url: &str) -> String {
    match url.parse::<PgConnectOptions>() {
        Ok(o) => format!(
            "{}@{}:{}/{}",
            o.get_username(),
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or_default()
        ),
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

/// Ids as ranges: `5-7, 9`.
fn ranges(ids: &[i64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut parts: Vec<(i64, i64)> = Vec::new();
    for id in sorted {
        match parts.last_mut() {
            Some((_, end)) if id == *end + 1 => *end = id,
            _ => parts.push((id, id)),
        }
    }
    parts
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_about_texts_count_the_messages_published() {
        let count = format!("{MESSAGES} envelopes");
        assert!(ABOUT.fault.contains(&count), "{}", ABOUT.fault);
        assert!(
            ABOUT.look.contains(&format!("to {MESSAGES},")),
            "{}",
            ABOUT.look
        );
    }

    #[test]
    fn ids_print_as_ranges() {
        assert_eq!(ranges(&[7, 5, 6, 9, 11, 12]), "5-7, 9, 11-12");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn the_rows_commit_after_the_last_receive_and_one_more_timeout() {
        assert_eq!(dead_letter_after(2, 3), Duration::from_secs(18));
        // The local stack: 60 s, 5 receives.
        assert_eq!(dead_letter_after(60, 5), Duration::from_secs(370));
    }

    #[test]
    fn reads_max_receive_count_as_number_or_string() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:q-dlq";
        let policy =
            |max: &str| format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":{max}}}"#);
        assert_eq!(max_receive_count(&policy("5")), Some(5));
        assert_eq!(max_receive_count(&policy("\"3\"")), Some(3));
        assert_eq!(max_receive_count(r#"{"deadLetterTargetArn":"x"}"#), None);
        assert_eq!(max_receive_count("not json"), None);
    }

    #[test]
    fn envelopes_have_the_relays_shape() {
        let value: serde_json::Value = serde_json::from_str(&envelope(42)).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"id": 42, "channel": "import", "sender": "poison-drill"})
        );
    }

    #[test]
    fn a_shown_url_has_no_password() {
        assert_eq!(
            shown("postgres://courier:secret@db.local:5433/courier"),
            "courier@db.local:5433/courier"
        );
    }
}
