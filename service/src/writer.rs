//! Group commit for `POST /messages` without an Idempotency-Key: requests that arrive while the
//! writers are busy are inserted together, with their outbox rows, by one statement (one
//! round trip, one commit). Under light load every batch holds one message; under heavy load the
//! batches grow, which is what keeps courier near PostgreSQL's own insert rate.

use crate::domain::NewMessage;
use crate::error::ApiError;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// The most messages one statement inserts.
pub const MAX_BATCH: usize = 64;
/// The most body bytes one statement carries (a batch always takes at least one message).
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<i64, ApiError>>,
}

/// The sending side, shared by the handlers.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Start `writers` writer tasks (one database connection each while they write). They stop
    /// when the last [`Writer`] is dropped.
    pub fn start(pool: PgPool, writers: usize) -> Writer {
        let (jobs, queue) = mpsc::channel::<Job>(4096);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..writers.max(1) {
            let (pool, queue) = (pool.clone(), queue.clone());
            tokio::spawn(async move {
                while let Some(batch) = next_batch(&queue).await {
                    write(&pool, batch).await;
                }
            });
        }
        Writer { jobs }
    }

    /// Insert one message (and its outbox row); its id once committed.
    pub async fn insert(&self, message: NewMessage) -> Result<i64, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { message, reply })
            .await
            .map_err(|_| ApiError::unavailable("courier is shutting down"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the message writer stopped"))?
    }
}

/// Wait for one job, then take whatever else is already queued, within the batch limits.
async fn next_batch(queue: &Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut queue = queue.lock().await;
    let first = queue.recv().await?;
    let mut bytes = first.message.body.len();
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
        match queue.try_recv() {
            Ok(job) => {
                bytes += job.message.body.len();
                batch.push(job);
            }
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn write(pool: &PgPool, batch: Vec<Job>) {
    let mut channels = Vec::with_capacity(batch.len());
    let mut senders = Vec::with_capacity(batch.len());
    let mut bodies = Vec::with_capacity(batch.len());
    for job in &batch {
        channels.push(job.message.channel.as_str());
        senders.push(job.message.sender.as_str());
        bodies.push(job.message.body.as_str());
    }
    // Ids are drawn first, in input order (a CTE with nextval is evaluated once), so that each
    // request gets its own message's id back.
    let result: Result<Vec<(i64,)>, sqlx::Error> = sqlx::query_as(
        "WITH input AS (
             SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, c, s, b, n
             FROM UNNEST($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(c, s, b, n)
         ), m AS (
             INSERT INTO messages (id, channel, sender, body)
             OVERRIDING SYSTEM VALUE
             SELECT id, c, s, b FROM input
             RETURNING id
         ), o AS (
             INSERT INTO outbox (message_id) SELECT id FROM m
         )
         SELECT id FROM input ORDER BY n",
    )
    .bind(&channels)
    .bind(&senders)
    .bind(&bodies)
    .fetch_all(pool)
    .await;
    match result {
        Ok(ids) if ids.len() == batch.len() => {
            for (job, (id,)) in batch.into_iter().zip(ids) {
                let _ = job.reply.send(Ok(id));
            }
        }
        Ok(ids) => {
            let e = ApiError::internal(format!(
                "batch insert returned {} ids for {} messages",
                ids.len(),
                batch.len()
            ));
            for job in batch {
                let _ = job.reply.send(Err(e.clone()));
            }
        }
        Err(e) => {
            let e = ApiError::from(e);
            for job in batch {
                let _ = job.reply.send(Err(e.clone()));
            }
        }
    }
}
