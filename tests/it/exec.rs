//! Exec into a task's container behind the devstack agent, with stand-in programs for the AWS
//! CLI: `stackdeck exec` checks the service's enableExecuteCommand (off: one line naming the
//! fix), the container and the program on PATH, runs the configured command with the task and
//! container substituted, passes its exit code on, is refused read-only unless the config allows
//! it, and audits every attempt. The default command is the AWS CLI's execute-command with the
//! region and endpoint added, and needs session-manager-plugin. In tmux, `e` hands the
//! dashboard's terminal to the session and takes it back.

use super::kit::{agent_stack, stackdeck, text, AgentStack};
use devstack::testenv::TestEnv;
use devstack::testkit::command::shell_line;
use devstack::testkit::tmux::Tmux;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A config file in the stack's work directory with this `[exec]` table; its path.
fn config(s: &AgentStack, name: &str, exec: &str) -> PathBuf {
    let path = s.work.path().join(format!("{name}.toml"));
    std::fs::write(&path, format!("[exec]\n{exec}\n")).unwrap();
    path
}

/// `stackdeck --stack S --config CONFIG args…`, its standard input closed, `env` added.
fn exec(s: &AgentStack, config: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = stackdeck(&s.endpoint);
    cmd.args(["--stack", &s.name, "--config"])
        .arg(config)
        .args(args)
        .env("XDG_STATE_HOME", s.work.path().join("state"))
        .stdin(Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("run stackdeck")
}

/// The one task the service runs.
async fn the_task(s: &AgentStack) -> String {
    let ecs = aws_sdk_ecs::Client::new(&s.sdk);
    let out = ecs
        .list_tasks()
        .cluster(&s.cluster)
        .service_name(&s.service)
        .send()
        .await
        .unwrap();
    let [arn] = out.task_arns() else {
        panic!("{:?}", out.task_arns())
    };
    arn.rsplit('/').next().unwrap().to_owned()
}

/// UpdateService --enable-execute-command, as the one-line fix says (without the new
/// deployment: the agent's tasks need none to be exec'd into by a stand-in).
async fn enable_exec(s: &AgentStack) {
    aws_sdk_ecs::Client::new(&s.sdk)
        .update_service()
        .cluster(&s.cluster)
        .service(&s.service)
        .enable_execute_command(true)
        .send()
        .await
        .unwrap();
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An executable shell script `name` in `dir`.
fn script(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const STAND_IN: &str = r#"command = ["sh", "-c", "echo EXEC {task} {container} {command} > \"$OUT_FILE\"; exit ${EXIT:-0}"]"#;

#[tokio::test(flavor = "multi_thread")]
async fn exec_checks_the_service_runs_the_command_and_audits_each_attempt() {
    let env = TestEnv::shared().await;
    let s = agent_stack(env, "exec").await;
    let task = the_task(&s).await;
    let out_file = s.work.path().join("out.txt");
    let stand_in = config(&s, "stand-in", STAND_IN);
    let with_out = [("OUT_FILE", out_file.as_path())];

    // ECS Exec off (moto's and ECS's default): one line naming the service and the fix.
    let out = exec(&s, &stand_in, &["exec"], &with_out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let why = stderr(&out);
    assert_eq!(why.lines().count(), 1, "{why}");
    assert!(
        why.contains(&format!(
            "aws ecs update-service --cluster {} --service {} --enable-execute-command --force-new-deployment",
            s.cluster, s.service
        )) && why.contains("enable_execute_command"),
        "{why}"
    );
    assert!(!out_file.exists(), "nothing ran");

    enable_exec(&s).await;
    assert!(s.describe_service().await.enable_execute_command());

    // The only running task, its first essential container, the default shell.
    let out = exec(&s, &stand_in, &["exec"], &with_out);
    assert!(out.status.success(), "{}", text(&out));
    let ran = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(ran.trim(), format!("EXEC {task} courier /bin/sh"));
    // A task named by ARN, a container named, a command after `--`; its exit code passed on.
    let arn = format!(
        "arn:aws:ecs:us-east-1:123456789012:task/{}/{task}",
        s.cluster
    );
    let out = exec(
        &s,
        &stand_in,
        &["exec", &arn, "--container", "courier", "--", "ls", "-l"],
        &[("OUT_FILE", &out_file), ("EXIT", Path::new("3"))],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr(&out).contains("exit code 3"), "{}", text(&out));
    let ran = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(ran.trim(), format!("EXEC {task} courier ls -l"));

    // A container the task does not have; a program not on PATH.
    let out = exec(&s, &stand_in, &["exec", "--container", "db"], &with_out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("has no container db (it has: courier)"),
        "{}",
        text(&out)
    );
    let missing = config(
        &s,
        "missing",
        r#"command = ["no-such-exec-program", "{task}"]"#,
    );
    let out = exec(&s, &missing, &["exec"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("no-such-exec-program (the config's [exec] command) is not on PATH"),
        "{}",
        text(&out)
    );

    // Read-only refuses it, unless the config allows it.
    std::fs::remove_file(&out_file).unwrap();
    let out = exec(&s, &stand_in, &["--read-only", "exec"], &with_out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("read-only") && stderr(&out).contains("allow_in_read_only"),
        "{}",
        text(&out)
    );
    assert!(!out_file.exists(), "refused: nothing ran");
    let allowed = config(
        &s,
        "allowed",
        &format!("{STAND_IN}\nallow_in_read_only = true"),
    );
    let out = exec(&s, &allowed, &["--read-only", "exec"], &with_out);
    assert!(out.status.success(), "{}", text(&out));

    // The default command: the AWS CLI, which needs session-manager-plugin; then its arguments.
    let bin = s.work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    script(&bin, "aws", r#"echo "$@" > "$OUT_FILE""#);
    let default = config(&s, "default", "");
    let path = [("PATH", bin.as_path()), ("OUT_FILE", &out_file)];
    let out = exec(&s, &default, &["exec"], &path);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("session-manager-plugin is not on PATH"),
        "{}",
        text(&out)
    );
    script(&bin, "session-manager-plugin", "exit 0");
    let out = exec(&s, &default, &["exec"], &path);
    assert!(out.status.success(), "{}", text(&out));
    let ran = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(
        ran.trim(),
        format!(
            "ecs execute-command --cluster {} --task {task} --container courier --interactive --command /bin/sh --region us-east-1 --endpoint-url {}",
            s.cluster, s.endpoint
        )
    );

    // One audit line per attempt.
    let audit = s.audit();
    let results: Vec<(&str, &str)> = (audit.iter())
        .map(|r| (r.action.as_str(), r.result.as_str()))
        .collect();
    assert_eq!(
        results,
        [
            ("exec", "refused"),
            ("exec", "ok"),
            ("exec", "error"),
            ("exec", "refused"),
            ("exec", "refused"),
            ("exec", "refused"),
            ("exec", "ok"),
            ("exec", "refused"),
            ("exec", "ok"),
        ]
    );
    let ok = &audit[1];
    assert_eq!(ok.target, format!("{}/{task}", s.cluster));
    assert_eq!(ok.parameters["container"], "courier");
    assert_eq!(ok.parameters["command"], "/bin/sh");
    assert_eq!(ok.parameters["exit_code"], 0);
    assert_eq!(audit[2].parameters["exit_code"], 3);
    assert!(audit[0]
        .error
        .as_deref()
        .unwrap()
        .contains("ECS Exec is off"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_in_the_dashboard_hands_the_terminal_over_and_takes_it_back() {
    let env = TestEnv::shared().await;
    let s = agent_stack(env, "exectmux").await;
    let task = the_task(&s).await;
    enable_exec(&s).await;
    // The stand-in prints a marker and waits for a line typed into it.
    let session = config(
        &s,
        "session",
        r#"command = ["sh", "-c", "echo EXEC-MARKER {task}; read line; echo got $line"]"#,
    );
    let mut cmd = stackdeck(&s.endpoint);
    cmd.args(["--stack", &s.name, "--config"])
        .arg(&session)
        .env("XDG_STATE_HOME", s.work.path().join("state"));
    let tmux = Tmux::start(&shell_line(&cmd), 120, 40);
    tmux.wait_for(&s.service).await;
    tmux.wait_for(&task[..8]).await;

    tmux.keys(&["e"]);
    let screen = tmux.wait_for(&format!("EXEC-MARKER {task}")).await;
    assert!(
        !screen.contains("Logs") && !screen.contains(&s.service),
        "the dashboard is still drawn:\n{screen}"
    );
    // Keys go to the session, not to the dashboard: `?` would open its help.
    tmux.keys(&["-l", "?yes"]);
    tmux.keys(&["Enter"]);
    let screen = tmux
        .wait_for(&format!(
            "exec into task {task} (courier) ended: exit code 0"
        ))
        .await;
    assert!(
        screen.contains("Logs") && screen.contains(&s.service),
        "{screen}"
    );
    assert!(!screen.contains("EXEC-MARKER"), "redrawn whole:\n{screen}");
    assert!(!screen.contains("refresh now"), "{screen}");
    // The dashboard reads keys again.
    tmux.keys(&["?"]);
    tmux.wait_for("refresh now").await;

    let audit = s.audit();
    let last = audit.last().unwrap();
    assert_eq!((last.action.as_str(), last.result.as_str()), ("exec", "ok"));
    assert_eq!(last.target, format!("{}/{task}", s.cluster));
}
