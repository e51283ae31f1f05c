//! The timeline overlay (`t`, `:timeline`): the incident timeline built from what the dashboard
//! already holds — deployments, service events, stopped tasks, the log buffer's error counts —
//! and, once the runner read them ([`Effect::LoadTimeline`]), the alarms' history, the audit log
//! and the deployments' task-definition diffs. Up/Down select, Enter shows the detail, Esc closes.

use super::dialog::{Answer, Dialog};
use super::keys::Key;
use super::msg::{Effect, TimelineAsk};
use super::State;
use crate::model::timeline::{self as tl, Diffs, Entry, Loaded};
use crate::model::warning_history::timeline_entries;
use crate::model::warnings::WarningInput;

/// How far back the dashboard's timeline goes (as `stackdeck timeline`'s default).
pub const TIMELINE_SECONDS: i64 = 2 * 3600;

/// The overlay's state.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineView {
    /// Oldest first.
    pub entries: Vec<Entry>,
    pub cursor: usize,
    /// The selected entry's detail is shown.
    pub detail: bool,
    /// What the runner read; `None` while it reads.
    pub loaded: Option<Loaded>,
    /// The timeline's start (unix seconds).
    pub since: i64,
}

impl TimelineView {
    pub fn selected(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }

    pub(super) fn key(mut self, key: Key) -> Answer {
        let last = self.entries.len().saturating_sub(1);
        match key {
            Key::Esc if self.detail => self.detail = false,
            Key::Esc | Key::Char('q') => return Answer::Closed,
            Key::Enter => self.detail = !self.detail,
            Key::Down | Key::Char('j') => self.cursor = (self.cursor + 1).min(last),
            Key::Up | Key::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            Key::PageDown | Key::Ctrl('d') => self.cursor = (self.cursor + 10).min(last),
            Key::PageUp | Key::Ctrl('u') => self.cursor = self.cursor.saturating_sub(10),
            Key::Home | Key::Char('g') => self.cursor = 0,
            Key::End | Key::Char('G') => self.cursor = last,
            _ => {}
        }
        Answer::Open(Dialog::Timeline(self))
    }
}

impl State {
    /// The timeline's entries from `since` on: what the state holds, with `loaded` when read.
    pub fn timeline_entries(&self, since: i64, loaded: Option<&Loaded>) -> Vec<Entry> {
        let mut parts = Vec::new();
        let empty = Diffs::new();
        let diffs = loaded.map_or(&empty, |l| &l.diffs);
        if let Some(data) = &self.refresh.data {
            let listed = match &data.health.service {
                Ok(s) => {
                    parts.push(tl::deployments(&s.deployments, &s.events, diffs));
                    parts.push(tl::service_events(&s.events));
                    s.deployments.as_slice()
                }
                Err(_) => &[],
            };
            if let Ok(tasks) = &data.tasks {
                parts.push(tl::task_stops(tasks));
                parts.push(tl::unlisted_deployments(tasks, listed));
            }
            // When the queue's warnings would have shown, over the charts' hour.
            if let Ok(metrics) = &data.metrics {
                let queue = data.health.queue.as_ref().map_or("", |q| q.name.as_str());
                let input = WarningInput::from_queue(queue, metrics, self.now);
                parts.push(timeline_entries(&input, &self.thresholds, since));
            }
        }
        // The buffer's lines were parsed as they arrived: their levels are not parsed again.
        let lines = self
            .logs
            .lines
            .up_to(self.logs.lines.end_seq())
            .map(|e| (e.line.at_ms, e.parsed.level));
        let counted_from = lines.clone().map(|(at_ms, _)| at_ms / 1000).min();
        if let Some(first) = counted_from {
            let counts = tl::errors_per_minute(lines);
            parts.push(tl::error_spikes(&counts, first.max(since)));
        }
        if let Some(loaded) = loaded {
            if let Ok(alarms) = &loaded.alarms {
                parts.push(tl::alarm_transitions(alarms));
            }
            if let Ok(records) = &loaded.records {
                parts.push(tl::operator_actions(records, self.stack()));
            }
        }
        let mut entries = tl::merge(parts);
        entries.retain(|e| e.at >= since);
        entries
    }

    /// `t` or `:timeline`: the overlay over what is known, and the effect reading the rest.
    pub(super) fn open_timeline(&mut self) -> Vec<Effect> {
        let since = self.now - TIMELINE_SECONDS;
        let entries = self.timeline_entries(since, None);
        let deployments = self
            .refresh
            .data
            .as_ref()
            .and_then(|d| d.health.service.as_ref().ok())
            .map(|s| s.deployments.clone())
            .unwrap_or_default();
        let view = TimelineView {
            cursor: entries.len().saturating_sub(1),
            entries,
            detail: false,
            loaded: None,
            since,
        };
        let mut effects = self.open_dialog(Dialog::Timeline(view));
        effects.push(Effect::LoadTimeline(TimelineAsk {
            stack: self.resources.clone(),
            deployments,
            since,
            until: self.now,
        }));
        effects
    }

    /// The runner read the rest of `stack`'s timeline: merged in, the selection kept.
    pub(super) fn timeline_loaded(&mut self, stack: &str, loaded: Loaded) {
        if stack != self.stack() {
            return;
        }
        let Some(Dialog::Timeline(view)) = &self.ops.dialog else {
            return;
        };
        let selected = view.selected().map(|e| (e.at, e.title.clone()));
        let entries = self.timeline_entries(view.since, Some(&loaded));
        let cursor = selected
            .and_then(|(at, title)| entries.iter().position(|e| e.at == at && e.title == title))
            .unwrap_or(entries.len().saturating_sub(1));
        if let Some(Dialog::Timeline(view)) = &mut self.ops.dialog {
            view.entries = entries;
            view.cursor = cursor;
            view.loaded = Some(loaded);
        }
    }
}
