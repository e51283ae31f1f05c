//! Operating the stack from the dashboard (The Elm Architecture, like the rest of `app`):
//! a mutation key or command asks the runner for a plan; the plan becomes a dialog (default No;
//! a purge needs the queue's name typed); only a confirmed dialog becomes an `Execute` effect.
//! One action is in flight at a time, with a spinner. A redeploy or rollback is then followed
//! (faster refreshes) until its deployment completes or fails, and log lines from the new tasks
//! are highlighted; a redrive is followed with ListMessageMoveTasks.
//!
//! The runner carries out the effects with the same functions as the scriptable commands
//! (`ops::{plan_audited, execute, decline, refuse}`), so the audit log gets one line per attempt
//! whichever way it was made.

use super::dialog::Answer;
pub use super::dialog::{Confirm, Dialog};
pub use super::follow::{Follow, RedriveWatch, FOLLOW_EVERY, FOLLOW_LIMIT, MAX_EMPTY_READS};
use super::keys::Key;
use super::msg::{Effect, Scope};
use super::State;
use crate::model::dashboard::LogLine;
use crate::model::ecs::{short, Rollout};
use crate::model::mutation::{read_only_message, Mutation, PlanError, Request};
use crate::model::rollback::{RollbackChoices, Wanted};
use crate::model::sqs::{queue_name, MoveTask};

/// The operations' state: the dialog open, the one action under way, and what is followed.
#[derive(Clone, Debug, Default)]
pub struct Ops {
    /// A dialog over the dashboard (it has the keyboard).
    pub dialog: Option<Dialog>,
    /// The one mutation under way.
    pub(super) in_flight: Option<InFlight>,
    /// The deployment a redeploy or rollback started, followed.
    pub follow: Option<Follow>,
    /// The redrive started from the dashboard.
    pub redrive: Option<RedriveWatch>,
    /// The spinner's frame.
    pub(super) spin: usize,
}

/// The one action under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// "reading redeploy", "purging", …
    pub what: String,
    pub since: i64,
}

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

impl Ops {
    /// The spinner's current frame.
    pub fn spinner(&self) -> char {
        SPINNER[self.spin % SPINNER.len()]
    }

    /// Is a deployment being followed (faster refreshes)?
    pub fn following(&self) -> bool {
        self.follow.as_ref().is_some_and(Follow::following)
    }

    /// Another stack: nothing of this one's is followed any more.
    pub(super) fn reset(&mut self) {
        self.follow = None;
        self.redrive = None;
    }
}

/// What the header says while a mutation runs.
fn doing(mutation: &Mutation) -> String {
    match mutation {
        Mutation::Redeploy { .. } => "redeploying".to_owned(),
        Mutation::Rollback { target, .. } => {
            format!("rolling back to {}", short(&target.task_definition))
        }
        Mutation::Purge { queue_url } => format!("purging {}", queue_name(queue_url)),
        Mutation::Redrive { .. } => "starting the redrive".to_owned(),
        Mutation::Scale { to, .. } => format!("scaling to {to}"),
        Mutation::StopTask { task, .. } => format!("stopping task {task}"),
        Mutation::StopDeployment { source, .. } => format!("rolling back to {}", short(source)),
    }
}

impl State {
    /// The stack an operation started now acts on.
    pub fn scope(&self) -> Scope {
        Scope {
            stack: self.resources.clone(),
            read_only: self.read_only(),
        }
    }

    /// Is this log line from a task the followed deployment started?
    pub fn from_new_task(&self, line: &LogLine) -> bool {
        self.ops
            .follow
            .as_ref()
            .is_some_and(|f| f.started(line.task_id(), &self.refresh))
    }

    /// Open `dialog` over whatever was open: a pending confirmation or picker it replaces is an
    /// attempt declined, and audited as one. The command line or filter being typed closes.
    pub(super) fn open_dialog(&mut self, dialog: Dialog) -> Vec<Effect> {
        let effects = self.close_dialog();
        self.mode = super::Mode::Normal;
        self.ops.dialog = Some(dialog);
        effects
    }

    /// Close the dialog; the audit effect of a decision left unanswered.
    pub(super) fn close_dialog(&mut self) -> Vec<Effect> {
        match self.ops.dialog.take() {
            Some(Dialog::Confirm(confirm)) => vec![self.decline(confirm.mutation)],
            Some(Dialog::Picker { .. }) => vec![self.no_revision_chosen()],
            Some(Dialog::Which { request, .. }) => vec![self.nothing_chosen(&request)],
            _ => Vec::new(),
        }
    }

    fn decline(&self, mutation: Mutation) -> Effect {
        Effect::Decline {
            mutation,
            scope: self.scope(),
        }
    }

    pub(super) fn refuse(&self, action: &str, message: &str) -> Effect {
        Effect::Refuse {
            action: action.to_owned(),
            message: message.to_owned(),
            scope: self.scope(),
        }
    }

    /// A mutation asked for by key or command: refused in read-only mode and while another one
    /// is in flight; otherwise the runner reads what the dialog needs.
    pub(super) fn request(&mut self, request: Request) -> Vec<Effect> {
        if self.read_only() {
            let message = read_only_message(request.name(), self.stack());
            self.message = Some(message.clone());
            return vec![self.refuse(request.name(), &message)];
        }
        if let Some(busy) = &self.ops.in_flight {
            self.message = Some(format!(
                "{} is still under way: one action at a time",
                busy.what
            ));
            return Vec::new();
        }
        if self.refresh.switching {
            self.message = Some("the stack is being switched: act once it is shown".into());
            return Vec::new();
        }
        let options = super::which::options(&self.resources, self.refresh.data.as_ref(), &request);
        if options.len() > 1 {
            return self.open_dialog(Dialog::Which {
                request,
                options,
                cursor: 0,
            });
        }
        self.plan_on(request, self.scope())
    }

    /// Read what the dialog of `request` needs, on `scope`.
    pub(super) fn plan_on(&mut self, request: Request, scope: Scope) -> Vec<Effect> {
        self.ops.in_flight = Some(InFlight {
            what: format!("reading {}", request.name()),
            since: self.now,
        });
        match request {
            Request::Rollback {
                to: Wanted::LastCompleted,
            } => vec![Effect::RollbackChoices(scope)],
            // Not a mutation: checked, then run on the terminal, without a dialog.
            Request::Exec(ask) => vec![Effect::Exec { ask, scope }],
            request => vec![Effect::Plan { request, scope }],
        }
    }

    /// A dialog has the keyboard.
    pub(super) fn dialog_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(dialog) = self.ops.dialog.take() else {
            return Vec::new();
        };
        match dialog.key(key) {
            Answer::Open(dialog) => self.ops.dialog = Some(dialog),
            Answer::Closed => {}
            Answer::Confirmed(mutation) => {
                self.ops.in_flight = Some(InFlight {
                    what: doing(&mutation),
                    since: self.now,
                });
                let scope = self.scope();
                return vec![Effect::Execute { mutation, scope }];
            }
            Answer::Declined(mutation) => return vec![self.decline(mutation)],
            Answer::NoRevision => return vec![self.no_revision_chosen()],
            Answer::NoChoice(request) => return vec![self.nothing_chosen(&request)],
            // The stack with the chosen one first: the plan (and the mutation it makes) is on it.
            Answer::Chose { request, name } => {
                return match super::which::focus(&self.resources, request, &name) {
                    Ok((stack, request)) => {
                        let scope = Scope {
                            stack,
                            read_only: self.read_only(),
                        };
                        self.plan_on(request, scope)
                    }
                    Err(why) => {
                        self.message = Some(why);
                        Vec::new()
                    }
                };
            }
        }
        Vec::new()
    }

    /// Esc in the chooser: an attempt that chose nothing, audited as refused.
    fn nothing_chosen(&self, request: &Request) -> Effect {
        self.refuse(request.name(), super::which::nothing_chosen(request))
    }

    /// Esc in the rollback picker: an attempt that chose nothing, audited as refused.
    fn no_revision_chosen(&self) -> Effect {
        self.refuse("rollback", "no revision chosen in the picker")
    }

    pub(super) fn planned(
        &mut self,
        planned: Result<(Mutation, Vec<String>), PlanError>,
    ) -> Vec<Effect> {
        self.ops.in_flight = None;
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
        self.ops.in_flight = None;
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
        let data = self.refresh.data.as_ref()?;
        if Some(queue_url) != self.resources.get("queue_url") {
            return None;
        }
        let age = data.latest(crate::model::dashboard::OLDEST_AGE)?;
        Some(format!(
            "oldest message: {} (CloudWatch, as of the last refresh)",
            crate::model::time::age(age as i64)
        ))
    }

    pub(super) fn executed(
        &mut self,
        mutation: Mutation,
        result: Result<String, String>,
    ) -> Vec<Effect> {
        self.ops.in_flight = None;
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
            Mutation::Redeploy { .. }
            | Mutation::Rollback { .. }
            | Mutation::StopDeployment { .. } => {
                // A refresh now, even if one is under way: that one started before the
                // action, and its answer cannot show the new deployment (see `after_seq`).
                effects.push(self.force_refresh());
                let follow =
                    Follow::new(mutation.name(), self.now, self.refresh.seq, &self.refresh);
                self.ops.follow = Some(follow);
                lines.push(
                    "following the deployment in the service panel; log lines of new tasks are marked ▌"
                        .into(),
                );
            }
            Mutation::Redrive { dlq_arn, .. } => {
                let (watch, read) = RedriveWatch::start(dlq_arn, self.now);
                self.ops.redrive = Some(watch);
                lines.push("following its progress in the header".into());
                effects.push(read);
            }
            Mutation::Purge { .. } | Mutation::Scale { .. } | Mutation::StopTask { .. } => {
                effects.push(self.force_refresh())
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
        let Some(follow) = self.ops.follow.as_mut() else {
            return;
        };
        if let Some(message) = follow.update(seq, self.now, &self.refresh) {
            self.message = Some(message);
        }
    }

    /// Tick while following: refreshes and redrive reads come every [`FOLLOW_EVERY`] seconds.
    pub(super) fn follow_tick(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.ops.in_flight.is_some() || self.ops.following() {
            self.ops.spin = self.ops.spin.wrapping_add(1);
            self.dirty = true;
        }
        if self.ops.following() && self.refresh.due(self.now, FOLLOW_EVERY) {
            effects.extend(self.ask_refresh());
        }
        if let Some(watch) = self.ops.redrive.as_mut() {
            effects.extend(watch.tick(self.now));
        }
        effects
    }

    pub(super) fn redrive_progress(&mut self, progress: Result<Vec<MoveTask>, String>) {
        if let Some(message) = self.ops.redrive.as_mut().and_then(|w| w.update(progress)) {
            self.message = Some(message);
        }
    }

    /// The header's note on the action under way or being followed.
    pub fn activity(&self) -> Option<String> {
        let spinner = self.ops.spinner();
        if let Some(busy) = &self.ops.in_flight {
            return Some(format!("{spinner} {}…", busy.what));
        }
        if self.ops.following() {
            let follow = self.ops.follow.as_ref()?;
            return Some(match self.refresh.primary_deployment() {
                Some(p) => format!(
                    "{spinner} {}: {} {}/{} on {}",
                    follow.action,
                    match p.rollout_state {
                        Rollout::Unknown => Rollout::InProgress.as_str(),
                        known => known.as_str(),
                    },
                    p.running,
                    p.desired,
                    short(&p.task_definition)
                ),
                None => format!("{spinner} {}: waiting for the deployment", follow.action),
            });
        }
        self.ops.redrive.as_ref().filter(|w| !w.done).map(|w| {
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
