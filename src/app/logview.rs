//! The log panel's state: the buffer, what the tail reports (its mode, its error, when it last
//! answered), the tail's generation, and where the panel is paused or scrolled back to.

use super::logbuf::{Entry, LogBuffer};
use super::msg::Effect;
use crate::config::DEFAULT_LOG_HIDDEN_FIELDS;
use crate::model::logfilter::LogFilter;
use crate::model::logline::{Level, LogFormat};
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
    /// Compact, pretty or raw (`J`).
    pub format: LogFormat,
    /// Fields the compact form leaves out (config `log_hidden_fields`).
    pub hidden: Vec<String>,
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
            format: LogFormat::Compact,
            hidden: DEFAULT_LOG_HIDDEN_FIELDS
                .iter()
                .map(|f| f.to_string())
                .collect(),
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
    /// following) that pass the `/` filter (see [`LogFilter`]).
    pub fn visible<'a>(&'a self, filter: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let end = self.anchor.unwrap_or_else(|| self.lines.end_seq());
        let filter = LogFilter::parse(filter);
        self.lines
            .up_to(end)
            .filter(move |e| filter.matches_line(&e.line.message, &e.line.stream, &e.parsed))
    }

    /// `n` / `N`: scroll so that the next newer (`older` false) or older error among the visible
    /// lines is the bottom one, pausing the panel; `false` (nothing moves) when there is none.
    pub(super) fn jump_error(&mut self, filter: &str, older: bool) -> bool {
        let errors: Vec<bool> = self
            .visible(filter)
            .map(|e| e.parsed.level == Level::Error)
            .collect();
        let Some(last) = errors.len().checked_sub(1) else {
            return false;
        };
        let bottom = last - self.offset.min(last);
        let found = if older {
            (0..bottom).rev().find(|&i| errors[i])
        } else {
            (bottom + 1..=last).find(|&i| errors[i])
        };
        match found {
            Some(i) => {
                self.hold();
                self.offset = last - i;
                true
            }
            None => false,
        }
    }

    /// Error and warning lines a minute over the `minutes` minutes up to `now` (unix seconds),
    /// oldest first, by event time.
    pub fn error_counts(&self, now: i64, minutes: usize) -> Vec<usize> {
        let mut counts = vec![0; minutes];
        let end_ms = now * 1000;
        for e in self.lines.up_to(self.lines.end_seq()) {
            if e.parsed.level < Level::Warn || e.line.at_ms > end_ms {
                continue;
            }
            let ago = ((end_ms - e.line.at_ms) / 60_000) as usize;
            if ago < minutes {
                counts[minutes - 1 - ago] += 1;
            }
        }
        counts
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
