//! Operating the stack from the dashboard (The Elm Architecture, like the rest of `app`):
//! a mutation key or command asks the runner for a plan; the plan becomes a dialog (default No;
//! a purge needs the queue's name typed); only a confirmed dialog becomes an `Execute` effect.
//! One action is in flight at a time, with a spinner. A redeploy or rollback is then followed
//! (faster refreshes) until its deployment completes or fails, and log lines from the new tasks
//! are highlighted; a redrive is followed with ListMessageMoveTasks.
//!
//! The runner carries out the effects with the same functions as the scriptable commands
//! (`ops::commands::{plan_audited, execute, decline, refuse}`), so the audit log gets one line
//! per attempt whichever way it was made.

use super::keys::Key;
use super::{Effect, State};
use crate::aws::sqs_actions::{queue_name, MoveTask};
use crate::model::dashboard::LogLine;
use crate::ops::audit::Record;
use crate::ops::commands::{read_only_message, Mutation, PlanError, Request};
use crate::ops::picker::RollbackChoices;
use crate::ops::rollback::{self, Wanted};
use std::collections::BTreeSet;

/// Seconds between refreshes while a deployment is followed, and between redrive progress reads.
pub const FOLLOW_EVERY: i64 = 2;

/// A dialog over the dashboard; it takes the keyboard until it closes.
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    /// Choose the revision to roll back to.
    Picker {
        choices: RollbackChoices,
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
    fn new(mutation: Mutation, details: Vec<String>) -> Confirm {
        Confirm {
            mutation,
            details,
            yes: false,
            typed: String::new(),
            mismatch: false,
        }
    }
}

/// The one action under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// "reading redeploy", "purging", …
    pub what: String,
    pub since: i64,
}

/// A deployment started from the dashboard, followed until it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Follow {
    pub action: String,
    pub since: i64,
    /// Tasks that ran before the action: the others are new, and their log lines highlighted.
    pub old_tasks: BTreeSet<String>,
    /// COMPLETED or FAILED once the deployment ended.
    pub outcome: Option<String>,
    /// The tasks the deployment started, fixed when it ended (later deployments' tasks are
    /// not this action's).
    pub new_tasks: Option<BTreeSet<String>>,
}

/// A redrive started from the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedriveWatch {
    pub dlq_arn: String,
    pub requested_at: Option<i64>,
    pub progress: Option<String>,
    pub done: bool,
}

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

/// The task id at the end of an awslogs stream name (`prefix/container/task-id`).
fn stream_task(stream: &str) -> &str {
    stream.rsplit('/').next().unwrap_or(stream)
}

/// Shell-style match with `*` as the only wildcard (production patterns).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    // Both ends matched first, so the slice below falls on character boundaries.
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

impl State {
    /// The spinner's current frame.
    pub fn spinner(&self) -> char {
        SPINNER[self.spin % SPINNER.len()]
    }

    /// Does the stack's name or account match a configured production pattern?
    pub fn production(&self) -> bool {
        self.production_patterns.iter().any(|p| {
            glob_match(p, self.stack()) || self.account.as_deref().is_some_and(|a| glob_match(p, a))
        })
    }

    /// Is this log line from a task the followed deployment started?
    pub fn from_new_task(&self, line: &LogLine) -> bool {
        let Some(follow) = &self.follow else {
            return false;
        };
        let task = stream_task(&line.stream);
        match &follow.new_tasks {
            Some(new) => new.contains(task),
            None => !follow.old_tasks.contains(task) && self.task_ids().contains(task),
        }
    }

    /// The ids of the tasks the last refresh listed.
    fn task_ids(&self) -> BTreeSet<String> {
        self.data
            .as_ref()
            .and_then(|d| d.tasks.as_ref().ok())
            .map(|tasks| tasks.iter().map(|t| t.id.clone()).collect())
            .unwrap_or_default()
    }

    /// Is a deployment being followed (faster refreshes)?
    pub fn following(&self) -> bool {
        self.follow.as_ref().is_some_and(|f| f.outcome.is_none())
    }

    /// A mutation asked for by key or command: refused in read-only mode and while another one
    /// is in flight; otherwise the runner reads what the dialog needs.
    pub(super) fn request(&mut self, request: Request) -> Vec<Effect> {
        if self.read_only() {
            let message = read_only_message(request.name(), self.stack());
            self.message = Some(message.clone());
            return vec![Effect::Refuse {
                action: request.name().to_owned(),
                message,
            }];
        }
        if let Some(busy) = &self.in_flight {
            self.message = Some(format!(
                "{} is still under way: one action at a time",
                busy.what
            ));
            return Vec::new();
        }
        self.in_flight = Some(InFlight {
            what: format!("reading {}", request.name()),
            since: self.now,
        });
        match request {
            Request::Rollback {
                to: Wanted::LastCompleted,
            } => vec![Effect::RollbackChoices],
            other => vec![Effect::Plan(other)],
        }
    }

    /// `:redeploy`, `:rollback [REVISION|previous]`, `:purge [dlq]`, `:redrive`, `:audit`;
    /// `None` when `verb` is not one of them.
    pub(super) fn ops_command(&mut self, verb: &str, arg: Option<&str>) -> Option<Vec<Effect>> {
        let request = match (verb, arg) {
            ("audit", _) => return Some(vec![Effect::LoadAudit]),
            ("redeploy", None) => Request::Redeploy,
            ("redrive", None) => Request::Redrive,
            ("purge", None) => Request::Purge { dlq: false },
            ("purge", Some("dlq")) => Request::Purge { dlq: true },
            ("rollback", None) => Request::Rollback {
                to: Wanted::LastCompleted,
            },
            ("rollback", Some(to)) => match to.parse::<Wanted>() {
                Ok(to) => Request::Rollback { to },
                Err(e) => {
                    self.message = Some(e.replace("--to", ":rollback"));
                    return Some(Vec::new());
                }
            },
            ("redeploy" | "redrive" | "purge", Some(extra)) => {
                self.message = Some(format!(
                    ":{verb} takes no `{extra}` (usage: :redeploy, :purge [dlq], :redrive)"
                ));
                return Some(Vec::new());
            }
            _ => return None,
        };
        Some(self.request(request))
    }

    /// A dialog has the keyboard.
    pub(super) fn dialog_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(dialog) = self.dialog.take() else {
            return Vec::new();
        };
        match dialog {
            Dialog::Outcome { .. } if matches!(key, Key::Esc | Key::Enter | Key::Char('q')) => {
                Vec::new()
            }
            Dialog::Audit { .. } if matches!(key, Key::Esc | Key::Enter | Key::Char('q')) => {
                Vec::new()
            }
            Dialog::Audit { records, scroll } => {
                let scroll = match key {
                    Key::Down | Key::Char('j') => scroll.saturating_add(1),
                    Key::Up | Key::Char('k') => scroll.saturating_sub(1),
                    Key::PageDown | Key::Ctrl('d') => scroll.saturating_add(10),
                    Key::PageUp | Key::Ctrl('u') => scroll.saturating_sub(10),
                    _ => scroll,
                };
                let scroll = scroll.min(records.len().saturating_sub(1));
                self.dialog = Some(Dialog::Audit { records, scroll });
                Vec::new()
            }
            Dialog::Picker { choices, cursor } => match key {
                Key::Esc | Key::Char('q') => Vec::new(),
                Key::Enter => {
                    let Some(target) = choices.target(cursor) else {
                        return Vec::new();
                    };
                    let option = &choices.options[cursor];
                    let mut details = vec![
                        format!(
                            "roll {}/{} back from {} to {}",
                            choices.cluster,
                            choices.service,
                            rollback::short(&choices.running),
                            rollback::short(&target.task_definition)
                        ),
                        format!("why this revision: {}", target.reason),
                    ];
                    if target.interrupts_deployment {
                        details
                            .push("a deployment is still in progress: this rolls it back".into());
                    }
                    if option.diff.is_empty() {
                        details.push(
                            "the two revisions run the same image, command, environment and size"
                                .into(),
                        );
                    }
                    details.extend(option.diff.iter().map(|d| format!("  {d}")));
                    let mutation = Mutation::Rollback {
                        cluster: choices.cluster.clone(),
                        service: choices.service.clone(),
                        target,
                    };
                    self.dialog = Some(Dialog::Confirm(Confirm::new(mutation, details)));
                    Vec::new()
                }
                _ => {
                    let last = choices.options.len().saturating_sub(1);
                    let cursor = match key {
                        Key::Down | Key::Char('j') | Key::Tab => (cursor + 1).min(last),
                        Key::Up | Key::Char('k') | Key::BackTab => cursor.saturating_sub(1),
                        Key::Home | Key::Char('g') => 0,
                        Key::End | Key::Char('G') => last,
                        _ => cursor,
                    };
                    self.dialog = Some(Dialog::Picker { choices, cursor });
                    Vec::new()
                }
            },
            Dialog::Confirm(mut confirm) => {
                if key == Key::Esc {
                    return vec![Effect::Decline(confirm.mutation)];
                }
                match confirm.mutation.typed_confirmation() {
                    Some(name) => match key {
                        Key::Enter if confirm.typed == name => self.confirmed(confirm.mutation),
                        Key::Enter => {
                            confirm.mismatch = true;
                            self.dialog = Some(Dialog::Confirm(confirm));
                            Vec::new()
                        }
                        Key::Backspace => {
                            confirm.typed.pop();
                            confirm.mismatch = false;
                            self.dialog = Some(Dialog::Confirm(confirm));
                            Vec::new()
                        }
                        Key::Char(c) => {
                            confirm.typed.push(c);
                            confirm.mismatch = false;
                            self.dialog = Some(Dialog::Confirm(confirm));
                            Vec::new()
                        }
                        _ => {
                            self.dialog = Some(Dialog::Confirm(confirm));
                            Vec::new()
                        }
                    },
                    None => match key {
                        Key::Enter if confirm.yes => self.confirmed(confirm.mutation),
                        Key::Enter | Key::Char('n' | 'N' | 'q') => {
                            vec![Effect::Decline(confirm.mutation)]
                        }
                        _ => {
                            match key {
                                Key::Char('y' | 'Y') => confirm.yes = true,
                                Key::Left
                                | Key::Right
                                | Key::Tab
                                | Key::BackTab
                                | Key::Char('h' | 'l') => confirm.yes = !confirm.yes,
                                _ => {}
                            }
                            self.dialog = Some(Dialog::Confirm(confirm));
                            Vec::new()
                        }
                    },
                }
            }
            other => {
                self.dialog = Some(other);
                Vec::new()
            }
        }
    }

    fn confirmed(&mut self, mutation: Mutation) -> Vec<Effect> {
        self.in_flight = Some(InFlight {
            what: match &mutation {
                Mutation::Redeploy { .. } => "redeploying".to_owned(),
                Mutation::Rollback { target, .. } => {
                    format!(
                        "rolling back to {}",
                        rollback::short(&target.task_definition)
                    )
                }
                Mutation::Purge { queue_url } => format!("purging {}", queue_name(queue_url)),
                Mutation::Redrive { .. } => "starting the redrive".to_owned(),
            },
            since: self.now,
        });
        vec![Effect::Execute(mutation)]
    }

    pub(super) fn planned(
        &mut self,
        planned: Result<(Mutation, Vec<String>), PlanError>,
    ) -> Vec<Effect> {
        self.in_flight = None;
        self.dialog = Some(match planned {
            Ok((mutation, mut details)) => {
                if let Mutation::Purge { queue_url } = &mutation {
                    if let Some(age) = self.oldest_age(queue_url) {
                        details.push(age);
                    }
                }
                Dialog::Confirm(Confirm::new(mutation, details))
            }
            Err(e) => refusal(e),
        });
        Vec::new()
    }

    pub(super) fn choices(&mut self, choices: Result<RollbackChoices, PlanError>) -> Vec<Effect> {
        self.in_flight = None;
        self.dialog = Some(match choices {
            Ok(choices) => Dialog::Picker {
                cursor: choices.selected,
                choices,
            },
            Err(e) => refusal(e),
        });
        Vec::new()
    }

    /// "oldest message: 4 min" for the work queue, from the last refresh's metric.
    fn oldest_age(&self, queue_url: &str) -> Option<String> {
        let data = self.data.as_ref()?;
        if Some(queue_url) != self.resources.get("queue_url") {
            return None;
        }
        let age = data.latest(crate::model::dashboard::OLDEST_AGE)?;
        Some(format!(
            "oldest message: {} (CloudWatch, as of the last refresh)",
            crate::ui::format::age(age as i64)
        ))
    }

    pub(super) fn executed(
        &mut self,
        mutation: Mutation,
        result: Result<String, String>,
    ) -> Vec<Effect> {
        self.in_flight = None;
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                self.dialog = Some(Dialog::Outcome {
                    title: format!("{} failed", mutation.name()),
                    lines: vec![e],
                    ok: false,
                });
                return Vec::new();
            }
        };
        let mut lines = vec![done];
        let mut effects = Vec::new();
        match &mutation {
            Mutation::Redeploy { .. } | Mutation::Rollback { .. } => {
                self.follow = Some(Follow {
                    action: mutation.name().to_owned(),
                    since: self.now,
                    old_tasks: self.task_ids(),
                    outcome: None,
                    new_tasks: None,
                });
                lines.push(
                    "following the deployment in the service panel; log lines of new tasks are marked ▌"
                        .into(),
                );
                self.refreshing = false;
                effects.extend(self.refresh());
            }
            Mutation::Redrive { dlq_arn, .. } => {
                self.redrive = Some(RedriveWatch {
                    dlq_arn: dlq_arn.clone(),
                    requested_at: Some(self.now),
                    progress: None,
                    done: false,
                });
                lines.push("following its progress in the header".into());
                effects.push(Effect::RedriveProgress(dlq_arn.clone()));
            }
            Mutation::Purge { .. } => {
                self.refreshing = false;
                effects.extend(self.refresh());
            }
        }
        self.dialog = Some(Dialog::Outcome {
            title: format!("{} started", mutation.name()),
            lines,
            ok: true,
        });
        effects
    }

    /// A refresh arrived: has the followed deployment ended?
    pub(super) fn check_follow(&mut self) {
        let listed = self.task_ids();
        let Some(follow) = self.follow.as_mut() else {
            return;
        };
        let fresh = self.requested_at.is_some_and(|at| at >= follow.since);
        if follow.outcome.is_some() || !fresh {
            return;
        }
        let Some(primary) = self
            .data
            .as_ref()
            .and_then(|d| d.health.service.as_ref().ok())
            .and_then(|s| s.deployments.iter().find(|d| d.status == "PRIMARY"))
        else {
            return;
        };
        if matches!(primary.rollout_state.as_str(), "COMPLETED" | "FAILED") {
            follow.outcome = Some(primary.rollout_state.clone());
            follow.new_tasks = Some(listed.difference(&follow.old_tasks).cloned().collect());
            self.message = Some(format!(
                "{}: deployment {} on {}{}",
                follow.action,
                primary.rollout_state,
                rollback::short(&primary.task_definition),
                if primary.rollout_reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", primary.rollout_reason)
                }
            ));
        }
    }

    /// Tick while following: refreshes and redrive reads come every [`FOLLOW_EVERY`] seconds.
    pub(super) fn follow_tick(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.in_flight.is_some() || self.following() {
            self.spin = self.spin.wrapping_add(1);
            self.dirty = true;
        }
        if self.following()
            && self
                .requested_at
                .is_none_or(|at| self.now - at >= FOLLOW_EVERY)
        {
            effects.extend(self.refresh());
        }
        if let Some(watch) = self.redrive.as_mut() {
            if !watch.done
                && watch
                    .requested_at
                    .is_none_or(|at| self.now - at >= FOLLOW_EVERY)
            {
                watch.requested_at = Some(self.now);
                effects.push(Effect::RedriveProgress(watch.dlq_arn.clone()));
            }
        }
        effects
    }

    pub(super) fn redrive_progress(&mut self, progress: Result<Vec<MoveTask>, String>) {
        let Some(watch) = self.redrive.as_mut() else {
            return;
        };
        match progress {
            Ok(tasks) => {
                if let Some(t) = tasks.first() {
                    let of = t.to_move.map_or("?".into(), |n| n.to_string());
                    watch.progress =
                        Some(format!("redrive {}: {} of {of} moved", t.status, t.moved));
                    if matches!(t.status.as_str(), "COMPLETED" | "FAILED" | "CANCELLED") {
                        watch.done = true;
                        self.message = watch.progress.clone();
                        if let Some(reason) = &t.failure {
                            self.message = Some(format!("redrive {}: {reason}", t.status));
                        }
                    }
                }
            }
            Err(e) => {
                watch.done = true;
                self.message = Some(format!("redrive progress: {e}"));
            }
        }
    }

    /// The header's note on the action under way or being followed.
    pub fn activity(&self) -> Option<String> {
        if let Some(busy) = &self.in_flight {
            return Some(format!("{} {}…", self.spinner(), busy.what));
        }
        if self.following() {
            let follow = self.follow.as_ref()?;
            let primary = self
                .data
                .as_ref()
                .and_then(|d| d.health.service.as_ref().ok())
                .and_then(|s| s.deployments.iter().find(|d| d.status == "PRIMARY"));
            return Some(match primary {
                Some(p) => format!(
                    "{} {}: {} {}/{} on {}",
                    self.spinner(),
                    follow.action,
                    if p.rollout_state.is_empty() {
                        "IN_PROGRESS"
                    } else {
                        &p.rollout_state
                    },
                    p.running,
                    p.desired,
                    rollback::short(&p.task_definition)
                ),
                None => format!(
                    "{} {}: waiting for the deployment",
                    self.spinner(),
                    follow.action
                ),
            });
        }
        self.redrive.as_ref().filter(|w| !w.done).map(|w| {
            w.progress
                .clone()
                .unwrap_or_else(|| "redrive started".into())
        })
    }
}

fn refusal(e: PlanError) -> Dialog {
    match e {
        PlanError::NothingToDo(message) => Dialog::Outcome {
            title: "nothing to do".into(),
            lines: vec![message],
            ok: true,
        },
        PlanError::Refused(message) => Dialog::Outcome {
            title: "refused".into(),
            lines: vec![message],
            ok: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn production_patterns_match_as_globs() {
        assert!(glob_match("*prod*", "courier-prod"));
        assert!(glob_match("courier-prod", "courier-prod"));
        assert!(!glob_match("courier-prod", "courier-prod-2"));
        assert!(glob_match("*-prod", "courier-prod"));
        assert!(!glob_match("*-prod", "courier-production"));
        assert!(glob_match("123456789012", "123456789012"));
        assert!(glob_match("a*b*c", "a-x-b-y-c"));
        assert!(!glob_match("a*b*c", "a-x-c-y-b"));
        assert!(!glob_match("ab*ba", "aba"));
        assert!(
            !glob_match("a*é", "a€"),
            "no panic on a multi-byte mismatch"
        );
        assert!(glob_match("*é", "café"));
    }
}
