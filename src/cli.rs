//! Command line: global AWS flags, the stack, and the subcommands.

use crate::aws::config::{self, AwsTarget};
use crate::aws::ssm::Discovery;
use crate::model::stack::{discovery_path, DISCOVERY_KEYS};
use crate::ops::audit;
use crate::ops::commands::{self, Context, Request};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    version,
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
    /// AWS profile (default: AWS_PROFILE, then "default"); SSO profiles work.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, then the profile's).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS endpoint URL, e.g. http://127.0.0.1:4566 for the local stack (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Refuse every mutation (redeploy, rollback, purge, redrive); the TUI does not even bind their keys.
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
        #[arg(long, default_value = "10m", value_parser = crate::ops::commands::parse_timeout)]
        since: std::time::Duration,
        /// A CloudWatch Logs filter pattern.
        #[arg(long)]
        filter: Option<String>,
        /// Keep printing new events (live tail, or polling where the endpoint has none).
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Print the resources discovered for --stack.
    Discover {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The stack's health once: exit 0 healthy, 1 degraded, 2 error.
    Status {
        #[arg(long, value_enum, default_value_t = crate::status::Format::Text)]
        format: crate::status::Format,
        /// First wait until the primary deployment completes (fails if it FAILED or time runs out).
        #[arg(long)]
        wait_stable: bool,
        /// How long --wait-stable waits, e.g. 90s, 10m, 1h.
        #[arg(long, default_value = "10m", value_parser = crate::ops::commands::parse_timeout)]
        timeout: std::time::Duration,
        /// With --wait-stable: the task definition (ARN or family:revision) the deployment must
        /// end on; a service rolled back to another revision fails the wait.
        #[arg(long, requires = "wait_stable")]
        expect_task_definition: Option<String>,
    },
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
        to: crate::ops::rollback::Wanted,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Purge the work queue (or the dead-letter queue with --dlq): every message is deleted.
    Purge {
        /// Purge the dead-letter queue instead of the work queue.
        #[arg(long)]
        dlq: bool,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Move the dead-letter queue's messages back to the work queue (StartMessageMoveTask).
    Redrive {
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
    /// After acting, wait until the deployment completes (redeploy, rollback) or the redrive ends.
    #[arg(long)]
    pub wait_stable: bool,
    /// How long --wait-stable waits, e.g. 90s, 10m, 1h.
    #[arg(long, default_value = "10m", value_parser = crate::ops::commands::parse_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Exit codes: 0 fine, 2 error (1 is kept for "degraded" in `status`).
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 2;

pub async fn run(mut cli: Cli) -> i32 {
    let config_path = cli
        .global
        .config
        .clone()
        .or_else(crate::config::default_path);
    let config = match config_path.as_deref().map(crate::config::Config::load) {
        Some(Ok(config)) => config,
        Some(Err(e)) => {
            eprintln!("stackdeck: {e}");
            return EXIT_ERROR;
        }
        None => crate::config::Config::default(),
    };
    if cli.global.stack.is_none() {
        cli.global.stack = config.default_stack.clone();
    }
    let target = cli.global.target();
    let sdk = config::load(&target).await;
    let discovery = Discovery::new(&sdk, target.profile_name());
    let (request, act) = match cli.command.unwrap_or(Command::Dashboard { refresh: None }) {
        Command::Dashboard { refresh } => {
            return dashboard(&cli.global, config, refresh, sdk, &target, &discovery).await
        }
        Command::Logs {
            since,
            filter,
            follow,
        } => {
            return match resolve_stack(&cli.global, &target, &discovery).await {
                Ok(resources) => {
                    let resources = crate::tui::with_overrides(resources, &config);
                    crate::logs_cmd::run(
                        &sdk,
                        &target.profile_name(),
                        &resources,
                        since,
                        filter.as_deref(),
                        follow,
                    )
                    .await
                }
                Err(code) => code,
            }
        }
        Command::Stacks => return stacks(&discovery, &target).await,
        Command::Discover { format } => {
            return discover(format, &cli.global, &target, &discovery).await
        }
        Command::Status {
            format,
            wait_stable,
            timeout,
            expect_task_definition,
        } => {
            return match resolve_stack(&cli.global, &target, &discovery).await {
                Ok(resources) => {
                    let resources = crate::tui::with_overrides(resources, &config);
                    crate::status::run(
                        &sdk,
                        &target.profile_name(),
                        &resources,
                        format,
                        wait_stable.then_some(timeout),
                        expect_task_definition.as_deref(),
                    )
                    .await
                }
                Err(code) => code,
            }
        }
        Command::Redeploy { act } => (Request::Redeploy, act),
        Command::Rollback { to, act } => (Request::Rollback { to }, act),
        Command::Purge { dlq, act } => (Request::Purge { dlq }, act),
        Command::Redrive { act } => (Request::Redrive, act),
    };
    let resources = match resolve_stack(&cli.global, &target, &discovery).await {
        Ok(resources) => resources,
        Err(code) => return code,
    };
    let read_only = cli.global.read_only || config.stack(&resources.stack).read_only;
    let ctx = Context {
        sdk,
        profile: target.profile_name(),
        stack: resources,
        audit_path: audit::default_path(),
        read_only,
        assume_yes: act.yes,
    };
    commands::run(&ctx, request, act.wait_stable.then_some(act.timeout)).await
}

/// The dashboard: settings from flags over the config file over defaults.
async fn dashboard(
    global: &GlobalArgs,
    config: crate::config::Config,
    refresh: Option<u64>,
    sdk: aws_config::SdkConfig,
    target: &AwsTarget,
    discovery: &Discovery,
) -> i32 {
    let resources = match resolve_stack(global, target, discovery).await {
        Ok(resources) => crate::tui::with_overrides(resources, &config),
        Err(code) => return code,
    };
    let stack_config = config.stack(&resources.stack);
    let theme_name = global
        .theme
        .clone()
        .or(stack_config.theme.clone())
        .or(config.theme.clone())
        .unwrap_or_else(|| "dark".into());
    let theme = match crate::theme::load(&theme_name) {
        Ok(theme) => theme,
        Err(e) => {
            eprintln!("stackdeck: {e}");
            return EXIT_ERROR;
        }
    };
    let settings = crate::app::Settings {
        read_only: global.read_only,
        interval: refresh
            .or(config.refresh_seconds)
            .unwrap_or(crate::config::DEFAULT_REFRESH_SECONDS) as i64,
        log_lines: config.log_lines.unwrap_or(crate::config::DEFAULT_LOG_LINES),
        theme,
        key_overrides: config.keys.clone(),
        per_stack: config.stacks.clone(),
        production_patterns: config.production.clone(),
    };
    let state = match crate::app::State::new(resources, settings) {
        Ok(state) => state,
        Err(e) => {
            eprintln!(
                "stackdeck: config {}: {e}",
                global
                    .config
                    .clone()
                    .or_else(crate::config::default_path)
                    .map_or("(none)".into(), |p| p.display().to_string())
            );
            return EXIT_ERROR;
        }
    };
    let runner = crate::tui::Runner {
        sdk,
        profile: target.profile_name(),
        log_poll: std::time::Duration::from_secs(
            config
                .log_poll_seconds
                .unwrap_or(crate::config::DEFAULT_LOG_POLL_SECONDS)
                .max(1),
        ),
        config,
        audit_path: audit::default_path(),
    };
    runner.run(state).await
}

/// The resources of `--stack`, or the exit code after saying why there are none.
async fn resolve_stack(
    global: &GlobalArgs,
    target: &AwsTarget,
    discovery: &Discovery,
) -> Result<crate::model::stack::StackResources, i32> {
    let Some(stack) = global.stack.as_deref() else {
        eprintln!("stackdeck: no stack given: pass --stack NAME or set STACKDECK_STACK (`stackdeck stacks` lists them)");
        return Err(EXIT_ERROR);
    };
    match discovery.stack(stack).await {
        Ok(found) if !found.values.is_empty() => Ok(found),
        Ok(_) => {
            eprintln!(
                "stackdeck: no parameters under {} (profile {}): check --stack and --region; `stackdeck stacks` lists the stacks found",
                discovery_path(stack),
                target.profile_name()
            );
            Err(EXIT_ERROR)
        }
        Err(e) => {
            eprintln!("stackdeck: {e}");
            Err(EXIT_ERROR)
        }
    }
}

async fn stacks(discovery: &Discovery, target: &AwsTarget) -> i32 {
    match discovery.stacks().await {
        Ok(stacks) if stacks.is_empty() => {
            eprintln!(
                "stackdeck: no stacks under /stackdeck/ in this account and region (profile {})",
                target.profile_name()
            );
            EXIT_ERROR
        }
        Ok(stacks) => {
            for stack in stacks {
                println!("{stack}");
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("stackdeck: {e}");
            EXIT_ERROR
        }
    }
}

async fn discover(
    format: Format,
    global: &GlobalArgs,
    target: &AwsTarget,
    discovery: &Discovery,
) -> i32 {
    let Some(stack) = global.stack.as_deref() else {
        eprintln!("stackdeck: no stack given: pass --stack NAME or set STACKDECK_STACK (`stackdeck stacks` lists them)");
        return EXIT_ERROR;
    };
    match discovery.stack(stack).await {
        Ok(found) if found.values.is_empty() => {
            eprintln!(
                        "stackdeck: no parameters under {} (profile {}): check --stack and --region; `stackdeck stacks` lists the stacks found",
                        discovery_path(stack),
                        target.profile_name()
                    );
            EXIT_ERROR
        }
        Ok(found) => {
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&found).expect("plain map serialises")
                ),
                Format::Text => {
                    println!("stack {stack}");
                    for key in DISCOVERY_KEYS {
                        println!("  {key:<18} {}", found.get(key).unwrap_or("(missing)"));
                    }
                    for (key, value) in found
                        .values
                        .iter()
                        .filter(|(k, _)| !DISCOVERY_KEYS.contains(&k.as_str()))
                    {
                        println!("  {key:<18} {value}");
                    }
                }
            }
            let missing = found.missing();
            if !missing.is_empty() {
                eprintln!(
                    "stackdeck: stack {stack} lacks {} of the discovery parameters: {}",
                    missing.len(),
                    missing.join(", ")
                );
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("stackdeck: {e}");
            EXIT_ERROR
        }
    }
}
