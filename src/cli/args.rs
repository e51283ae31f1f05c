//! The command line's definition: global AWS flags, the stack, and the subcommands (clap).

use crate::aws::config::AwsTarget;
use crate::model::rollback::Wanted;
use crate::model::time::parse_duration;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("STACKDECK_COMMIT"), ")"),
    about = "The on-call engineer's dashboard for a messaging stack on AWS"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Stack name: its resources are read from SSM under /stackdeck/<STACK>/.
    #[arg(long, global = true, env = "STACKDECK_STACK")]
    pub stack: Option<String>,
    /// ECS cluster of a stack found from the AWS API instead of SSM (with --service).
    #[arg(long, global = true, env = "STACKDECK_CLUSTER")]
    pub cluster: Option<String>,
    /// ECS service of a stack found from the AWS API: its task definition, load balancer, queues,
    /// database and alarms are discovered from it (with --cluster).
    #[arg(long, global = true, env = "STACKDECK_SERVICE")]
    pub service: Option<String>,
    /// KEY=VALUE tag that marks the stack's resources (repeatable), read with the Resource Groups
    /// Tagging API, e.g. `--tag aws:cloudformation:stack-name=courier`.
    #[arg(long = "tag", global = true, value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// AWS profile (default: AWS_PROFILE, then "default"); SSO profiles work.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, then the profile's).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS endpoint URL, e.g. http://127.0.0.1:4566 for the local stack (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Refuse every mutation (redeploy, rollback, scale, stop-task, stop-deployment, purge,
    /// redrive), and exec unless the config's `[exec] allow_in_read_only`; the TUI does not
    /// even bind their keys.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Dashboard theme: dark, light, high-contrast, or a theme file's path.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/stackdeck/config.toml).
    #[arg(long, global = true, env = "STACKDECK_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

impl GlobalArgs {
    pub fn target(&self) -> AwsTarget {
        AwsTarget {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the stacks found in SSM under /stackdeck/.
    Stacks,
    /// The dashboard (the default command).
    Dashboard {
        /// Seconds between refreshes (default: the config file's, else 5).
        #[arg(long)]
        refresh: Option<u64>,
    },
    /// Print the service's log events, oldest first (FilterLogEvents, every page; the span is read
    /// in time windows, several at once, and printed window by window).
    Logs {
        /// How far back, e.g. 10m, 1h.
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        since: Duration,
        /// A CloudWatch Logs filter pattern.
        #[arg(long)]
        filter: Option<String>,
        /// Keep printing new events (live tail, or polling where the endpoint has none).
        #[arg(long, short = 'f')]
        follow: bool,
        /// compact: `time stream level message key=value …` (a structured line's own time);
        /// raw: the event as written; json: one JSON object a line.
        #[arg(long, value_enum, default_value_t = LogsFormat::Compact)]
        format: LogsFormat,
    },
    /// The incident timeline: deployments, service events, task stops, alarm transitions,
    /// operator actions (the audit log) and error spikes in the logs, oldest first.
    Timeline {
        /// How far back, e.g. 30m, 2h.
        #[arg(long, default_value = "2h", value_parser = parse_duration)]
        since: Duration,
        /// text, json, or markdown (a table for the postmortem).
        #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
        format: TimelineFormat,
    },
    /// Print the stack's resources, where each was found, and what is missing and why.
    Discover {
        /// `toml` prints a `[stacks.NAME.resources]` stanza to paste into the config file.
        #[arg(long, value_enum, default_value_t = DiscoverFormat::Text)]
        format: DiscoverFormat,
    },
    /// Check the profile, credentials, region, identity, discovery and every read stackdeck
    /// makes, each tried once: ✓/✗ rows with the fix; exit 0 when all pass, 1 otherwise.
    Doctor {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The stack's health once: exit 0 healthy, 1 degraded, 2 error.
    Status {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// First wait until the primary deployment completes (fails if it FAILED or time runs out).
        #[arg(long)]
        wait_stable: bool,
        /// How long --wait-stable waits, e.g. 90s, 10m, 1h.
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        timeout: Duration,
        /// With --wait-stable: the task definition (ARN or family:revision) the deployment must
        /// end on; a service rolled back to another revision fails the wait.
        #[arg(long, requires = "wait_stable")]
        expect_task_definition: Option<String>,
    },
    /// Print the shell completion script: `stackdeck completions bash > ~/.local/share/bash-completion/completions/stackdeck`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `stackdeck man > ~/.local/share/man/man1/stackdeck.1`.
    Man,
    /// Force a new deployment of the service (UpdateService --force-new-deployment).
    Redeploy {
        #[command(flatten)]
        act: ActArgs,
    },
    /// Roll the service back to an earlier task definition revision.
    Rollback {
        /// REVISION number, `previous` (newest older revision) or `last-completed` (the revision
        /// the last completed deployment ran).
        #[arg(long, default_value = "last-completed")]
        to: Wanted,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Set the service's desired count (UpdateService); refused outside its Application Auto
    /// Scaling target's minimum and maximum, whose policies may move it again.
    Scale {
        /// The new desired count.
        count: u16,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Stop one of the service's tasks (StopTask); the service starts a replacement.
    StopTask {
        /// The task's id (or ARN), as the tasks panel or ListTasks shows it.
        id: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Open a shell (or run CMD) in a task's container with ECS Exec (`aws ecs execute-command
    /// --interactive`, or the config's `[exec] command`); checked first: the service's
    /// enableExecuteCommand, the task RUNNING with the container, the programs on PATH.
    /// Audited; refused under --read-only unless the config's `[exec] allow_in_read_only`.
    /// Exit code: the command's; 2 when refused.
    Exec {
        /// The task's id (or ARN); default: the service's only running task.
        task: Option<String>,
        /// The container; default: the task's first essential one.
        #[arg(long, short = 'c')]
        container: Option<String>,
        /// The command to run in the container (default: the config's `[exec] shell`, else
        /// /bin/sh), after `--`: `stackdeck exec -- ls -l /app`.
        #[arg(last = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Stop the service's deployment in progress and roll it back to its source revision
    /// (StopServiceDeployment ROLLBACK); refused when none is in progress.
    StopDeployment {
        #[command(flatten)]
        act: ActArgs,
    },
    /// Purge the work queue (or the dead-letter queue with --dlq): every message is deleted.
    Purge {
        /// Purge the dead-letter queue instead of the work queue.
        #[arg(long)]
        dlq: bool,
        /// In a stack of several queues: the one (its name or URL), else the first.
        #[arg(long, value_name = "NAME")]
        queue: Option<String>,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Move the dead-letter queue's messages back to the work queue (StartMessageMoveTask).
    Redrive {
        /// In a stack of several queues: the one whose DLQ is redriven, else the first.
        #[arg(long, value_name = "NAME")]
        queue: Option<String>,
        #[command(flatten)]
        act: ActArgs,
    },
}

/// Flags of every mutation.
#[derive(Args, Debug, Clone)]
pub struct ActArgs {
    /// Act without asking (required when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// After acting, wait until the deployment completes (redeploy, rollback, stop-deployment's
    /// rollback), the redrive ends,
    /// or the service runs the new count (scale) or has replaced the task (stop-task).
    #[arg(long)]
    pub wait_stable: bool,
    /// How long --wait-stable waits, e.g. 90s, 10m, 1h.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Output format of `stackdeck logs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogsFormat {
    Compact,
    Raw,
    Json,
}

/// Output format of `discover`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiscoverFormat {
    Text,
    Json,
    Toml,
}

/// Output format of `status` and `doctor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Output format of `timeline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Text,
    Json,
    Markdown,
}
