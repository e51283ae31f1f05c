//! The dashboard's data and the refreshes that bring it: what was read and when, the refresh under
//! way, and the sequence numbers that keep a late answer from overwriting a newer one.

use crate::model::dashboard::Dashboard;
use crate::model::health::Deployment;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub struct Refresh {
    /// What the last applied refresh read.
    pub data: Option<Dashboard>,
    /// When that refresh finished.
    pub updated_at: Option<i64>,
    /// A refresh is under way: another is not asked for.
    pub(super) refreshing: bool,
    pub(super) requested_at: Option<i64>,
    /// Counts the refreshes asked for; a refresh's answer carries the count when it started.
    pub(super) seq: u64,
    /// The `seq` of the data shown: an older answer arriving late is dropped.
    pub(super) applied_seq: u64,
    /// `:stack NAME` is being resolved: no mutation may start until it is.
    pub(super) switching: bool,
}

impl Refresh {
    /// Ask for a refresh at `now`: its `seq`, or `None` while one is under way.
    pub(super) fn request(&mut self, now: i64) -> Option<u64> {
        (!self.refreshing).then(|| self.force(now))
    }

    /// Ask for a refresh even if one is under way: that one started before an action, and its
    /// answer cannot show what the action did.
    pub(super) fn force(&mut self, now: i64) -> u64 {
        self.refreshing = true;
        self.seq += 1;
        self.requested_at = Some(now);
        self.seq
    }

    /// Has `every` seconds passed since the last refresh was asked for?
    pub(super) fn due(&self, now: i64, every: i64) -> bool {
        self.requested_at.is_none_or(|at| now - at >= every)
    }

    /// The answer of the refresh that started as `seq`; `false` when it is older than the data
    /// shown, whatever order the answers came in.
    pub(super) fn update(&mut self, seq: u64, at: i64, data: Dashboard) -> bool {
        if seq >= self.seq {
            self.refreshing = false;
        }
        if seq < self.applied_seq {
            return false;
        }
        self.applied_seq = seq;
        self.data = Some(data);
        self.updated_at = Some(at);
        true
    }

    /// Another stack: nothing of this one's data is shown, the next tick refreshes.
    pub(super) fn reset(&mut self) {
        self.data = None;
        self.updated_at = None;
        self.refreshing = false;
        self.requested_at = None;
    }

    /// The ids of the tasks the last refresh listed; `None` when it could not list them.
    pub(super) fn task_ids(&self) -> Option<BTreeSet<String>> {
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
}
