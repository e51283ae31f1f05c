//! Exec into a task's container, the same code behind `e`, `:exec` and `stackdeck exec`:
//! [`prepare`] checks, in order, read-only mode, the task (the only running one when none is
//! named), the service's `enableExecuteCommand`, the task RUNNING with the container, the
//! program on PATH and, for the AWS CLI, `session-manager-plugin`, each failing with one line
//! (audited as refused); [`run_session`] runs the program with the terminal and waits;
//! [`finish`] writes the attempt's one audit line with its exit code. Exec is not a mutation: no
//! confirmation, but audited like one.
//!
//! The program is the config's `[exec] command` template, else [`DEFAULT_COMMAND`] with
//! `--region`, `--profile` and `--endpoint-url` added ([`argv`]); placeholders are substituted in
//! each argument on its own, never through a shell.

use super::context::{refuse, with_audit_failure, Context};
use crate::aws::ecs_exec::EcsExec;
use crate::config::ExecConfig;
use crate::model::exec::{choose_container, only_task, read_only_refusal, ExecAsk, ExecSession};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

/// The default argv template: the AWS CLI's interactive execute-command.
pub const DEFAULT_COMMAND: [&str; 12] = [
    "aws",
    "ecs",
    "execute-command",
    "--cluster",
    "{cluster}",
    "--task",
    "{task}",
    "--container",
    "{container}",
    "--interactive",
    "--command",
    "{command}",
];

/// The command run in the container when none is given.
pub const DEFAULT_SHELL: &str = "/bin/sh";

/// What the placeholders stand for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    pub cluster: String,
    pub service: String,
    pub task: String,
    pub container: String,
    pub command: String,
    pub region: String,
    pub profile: String,
    /// The endpoint URL the SDK uses, where one is set (`--endpoint-url`, `AWS_ENDPOINT_URL`).
    pub endpoint: Option<String>,
    pub stack: String,
}

impl Values {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "cluster" => &self.cluster,
            "service" => &self.service,
            "task" => &self.task,
            "container" => &self.container,
            "command" => &self.command,
            "region" => &self.region,
            "profile" => &self.profile,
            "endpoint" => self.endpoint.as_deref().unwrap_or_default(),
            "stack" => &self.stack,
            _ => return None,
        })
    }
}

/// `element` with each known `{name}` replaced by its value, in one pass (a value is never
/// substituted again); anything else in braces stays as it is, so a shell's `${VAR}` in a
/// `sh -c` template passes through.
pub fn substitute(element: &str, values: &Values) -> String {
    let mut out = String::with_capacity(element.len());
    let mut rest = element;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, values.get(&after[..close])?)))
        {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The program and its arguments. The config's template as given; else the default, with
/// `--region` always (the CLI's own default may differ from stackdeck's), `--profile` unless
/// it is `default` (the CLI's own default, and absent where credentials come from the
/// environment), `--endpoint-url` where one is set (the AWS CLI v1 ignores `AWS_ENDPOINT_URL`).
pub fn argv(config: &ExecConfig, values: &Values) -> Vec<String> {
    let template: Vec<String> = match &config.command {
        Some(template) => template.clone(),
        None => {
            let mut template: Vec<String> = DEFAULT_COMMAND.map(str::to_owned).to_vec();
            template.extend(["--region".into(), "{region}".into()]);
            if values.profile != "default" {
                template.extend(["--profile".into(), "{profile}".into()]);
            }
            if values.endpoint.is_some() {
                template.extend(["--endpoint-url".into(), "{endpoint}".into()]);
            }
            template
        }
    };
    template.iter().map(|e| substitute(e, values)).collect()
}

/// Where `program` is: itself when it names a path, else the first executable file of that
/// name in `path` (PATH's directories). std's `Command` searches PATH the same way when it
/// spawns; looking first gives the one-line error before the terminal is handed over.
pub fn find_program(program: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return Some(PathBuf::from(program)).filter(|p| executable(p));
    }
    std::env::split_paths(path?)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
}

/// The last pre-checks: the program is found, and the AWS CLI has `session-manager-plugin`
/// (execute-command opens its session through it).
pub fn check_programs(argv: &[String], path: Option<&OsStr>) -> Result<(), String> {
    let Some(program) = argv.first().filter(|p| !p.is_empty()) else {
        return Err(
            "exec: the config's [exec] command is empty: give the program and its arguments, e.g. [\"aws\", \"ecs\", \"execute-command\", …]".into(),
        );
    };
    let aws = Path::new(program).file_name() == Some(OsStr::new("aws"));
    if find_program(program, path).is_none() {
        return Err(if aws {
            format!("exec: the AWS CLI ({program}) is not on PATH: install it (ECS Exec runs `aws ecs execute-command`), or name another program in the config's [exec] command")
        } else {
            format!("exec: {program} (the config's [exec] command) is not on PATH or not executable: install it or fix the command")
        });
    }
    if aws && find_program("session-manager-plugin", path).is_none() {
        return Err("exec: session-manager-plugin is not on PATH: the AWS CLI needs it for execute-command; install the Session Manager plugin for the AWS CLI".into());
    }
    Ok(())
}

/// Every pre-check, in order; the session ready to run, or the one line why not (audited as
/// refused).
pub async fn prepare(
    ctx: &Context,
    config: &ExecConfig,
    ask: &ExecAsk,
) -> Result<ExecSession, String> {
    match checked(ctx, config, ask).await {
        Ok(session) => Ok(session),
        Err(message) => {
            let audited = refuse(ctx, "exec", &message).await;
            Err(with_audit_failure(message, audited))
        }
    }
}

async fn checked(ctx: &Context, config: &ExecConfig, ask: &ExecAsk) -> Result<ExecSession, String> {
    if let Some(refused) =
        read_only_refusal(ctx.read_only, config.allow_in_read_only, &ctx.stack.stack)
    {
        return Err(refused);
    }
    let svc = ctx.service()?;
    let task = match &ask.task {
        Some(task) => task.rsplit('/').next().unwrap_or(task).to_owned(),
        None => {
            let running = ctx
                .ecs()
                .running_task_ids(&svc)
                .await
                .map_err(|e| e.message)?;
            only_task(&svc, &running)?
        }
    };
    let ecs = EcsExec::new(&ctx.sdk, ctx.profile.clone());
    let facts = ecs.facts(&svc, &task).await.map_err(|e| e.message)?;
    let container = choose_container(&svc, &task, &facts, ask.container.as_deref())?;
    let command = (ask.command.clone())
        .or(config.shell.clone())
        .unwrap_or_else(|| DEFAULT_SHELL.into());
    let values = Values {
        cluster: svc.cluster.clone(),
        service: svc.service.clone(),
        task: task.clone(),
        container: container.clone(),
        command: command.clone(),
        region: ctx.region(),
        profile: ctx.profile.clone(),
        endpoint: ctx.sdk.endpoint_url().map(str::to_owned),
        stack: ctx.stack.stack.clone(),
    };
    let argv = argv(config, &values);
    check_programs(&argv, std::env::var_os("PATH").as_deref())?;
    Ok(ExecSession {
        argv,
        cluster: svc.cluster,
        service: svc.service,
        task,
        container,
        command,
    })
}

/// Run the session's program on this terminal (inherited standard input, output and error) and
/// wait for it, as system(3) does: while it runs stackdeck ignores SIGINT and SIGQUIT, which the
/// terminal sends to both, so that a Ctrl-C meant for the session does not kill stackdeck (and
/// lose the audit line); the child gets their default actions back. Blocking: call it from
/// `spawn_blocking`.
pub fn run_session(session: &ExecSession) -> std::io::Result<ExitStatus> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(&session.argv[0]);
    command.args(&session.argv[1..]);
    // SAFETY: between fork and exec only signal(2), which is async-signal-safe, is called.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    // SAFETY: signal(2) with SIG_IGN, then the dispositions it returned: no handler of ours runs.
    let (int, quit) = unsafe {
        (
            libc::signal(libc::SIGINT, libc::SIG_IGN),
            libc::signal(libc::SIGQUIT, libc::SIG_IGN),
        )
    };
    let status = command.status();
    unsafe {
        libc::signal(libc::SIGINT, int);
        libc::signal(libc::SIGQUIT, quit);
    }
    status
}

/// The exit code a shell would report: the program's, or 128 + the signal that ended it.
pub fn exit_code(status: &ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or(status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// Write the attempt's audit line; how the session ended, in words (`Err`: it could not start
/// or exited non-zero).
pub async fn finish(
    ctx: &Context,
    session: &ExecSession,
    status: &std::io::Result<ExitStatus>,
) -> Result<String, String> {
    let what = format!("exec into task {} ({})", session.task, session.container);
    let (code, result) = match status {
        Ok(status) if status.success() => (Some(0), Ok(format!("{what} ended: exit code 0"))),
        Ok(status) => {
            let code = exit_code(status);
            (Some(code), Err(format!("{what} ended: exit code {code}")))
        }
        Err(e) => (
            None,
            Err(format!(
                "{what}: could not start {}: {e}; check the config's [exec] command",
                session.argv[0]
            )),
        ),
    };
    let audited = ctx
        .audit(
            "exec",
            &session.target(),
            session.parameters(code),
            result.as_ref().map(|_| ()).map_err(String::as_str),
            false,
        )
        .await;
    match result {
        Ok(done) => Ok(with_audit_failure(done, audited)),
        Err(failed) => Err(with_audit_failure(failed, audited)),
    }
}

/// `stackdeck exec`: prepare, run on this terminal, audit. Exit code: the program's; 2 when
/// refused; 1 when it could not start.
pub async fn run(ctx: &Context, config: &ExecConfig, ask: &ExecAsk) -> i32 {
    let session = match prepare(ctx, config, ask).await {
        Ok(session) => session,
        Err(message) => {
            eprintln!("stackdeck: {message}");
            return super::EXIT_REFUSED;
        }
    };
    eprintln!(
        "stackdeck: exec into task {} ({}) of {}/{}: {}",
        session.task, session.container, session.cluster, session.service, session.command
    );
    let ran = session.clone();
    let status = tokio::task::spawn_blocking(move || run_session(&ran))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    let code = match &status {
        Ok(status) => exit_code(status),
        Err(_) => super::EXIT_FAILED,
    };
    match finish(ctx, &session, &status).await {
        Ok(done) => eprintln!("stackdeck: {done}"),
        Err(message) => eprintln!("stackdeck: {message}"),
    }
    code
}
