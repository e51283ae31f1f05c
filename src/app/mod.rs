//! The dashboard's state and its pure `update` (The Elm Architecture, ARCHITECTURE.md): keys and
//! data arrive as messages, `update` changes the state and answers with effects for the runner.
//! No I/O, no clock (time arrives in `Tick` and in the data messages), no await.
//!
//! The state is split along its seams, each part with its own update methods: the data and its
//! refreshes ([`refresh::Refresh`]), the log panel ([`logview::LogView`]) and the operations
//! ([`ops::Ops`]: dialogs, the action in flight, what is followed). What the keyboard does is in
//! `input`, the `:` commands in [`command`].

pub mod command;
mod dialog;
mod exec;
mod follow;
mod input;
pub mod keys;
pub mod logbuf;
pub mod logview;
mod msg;
pub mod ops;
mod panel;
pub mod picker;
mod production;
pub mod refresh;
mod switch;
pub mod timeline;

pub use msg::{AwsSwitch, Effect, Msg, Scope, Switched, TimelineAsk};
pub use panel::Panel;

use crate::config::StackConfig;
use crate::model::health::Verdict;
use crate::model::stack::StackResources;
use crate::model::warnings::{Thresholds, Warning, WarningInput};
use crate::theme::Theme;
use keys::Keymap;
use logview::LogView;
use ops::{Dialog, Ops};
use refresh::Refresh;
use std::collections::BTreeMap;

/// Who has the keyboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    /// Typing a filter after `/`.
    Filter,
    /// Typing a command after `:`.
    Command(String),
}

/// How far back the log panel starts.
pub const LOG_HISTORY_MS: i64 = 10 * 60 * 1000;

/// The dashboard's whole state.
#[derive(Clone, Debug)]
pub struct State {
    resources: StackResources,
    /// --read-only.
    global_read_only: bool,
    /// The config's `[exec] allow_in_read_only`.
    exec_in_read_only: bool,
    per_stack: BTreeMap<String, StackConfig>,
    key_overrides: BTreeMap<String, Vec<String>>,
    keymap: Keymap,
    /// Seconds between automatic refreshes.
    interval: i64,
    pub now: i64,
    /// The data shown and the refreshes that bring it.
    pub refresh: Refresh,
    pub focus: Panel,
    pub zoomed: bool,
    pub mode: Mode,
    /// The `/` filter, applied to every list (logs, alarms, tasks, events).
    pub filter: String,
    /// Lines scrolled down from the top, per panel (the log panel keeps its own).
    scroll: BTreeMap<Panel, usize>,
    pub logs: LogView,
    pub theme: Theme,
    /// A line for the footer: the answer to the last command.
    pub message: Option<String>,
    /// Dialogs, the action in flight, the deployment or redrive followed.
    pub ops: Ops,
    /// Stack names or account ids (`*` wildcards) that get the production banner.
    production_patterns: Vec<String>,
    /// The caller's account, once STS answered.
    account: Option<String>,
    /// The AWS profile and region the runner reads through (the header shows them).
    profile: String,
    region: String,
    /// When the warning rules fire.
    pub(crate) thresholds: Thresholds,
    /// Something changed since the last draw.
    pub dirty: bool,
}

/// Start-up settings of the dashboard.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub read_only: bool,
    /// Exec allowed in read-only mode (the config's `[exec] allow_in_read_only`).
    pub exec_in_read_only: bool,
    pub interval: i64,
    pub log_lines: usize,
    pub theme: Theme,
    pub key_overrides: BTreeMap<String, Vec<String>>,
    pub per_stack: BTreeMap<String, StackConfig>,
    pub production_patterns: Vec<String>,
    /// Fields the compact log form leaves out; `None`: the default list.
    pub log_hidden_fields: Option<Vec<String>>,
    /// The warning rules' thresholds (`[warnings]` over the defaults).
    pub warnings: Thresholds,
    /// The AWS profile and region in effect at start (the runner's), for the header.
    pub profile: String,
    pub region: String,
}

impl State {
    pub fn new(resources: StackResources, settings: Settings) -> Result<State, String> {
        let read_only = settings.read_only
            || settings
                .per_stack
                .get(&resources.stack)
                .is_some_and(|s| s.read_only);
        let (overrides, exec_ro) = (&settings.key_overrides, settings.exec_in_read_only);
        let keymap = Keymap::new(overrides, read_only, exec_ro)?;
        let mut logs = LogView::new(if settings.log_lines == 0 {
            crate::config::DEFAULT_LOG_LINES
        } else {
            settings.log_lines
        });
        if let Some(hidden) = settings.log_hidden_fields {
            logs.hidden = hidden;
        }
        Ok(State {
            resources,
            global_read_only: settings.read_only,
            exec_in_read_only: exec_ro,
            per_stack: settings.per_stack,
            key_overrides: settings.key_overrides,
            keymap,
            interval: settings.interval.max(1),
            now: 0,
            refresh: Refresh::default(),
            focus: Panel::Service,
            zoomed: false,
            mode: Mode::Normal,
            filter: String::new(),
            scroll: BTreeMap::new(),
            logs,
            theme: settings.theme,
            message: None,
            ops: Ops::default(),
            production_patterns: settings.production_patterns,
            account: None,
            profile: settings.profile,
            region: settings.region,
            thresholds: settings.warnings,
            dirty: true,
        })
    }

    pub fn stack(&self) -> &str {
        &self.resources.stack
    }

    /// The stack's discovered resources.
    pub fn resources(&self) -> &StackResources {
        &self.resources
    }

    /// Key → action, for the help overlay.
    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    pub fn read_only(&self) -> bool {
        self.global_read_only
            || self
                .per_stack
                .get(&self.resources.stack)
                .is_some_and(|s| s.read_only)
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.refresh.data.as_ref().map(|d| d.health.verdict())
    }

    /// The warnings of the data shown, at `now` (the header shows the first).
    pub fn warnings(&self) -> Vec<Warning> {
        let Some(data) = &self.refresh.data else {
            return Vec::new();
        };
        let none = crate::model::dashboard::Metrics::new();
        let metrics = data.metrics.as_ref().unwrap_or(&none);
        let targets = data.targets.as_ref().ok().and_then(|t| t.as_deref());
        let group = self.resources.get("target_group_arn").unwrap_or_default();
        let input = WarningInput::from_parts(&data.health, metrics, targets, group, self.now);
        crate::model::warnings::warnings(&input, &self.thresholds)
    }

    /// "updated 3 s ago", or "loading…".
    pub fn age(&self) -> String {
        match self.refresh.updated_at {
            Some(at) => format!("updated {} ago", crate::model::time::age(self.now - at)),
            None => "loading…".into(),
        }
    }

    /// Does a list line pass the `/` filter (case-insensitive)?
    pub fn matches(&self, text: &str) -> bool {
        crate::model::logfilter::LogFilter::parse(&self.filter).matches_text(text)
    }

    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll.get(&panel).copied().unwrap_or(0)
    }

    /// The log lines the panel can show, oldest first (see [`LogView::visible`]).
    pub fn visible_logs(&self) -> impl Iterator<Item = &logbuf::Entry> {
        self.logs.visible(&self.filter)
    }

    /// The effects that start the dashboard: a refresh and the log tail.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.ask_refresh();
        effects.push(self.logs.restart(self.resources.get("log_group")));
        effects.push(Effect::Whoami);
        effects
    }

    /// A refresh, unless one is under way.
    fn ask_refresh(&mut self) -> Vec<Effect> {
        let Some(seq) = self.refresh.request(self.now) else {
            return Vec::new();
        };
        self.dirty = true;
        vec![self.refresh_effect(seq)]
    }

    /// A refresh now, even if one is under way (it started before an action).
    fn force_refresh(&mut self) -> Effect {
        let seq = self.refresh.force(self.now);
        self.dirty = true;
        self.refresh_effect(seq)
    }

    fn refresh_effect(&self, seq: u64) -> Effect {
        Effect::Refresh {
            stack: self.resources.clone(),
            seq,
        }
    }
}

/// The one place the state changes.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    // Every other message changes what is shown; these three say when they do.
    if !matches!(msg, Msg::Tick(_) | Msg::Refreshed { .. } | Msg::Log { .. }) {
        state.dirty = true;
    }
    match msg {
        Msg::Tick(now) => {
            // Ages are shown in whole seconds: a new second is a new screen.
            let shows_age = state.refresh.updated_at.is_some() || state.logs.updated_at.is_some();
            state.dirty |= shows_age && now != state.now;
            state.now = now;
            let mut effects = if state.refresh.due(now, state.interval) {
                state.ask_refresh()
            } else {
                Vec::new()
            };
            effects.extend(state.follow_tick());
            effects
        }
        Msg::Resize => Vec::new(),
        Msg::Pointer { .. } => Vec::new(),
        Msg::Focus(panel) => state.point_at(panel, None),
        Msg::Wheel { panel, down } => state.point_at(panel, Some(down)),
        Msg::Refreshed {
            at,
            stack,
            seq,
            data,
        } => {
            if stack == state.stack() && state.refresh.update(seq, at, *data) {
                state.now = state.now.max(at);
                state.dirty = true;
                state.check_follow(seq);
            }
            Vec::new()
        }
        Msg::Log { generation, event } => {
            state.dirty |= state.logs.update(generation, event, state.now);
            Vec::new()
        }
        Msg::StackLoaded(Err(e)) => {
            state.refresh.switching = false;
            state.message = Some(e);
            Vec::new()
        }
        Msg::StackLoaded(Ok(resources)) => state.switched(resources),
        Msg::AwsSwitched(result) => state.aws_switched(result),
        Msg::ThemeLoaded(Ok(theme)) => {
            state.message = Some(format!("theme {}", theme.name));
            state.theme = theme;
            Vec::new()
        }
        Msg::ThemeLoaded(Err(e)) | Msg::AuditLoaded(Err(e)) | Msg::Notice(e) => {
            state.message = Some(e);
            Vec::new()
        }
        Msg::Key(key) => state.key(key),
        Msg::Planned(planned) => state.planned(planned),
        Msg::Choices(choices) => state.choices(choices),
        Msg::Executed { mutation, result } => state.executed(mutation, result),
        msg @ (Msg::ExecReady(_) | Msg::ExecEnded(_)) => state.exec_msg(msg),
        Msg::AuditLoaded(Ok(mut records)) => {
            if matches!(
                state.ops.dialog,
                Some(Dialog::Confirm(_) | Dialog::Picker { .. } | Dialog::Which { .. })
            ) {
                // A decision is pending: it is not pushed aside by the log.
                state.message = Some("answer the open dialog first, then :audit".into());
                return Vec::new();
            }
            records.reverse();
            state.open_dialog(Dialog::Audit { records, scroll: 0 })
        }
        Msg::Redrive(progress) => {
            state.redrive_progress(progress);
            Vec::new()
        }
        Msg::TimelineLoaded { stack, loaded } => {
            state.timeline_loaded(&stack, *loaded);
            Vec::new()
        }
        Msg::Identity(arn) => {
            state.account = arn.and_then(|a| a.split(':').nth(4).map(str::to_owned));
            Vec::new()
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
pub(crate) mod fixtures_history;
#[cfg(test)]
mod follow_tests;
#[cfg(test)]
mod ops_tests;
mod pointer;
#[cfg(test)]
mod scale_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod timeline_tests;
pub mod which;
#[cfg(test)]
mod which_tests;
