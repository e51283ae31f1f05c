//! PostgreSQL: the pool, the embedded migrations and the queries of the API and the worker.

use crate::domain::{Message, NewMessage};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

/// The migrations, compiled into the binary (service/migrations).
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "messages",
    include_str!("../migrations/0001_messages.sql"),
)];

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures_like::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        (*description).into(),
                        MigrationType::Simple,
                        (*sql).into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

mod futures_like {
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
}

/// Apply the embedded migrations (under sqlx's advisory lock, so tasks starting together are safe).
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    let migrator = Migrator::new(Embedded).await?;
    migrator.run(pool).await?;
    Ok(())
}

/// A lazy pool: the process starts (and answers /healthz) while PostgreSQL is away; requests then
/// fail fast with 503 instead of queueing.
pub fn pool(options: PgConnectOptions, size: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(size)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(2))
        .idle_timeout(Duration::from_secs(300))
        .test_before_acquire(false)
        .connect_lazy_with(options)
}

/// Whether PostgreSQL answers.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// The columns of a [`Message`], timestamps as RFC 3339 UTC.
const MESSAGE_COLUMNS: &str = r#"id, channel, sender, body, status,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
    to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS published_at,
    to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS delivered_at"#;

/// What [`insert_message`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    /// A new message (and its outbox row).
    Created(i64),
    /// The Idempotency-Key was already used: the message it made, and whether the payload matches.
    Existing { id: i64, same_payload: bool },
}

/// Insert the message and its outbox row in one statement (one transaction, one round trip).
/// With an Idempotency-Key, a key already in PostgreSQL returns the message it made instead.
pub async fn insert_message(
    pool: &PgPool,
    message: &NewMessage,
    idempotency: Option<(&str, &str)>,
) -> Result<Inserted, sqlx::Error> {
    let (key, hash) = idempotency.unzip();
    let created: Option<(i64,)> = sqlx::query_as(
        "WITH m AS (
             INSERT INTO messages (channel, sender, body, idempotency_key, payload_hash)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id
         ), o AS (
             INSERT INTO outbox (message_id) SELECT id FROM m
         )
         SELECT id FROM m",
    )
    .bind(message.channel.as_str())
    .bind(message.sender.as_str())
    .bind(&message.body)
    .bind(key)
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    if let Some((id,)) = created {
        return Ok(Inserted::Created(id));
    }
    let (id, stored_hash): (i64, Option<String>) =
        sqlx::query_as("SELECT id, payload_hash FROM messages WHERE idempotency_key = $1")
            .bind(key)
            .fetch_one(pool)
            .await?;
    Ok(Inserted::Existing {
        id,
        same_payload: stored_hash.as_deref() == hash,
    })
}

pub async fn get_message(pool: &PgPool, id: i64) -> Result<Option<Message>, sqlx::Error> {
    sqlx::query_as::<_, Message>(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Messages of `channel` with an id above `after`, oldest first (newest last), at most `limit`.
pub async fn channel_page(
    pool: &PgPool,
    channel: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Message>, sqlx::Error> {
    sqlx::query_as::<_, Message>(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
         WHERE channel = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(channel)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Mark messages delivered; a message already delivered keeps its first delivery time (the
/// worker may see a message twice: SQS is at-least-once and the relay may publish twice).
/// Returns the ids that exist.
pub async fn mark_delivered(pool: &PgPool, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE messages
         SET status = 'delivered',
             delivered_at = coalesce(delivered_at, now()),
             published_at = coalesce(published_at, now()),
             receipts = receipts + 1
         WHERE id = ANY($1)
         RETURNING id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
