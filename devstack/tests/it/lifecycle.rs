//! `devstack up / status / down` end to end, on free ports and a private state folder, with a
//! one-resource Terraform env standing in for envs/local (the full env has its own apply test).

use devstack::ports;
use devstack::testkit::command::output_text as text;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Stack {
    state: tempfile::TempDir,
    tf_env: PathBuf,
    aws_port: u16,
    pg_port: u16,
    lb_port: u16,
}

impl Stack {
    fn new(fixture: &str) -> Stack {
        let state = tempfile::tempdir().expect("temp dir");
        devstack::postgres::open_for_server(state.path()).expect("open state dir");
        // Copy the fixture so that Terraform's lock file lands in the temp dir, not the repo.
        let tf_env = state.path().join("tf-env");
        std::fs::create_dir(&tf_env).unwrap();
        let fixture_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        std::fs::copy(fixture_dir.join("main.tf"), tf_env.join("main.tf")).unwrap();
        Stack {
            state,
            tf_env,
            aws_port: ports::free_port().unwrap(),
            pg_port: ports::free_port().unwrap(),
            lb_port: ports::free_port().unwrap(),
        }
    }

    fn devstack(&self, verb: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_devstack"))
            .arg(verb)
            .arg("--state-dir")
            .arg(self.state.path().join("devstack"))
            .arg("--terraform-env")
            .arg(&self.tf_env)
            .args(["--aws-port", &self.aws_port.to_string()])
            .args(["--pg-port", &self.pg_port.to_string()])
            .args(["--lb-port", &self.lb_port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run devstack")
    }

    fn pid(&self, name: &str) -> Option<i32> {
        devstack::process::read_pid(&self.state.path().join(format!("devstack/run/{name}.pid")))
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.devstack("down");
    }
}

#[tokio::test]
async fn up_is_idempotent_writes_env_and_down_leaves_nothing_behind() {
    let stack = Stack::new("ok");

    let up = stack.devstack("up");
    assert!(up.status.success(), "devstack up failed:\n{}", text(&up));
    let moto_pid = stack.pid("moto").expect("moto pid file");
    let pg_pid = stack.pid("postgres").expect("postgres pid file");
    assert!(devstack::process::is_running(moto_pid, "moto"));
    assert!(devstack::process::is_running(pg_pid, "postgres"));
    // The agent is the endpoint; moto sits behind it on a private port.
    let agent_pid = stack.pid("agent").expect("agent pid file");
    assert!(devstack::process::is_running(agent_pid, "devstack agent"));
    let moto_port: u16 = std::fs::read_to_string(stack.state.path().join("devstack/run/moto.port"))
        .expect("moto port file")
        .trim()
        .parse()
        .unwrap();
    assert_ne!(moto_port, stack.aws_port);

    // The env file points at this stack, and the applied parameter is in moto.
    let env = std::fs::read_to_string(stack.state.path().join("devstack/env")).unwrap();
    let endpoint = format!("http://127.0.0.1:{}", stack.aws_port);
    assert!(
        env.contains(&format!("AWS_ENDPOINT_URL={endpoint}\n")),
        "{env}"
    );
    assert!(
        env.contains(&format!("127.0.0.1:{}/courier\n", stack.pg_port)),
        "{env}"
    );
    assert!(
        env.contains(&format!("COURIER_URL=http://127.0.0.1:{}\n", stack.lb_port)),
        "{env}"
    );
    // The local load balancer listens; this stack has no service, so no target: an ALB's 503.
    let lb = devstack::testkit::http::get(stack.lb_port, "/healthz")
        .await
        .expect("the load balancer answers");
    assert_eq!(lb.status, 503, "{}", lb.body);
    let ssm = aws_sdk_ssm::Client::new(&devstack::aws::sdk_config(&endpoint).await);
    let parameter = ssm
        .get_parameter()
        .name("/stackdeck/courier-local/cluster")
        .send()
        .await
        .expect("the applied parameter exists");
    assert_eq!(
        parameter.parameter().and_then(|p| p.value()),
        Some("courier-local-cluster")
    );

    // A second up is a no-op that says so.
    let again = stack.devstack("up");
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("already up"), "{}", text(&again));
    assert_eq!(
        stack.pid("moto"),
        Some(moto_pid),
        "second up must not restart moto"
    );

    let status = stack.devstack("status");
    assert!(status.status.success(), "{}", text(&status));
    assert!(text(&status).contains("devstack is up"));

    let down = stack.devstack("down");
    assert!(down.status.success(), "{}", text(&down));
    assert!(!devstack::process::is_running(moto_pid, "moto"));
    assert!(!devstack::process::is_running(pg_pid, "postgres"));
    assert!(!devstack::process::is_running(agent_pid, "devstack agent"));
    assert!(
        ports::is_free(moto_port),
        "moto's private port {moto_port} still bound"
    );
    assert!(
        ports::is_free(stack.aws_port),
        "port {} still bound",
        stack.aws_port
    );
    assert!(
        ports::is_free(stack.lb_port),
        "the load balancer's port {} still bound",
        stack.lb_port
    );
    assert!(
        ports::is_free(stack.pg_port),
        "port {} still bound",
        stack.pg_port
    );
    assert!(!stack.state.path().join("devstack/env").exists());

    let status = stack.devstack("status");
    assert_eq!(status.status.code(), Some(3), "{}", text(&status));
}

#[test]
fn a_port_taken_by_someone_else_is_named_and_nothing_starts() {
    let stack = Stack::new("ok");
    let _squatter = TcpListener::bind(("127.0.0.1", stack.pg_port)).unwrap();
    let up = stack.devstack("up");
    assert!(!up.status.success());
    let out = text(&up);
    assert!(out.contains(&format!("port {}", stack.pg_port)), "{out}");
    assert!(stack.pid("moto").is_none(), "nothing may start: {out}");
    assert!(ports::is_free(stack.aws_port));
}

#[test]
fn a_failed_apply_shows_terraforms_error_and_stops_what_it_started() {
    let stack = Stack::new("failing");
    let up = stack.devstack("up");
    assert!(!up.status.success());
    let out = text(&up);
    assert!(
        out.contains("Error:"),
        "Terraform's error must be shown:\n{out}"
    );
    assert!(out.contains("NotAType"), "{out}");
    assert!(
        out.contains("stopping what it started: moto, postgres, agent"),
        "{out}"
    );
    assert!(ports::is_free(stack.aws_port), "moto left running:\n{out}");
    assert!(
        ports::is_free(stack.pg_port),
        "PostgreSQL left running:\n{out}"
    );
}

#[tokio::test]
async fn down_stops_a_postgres_it_did_not_recognise_and_never_says_down_while_a_port_is_held() {
    let stack = Stack::new("ok");
    let up = stack.devstack("up");
    assert!(up.status.success(), "devstack up failed:\n{}", text(&up));
    let pg_pid = stack.pid("postgres").expect("postgres pid file");
    // As after a PostgreSQL restarted by hand: devstack's pid file names no running server.
    let pid_file = stack.state.path().join("devstack/run/postgres.pid");
    std::fs::write(&pid_file, "999999\n").unwrap();
    let down = stack.devstack("down");
    assert!(down.status.success(), "{}", text(&down));
    assert!(text(&down).contains("postmaster.pid"), "{}", text(&down));
    assert!(text(&down).contains("devstack is down"), "{}", text(&down));
    assert!(!devstack::process::is_running(pg_pid, "postgres"));
    assert!(
        ports::is_free(stack.pg_port),
        "port {} still bound",
        stack.pg_port
    );

    // A port held by a process devstack did not start: the error names it; never "down".
    let holder = TcpListener::bind(("127.0.0.1", stack.pg_port)).expect("bind the pg port");
    let down = stack.devstack("down");
    let said = text(&down);
    assert!(!down.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "127.0.0.1:{} (postgres) is still held by pid {}",
            stack.pg_port,
            std::process::id()
        )),
        "{said}"
    );
    assert!(!said.contains("devstack is down"), "{said}");
    drop(holder);
}
