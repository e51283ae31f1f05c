//! One queue's messages in memory, as SQS keeps a standard queue: pure (the clock comes in as
//! `now`, milliseconds since the epoch), no I/O. A message is in one of three states — visible,
//! delayed (sent with a delay, never received), in flight (received, its visibility timeout
//! running) — and each state is an ordered set, so that a receive of ten messages touches ten
//! messages whatever the depth (moto walks every message of the queue on each call).
//!
//! Receipt handles name the message and its receive: a later receive makes the earlier handle
//! stale. A stale handle deletes nothing and is not an error (AWS: "the request succeeds, but the
//! message will not be deleted"); a handle this queue never gave is `ReceiptHandleIsInvalid`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A message attribute: `String`, `Number` (and their `.custom` types) carry a string value,
/// `Binary` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub data_type: String,
    pub string: Option<String>,
    pub binary: Option<Vec<u8>>,
}

/// A message as it was sent, with what SQS counts of its receives.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: String,
    pub body: String,
    pub md5_of_body: String,
    pub attributes: BTreeMap<String, Attribute>,
    pub md5_of_attributes: Option<String>,
    /// The `AWSTraceHeader` system attribute, when the sender gave one.
    pub trace_header: Option<String>,
    pub sent_ms: i64,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Visible,
    Delayed(i64),
    InFlight(i64),
}

struct Slot {
    message: Message,
    state: State,
    /// Which receive the current receipt handle is of.
    receive: u64,
}

/// One received message and its receipt handle.
#[derive(Clone, Debug)]
pub struct Received {
    pub message: Message,
    pub receipt_handle: String,
}

/// The approximate counts of GetQueueAttributes (exact here).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub visible: usize,
    pub not_visible: usize,
    pub delayed: usize,
}

/// Why a visibility change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotChanged {
    /// Not a handle of this queue.
    Invalid,
    /// The message was deleted, or received again since.
    Gone,
    /// The message is not in flight.
    NotInFlight,
}

pub struct Store {
    /// Marks this queue's receipt handles.
    tag: u32,
    slots: HashMap<u64, Slot>,
    visible: BTreeSet<u64>,
    delayed: BTreeSet<(i64, u64)>,
    in_flight: BTreeSet<(i64, u64)>,
    next_seq: u64,
    next_receive: u64,
}

impl Store {
    pub fn new(tag: u32) -> Store {
        Store {
            tag,
            slots: HashMap::new(),
            visible: BTreeSet::new(),
            delayed: BTreeSet::new(),
            in_flight: BTreeSet::new(),
            next_seq: 0,
            next_receive: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Add `message`, visible at once or after `delay_ms`.
    pub fn send(&mut self, message: Message, now: i64, delay_ms: i64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let state = if delay_ms > 0 {
            self.delayed.insert((now + delay_ms, seq));
            State::Delayed(now + delay_ms)
        } else {
            self.visible.insert(seq);
            State::Visible
        };
        self.slots.insert(
            seq,
            Slot {
                message,
                state,
                receive: 0,
            },
        );
    }

    /// Make visible what is due at `now` (delays over, visibility timeouts expired); whether
    /// anything became visible.
    pub fn tick(&mut self, now: i64) -> bool {
        let mut any = false;
        for set in [&mut self.delayed, &mut self.in_flight] {
            while let Some(&(at, seq)) = set.first() {
                if at > now {
                    break;
                }
                set.pop_first();
                if let Some(slot) = self.slots.get_mut(&seq) {
                    slot.state = State::Visible;
                    self.visible.insert(seq);
                    any = true;
                }
            }
        }
        any
    }

    /// When the next delayed or in-flight message becomes visible.
    pub fn next_change(&self) -> Option<i64> {
        let first = |set: &BTreeSet<(i64, u64)>| set.first().map(|(at, _)| *at);
        match (first(&self.delayed), first(&self.in_flight)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Receive up to `max` visible messages, oldest first, for `visibility_ms`. With a redrive
    /// policy (`max_receive`), a message already received that many times is not received but
    /// taken out: the second list, for the dead-letter queue.
    pub fn receive(
        &mut self,
        now: i64,
        max: usize,
        visibility_ms: i64,
        max_receive: Option<u32>,
    ) -> (Vec<Received>, Vec<Message>) {
        self.tick(now);
        let mut received = Vec::new();
        let mut dead = Vec::new();
        while received.len() < max {
            let Some(seq) = self.visible.pop_first() else {
                break;
            };
            let Some(slot) = self.slots.get_mut(&seq) else {
                continue;
            };
            if max_receive.is_some_and(|max| slot.message.receive_count >= max) {
                if let Some(slot) = self.slots.remove(&seq) {
                    dead.push(slot.message);
                }
                continue;
            }
            self.next_receive += 1;
            slot.receive = self.next_receive;
            slot.message.receive_count += 1;
            slot.message.first_receive_ms.get_or_insert(now);
            slot.state = State::InFlight(now + visibility_ms);
            self.in_flight.insert((now + visibility_ms, seq));
            received.push(Received {
                message: slot.message.clone(),
                receipt_handle: handle(self.tag, seq, slot.receive),
            });
        }
        (received, dead)
    }

    /// (message, receive) of a handle of this queue.
    fn parse(&self, handle: &str) -> Option<(u64, u64)> {
        if handle.len() != 40 || !handle.is_ascii() {
            return None;
        }
        let tag = u32::from_str_radix(&handle[..8], 16).ok()?;
        let seq = u64::from_str_radix(&handle[8..24], 16).ok()?;
        let receive = u64::from_str_radix(&handle[24..], 16).ok()?;
        (tag == self.tag).then_some((seq, receive))
    }

    /// The slot a current handle names.
    fn current(&self, handle: &str) -> Result<Option<u64>, NotChanged> {
        let (seq, receive) = self.parse(handle).ok_or(NotChanged::Invalid)?;
        Ok(self
            .slots
            .get(&seq)
            .filter(|slot| slot.receive == receive && receive > 0)
            .map(|_| seq))
    }

    fn unlink(&mut self, seq: u64) -> Option<Message> {
        let slot = self.slots.remove(&seq)?;
        match slot.state {
            State::Visible => self.visible.remove(&seq),
            State::Delayed(at) => self.delayed.remove(&(at, seq)),
            State::InFlight(at) => self.in_flight.remove(&(at, seq)),
        };
        Some(slot.message)
    }

    /// Delete the message of `handle`; `Err` for a handle this queue never gave. A stale handle
    /// (the message received again, or deleted already) deletes nothing: `Ok(false)`.
    pub fn delete(&mut self, handle: &str) -> Result<bool, NotChanged> {
        match self.current(handle)? {
            Some(seq) => Ok(self.unlink(seq).is_some()),
            None => Ok(false),
        }
    }

    /// Make the in-flight message of `handle` visible `visibility_ms` from `now` (0: at once).
    pub fn change_visibility(
        &mut self,
        handle: &str,
        now: i64,
        visibility_ms: i64,
    ) -> Result<(), NotChanged> {
        self.tick(now);
        let seq = self.current(handle)?.ok_or(NotChanged::Gone)?;
        let slot = self.slots.get_mut(&seq).ok_or(NotChanged::Gone)?;
        let State::InFlight(at) = slot.state else {
            return Err(NotChanged::NotInFlight);
        };
        self.in_flight.remove(&(at, seq));
        if visibility_ms <= 0 {
            slot.state = State::Visible;
            self.visible.insert(seq);
        } else {
            slot.state = State::InFlight(now + visibility_ms);
            self.in_flight.insert((now + visibility_ms, seq));
        }
        Ok(())
    }

    pub fn counts(&mut self, now: i64) -> Counts {
        self.tick(now);
        Counts {
            visible: self.visible.len(),
            not_visible: self.in_flight.len(),
            delayed: self.delayed.len(),
        }
    }

    /// When the oldest message was sent.
    pub fn oldest_sent_ms(&self) -> Option<i64> {
        self.slots.values().map(|s| s.message.sent_ms).min()
    }

    /// Delete every message; how many there were.
    pub fn purge(&mut self) -> usize {
        let n = self.slots.len();
        self.slots.clear();
        self.visible.clear();
        self.delayed.clear();
        self.in_flight.clear();
        n
    }

    /// Take out up to `max` visible messages, oldest first (a message move task's batch).
    pub fn take_visible(&mut self, now: i64, max: usize) -> Vec<Message> {
        self.tick(now);
        let mut taken = Vec::new();
        while taken.len() < max {
            let Some(seq) = self.visible.first().copied() else {
                break;
            };
            taken.extend(self.unlink(seq));
        }
        taken
    }

    /// Take out every message, whatever its state, oldest first.
    pub fn take_all(&mut self) -> Vec<Message> {
        let mut seqs: Vec<u64> = self.slots.keys().copied().collect();
        seqs.sort_unstable();
        seqs.into_iter().filter_map(|s| self.unlink(s)).collect()
    }

    /// Delete the messages older than `retention_ms`; how many.
    pub fn expire(&mut self, now: i64, retention_ms: i64) -> usize {
        let old: Vec<u64> = self
            .slots
            .iter()
            .filter(|(_, s)| s.message.sent_ms + retention_ms <= now)
            .map(|(seq, _)| *seq)
            .collect();
        old.into_iter().filter_map(|s| self.unlink(s)).count()
    }
}

fn handle(tag: u32, seq: u64, receive: u64) -> String {
    format!("{tag:08x}{seq:016x}{receive:016x}")
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
