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
use crate::aws::ecs_actions::ServiceRef;
use crate::aws::sqs_actions::{queue_name, MoveTask};
use crate::model::dashboard::LogLine;
use crate::model::health::Deployment;
use crate::ops::audit::Record;
use crate::ops::commands::{read_only_message, rollback_details, Mutation, PlanError, Request};
use crate::ops::picker::RollbackChoices;
use crate::ops::rollback::{self, Wanted};
use std::collections::BTreeSet;

/// Seconds between refreshes while a deployment is followed, and between redrive progress reads.
pub const FOLLOW_EVERY: i64 = 2;

/// A deployment still not ended after this many seconds is no longer followed (the circuit
/// breaker's own limit is lower).
pub const FOLLOW_LIMIT: i64 = 60 * 60;

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
    /// Only refreshes started after the action (this `refresh_seq` on) can show its deployment.
    pub after_seq: u64,
    /// The PRIMARY deployment before the action: the followed one is another.
    pub old_primary: Option<String>,
    /// Tasks that ran before the action: the others are new, and their log lines highlighted.
    /// `None` when the task list was not known then (nothing is highlighted).
    pub old_tasks: Option<BTreeSet<String>>,
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
    /// Reads that listed no move task yet; the watch gives up after [`MAX_EMPTY_READS`].
    pub empty_reads: u32,
}

/// ListMessageMoveTasks answers without the task just started: give up after this many.
pub const MAX_EMPTY_READS: u32 = 10;

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

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
        let task = line.task_id();
        match (&follow.new_tasks, &follow.old_tasks) {
            (Some(new), _) => new.contains(task),
            (None, Some(old)) => !old.contains(task) && self.task_ids().contains(task),
            (None, None) => false,
        }
    }

    /// The ids of the tasks the last refresh listed (empty when it could not list them).
    fn task_ids(&self) -> BTreeSet<String> {
        self.known_task_ids().unwrap_or_default()
    }

    fn known_task_ids(&self) -> Option<BTreeSet<String>> {
        self.data
            .as_ref()
            .and_then(|d| d.tasks.as_ref().ok())
            .map(|tasks| tasks.iter().map(|t| t.id.clone()).collect())
    }

    /// The service's PRIMARY deployment, as the last refresh saw it.
    pub fn primary_deployment(&self) -> Option<&Deployment> {
        self.data
            .as_ref()
            .and_then(|d| d.health.service.as_ref().ok())
            .and_then(|s| s.deployments.iter().find(|d| d.status == "PRIMARY"))
    }

    /// Open `dialog` over whatever was open: a pending confirmation or picker it replaces is an
    /// attempt declined, and audited as one. The command line or filter being typed closes.
    pub(super) fn open_dialog(&mut self, dialog: Dialog) -> Vec<Effect> {
        let effects = self.close_dialog();
        self.mode = super::Mode::Normal;
        self.dialog = Some(dialog);
        effects
    }

    /// Close the dialog; the audit effect of a decision left unanswered.
    pub(super) fn close_dialog(&mut self) -> Vec<Effect> {
        match self.dialog.take() {
            Some(Dialog::Confirm(confirm)) => vec![Effect::Decline(confirm.mutation)],
            Some(Dialog::Picker { .. }) => vec![no_revision_chosen()],
            _ => Vec::new(),
        }
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
        if self.switching {
            self.message = Some("the stack is being switched: act once it is shown".into());
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
            ("audit", None) => return Some(vec![Effect::LoadAudit]),
            ("audit", Some(extra)) => {
                self.message = Some(format!(":audit takes no `{extra}`"));
                return Some(Vec::new());
            }
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
                Key::Esc | Key::Char('q') => vec![no_revision_chosen()],
                Key::Enter => {
                    let Some(target) = choices.target(cursor) else {
                        return Vec::new();
                    };
                    let option = &choices.options[cursor];
                    let svc = ServiceRef {
                        cluster: choices.cluster.clone(),
                        service: choices.service.clone(),
                    };
                    let details =
                        rollback_details(&svc, &choices.running, &target, Some(&option.diff));
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
                            // Only keys meant for this dialog move the button: letters typed
                            // before it opened (a word for the command line) must not.
                            match key {
                                Key::Char('y' | 'Y') => confirm.yes = true,
                                Key::Left | Key::Right => confirm.yes = !confirm.yes,
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
        let dialog = match planned {
            Ok((mutation, mut details)) => {
                if let Mutation::Purge { queue_url } = &mutation {
                    if let Some(age) = self.oldest_age(queue_url) {
                        details.push(age);
                    }
                }
                Dialog::Confirm(Confirm::new(mutation, details))
            }
            Err(e) => refusal(e),
        };
        self.open_dialog(dialog)
    }

    pub(super) fn choices(&mut self, choices: Result<RollbackChoices, PlanError>) -> Vec<Effect> {
        self.in_flight = None;
        let dialog = match choices {
            Ok(choices) => Dialog::Picker {
                cursor: choices.selected,
                choices,
            },
            Err(e) => refusal(e),
        };
        self.open_dialog(dialog)
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
                return self.open_dialog(Dialog::Outcome {
                    title: format!("{} failed", mutation.name()),
                    lines: vec![e],
                    ok: false,
                })
            }
        };
        let mut lines = vec![done];
        let mut effects = Vec::new();
        match &mutation {
            Mutation::Redeploy { .. } | Mutation::Rollback { .. } => {
                // A refresh now, even if one is under way: that one started before the
                // action, and its answer cannot show the new deployment (see `after_seq`).
                self.refreshing = false;
                effects.extend(self.refresh());
                self.follow = Some(Follow {
                    action: mutation.name().to_owned(),
                    since: self.now,
                    after_seq: self.refresh_seq,
                    old_primary: self.primary_deployment().map(|d| d.id.clone()),
                    old_tasks: self.known_task_ids(),
                    outcome: None,
                    new_tasks: None,
                });
                lines.push(
                    "following the deployment in the service panel; log lines of new tasks are marked ▌"
                        .into(),
                );
            }
            Mutation::Redrive { dlq_arn, .. } => {
                self.redrive = Some(RedriveWatch {
                    dlq_arn: dlq_arn.clone(),
                    requested_at: Some(self.now),
                    progress: None,
                    done: false,
                    empty_reads: 0,
                });
                lines.push("following its progress in the header".into());
                effects.push(Effect::RedriveProgress(dlq_arn.clone()));
            }
            Mutation::Purge { .. } => {
                self.refreshing = false;
                effects.extend(self.refresh());
            }
        }
        effects.extend(self.open_dialog(Dialog::Outcome {
            title: format!("{} started", mutation.name()),
            lines,
            ok: true,
        }));
        effects
    }

    /// A refresh that started as `seq` arrived: has the followed deployment ended?
    pub(super) fn check_follow(&mut self, seq: u64) {
        let listed = self.known_task_ids();
        let now = self.now;
        let primary = self.primary_deployment().cloned();
        let Some(follow) = self.follow.as_mut() else {
            return;
        };
        if follow.outcome.is_some() || seq < follow.after_seq {
            return;
        }
        let ended = |follow: &mut Follow, outcome: &str| {
            follow.outcome = Some(outcome.to_owned());
            follow.new_tasks = match (listed.as_ref(), follow.old_tasks.as_ref()) {
                (Some(now), Some(before)) => Some(now.difference(before).cloned().collect()),
                _ => Some(BTreeSet::new()),
            };
        };
        if now - follow.since >= FOLLOW_LIMIT {
            ended(follow, "UNKNOWN");
            self.message = Some(format!(
                "{}: the deployment has not ended after {} min; stopped following it",
                follow.action,
                FOLLOW_LIMIT / 60
            ));
            return;
        }
        // Not yet the action's deployment: the refresh still shows the one before it.
        let Some(primary) = primary.filter(|p| Some(&p.id) != follow.old_primary.as_ref()) else {
            return;
        };
        let state = primary.rollout_state.as_str();
        if !matches!(state, "COMPLETED" | "FAILED" | "") {
            return;
        }
        ended(follow, if state.is_empty() { "UNKNOWN" } else { state });
        self.message = Some(if state.is_empty() {
            // CODE_DEPLOY and EXTERNAL controllers report no rollout state.
            format!(
                "{}: deployment {} on {} reports no rollout state; follow it in its deployment controller",
                follow.action,
                primary.id,
                rollback::short(&primary.task_definition)
            )
        } else {
            format!(
                "{}: deployment {state} on {}{}",
                follow.action,
                rollback::short(&primary.task_definition),
                if primary.rollout_reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", primary.rollout_reason)
                }
            )
        });
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
            Ok(tasks) if tasks.is_empty() => {
                watch.empty_reads += 1;
                if watch.empty_reads >= MAX_EMPTY_READS {
                    watch.done = true;
                    self.message = Some(format!(
                        "redrive: ListMessageMoveTasks still lists no move task after {MAX_EMPTY_READS} reads; check the DLQ in the console"
                    ));
                }
            }
            Ok(tasks) => {
                // The newest move task first: the one just started.
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
            return Some(match self.primary_deployment() {
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

/// Esc in the rollback picker: an attempt that chose nothing, audited as refused.
fn no_revision_chosen() -> Effect {
    Effect::Refuse {
        action: "rollback".into(),
        message: "no revision chosen in the picker".into(),
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
