//! Command line: global AWS flags, the stack, and the subcommands (in `args`); here the dispatch
//! of a parsed command line to the dashboard or a subcommand, with its exit code.

mod args;
mod discover;
mod generate;
mod stacks;

pub use args::{
    ActArgs, Cli, Command, DiscoverFormat, Format, GlobalArgs, LogsFormat, TimelineFormat,
};

use crate::aws::config::{self, AwsTarget};
use crate::aws::ssm::Discovery;
use crate::model::exec::ExecAsk;
use crate::model::mutation::Request;
use crate::ops::{self, audit, Context};
use discover::discover;
use stacks::{resolve_stack, stacks};

/// Exit codes: 0 fine, 2 error (1 is kept for "degraded" in `status`).
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 2;

pub async fn run(mut cli: Cli) -> i32 {
    // About the command line itself: no config, no AWS.
    match cli.command {
        Some(Command::Completions { shell }) => return generate::completions(shell),
        Some(Command::Man) => return generate::man(),
        _ => {}
    }
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
    let warnings = match crate::model::warnings::Thresholds::with_overrides(&config.warnings) {
        Ok(thresholds) => thresholds,
        Err(e) => {
            let path = config_path.as_deref().map(std::path::Path::display);
            eprintln!(
                "stackdeck: config {}: {e}",
                path.map_or("(none)".into(), |p| p.to_string())
            );
            return EXIT_ERROR;
        }
    };
    let target = cli.global.target();
    let sdk = config::load(&target).await;
    // The profile, region and credentials before any call (the doctor reports them itself).
    if !matches!(cli.command, Some(Command::Doctor { .. })) {
        if let Err(why) = crate::aws::preflight::check(&target, &sdk).await {
            eprintln!("stackdeck: {why}");
            return EXIT_ERROR;
        }
    }
    let discovery = Discovery::new(&sdk, target.profile_name());
    let request = match cli.command.unwrap_or(Command::Dashboard { refresh: None }) {
        Command::Dashboard { refresh } => {
            return dashboard(&cli.global, config, warnings, refresh, sdk, &target).await
        }
        Command::Logs {
            since,
            filter,
            follow,
            format,
        } => {
            return match resolve_stack(&cli.global, &target, &sdk, &config).await {
                Ok(resources) => {
                    let options = crate::logs_cmd::Options {
                        since,
                        pattern: filter.as_deref(),
                        follow,
                        format,
                        hidden: config.hidden_fields(),
                    };
                    crate::logs_cmd::run(&sdk, &target.profile_name(), &resources, options).await
                }
                Err(code) => code,
            }
        }
        Command::Timeline { since, format } => {
            return match resolve_stack(&cli.global, &target, &sdk, &config).await {
                Ok(resources) => {
                    let profile = target.profile_name();
                    crate::timeline_cmd::run(&sdk, &profile, &resources, since, format, &warnings)
                        .await
                }
                Err(code) => code,
            }
        }
        Command::Stacks => return stacks(&discovery, &target).await,
        // Answered before the config and AWS, above.
        Command::Completions { shell } => return generate::completions(shell),
        Command::Man => return generate::man(),
        Command::Doctor { format } => {
            return crate::doctor::run(&sdk, &target, &cli.global, &config, format).await
        }
        Command::Discover { format } => {
            return discover(format, &cli.global, &target, &sdk, &config).await
        }
        Command::Status {
            format,
            wait_stable,
            timeout,
            expect_task_definition,
        } => {
            return match resolve_stack(&cli.global, &target, &sdk, &config).await {
                Ok(resources) => {
                    crate::status::run(
                        &sdk,
                        &target.profile_name(),
                        &resources,
                        format,
                        wait_stable.then_some(timeout),
                        expect_task_definition.as_deref(),
                        &warnings,
                    )
                    .await
                }
                Err(code) => code,
            }
        }
        Command::Exec {
            task,
            container,
            command,
        } => {
            let resources = match resolve_stack(&cli.global, &target, &sdk, &config).await {
                Ok(resources) => resources,
                Err(code) => return code,
            };
            let ctx = Context {
                read_only: cli.global.read_only || config.stack(&resources.stack).read_only,
                sdk,
                profile: target.profile_name(),
                stack: resources,
                audit_path: audit::default_path(),
                assume_yes: false,
            };
            // The words after `--` are one command line, as execute-command's --command takes it.
            let command = (!command.is_empty()).then(|| command.join(" "));
            let ask = ExecAsk {
                task,
                container,
                command,
            };
            return ops::exec::run(&ctx, &config.exec, &ask).await;
        }
        Command::Redeploy { act } => (Request::Redeploy, act, None),
        Command::Rollback { to, act } => (Request::Rollback { to }, act, None),
        Command::Scale { count, act } => (
            Request::Scale {
                count: i32::from(count),
            },
            act,
            None,
        ),
        Command::StopTask { id, act } => (Request::StopTask { task: Some(id) }, act, None),
        Command::StopDeployment { act } => (Request::StopDeployment, act, None),
        Command::Purge { dlq, queue, act } => (Request::Purge { dlq }, act, queue),
        Command::Redrive { queue, act } => (Request::Redrive, act, queue),
    };
    let (request, act, queue) = request;
    let resources = match resolve_stack(&cli.global, &target, &sdk, &config).await {
        Ok(resources) => resources,
        Err(code) => return code,
    };
    let resources = match queue.map(|q| resources.focus_queue(&q)).transpose() {
        Ok(focused) => focused.unwrap_or(resources),
        Err(why) => {
            eprintln!("stackdeck: {why}");
            return crate::status::EXIT_ERROR;
        }
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
    ops::run(&ctx, request, act.wait_stable.then_some(act.timeout)).await
}

/// The dashboard: settings from flags over the config file over defaults.
async fn dashboard(
    global: &GlobalArgs,
    config: crate::config::Config,
    warnings: crate::model::warnings::Thresholds,
    refresh: Option<u64>,
    sdk: aws_config::SdkConfig,
    target: &AwsTarget,
) -> i32 {
    let mut global = global.clone();
    if global.stack.is_none()
        && global.cluster.is_none()
        && global.service.is_none()
        && global.tags.is_empty()
    {
        let discovery = Discovery::new(&sdk, target.profile_name());
        match crate::picker_tui::pick(&sdk, &target.profile_name(), &discovery).await {
            Ok(Some(crate::picker_tui::Picked::Stack(stack))) => global.stack = Some(stack),
            Ok(Some(crate::picker_tui::Picked::Service { cluster, service })) => {
                (global.cluster, global.service) = (Some(cluster), Some(service));
            }
            Ok(None) => return EXIT_OK,
            Err(e) => {
                eprintln!("stackdeck: {e}");
                return EXIT_ERROR;
            }
        }
    }
    let global = &global;
    let resources = match resolve_stack(global, target, &sdk, &config).await {
        Ok(resources) => resources,
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
        exec_in_read_only: config.exec.allow_in_read_only,
        interval: refresh
            .or(config.refresh_seconds)
            .unwrap_or(crate::config::DEFAULT_REFRESH_SECONDS) as i64,
        log_lines: config.log_lines.unwrap_or(crate::config::DEFAULT_LOG_LINES),
        theme,
        key_overrides: config.keys.clone(),
        per_stack: config.stacks.clone(),
        production_patterns: config.production.clone(),
        log_hidden_fields: Some(config.hidden_fields()),
        warnings,
        profile: target.profile_name(),
        region: sdk.region().map_or_else(String::new, ToString::to_string),
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
        aws: crate::tui_switch::Aws::new(target.clone(), sdk),
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
