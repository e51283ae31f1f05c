//! What an action started, followed: the deployment of a redeploy or rollback (faster refreshes
//! until it ends; the log lines of its new tasks are marked) and a redrive's move task.

use super::msg::Effect;
use super::refresh::Refresh;
use crate::model::ecs::{short, Rollout};
use crate::model::sqs::MoveTask;
use std::collections::BTreeSet;

/// Seconds between refreshes while a deployment is followed, and between redrive progress reads.
pub const FOLLOW_EVERY: i64 = 2;

/// A deployment still not ended after this many seconds is no longer followed (the circuit
/// breaker's own limit is lower).
pub const FOLLOW_LIMIT: i64 = 60 * 60;

/// ListMessageMoveTasks answers without the task just started: give up after this many.
pub const MAX_EMPTY_READS: u32 = 10;

/// A deployment started from the dashboard, followed until it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Follow {
    /// The mutation's name: "redeploy", "rollback".
    pub action: &'static str,
    pub since: i64,
    /// Only refreshes started after the action (this `seq` on) can show its deployment.
    pub after_seq: u64,
    /// The PRIMARY deployment before the action: the followed one is another.
    pub old_primary: Option<String>,
    /// Tasks that ran before the action: the others are new, and their log lines highlighted.
    /// `None` when the task list was not known then (nothing is highlighted).
    pub old_tasks: Option<BTreeSet<String>>,
    /// How the deployment ended: completed, failed, or unknown (its controller reports no
    /// rollout state, or it did not end within [`FOLLOW_LIMIT`]).
    pub outcome: Option<Rollout>,
    /// The tasks the deployment started, fixed when it ended (later deployments' tasks are
    /// not this action's).
    pub new_tasks: Option<BTreeSet<String>>,
}

impl Follow {
    /// Follow what `action` started at `now`, from the refresh `after_seq` on; `before` is what
    /// the dashboard showed when the action ran.
    pub(super) fn new(action: &'static str, now: i64, after_seq: u64, before: &Refresh) -> Follow {
        Follow {
            action,
            since: now,
            after_seq,
            old_primary: before.primary_deployment().map(|d| d.id.clone()),
            old_tasks: before.task_ids(),
            outcome: None,
            new_tasks: None,
        }
    }

    /// Still under way (faster refreshes)?
    pub fn following(&self) -> bool {
        self.outcome.is_none()
    }

    /// Is the task `task` one the followed deployment started? `refresh`: what is shown now.
    pub(super) fn started(&self, task: &str, refresh: &Refresh) -> bool {
        match (&self.new_tasks, &self.old_tasks) {
            (Some(new), _) => new.contains(task),
            (None, Some(old)) => {
                !old.contains(task) && refresh.task_ids().unwrap_or_default().contains(task)
            }
            (None, None) => false,
        }
    }

    fn end(&mut self, outcome: Rollout, listed: Option<BTreeSet<String>>) {
        self.outcome = Some(outcome);
        self.new_tasks = match (listed, self.old_tasks.as_ref()) {
            (Some(now), Some(before)) => Some(now.difference(before).cloned().collect()),
            _ => Some(BTreeSet::new()),
        };
    }

    /// The refresh that started as `seq` arrived at `now`: has the deployment ended? The footer's
    /// line when it has.
    pub(super) fn update(&mut self, seq: u64, now: i64, refresh: &Refresh) -> Option<String> {
        if !self.following() || seq < self.after_seq {
            return None;
        }
        if now - self.since >= FOLLOW_LIMIT {
            self.end(Rollout::Unknown, refresh.task_ids());
            return Some(format!(
                "{}: the deployment has not ended after {} min; stopped following it",
                self.action,
                FOLLOW_LIMIT / 60
            ));
        }
        // Not yet the action's deployment: the refresh still shows the one before it.
        let primary = refresh
            .primary_deployment()
            .filter(|p| Some(&p.id) != self.old_primary.as_ref())?;
        if !primary.rollout_state.is_final() {
            return None;
        }
        self.end(primary.rollout_state, refresh.task_ids());
        Some(match primary.rollout_state {
            // CODE_DEPLOY and EXTERNAL controllers report no rollout state.
            Rollout::Unknown => format!(
                "{}: deployment {} on {} reports no rollout state; follow it in its deployment controller",
                self.action,
                primary.id,
                short(&primary.task_definition)
            ),
            ended => format!(
                "{}: deployment {} on {}{}",
                self.action,
                ended.as_str(),
                short(&primary.task_definition),
                if primary.rollout_reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", primary.rollout_reason)
                }
            ),
        })
    }
}

/// A redrive started from the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedriveWatch {
    pub dlq_arn: String,
    pub requested_at: Option<i64>,
    /// "redrive RUNNING: 3 of 10 moved", once ListMessageMoveTasks listed the task.
    pub progress: Option<String>,
    pub done: bool,
    /// Reads that listed no move task yet; the watch gives up after [`MAX_EMPTY_READS`].
    pub empty_reads: u32,
}

/// A move task's status that is the end of it.
fn move_task_ended(status: &str) -> bool {
    matches!(status, "COMPLETED" | "FAILED" | "CANCELLED")
}

impl RedriveWatch {
    /// Watch the redrive of `dlq_arn` started at `now`, and read its progress at once.
    pub(super) fn start(dlq_arn: &str, now: i64) -> (RedriveWatch, Effect) {
        let watch = RedriveWatch {
            dlq_arn: dlq_arn.to_owned(),
            requested_at: Some(now),
            progress: None,
            done: false,
            empty_reads: 0,
        };
        (watch, Effect::RedriveProgress(dlq_arn.to_owned()))
    }

    /// Tick: a progress read every [`FOLLOW_EVERY`] seconds until the move task ends.
    pub(super) fn tick(&mut self, now: i64) -> Option<Effect> {
        if self.done || self.requested_at.is_some_and(|at| now - at < FOLLOW_EVERY) {
            return None;
        }
        self.requested_at = Some(now);
        Some(Effect::RedriveProgress(self.dlq_arn.clone()))
    }

    /// The move tasks read; the footer's line when the redrive ended (or the watch gave up).
    pub(super) fn update(&mut self, progress: Result<Vec<MoveTask>, String>) -> Option<String> {
        match progress {
            Ok(tasks) if tasks.is_empty() => {
                self.empty_reads += 1;
                if self.empty_reads < MAX_EMPTY_READS {
                    return None;
                }
                self.done = true;
                Some(format!(
                    "redrive: ListMessageMoveTasks still lists no move task after {MAX_EMPTY_READS} reads; check the DLQ in the console"
                ))
            }
            Ok(tasks) => {
                // The newest move task first: the one just started.
                let t = tasks.first()?;
                let of = t.to_move.map_or("?".into(), |n| n.to_string());
                self.progress = Some(format!("redrive {}: {} of {of} moved", t.status, t.moved));
                if !move_task_ended(&t.status) {
                    return None;
                }
                self.done = true;
                match &t.failure {
                    Some(reason) => Some(format!("redrive {}: {reason}", t.status)),
                    None => self.progress.clone(),
                }
            }
            Err(e) => {
                self.done = true;
                Some(format!("redrive progress: {e}"))
            }
        }
    }
}
