//! moto's server: the AWS API of the local stack.

use anyhow::{bail, Context, Result};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Marker found in a moto process's command line (pid-reuse guard).
pub const MARKER: &str = "moto";

/// The command that runs moto's server on 127.0.0.1:`port`: `moto_server` when it is on PATH,
/// else `python3 -m moto.server`.
pub fn command(port: u16) -> Command {
    let mut cmd = if which("moto_server") {
        Command::new("moto_server")
    } else {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "moto.server"]);
        cmd
    };
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        // moto loads the AWS managed IAM policies only when asked; the stack attaches some.
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        // Never let a developer's own AWS settings leak into moto's behaviour.
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    cmd
}

/// Whether `program` is an executable on PATH.
pub fn which(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file()
                && std::fs::metadata(&candidate)
                    .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0)
                    .unwrap_or(false)
        })
    })
}

/// Whether moto answers on 127.0.0.1:`port` (its own `/moto-api/` page answers 200).
pub fn answers(port: u16) -> bool {
    http_status(port, "/moto-api/").is_some_and(|status| status == 200)
}

/// Wait until moto answers on `port`; fail early if `child` exits first (port taken, moto missing).
pub fn wait_ready(port: u16, child: &mut Child, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if answers(port) {
            return Ok(());
        }
        if let Some(status) = child.try_wait().context("cannot watch moto")? {
            bail!("moto exited with {status} before answering on 127.0.0.1:{port}");
        }
        if Instant::now() > deadline {
            bail!("moto did not answer on 127.0.0.1:{port} within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The status a GET of `path` on 127.0.0.1:`port` answers within 2 s (`None`: no answer). Works
/// in and outside async code.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let url = format!("http://127.0.0.1:{port}{path}");
    crate::http::get_blocking(&url, Duration::from_secs(2))
        .ok()
        .map(|(status, _)| status.as_u16())
}
