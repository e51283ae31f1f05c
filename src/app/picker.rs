//! The start picker's state and its pure update: rows arrive as the listing answers (stacks,
//! then services in batches), keys filter and move; Enter picks. No I/O, no await.

use super::keys::Key;
use crate::model::picker::{matches, Picked, Row, ServiceRow};
use crate::theme::Theme;

/// Lines around the list: the title, the filter, the table's header, the footer.
pub const CHROME: usize = 4;
/// At most this many listing errors are shown, one line each.
pub const MAX_ERRORS: usize = 3;

/// What arrives at the picker.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Key(Key),
    /// The SSM stacks (`Discovery::stacks`), or why they could not be read.
    Stacks(Result<Vec<String>, String>),
    /// One DescribeServices answer's rows, or one call's failure.
    Services(Result<Vec<ServiceRow>, String>),
    /// Every cluster's services are listed.
    ServicesDone,
    /// The terminal's new height.
    Resize(u16),
}

/// What the runner does after a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Quit,
    Picked(Picked),
}

struct Entry {
    row: Row,
    folded: String,
}

/// The picker: every row so far (in [`Row::order`]), the filter, the rows it lets through, the
/// cursor among them and the first one on screen.
pub struct Picker {
    entries: Vec<Entry>,
    pub filter: String,
    /// Indexes into `entries` of the rows the filter matches, in order.
    visible: Vec<usize>,
    /// Index into the visible rows.
    pub cursor: usize,
    /// The first visible row on screen.
    pub offset: usize,
    pub height: usize,
    pub services: usize,
    pub stacks_done: bool,
    pub services_done: bool,
    pub errors: Vec<String>,
    pub profile: String,
    pub theme: Theme,
    /// Something changed since the last draw.
    pub dirty: bool,
}

impl Picker {
    pub fn new(profile: &str, theme: Theme, height: u16) -> Picker {
        Picker {
            entries: Vec::new(),
            filter: String::new(),
            visible: Vec::new(),
            cursor: 0,
            offset: 0,
            height: height.into(),
            services: 0,
            stacks_done: false,
            services_done: false,
            errors: Vec::new(),
            profile: profile.to_owned(),
            theme,
            dirty: true,
        }
    }

    /// How many rows the list shows, for scrolling and paging: the screen less its chrome and a
    /// line per error (the view keeps the cursor on screen when an error wraps onto more).
    pub fn page(&self) -> usize {
        self.height
            .saturating_sub(CHROME + self.errors.len().min(MAX_ERRORS))
            .max(1)
    }

    pub fn loading(&self) -> bool {
        !(self.stacks_done && self.services_done)
    }

    pub fn total(&self) -> usize {
        self.entries.len()
    }

    /// The rows the filter lets through, in order.
    pub fn visible(&self) -> impl ExactSizeIterator<Item = &Row> + '_ {
        self.visible.iter().map(|&i| &self.entries[i].row)
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&Row> {
        let &i = self.visible.get(self.cursor)?;
        Some(&self.entries[i].row)
    }

    pub fn update(&mut self, msg: Msg) -> Outcome {
        self.dirty = true;
        match msg {
            Msg::Key(key) => return self.key(key),
            Msg::Stacks(Ok(names)) => {
                self.stacks_done = true;
                self.add(names.into_iter().map(Row::Stack));
            }
            Msg::Stacks(Err(e)) => {
                self.stacks_done = true;
                self.error(e);
            }
            Msg::Services(Ok(rows)) => {
                self.services += rows.len();
                self.add(rows.into_iter().map(Row::Service));
            }
            Msg::Services(Err(e)) => self.error(e),
            Msg::ServicesDone => self.services_done = true,
            Msg::Resize(height) => self.height = height.into(),
        }
        self.scroll();
        Outcome::Continue
    }

    fn key(&mut self, key: Key) -> Outcome {
        let last = self.visible.len().saturating_sub(1);
        match key {
            Key::Ctrl('c') => return Outcome::Quit,
            Key::Char('q') if self.filter.is_empty() => return Outcome::Quit,
            Key::Esc if self.filter.is_empty() => return Outcome::Quit,
            Key::Esc => self.set_filter(String::new()),
            Key::Enter => {
                if let Some(row) = self.selected() {
                    return Outcome::Picked(row.picked());
                }
            }
            Key::Char(c) => {
                let mut filter = self.filter.clone();
                filter.push(c);
                self.set_filter(filter);
            }
            Key::Backspace => {
                let mut filter = self.filter.clone();
                filter.pop();
                self.set_filter(filter);
            }
            Key::Up => self.cursor = self.cursor.saturating_sub(1),
            Key::Down => self.cursor = (self.cursor + 1).min(last),
            Key::PageUp => self.cursor = self.cursor.saturating_sub(self.page()),
            Key::PageDown => self.cursor = (self.cursor + self.page()).min(last),
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = last,
            _ => self.dirty = false,
        }
        self.scroll();
        Outcome::Continue
    }

    /// Keep an error once: every batch of a cluster denied says the same.
    fn error(&mut self, e: String) {
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    /// Add rows in order; the cursor stays on the row it was on.
    fn add(&mut self, rows: impl Iterator<Item = Row>) {
        let kept = self.selected().map(Row::picked);
        self.entries.extend(rows.map(|row| Entry {
            folded: row.folded(),
            row,
        }));
        // Stable, and fast on what is mostly sorted already.
        self.entries.sort_by(|a, b| a.row.order(&b.row));
        self.refilter();
        let at = kept.and_then(|kept| self.visible().position(|row| row.picked() == kept));
        if let Some(at) = at {
            self.cursor = at;
        }
    }

    /// A new filter puts the cursor on its first match.
    fn set_filter(&mut self, filter: String) {
        if filter != self.filter {
            self.filter = filter;
            self.refilter();
            self.cursor = 0;
        } else {
            self.dirty = false;
        }
    }

    fn refilter(&mut self) {
        let filter = &self.filter;
        self.visible = (0..self.entries.len())
            .filter(|&i| matches(&self.entries[i].folded, filter))
            .collect();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    /// Keep the cursor on screen.
    fn scroll(&mut self) {
        let page = self.page();
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        // No empty space below the last row while rows above are off screen.
        self.offset = self.offset.min(self.visible.len().saturating_sub(page));
    }
}

/// A picker as the view's snapshots and the tests have it: two stacks and `n` services over
/// three clusters, listed; `height` lines tall.
#[cfg(test)]
pub fn fixture(n: usize, height: u16) -> Picker {
    use crate::model::ecs::Rollout;
    let mut picker = Picker::new("default", Theme::default(), height);
    picker.update(Msg::Stacks(Ok(vec![
        "courier-local".into(),
        "billing".into(),
    ])));
    let rows = (0..n)
        .map(|i| ServiceRow {
            cluster: ["prod-east", "prod-west", "staging"][i % 3].into(),
            service: format!("svc-{i:03}"),
            status: "ACTIVE".into(),
            running: (i % 3) as i32,
            desired: 2,
            rollout: [Rollout::Completed, Rollout::InProgress, Rollout::Failed][i % 3],
        })
        .collect();
    picker.update(Msg::Services(Ok(rows)));
    picker.update(Msg::ServicesDone);
    picker
}

#[cfg(test)]
#[path = "picker_tests.rs"]
mod tests;
