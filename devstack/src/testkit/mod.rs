//! What the integration tests of every crate (and the `bench-deck` example) build their cases
//! from, on top of [`crate::testenv`]: a stack in moto ([`stack`]), the devstack agent in front of
//! it ([`agent`]), courier's table and topic ([`courier`]), a program run with the test credentials ([`command`]), small HTTP requests
//! ([`http`]), a terminal ([`tmux`]), and one polling helper ([`eventually`]).

pub mod agent;
pub mod command;
pub mod courier;
pub mod foreign;
pub mod http;
pub mod parts;
pub mod stack;
pub mod tmux;

use std::future::Future;
use std::time::{Duration, Instant};

/// How often [`eventually`] asks again.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// What a check of [`eventually`] answers: a value once the condition holds, or what it saw so
/// far (`Err`, shown if time runs out) or nothing (`None`) while it does not.
pub trait Check {
    type Value;
    fn into_result(self) -> Result<Self::Value, Option<String>>;
}

impl<T> Check for Option<T> {
    type Value = T;
    fn into_result(self) -> Result<T, Option<String>> {
        self.ok_or(None)
    }
}

impl<T> Check for Result<T, String> {
    type Value = T;
    fn into_result(self) -> Result<T, Option<String>> {
        self.map_err(Some)
    }
}

/// Ask `check` every [`POLL_EVERY`] until it gives a value; panics naming `what` (and the last
/// thing the check saw, if it says) when `within` has passed.
pub async fn eventually<C, F, Fut>(within: Duration, what: &str, mut check: F) -> C::Value
where
    C: Check,
    F: FnMut() -> Fut,
    Fut: Future<Output = C>,
{
    let deadline = Instant::now() + within;
    loop {
        let last = match check().await.into_result() {
            Ok(value) => return value,
            Err(last) => last,
        };
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}{}",
            last.map(|l| format!("; last seen:\n{l}"))
                .unwrap_or_default()
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// A task that answers every GET with `ok` on $COURIER_PORT, as courier answers /healthz and
/// /readyz, and `/env` with $MARK; it prints `task starting mark=$MARK` first. Run it as
/// `python3 -c TASK` ([`python`]): the agent runs an absolute path as the container's program.
/// It answers /env with `mark=$MARK`: the prefix tells its answer from any other server's that
/// took a port nearby (another test's moto answers any path).
pub const TASK: &str = r#"
import http.server, os
mark = os.environ.get("MARK", "")
print("task starting mark=" + mark, flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("mark=" + mark).encode() if self.path == "/env" else b"ok"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

/// A task that runs but never becomes ready (503 to every path): its deployment stays in
/// progress, neither completing nor tripping the circuit breaker (its tasks do not exit).
pub const NEVER_READY: &str = r#"
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

/// The absolute path of python3 on PATH (links resolved).
pub fn python() -> String {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .expect("python3 on PATH")
        .display()
        .to_string()
}

/// A port with about twenty free ports above it, for an agent's first task port: tasks take the
/// next free ports from there.
pub fn first_task_port() -> u16 {
    crate::ports::free_port()
        .expect("a free port")
        .saturating_sub(20)
        .max(20000)
}
