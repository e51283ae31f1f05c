//! Message move tasks (`sqs`'s StartMessageMoveTask) when the source or the destination is a
//! store queue: the messages move within the agent's memory (or between it and moto's queue
//! when only one of the two is the stack's). Moved messages are new messages of the
//! destination, as a redrive makes them: received zero times, sent now.

use super::{now_ms, sweep, wire};
use crate::agent::Agent;
use anyhow::Result;

/// How many messages the source holds to move, when it is a store queue.
pub async fn to_move(agent: &Agent, source_url: &str) -> Option<i64> {
    let queue = agent.queues.queue(agent, source_url).await?;
    let visible = queue.store().counts(now_ms()).visible;
    Some(visible as i64)
}

/// Move one batch of up to `batch` messages from `source` to `destination` (URLs): how many
/// moved, or `None` when neither is a store queue (moto's queues: the caller moves them).
pub async fn step(
    agent: &Agent,
    source: &str,
    destination: &str,
    batch: usize,
) -> Result<Option<usize>> {
    let from = agent.queues.queue(agent, source).await;
    let to = agent.queues.queue(agent, destination).await;
    match (from, to) {
        (None, None) => Ok(None),
        (None, Some(to)) => {
            let sqs = aws_sdk_sqs::Client::new(&agent.sdk);
            // Batches of 10: a rate below 10 a second moves at most one batch a call.
            let batches = batch.div_ceil(10).max(1);
            Ok(Some(sweep::take_from_moto(&sqs, &to, batches).await?))
        }
        (Some(from), to) => {
            let now = now_ms();
            let taken: Vec<_> = from
                .store()
                .take_visible(now, batch)
                .into_iter()
                .map(|m| wire::message(m.body, m.attributes, m.trace_header, now))
                .collect();
            let n = taken.len();
            match to {
                Some(to) => to.send_all(taken, 0),
                None => sweep::send_to_moto(agent, destination, taken).await?,
            }
            Ok(Some(n))
        }
    }
}
