//! What stackdeck's tests share on top of `devstack::testkit`: the stackdeck binary with the
//! test credentials, the guard of the process-wide request counter, and a stack behind the
//! devstack agent, whose tasks it runs (a python stand-in answering /healthz and /readyz, two
//! revisions), whose deployments it rolls, and whose message move tasks it answers.

use devstack::testenv::TestEnv;
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, Stack, StackBuilder};
use devstack::testkit::TASK;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use tokio::sync::RwLock;

pub use devstack::testkit::command::output_text as text;

/// The request counter of `stackdeck::aws::calls` is process-wide: a test that counts calls
/// takes this for writing, every other test that calls AWS through stackdeck in this process for
/// reading, so that no other test's calls fall into its count.
pub static CALLS: RwLock<()> = RwLock::const_new(());

/// The stackdeck binary under test, against `endpoint` with the test credentials.
pub fn stackdeck(endpoint: &str) -> Command {
    devstack::testkit::command::aws_command(env!("CARGO_BIN_EXE_stackdeck"), endpoint)
}

/// `stackdeck --stack <stack> args…` against `endpoint`, `state` its state home, its standard
/// input closed (no terminal), to its end.
pub fn run(endpoint: &str, stack: &str, state: &std::path::Path, args: &[&str]) -> Output {
    stackdeck(endpoint)
        .args(["--stack", stack])
        .args(args)
        .env("XDG_STATE_HOME", state)
        .stdin(Stdio::null())
        .output()
        .expect("run stackdeck")
}

/// A revision of the stand-in task with $REVISION = `revision`.
pub fn task(revision: &str) -> Revision {
    Revision::python(TASK).env("REVISION", revision)
}

/// A stack behind an agent of its own (see the module's doc).
pub struct AgentStack {
    pub stack: Stack,
    /// The agent's endpoint (what stackdeck talks to).
    pub endpoint: String,
    /// stackdeck's state (`state/`, its audit log) and config (`config/`) homes.
    pub work: tempfile::TempDir,
    _agent: Agent,
}

impl std::ops::Deref for AgentStack {
    type Target = Stack;
    fn deref(&self) -> &Stack {
        &self.stack
    }
}

/// Start an agent in front of `env`'s moto and build the stack behind it: two revisions, a
/// service on the second with the circuit breaker, a work queue whose redrive policy names its
/// DLQ; returns once the service's first deployment is COMPLETED.
pub async fn agent_stack(env: &TestEnv, prefix: &str) -> AgentStack {
    let builder = StackBuilder::new(prefix);
    let options = Options {
        metrics_interval: Duration::from_secs(5),
        evaluation_interval: Duration::from_secs(5),
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(env, options).await;
    let endpoint = agent.endpoint();
    let stack = builder
        .revision(task("1"))
        .revision(task("2"))
        .service(1)
        .circuit_breaker()
        .redrive(3)
        .build(&agent.sdk().await)
        .await
        .unwrap();
    stack.wait_completed(Duration::from_secs(60)).await;
    AgentStack {
        stack,
        endpoint,
        work: tempfile::tempdir().unwrap(),
        _agent: agent,
    }
}

impl AgentStack {
    /// The audit log of this stack's state directory.
    pub fn audit_path(&self) -> std::path::PathBuf {
        self.work.path().join("state/stackdeck/audit.jsonl")
    }

    pub fn audit(&self) -> Vec<stackdeck::model::audit::Record> {
        stackdeck::ops::audit::tail(&self.audit_path(), 1000).unwrap()
    }
}

/// (action, result) of each audit record, oldest first.
pub fn outcomes(audit: Vec<stackdeck::model::audit::Record>) -> Vec<(String, String)> {
    audit.into_iter().map(|r| (r.action, r.result)).collect()
}
