//! The dashboard's state and its pure `update` (The Elm Architecture, DESIGN.md): keys and data
//! arrive as messages, `update` changes the state and answers with effects for the runner. No I/O,
//! no clock (time arrives in `Tick` and in the data messages), no await.

pub mod keys;
pub mod logbuf;
pub mod ops;

use crate::aws::logs::TailEvent;
use crate::aws::sqs_actions::MoveTask;
use crate::config::StackConfig;
use crate::model::dashboard::Dashboard;
use crate::model::health::Verdict;
use crate::model::stack::StackResources;
use crate::ops::audit::Record;
use crate::ops::commands::{Mutation, PlanError, Request};
use crate::ops::picker::RollbackChoices;
use crate::theme::Theme;
use keys::{Action, Key, Keymap};
use logbuf::LogBuffer;
use ops::{Dialog, Follow, InFlight, RedriveWatch};
use std::collections::BTreeMap;

/// Panels, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Panel {
    Service,
    Alarms,
    Database,
    Queue,
    Logs,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Service,
        Panel::Alarms,
        Panel::Database,
        Panel::Queue,
        Panel::Logs,
    ];

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).expect("listed")
    }

    fn next(self) -> Panel {
        Panel::ALL[(self.index() + 1) % Panel::ALL.len()]
    }

    fn previous(self) -> Panel {
        Panel::ALL[(self.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::Service => "Service",
            Panel::Alarms => "Alarms",
            Panel::Database => "Database",
            Panel::Queue => "Queue",
            Panel::Logs => "Logs",
        }
    }
}

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

/// Everything that happens to the dashboard.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(Key),
    /// The clock, once a second (unix seconds).
    Tick(i64),
    /// The terminal changed size: draw again.
    Resize,
    /// A refresh of `stack` finished at `at`; `seq` is [`State::refresh_seq`] when it started.
    Refreshed {
        at: i64,
        stack: String,
        seq: u64,
        data: Box<Dashboard>,
    },
    /// Something from the log tail started as `generation`.
    Log {
        generation: u64,
        event: TailEvent,
    },
    /// `:stack NAME` resolved (or not).
    StackLoaded(Result<StackResources, String>),
    /// `:theme NAME` loaded (or not).
    ThemeLoaded(Result<Theme, String>),
    /// A requested mutation, planned (or refused, or nothing to do).
    Planned(Result<(Mutation, Vec<String>), PlanError>),
    /// The rollback picker's revisions (or why there are none).
    Choices(Result<RollbackChoices, PlanError>),
    /// A confirmed mutation ran.
    Executed {
        mutation: Mutation,
        result: Result<String, String>,
    },
    /// `:audit` read the audit log.
    AuditLoaded(Result<Vec<Record>, String>),
    /// The message move tasks of the DLQ being redriven.
    Redrive(Result<Vec<MoveTask>, String>),
    /// The caller's ARN (STS GetCallerIdentity), for the production pattern's account match.
    Identity(Option<String>),
    /// Something the footer must say (e.g. an audit line that could not be written).
    Notice(String),
}

/// What `update` asks the runner to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Read every source of `State::resources` once, then send `Msg::Refreshed` with the
    /// `State::refresh_seq` of when it started.
    Refresh,
    /// (Re)start the log tail of `State::resources`; its messages carry `generation`.
    StartTail {
        generation: u64,
    },
    /// Discover the resources of another stack, then send `Msg::StackLoaded`.
    SwitchStack(String),
    /// Load a theme by name or path, then send `Msg::ThemeLoaded`.
    LoadTheme(String),
    /// Read what a mutation's dialog needs, then send `Msg::Planned` (refusals are audited).
    Plan(Request),
    /// Read the rollback picker's revisions, then send `Msg::Choices`.
    RollbackChoices,
    /// Run a confirmed mutation (audited), then send `Msg::Executed`.
    Execute(Mutation),
    /// The user said No: audit the declined attempt.
    Decline(Mutation),
    /// Audit an attempt refused before planning (read-only).
    Refuse {
        action: String,
        message: String,
    },
    /// Read the audit log, then send `Msg::AuditLoaded`.
    LoadAudit,
    /// ListMessageMoveTasks of this DLQ, then send `Msg::Redrive`.
    RedriveProgress(String),
    /// STS GetCallerIdentity, then send `Msg::Identity`.
    Whoami,
    Quit,
}

/// Lines a page key moves.
const PAGE: usize = 10;

/// How far back the log panel starts.
pub const LOG_HISTORY_MS: i64 = 10 * 60 * 1000;

/// The dashboard's whole state.
#[derive(Clone, Debug)]
pub struct State {
    pub resources: StackResources,
    /// --read-only.
    pub global_read_only: bool,
    pub per_stack: BTreeMap<String, StackConfig>,
    pub key_overrides: BTreeMap<String, Vec<String>>,
    pub keymap: Keymap,
    /// Seconds between automatic refreshes.
    pub interval: i64,
    pub now: i64,
    pub data: Option<Dashboard>,
    pub updated_at: Option<i64>,
    pub refreshing: bool,
    pub requested_at: Option<i64>,
    /// Counts the refreshes asked for; a refresh's answer carries the count when it started.
    pub refresh_seq: u64,
    /// The `seq` of the data shown: an older answer arriving late is dropped.
    pub applied_seq: u64,
    /// `:stack NAME` is being resolved: no mutation may start until it is.
    pub switching: bool,
    pub focus: Panel,
    pub zoomed: bool,
    pub mode: Mode,
    /// The `/` filter, applied to every list (logs, alarms, tasks, events).
    pub filter: String,
    /// Lines scrolled down from the top, per panel (logs use `log_offset`).
    pub scroll: BTreeMap<Panel, usize>,
    pub logs: LogBuffer,
    /// "live tail" / "polling every 2 s"; None until the tail says.
    pub log_mode: Option<String>,
    pub log_error: Option<String>,
    pub log_updated_at: Option<i64>,
    pub tail_generation: u64,
    /// Paused or scrolled back: the newest sequence number shown (None: follow new lines).
    pub log_anchor: Option<u64>,
    /// Filtered lines hidden below the anchor while scrolled back.
    pub log_offset: usize,
    pub pretty_json: bool,
    pub theme: Theme,
    /// A line for the footer: the answer to the last command.
    pub message: Option<String>,
    /// A dialog over the dashboard (it has the keyboard).
    pub dialog: Option<Dialog>,
    /// The one mutation under way.
    pub in_flight: Option<InFlight>,
    /// The deployment a redeploy or rollback started, followed.
    pub follow: Option<Follow>,
    /// The redrive started from the dashboard.
    pub redrive: Option<RedriveWatch>,
    /// The spinner's frame.
    pub spin: usize,
    /// Stack names or account ids (`*` wildcards) that get the production banner.
    pub production_patterns: Vec<String>,
    /// The caller's account, once STS answered.
    pub account: Option<String>,
    /// Something changed since the last draw.
    pub dirty: bool,
}

/// Start-up settings of the dashboard.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub read_only: bool,
    pub interval: i64,
    pub log_lines: usize,
    pub theme: Theme,
    pub key_overrides: BTreeMap<String, Vec<String>>,
    pub per_stack: BTreeMap<String, StackConfig>,
    pub production_patterns: Vec<String>,
}

impl State {
    pub fn new(resources: StackResources, settings: Settings) -> Result<State, String> {
        let read_only = settings.read_only
            || settings
                .per_stack
                .get(&resources.stack)
                .is_some_and(|s| s.read_only);
        let keymap = Keymap::new(&settings.key_overrides, read_only)?;
        Ok(State {
            resources,
            global_read_only: settings.read_only,
            per_stack: settings.per_stack,
            key_overrides: settings.key_overrides,
            keymap,
            interval: settings.interval.max(1),
            now: 0,
            data: None,
            updated_at: None,
            refreshing: false,
            requested_at: None,
            refresh_seq: 0,
            applied_seq: 0,
            switching: false,
            focus: Panel::Service,
            zoomed: false,
            mode: Mode::Normal,
            filter: String::new(),
            scroll: BTreeMap::new(),
            logs: LogBuffer::new(if settings.log_lines == 0 {
                crate::config::DEFAULT_LOG_LINES
            } else {
                settings.log_lines
            }),
            log_mode: None,
            log_error: None,
            log_updated_at: None,
            tail_generation: 0,
            log_anchor: None,
            log_offset: 0,
            pretty_json: false,
            theme: settings.theme,
            message: None,
            dialog: None,
            in_flight: None,
            follow: None,
            redrive: None,
            spin: 0,
            production_patterns: settings.production_patterns,
            account: None,
            dirty: true,
        })
    }

    pub fn stack(&self) -> &str {
        &self.resources.stack
    }

    pub fn read_only(&self) -> bool {
        self.global_read_only
            || self
                .per_stack
                .get(&self.resources.stack)
                .is_some_and(|s| s.read_only)
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.data.as_ref().map(|d| d.health.verdict())
    }

    /// "updated 3 s ago", or "loading…".
    pub fn age(&self) -> String {
        match self.updated_at {
            Some(at) => format!("updated {} ago", crate::ui::format::age(self.now - at)),
            None => "loading…".into(),
        }
    }

    /// The effects that start the dashboard: a refresh and the log tail.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.refresh();
        effects.push(self.restart_tail());
        effects.push(Effect::Whoami);
        effects
    }

    fn refresh(&mut self) -> Vec<Effect> {
        if self.refreshing {
            return Vec::new();
        }
        self.refreshing = true;
        self.refresh_seq += 1;
        self.requested_at = Some(self.now);
        self.dirty = true;
        vec![Effect::Refresh]
    }

    fn restart_tail(&mut self) -> Effect {
        self.tail_generation += 1;
        self.logs.clear();
        self.log_mode = None;
        self.log_error = None;
        self.log_anchor = None;
        self.log_offset = 0;
        Effect::StartTail {
            generation: self.tail_generation,
        }
    }

    /// Does a list line pass the `/` filter (case-insensitive)?
    pub fn matches(&self, text: &str) -> bool {
        self.filter.is_empty() || contains_ignore_case(text, &self.filter)
    }

    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll.get(&panel).copied().unwrap_or(0)
    }

    /// The log lines the panel can show, oldest first: those up to the pause anchor (all when
    /// following) that pass the `/` filter, by message or stream.
    pub fn visible_logs(&self) -> impl Iterator<Item = &crate::model::dashboard::LogLine> {
        let end = self.log_anchor.unwrap_or_else(|| self.logs.end_seq());
        self.logs
            .up_to(end)
            .filter(|l| self.matches(&l.message) || self.matches(&l.stream))
    }

    /// The furthest the logs scroll back: the oldest visible line. Capped here so that
    /// scrolling down after Home moves at once (the view caps it further, to a panel full).
    fn log_offset_limit(&self) -> usize {
        self.visible_logs().count().saturating_sub(1)
    }

    fn scroll_by(&mut self, down: bool, lines: usize) {
        if self.focus == Panel::Logs {
            if down {
                self.log_offset = self.log_offset.saturating_sub(lines);
            } else {
                self.log_anchor.get_or_insert(self.logs.end_seq());
                self.log_offset = self
                    .log_offset
                    .saturating_add(lines)
                    .min(self.log_offset_limit());
            }
            return;
        }
        let at = self.scroll.entry(self.focus).or_insert(0);
        *at = if down {
            at.saturating_add(lines)
        } else {
            at.saturating_sub(lines)
        };
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => self.mode = Mode::Help,
            Action::Filter => self.mode = Mode::Filter,
            Action::Command => self.mode = Mode::Command(String::new()),
            Action::NextPanel => self.focus = self.focus.next(),
            Action::PreviousPanel => self.focus = self.focus.previous(),
            Action::Zoom => self.zoomed = !self.zoomed,
            Action::Back => {
                if self.zoomed {
                    self.zoomed = false;
                } else {
                    self.filter.clear();
                }
            }
            Action::Refresh => return self.refresh(),
            Action::ScrollUp => self.scroll_by(false, 1),
            Action::ScrollDown => self.scroll_by(true, 1),
            Action::PageUp => self.scroll_by(false, PAGE),
            Action::PageDown => self.scroll_by(true, PAGE),
            Action::Top => {
                if self.focus == Panel::Logs {
                    self.log_anchor.get_or_insert(self.logs.end_seq());
                    self.log_offset = self.log_offset_limit();
                } else {
                    self.scroll.insert(self.focus, 0);
                }
            }
            Action::Follow => {
                if self.focus == Panel::Logs || self.log_anchor.is_some() {
                    self.log_anchor = None;
                    self.log_offset = 0;
                }
                if self.focus != Panel::Logs {
                    self.scroll.insert(self.focus, usize::MAX / 2);
                }
            }
            Action::Pause => {
                if self.log_anchor.is_some() {
                    self.log_anchor = None;
                    self.log_offset = 0;
                } else {
                    self.log_anchor = Some(self.logs.end_seq());
                }
            }
            Action::PrettyJson => self.pretty_json = !self.pretty_json,
            Action::Redeploy => return self.request(Request::Redeploy),
            Action::Rollback => {
                return self.request(Request::Rollback {
                    to: crate::ops::rollback::Wanted::LastCompleted,
                })
            }
            Action::Purge => return self.request(Request::Purge { dlq: false }),
        }
        Vec::new()
    }

    fn command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        let (verb, arg) = (words.next().unwrap_or(""), words.next());
        match (verb, arg) {
            ("", _) => Vec::new(),
            ("q" | "q!" | "quit" | "qa", _) => vec![Effect::Quit],
            ("help", _) => {
                self.mode = Mode::Help;
                Vec::new()
            }
            ("stack", Some(_)) if self.in_flight.is_some() => {
                self.message = Some("an action is under way: switch stacks when it is done".into());
                Vec::new()
            }
            ("stack", Some(name)) => {
                self.switching = true;
                self.message = Some(format!("switching to stack {name}…"));
                vec![Effect::SwitchStack(name.to_owned())]
            }
            ("theme", Some(name)) => vec![Effect::LoadTheme(name.to_owned())],
            ("stack" | "theme", None) => {
                self.message = Some(format!(":{verb} needs a name, e.g. :{verb} NAME"));
                Vec::new()
            }
            (other, arg) => {
                if let Some(effects) = self.ops_command(other, arg) {
                    return effects;
                }
                self.message = Some(format!(
                    "unknown command :{other} (known: :stack NAME, :theme NAME, :redeploy, :rollback [REVISION|previous], :purge [dlq], :redrive, :audit, :q, :help)"
                ));
                Vec::new()
            }
        }
    }

    fn key(&mut self, key: Key) -> Vec<Effect> {
        if key == Key::Ctrl('c') {
            // A dialog left open is an attempt declined: audited before quitting.
            let mut effects = self.close_dialog();
            effects.push(Effect::Quit);
            return effects;
        }
        if self.dialog.is_some() {
            return self.dialog_key(key);
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Help => {
                // The help overlay takes the keyboard until it is closed.
                let closes = matches!(key, Key::Esc | Key::Enter)
                    || matches!(self.keymap.action(key), Some(Action::Help | Action::Quit));
                if !closes {
                    self.mode = Mode::Help;
                }
                Vec::new()
            }
            Mode::Filter => {
                match key {
                    Key::Esc => self.filter.clear(),
                    Key::Enter => {}
                    Key::Backspace => {
                        self.filter.pop();
                        self.mode = Mode::Filter;
                    }
                    Key::Char(c) => {
                        self.filter.push(c);
                        self.mode = Mode::Filter;
                    }
                    _ => self.mode = Mode::Filter,
                }
                self.scroll.clear();
                self.log_offset = 0;
                Vec::new()
            }
            Mode::Command(mut line) => match key {
                Key::Esc => Vec::new(),
                Key::Enter => self.command(&line),
                Key::Backspace => {
                    line.pop();
                    self.mode = Mode::Command(line);
                    Vec::new()
                }
                Key::Char(c) => {
                    line.push(c);
                    self.mode = Mode::Command(line);
                    Vec::new()
                }
                _ => {
                    self.mode = Mode::Command(line);
                    Vec::new()
                }
            },
            Mode::Normal => {
                self.message = None;
                match self.keymap.action(key) {
                    Some(action) => self.act(action),
                    None => {
                        self.dirty = false;
                        Vec::new()
                    }
                }
            }
        }
    }
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if needle.is_ascii() && haystack.is_ascii() {
        let needle = needle.as_bytes();
        return haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle));
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The one place the state changes.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            // Ages are shown in whole seconds: a new second is a new screen.
            let shows_age = state.updated_at.is_some() || state.log_updated_at.is_some();
            state.dirty |= shows_age && now != state.now;
            state.now = now;
            let due = state
                .requested_at
                .is_none_or(|at| now - at >= state.interval);
            let mut effects = if due { state.refresh() } else { Vec::new() };
            effects.extend(state.follow_tick());
            effects
        }
        Msg::Resize => {
            state.dirty = true;
            Vec::new()
        }
        Msg::Refreshed {
            at,
            stack,
            seq,
            data,
        } => {
            if stack != state.stack() {
                return Vec::new();
            }
            if seq >= state.refresh_seq {
                state.refreshing = false;
            }
            if seq < state.applied_seq {
                // Started before the data shown: older, whatever order the answers came in.
                return Vec::new();
            }
            state.applied_seq = seq;
            state.data = Some(*data);
            state.updated_at = Some(at);
            state.now = state.now.max(at);
            state.dirty = true;
            state.check_follow(seq);
            Vec::new()
        }
        Msg::Log { generation, event } => {
            if generation != state.tail_generation {
                return Vec::new();
            }
            state.dirty = true;
            match event {
                TailEvent::Mode(mode) => state.log_mode = Some(mode.to_string()),
                TailEvent::Lines(lines) => {
                    state.log_error = None;
                    state.log_updated_at = Some(state.now);
                    for line in lines {
                        state.logs.push(line);
                    }
                }
                TailEvent::Error(e) => state.log_error = Some(e),
            }
            Vec::new()
        }
        Msg::StackLoaded(Err(e)) => {
            state.switching = false;
            state.message = Some(e);
            state.dirty = true;
            Vec::new()
        }
        Msg::StackLoaded(Ok(resources)) => {
            state.switching = false;
            state.resources = resources;
            state.follow = None;
            state.redrive = None;
            state.data = None;
            state.updated_at = None;
            state.refreshing = false;
            state.requested_at = None;
            state.scroll.clear();
            state.message = Some(format!("stack {}", state.stack()));
            state.dirty = true;
            match Keymap::new(&state.key_overrides, state.read_only()) {
                Ok(map) => state.keymap = map,
                Err(e) => state.message = Some(e),
            }
            let mut effects = state.start();
            if let Some(theme) = state
                .per_stack
                .get(&state.resources.stack)
                .and_then(|s| s.theme.clone())
            {
                effects.push(Effect::LoadTheme(theme));
            }
            effects
        }
        Msg::ThemeLoaded(Ok(theme)) => {
            state.message = Some(format!("theme {}", theme.name));
            state.theme = theme;
            state.dirty = true;
            Vec::new()
        }
        Msg::ThemeLoaded(Err(e)) => {
            state.message = Some(e);
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) => {
            state.dirty = true;
            state.key(key)
        }
        Msg::Planned(planned) => {
            state.dirty = true;
            state.planned(planned)
        }
        Msg::Choices(choices) => {
            state.dirty = true;
            state.choices(choices)
        }
        Msg::Executed { mutation, result } => {
            state.dirty = true;
            state.executed(mutation, result)
        }
        Msg::AuditLoaded(Ok(mut records)) => {
            state.dirty = true;
            if matches!(
                state.dialog,
                Some(Dialog::Confirm(_) | Dialog::Picker { .. })
            ) {
                // A decision is pending: it is not pushed aside by the log.
                state.message = Some("answer the open dialog first, then :audit".into());
                return Vec::new();
            }
            records.reverse();
            state.open_dialog(Dialog::Audit { records, scroll: 0 })
        }
        Msg::AuditLoaded(Err(e)) => {
            state.message = Some(e);
            state.dirty = true;
            Vec::new()
        }
        Msg::Redrive(progress) => {
            state.redrive_progress(progress);
            state.dirty = true;
            Vec::new()
        }
        Msg::Notice(text) => {
            state.message = Some(text);
            state.dirty = true;
            Vec::new()
        }
        Msg::Identity(arn) => {
            state.account = arn.and_then(|a| a.split(':').nth(4).map(str::to_owned));
            state.dirty = true;
            Vec::new()
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod ops_tests;
#[cfg(test)]
mod tests;
