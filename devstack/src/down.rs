//! `devstack down`, which says "down" only when it is: every server devstack started stopped
//! through its pid file, PostgreSQL also through its data directory (`postmaster.pid`: a server
//! restarted by hand has a pid devstack never wrote), and then every port checked closed. A port
//! still answering is an error naming the process that holds it, and the database's data
//! directory is kept while its port is held.

use crate::paths::Paths;
use crate::stack::{stop_server, Server, Settings, POSTGRES, SERVERS, STOP_GRACE};
use crate::{ports, postgres, process};
use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};

/// How long a stopped server's port may take to close.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The PostgreSQL of devstack's data directory, by its own `postmaster.pid` (first line).
fn postmaster(paths: &Paths) -> Option<i32> {
    let text = std::fs::read_to_string(paths.pg_data().join("postmaster.pid")).ok()?;
    let pid: i32 = text.lines().next()?.trim().parse().ok()?;
    process::is_running(pid, postgres::MARKER).then_some(pid)
}

/// Wait until nothing listens on `port`; false if something still does after [`CLOSE_GRACE`].
fn closed(port: u16) -> bool {
    let deadline = Instant::now() + CLOSE_GRACE;
    while ports::is_listening(port) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

/// Stop exactly what devstack started and forget the stack: moto's state lives in its memory, so
/// the Terraform state, the env file and the throwaway database go with it.
pub fn down(settings: &Settings) -> Result<()> {
    let paths = &settings.paths;
    // The ports first: moto's is known only from a file its stop removes.
    let watched: Vec<(Server, u16)> = SERVERS
        .iter()
        .filter_map(|s| settings.port(*s).map(|p| (*s, p)))
        .collect();
    let mut any = false;
    for server in SERVERS.iter().rev() {
        any |= server.running_pid(paths).is_some();
        stop_server(paths, *server);
    }
    if let Some(pid) = postmaster(paths) {
        any = true;
        let killed = process::stop(pid, POSTGRES.stop_signal, POSTGRES.marker, STOP_GRACE);
        println!(
            "stopped postgres (pid {pid}, from {}/postmaster.pid{})",
            paths.pg_data().display(),
            if killed {
                ", killed after the grace period"
            } else {
                ""
            }
        );
    }
    let held: Vec<String> = watched
        .iter()
        .filter(|(_, port)| !closed(*port))
        .map(|(server, port)| {
            let holder = ports::listener(*port).map_or_else(
                || "a process this user cannot see".to_owned(),
                |(pid, command)| format!("pid {pid} ({command})"),
            );
            format!(
                "127.0.0.1:{port} ({}) is still held by {holder}",
                server.name
            )
        })
        .collect();
    for file in [
        paths.tf_state(),
        paths.state.join("terraform.tfstate.backup"),
        paths.env_file(),
    ] {
        let _ = std::fs::remove_file(&file);
    }
    let pg_held = watched
        .iter()
        .any(|(s, port)| s.name == POSTGRES.name && ports::is_listening(*port));
    if paths.pg_data().exists() && !pg_held {
        std::fs::remove_dir_all(paths.pg_data())
            .with_context(|| format!("cannot remove {}", paths.pg_data().display()))?;
    }
    if !held.is_empty() {
        bail!(
            "devstack is not down: {}; stop it (kill PID) and run devstack down again",
            held.join("; ")
        );
    }
    println!(
        "{}",
        if any {
            "devstack is down"
        } else {
            "devstack was not running; nothing to stop"
        }
    );
    Ok(())
}
