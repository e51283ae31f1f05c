//! The log panel's state: the buffer, what the tail reports (its mode, its error, when it last
//! answered), the tail's generation, and where the panel is paused or scrolled back to.

use super::logbuf::LogBuffer;
use super::msg::Effect;
use crate::model::dashboard::LogLine;
use crate::model::logs::{TailEvent, TailMode};

#[derive(Clone, Debug)]
pub struct LogView {
    pub lines: LogBuffer,
    /// Live tail or polling; `None` until the tail says.
    pub mode: Option<TailMode>,
    pub error: Option<String>,
    /// When the tail last delivered (lines or a quiet poll).
    pub updated_at: Option<i64>,
    /// The tail whose messages count: those of an older one (another stack's) are dropped.
    pub(super) generation: u64,
    /// Paused or scrolled back: the newest sequence number shown (`None`: follow new lines).
    pub(super) anchor: Option<u64>,
    /// Filtered lines hidden below the anchor while scrolled back.
    pub offset: usize,
    pub pretty_json: bool,
}

impl LogView {
    pub(super) fn new(capacity: usize) -> LogView {
        LogView {
            lines: LogBuffer::new(capacity),
            mode: None,
            error: None,
            updated_at: None,
            generation: 0,
            anchor: None,
            offset: 0,
            pretty_json: false,
        }
    }

    /// The generation the current tail's messages carry.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Paused or scrolled back (new lines arrive, the panel does not move).
    pub fn paused(&self) -> bool {
        self.anchor.is_some()
    }

    /// Forget everything and ask for a new tail of `log_group`.
    pub(super) fn restart(&mut self, log_group: Option<&str>) -> Effect {
        self.generation += 1;
        self.lines.clear();
        self.mode = None;
        self.error = None;
        self.anchor = None;
        self.offset = 0;
        Effect::StartTail {
            generation: self.generation,
            log_group: log_group.map(str::to_owned),
            // The panel keeps the newest `capacity` lines: no more history is read than fills it.
            history: self.lines.capacity(),
        }
    }

    /// What the tail of `generation` reported at `now`; `false` when it is an old tail's.
    pub(super) fn update(&mut self, generation: u64, event: TailEvent, now: i64) -> bool {
        if generation != self.generation {
            return false;
        }
        match event {
            TailEvent::Mode(mode) => self.mode = Some(mode),
            TailEvent::Lines(lines) => {
                self.error = None;
                self.updated_at = Some(now);
                for line in lines {
                    self.lines.push(line);
                }
            }
            TailEvent::Error(e) => self.error = Some(e),
        }
        true
    }

    /// The lines the panel can show, oldest first: those up to the pause anchor (all when
    /// following) that pass the `/` filter, by message or stream.
    pub fn visible<'a>(&'a self, filter: &'a str) -> impl Iterator<Item = &'a LogLine> + 'a {
        let end = self.anchor.unwrap_or_else(|| self.lines.end_seq());
        self.lines.up_to(end).filter(move |l| {
            super::matches(filter, &l.message) || super::matches(filter, &l.stream)
        })
    }

    /// The furthest the logs scroll back: the oldest visible line. Capped here so that
    /// scrolling down after Home moves at once (the view caps it further, to a panel full).
    fn offset_limit(&self, filter: &str) -> usize {
        self.visible(filter).count().saturating_sub(1)
    }

    fn hold(&mut self) {
        self.anchor.get_or_insert(self.lines.end_seq());
    }

    /// Scroll `lines` down (towards the newest) or up; scrolling up pauses.
    pub(super) fn scroll(&mut self, down: bool, lines: usize, filter: &str) {
        if down {
            self.offset = self.offset.saturating_sub(lines);
        } else {
            self.hold();
            self.offset = self
                .offset
                .saturating_add(lines)
                .min(self.offset_limit(filter));
        }
    }

    /// Home: paused at the oldest line.
    pub(super) fn top(&mut self, filter: &str) {
        self.hold();
        self.offset = self.offset_limit(filter);
    }

    /// End: follow new lines again.
    pub(super) fn follow(&mut self) {
        self.anchor = None;
        self.offset = 0;
    }

    /// Space: pause where the panel is, or follow again.
    pub(super) fn toggle_pause(&mut self) {
        if self.paused() {
            self.follow();
        } else {
            self.anchor = Some(self.lines.end_seq());
        }
    }
}
