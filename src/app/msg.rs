//! What reaches `update` ([`Msg`]) and what it asks of the runner ([`Effect`]). Every effect
//! carries the data it needs (the stack's resources, the mutation, the DLQ, the tail's
//! generation): the runner performs effects without reading `State` (ARCHITECTURE.md).

use super::keys::Key;
use crate::model::audit::Record;
use crate::model::dashboard::Dashboard;
use crate::model::exec::{ExecAsk, ExecSession};
use crate::model::logs::TailEvent;
use crate::model::mutation::{Mutation, PlanError, Request};
use crate::model::rollback::RollbackChoices;
use crate::model::sqs::MoveTask;
use crate::model::stack::StackResources;
use crate::model::timeline::Loaded;
use crate::theme::Theme;

/// Everything that happens to the dashboard.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(Key),
    /// The clock, once a second (unix seconds).
    Tick(i64),
    /// The terminal changed size: draw again.
    Resize,
    /// A mouse event at column `x`, row `y` (`wheel`: None a click, else down or up): the runner
    /// turns it into `Focus` or `Wheel`, knowing the screen.
    Pointer {
        x: u16,
        y: u16,
        wheel: Option<bool>,
    },
    /// A click on a panel (the runner found which): focus it.
    Focus(super::Panel),
    /// The wheel over a panel: focus it and scroll it (`down`).
    Wheel {
        panel: super::Panel,
        down: bool,
    },
    /// A refresh of `stack` finished at `at`; `seq` is the one its [`Effect::Refresh`] carried.
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
    /// `:profile NAME` or `:region NAME` passed the pre-flight checks and found the stack there
    /// (or the one line why not: the dashboard stays where it was).
    AwsSwitched(Result<Switched, String>),
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
    /// What the timeline overlay's [`Effect::LoadTimeline`] read for `stack`.
    TimelineLoaded {
        stack: String,
        loaded: Box<Loaded>,
    },
    /// Something the footer must say (e.g. an audit line that could not be written).
    Notice(String),
    /// Exec's pre-checks passed (the session to run) or refused it (the one line why, audited).
    ExecReady(Result<ExecSession, String>),
    /// The exec session ended and the terminal is the dashboard's again: how it ended.
    ExecEnded(Result<String, String>),
}

/// What `:profile` or `:region` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwsSwitch {
    /// Another profile; the region stays what `--region` or an earlier `:region` set, else the
    /// profile's own (through the SDK's chain, `AWS_REGION` first).
    Profile(String),
    /// Another region for the same profile.
    Region(String),
}

impl std::fmt::Display for AwsSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AwsSwitch::Profile(name) => write!(f, "profile {name}"),
            AwsSwitch::Region(name) => write!(f, "region {name}"),
        }
    }
}

/// Where the dashboard now reads from, after a switch: the runner already uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct Switched {
    pub profile: String,
    pub region: String,
    /// The current stack, resolved again through the new profile and region.
    pub resources: StackResources,
}

/// The stack an operation acts on: what the runner's operations context is built from.
#[derive(Clone, Debug, PartialEq)]
pub struct Scope {
    pub stack: StackResources,
    /// `--read-only` or the stack's `read_only`: the runner refuses a mutation anyway.
    pub read_only: bool,
}

/// What `update` asks the runner to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Read every source of `stack` once, then send `Msg::Refreshed` with this `seq`.
    Refresh {
        stack: StackResources,
        seq: u64,
    },
    /// (Re)start the log tail of `log_group` (none: the stack has no log group, stop the old
    /// tail), reading at most `history` lines back; its messages carry `generation`.
    StartTail {
        generation: u64,
        log_group: Option<String>,
        history: usize,
    },
    /// Discover the resources of another stack, then send `Msg::StackLoaded`.
    SwitchStack(String),
    /// Put the text on the terminal's clipboard (OSC 52).
    Clipboard(String),
    /// Put the address on the clipboard, and open it with `$BROWSER` where that is set.
    Browse(String),
    /// Discover the stack of another ECS service from the AWS API (as `--cluster/--service`),
    /// then send `Msg::StackLoaded`.
    SwitchService {
        cluster: Option<String>,
        service: String,
    },
    /// Build the SDK configuration of another profile or region, check it as at start, resolve
    /// `stack` again through it (by its name, and by the `--cluster/--service` it was opened
    /// with); on success the runner uses it from then on. Then send `Msg::AwsSwitched`.
    SwitchAws {
        to: AwsSwitch,
        stack: StackResources,
    },
    /// Load a theme by name or path, then send `Msg::ThemeLoaded`.
    LoadTheme(String),
    /// Read what a mutation's dialog needs, then send `Msg::Planned` (refusals are audited).
    Plan {
        request: Request,
        scope: Scope,
    },
    /// Read the rollback picker's revisions, then send `Msg::Choices`.
    RollbackChoices(Scope),
    /// Run a confirmed mutation (audited), then send `Msg::Executed`.
    Execute {
        mutation: Mutation,
        scope: Scope,
    },
    /// The user said No: audit the declined attempt.
    Decline {
        mutation: Mutation,
        scope: Scope,
    },
    /// Audit an attempt refused before planning (read-only, no revision chosen).
    Refuse {
        action: String,
        message: String,
        scope: Scope,
    },
    /// Exec's pre-checks (`ops::exec::prepare`, refusals audited), then send `Msg::ExecReady`.
    Exec {
        ask: ExecAsk,
        scope: Scope,
    },
    /// Hand the terminal to the exec session: leave the dashboard's screen, stop reading keys,
    /// run it and wait, take the terminal back and redraw it whole; audit the session, then
    /// send `Msg::ExecEnded`.
    HandOver {
        session: ExecSession,
        scope: Scope,
    },
    /// Read the audit log, then send `Msg::AuditLoaded`.
    LoadAudit,
    /// ListMessageMoveTasks of this DLQ (its ARN), then send `Msg::Redrive`.
    RedriveProgress(String),
    /// Read what the timeline overlay needs, then send `Msg::TimelineLoaded`.
    LoadTimeline(TimelineAsk),
    /// STS GetCallerIdentity, then send `Msg::Identity`.
    Whoami,
    Quit,
}

/// What the timeline overlay asks the runner to read: the alarm history of `stack` between
/// `since` and `until` (unix seconds), the audit log, the task-definition diffs of `deployments`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineAsk {
    pub stack: StackResources,
    pub deployments: Vec<crate::model::health::Deployment>,
    pub since: i64,
    pub until: i64,
}
