//! The log panel's bounded ring buffer. Lines carry a sequence number so a paused or scrolled
//! view stays anchored while new lines arrive and old ones fall off.

use crate::model::dashboard::LogLine;
use crate::model::logline::Parsed;
use std::collections::VecDeque;

/// A line and its parts, parsed once as it arrives (not at every frame).
#[derive(Clone, Debug)]
pub struct Entry {
    pub line: LogLine,
    pub parsed: Parsed,
}

#[derive(Clone, Debug)]
pub struct LogBuffer {
    lines: VecDeque<Entry>,
    capacity: usize,
    /// Sequence number of `lines[0]`.
    first_seq: u64,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
            first_seq: 0,
        }
    }

    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.first_seq += 1;
        }
        let parsed = Parsed::parse(&line.message);
        self.lines.push_back(Entry { line, parsed });
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The sequence number the next line will get.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }

    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Lines with sequence numbers below `end`, newest last.
    pub fn up_to(&self, end: u64) -> impl DoubleEndedIterator<Item = &Entry> + Clone {
        let keep = end
            .saturating_sub(self.first_seq)
            .min(self.lines.len() as u64) as usize;
        self.lines.iter().take(keep)
    }

    pub fn clear(&mut self) {
        self.first_seq = self.end_seq();
        self.lines.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64) -> LogLine {
        LogLine {
            id: n.to_string(),
            at_ms: n as i64,
            stream: "s".into(),
            message: format!("m{n}"),
        }
    }

    #[test]
    fn the_buffer_is_bounded_and_keeps_the_newest() {
        let mut buf = LogBuffer::new(3);
        for n in 0..5 {
            buf.push(line(n));
        }
        assert_eq!(buf.len(), 3);
        assert_eq!(buf.first_seq(), 2);
        let msgs: Vec<_> = buf.up_to(4).map(|e| e.line.message.as_str()).collect();
        assert_eq!(msgs, ["m2", "m3"]);
    }
}
