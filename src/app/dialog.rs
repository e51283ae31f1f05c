//! The dialogs over the dashboard and what a key does to each: the rollback picker, the
//! confirmation (default No; a purge needs the queue's name typed), an action's outcome and the
//! audit log. A dialog takes the keyboard until it closes.

use super::keys::Key;
use crate::model::audit::Record;
use crate::model::ecs::ServiceRef;
use crate::model::mutation::{rollback_details, Mutation, Request};
use crate::model::rollback::RollbackChoices;

/// A dialog over the dashboard; it takes the keyboard until it closes.
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    /// Choose the revision to roll back to.
    Picker {
        choices: RollbackChoices,
        cursor: usize,
    },
    /// Which queue a purge or a redrive acts on, or which service a redeploy or a rollback, in
    /// a stack of several: each one's name and what to tell it by (its DLQ, its cluster).
    Which {
        request: Request,
        options: Vec<(String, String)>,
        cursor: usize,
    },
    /// Confirm a planned mutation.
    Confirm(Confirm),
    /// What happened (or why nothing did).
    Outcome {
        title: String,
        lines: Vec<String>,
        ok: bool,
    },
    /// `:audit`: the audit log, newest first.
    Audit { records: Vec<Record>, scroll: usize },
    /// `t`, `:timeline`: the incident timeline.
    Timeline(super::timeline::TimelineView),
}

/// A planned mutation waiting for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub mutation: Mutation,
    pub details: Vec<String>,
    /// The button under the cursor (No until moved).
    pub yes: bool,
    /// What has been typed where the resource name must be typed.
    pub typed: String,
    /// Enter was pressed with a name that does not match.
    pub mismatch: bool,
}

impl Confirm {
    pub(super) fn new(mutation: Mutation, details: Vec<String>) -> Confirm {
        Confirm {
            mutation,
            details,
            yes: false,
            typed: String::new(),
            mismatch: false,
        }
    }

    /// A key while the confirmation is open.
    fn key(mut self, key: Key) -> Answer {
        if key == Key::Esc {
            return Answer::Declined(self.mutation);
        }
        match self.mutation.typed_confirmation() {
            Some(name) => match key {
                Key::Enter if self.typed == name => return Answer::Confirmed(self.mutation),
                Key::Enter => self.mismatch = true,
                Key::Backspace => {
                    self.typed.pop();
                    self.mismatch = false;
                }
                Key::Char(c) => {
                    self.typed.push(c);
                    self.mismatch = false;
                }
                _ => {}
            },
            None => match key {
                Key::Enter if self.yes => return Answer::Confirmed(self.mutation),
                Key::Enter | Key::Char('n' | 'N' | 'q') => return Answer::Declined(self.mutation),
                // Only keys meant for this dialog move the button: letters typed before it
                // opened (a word for the command line) must not.
                Key::Char('y' | 'Y') => self.yes = true,
                Key::Left | Key::Right => self.yes = !self.yes,
                _ => {}
            },
        }
        Answer::Open(Dialog::Confirm(self))
    }
}

/// What a key did to the dialog.
#[derive(Debug, PartialEq)]
pub(super) enum Answer {
    /// Still open, perhaps changed.
    Open(Dialog),
    /// Closed; nothing to do.
    Closed,
    /// Confirmed: run it.
    Confirmed(Mutation),
    /// Said No: the declined attempt is audited.
    Declined(Mutation),
    /// The picker closed without a revision: audited as refused.
    NoRevision,
    /// A queue or service chosen for `request`: plan it on that one.
    Chose { request: Request, name: String },
    /// The chooser closed without a choice: audited as refused.
    NoChoice(Request),
}

fn closes(key: Key) -> bool {
    matches!(key, Key::Esc | Key::Enter | Key::Char('q'))
}

impl Dialog {
    pub(super) fn key(self, key: Key) -> Answer {
        match self {
            Dialog::Outcome { .. } | Dialog::Audit { .. } if closes(key) => Answer::Closed,
            Dialog::Audit { records, scroll } => {
                let scroll = match key {
                    Key::Down | Key::Char('j') => scroll.saturating_add(1),
                    Key::Up | Key::Char('k') => scroll.saturating_sub(1),
                    Key::PageDown | Key::Ctrl('d') => scroll.saturating_add(10),
                    Key::PageUp | Key::Ctrl('u') => scroll.saturating_sub(10),
                    _ => scroll,
                };
                let scroll = scroll.min(records.len().saturating_sub(1));
                Answer::Open(Dialog::Audit { records, scroll })
            }
            Dialog::Picker { choices, cursor } => picker_key(choices, cursor, key),
            Dialog::Which {
                request,
                options,
                cursor,
            } => match key {
                Key::Esc | Key::Char('q') => Answer::NoChoice(request),
                Key::Enter => Answer::Chose {
                    name: options[cursor.min(options.len().saturating_sub(1))]
                        .0
                        .clone(),
                    request,
                },
                _ => Answer::Open(Dialog::Which {
                    cursor: moved(cursor, options.len(), key),
                    request,
                    options,
                }),
            },
            Dialog::Confirm(confirm) => confirm.key(key),
            Dialog::Timeline(view) => view.key(key),
            other => Answer::Open(other),
        }
    }
}

fn picker_key(choices: RollbackChoices, cursor: usize, key: Key) -> Answer {
    match key {
        Key::Esc | Key::Char('q') => Answer::NoRevision,
        Key::Enter => {
            let Some(target) = choices.target(cursor) else {
                return Answer::Closed;
            };
            let option = &choices.options[cursor];
            let svc = ServiceRef {
                cluster: choices.cluster.clone(),
                service: choices.service.clone(),
            };
            let details = rollback_details(&svc, &choices.running, &target, Some(&option.diff));
            let mutation = Mutation::Rollback {
                cluster: choices.cluster.clone(),
                service: choices.service.clone(),
                target,
            };
            Answer::Open(Dialog::Confirm(Confirm::new(mutation, details)))
        }
        _ => Answer::Open(Dialog::Picker {
            cursor: moved(cursor, choices.options.len(), key),
            choices,
        }),
    }
}

/// A list's cursor after `key`, over `len` rows.
fn moved(cursor: usize, len: usize, key: Key) -> usize {
    let last = len.saturating_sub(1);
    match key {
        Key::Down | Key::Char('j') | Key::Tab => (cursor + 1).min(last),
        Key::Up | Key::Char('k') | Key::BackTab => cursor.saturating_sub(1),
        Key::Home | Key::Char('g') => 0,
        Key::End | Key::Char('G') => last,
        _ => cursor,
    }
}
