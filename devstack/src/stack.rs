//! `devstack up | down | status`: the local stack's processes, its Terraform apply and its env file.

use crate::paths::{ensure_dir, Paths};
use crate::postgres::Cluster;
use crate::{envfile, moto, ports, postgres, process, terraform};
use anyhow::{bail, Context, Result};

use std::time::Duration;

const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// A full local apply takes about 100 s against moto; anything near this bound is a hang.
const APPLY_TIMEOUT: Duration = Duration::from_secs(420);
const STOP_GRACE: Duration = Duration::from_secs(15);

/// One server devstack runs: its name (pid file), port, pid-reuse marker and stop signal.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    pub name: &'static str,
    pub port: u16,
    pub marker: &'static str,
    pub stop_signal: libc::c_int,
}

pub const MOTO: Server = Server {
    name: "moto",
    port: crate::AWS_PORT,
    marker: moto::MARKER,
    stop_signal: libc::SIGTERM,
};

pub const POSTGRES: Server = Server {
    name: "postgres",
    port: crate::PG_PORT,
    marker: postgres::MARKER,
    // Fast shutdown: disconnect clients, then stop.
    stop_signal: libc::SIGINT,
};

/// Servers in start order (stopped in reverse).
pub const SERVERS: [Server; 2] = [MOTO, POSTGRES];

impl Server {
    /// Our running process for this server, from its pid file.
    pub fn running_pid(&self, paths: &Paths) -> Option<i32> {
        process::read_pid(&paths.pid_file(self.name))
            .filter(|&pid| process::is_running(pid, self.marker))
    }
}

/// What `status` reports for one server.
#[derive(Debug, PartialEq, Eq)]
pub enum ServerState {
    Running {
        pid: i32,
        answering: bool,
    },
    Stopped,
    /// Not ours, but the port is taken.
    PortTaken,
}

pub fn server_state(paths: &Paths, server: Server) -> ServerState {
    match server.running_pid(paths) {
        Some(pid) => ServerState::Running {
            pid,
            answering: ports::is_listening(server.port),
        },
        None if ports::is_listening(server.port) => ServerState::PortTaken,
        None => ServerState::Stopped,
    }
}

/// Whether the stack is fully up: both servers ours and answering, the apply done, the env written.
pub fn is_up(paths: &Paths) -> bool {
    SERVERS.iter().all(|s| {
        matches!(
            server_state(paths, *s),
            ServerState::Running {
                answering: true,
                ..
            }
        )
    }) && paths.tf_state().is_file()
        && paths.env_file().is_file()
}

/// Bring the stack up. A second call while it runs says so and does nothing.
pub async fn up(paths: &Paths) -> Result<()> {
    if is_up(paths) {
        println!(
            "devstack is already up (AWS endpoint http://127.0.0.1:{}, PostgreSQL 127.0.0.1:{}); nothing to do. \
             `devstack status` shows it, `devstack down` stops it.",
            crate::AWS_PORT,
            crate::PG_PORT
        );
        return Ok(());
    }
    for dir in [paths.state.clone(), paths.run_dir(), paths.log_dir()] {
        ensure_dir(&dir)?;
    }
    // Refuse before starting anything when a port belongs to someone else.
    for server in SERVERS {
        if server_state(paths, server) == ServerState::PortTaken {
            bail!(
                "port {} ({}) is already taken by a process devstack did not start: stop it, then run `devstack up` again",
                server.port,
                server.name
            );
        }
    }

    let mut started = Vec::new();
    let result = bring_up(paths, &mut started).await;
    if let Err(e) = result {
        eprintln!(
            "devstack up failed; stopping what it started: {}",
            names(&started)
        );
        for server in started.iter().rev() {
            stop_server(paths, *server);
        }
        return Err(e);
    }
    println!(
        "devstack is up: stack {} at http://127.0.0.1:{}, PostgreSQL at 127.0.0.1:{}; \
         environment in {} (`set -a; . {}; set +a`)",
        crate::STACK_NAME,
        crate::AWS_PORT,
        crate::PG_PORT,
        paths.env_file().display(),
        paths.env_file().display()
    );
    Ok(())
}

fn names(servers: &[Server]) -> String {
    if servers.is_empty() {
        return "nothing".into();
    }
    servers
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn bring_up(paths: &Paths, started: &mut Vec<Server>) -> Result<()> {
    if MOTO.running_pid(paths).is_none() {
        println!("starting moto on 127.0.0.1:{}", MOTO.port);
        let mut cmd = moto::command(MOTO.port);
        redirect_to_log(&mut cmd, &paths.log_file(MOTO.name))?;
        let mut child = process::spawn_daemon(cmd, &paths.pid_file(MOTO.name))?;
        started.push(MOTO);
        moto::wait_ready(MOTO.port, &mut child, READY_TIMEOUT)
            .with_context(|| format!("see {}", paths.log_file(MOTO.name).display()))?;
        // A fresh moto holds nothing: an old state file would describe resources that are gone.
        let _ = std::fs::remove_file(paths.tf_state());
    }

    let cluster = Cluster::new(paths.pg_data(), POSTGRES.port, false)?;
    if POSTGRES.running_pid(paths).is_none() {
        if !cluster.is_initialised() {
            println!(
                "creating a PostgreSQL cluster in {}",
                paths.pg_data().display()
            );
            cluster.init()?;
        }
        println!("starting PostgreSQL on 127.0.0.1:{}", POSTGRES.port);
        let mut cmd = cluster.server_command();
        redirect_to_log(&mut cmd, &paths.log_file(POSTGRES.name))?;
        let mut child = process::spawn_daemon(cmd, &paths.pid_file(POSTGRES.name))?;
        started.push(POSTGRES);
        cluster
            .wait_ready(&mut child, READY_TIMEOUT)
            .with_context(|| format!("see {}", paths.log_file(POSTGRES.name).display()))?;
    }
    cluster.create_database(crate::COURIER_DB)?;

    if !paths.tf_state().is_file() {
        println!(
            "applying terraform/envs/local against moto (about two minutes for the full stack)"
        );
        let run = terraform_run(paths);
        let started_at = std::time::Instant::now();
        run.init().await?;
        run.apply().await?;
        println!("terraform apply done in {:.0?}", started_at.elapsed());
    }

    let vars = envfile::variables(MOTO.port, POSTGRES.port);
    std::fs::write(paths.env_file(), envfile::render(&vars))
        .with_context(|| format!("cannot write {}", paths.env_file().display()))?;
    Ok(())
}

/// The Terraform run of `envs/local` against the local endpoint.
pub fn terraform_run(paths: &Paths) -> terraform::Run {
    terraform::Run {
        env_dir: paths.local_env(),
        data_dir: paths.tf_data_dir(),
        state: paths.tf_state(),
        cli_config: paths.terraformrc(),
        vars: vec![
            (
                "aws_endpoint".into(),
                format!("http://127.0.0.1:{}", MOTO.port),
            ),
            ("stack_name".into(), crate::STACK_NAME.into()),
        ],
        log: paths.log_file("terraform"),
        timeout: APPLY_TIMEOUT,
    }
}

fn redirect_to_log(cmd: &mut std::process::Command, log: &std::path::Path) -> Result<()> {
    let file =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    cmd.stdout(file.try_clone()?).stderr(file);
    Ok(())
}

/// Stop one server if it is ours and running; remove its pid file.
fn stop_server(paths: &Paths, server: Server) {
    if let Some(pid) = server.running_pid(paths) {
        let killed = process::stop(pid, server.stop_signal, server.marker, STOP_GRACE);
        println!(
            "stopped {} (pid {pid}{})",
            server.name,
            if killed {
                ", killed after the grace period"
            } else {
                ""
            }
        );
    }
    let _ = std::fs::remove_file(paths.pid_file(server.name));
}

/// Stop exactly what devstack started and forget the stack: moto's state lives in its memory, so
/// the Terraform state, the env file and the throwaway database go with it.
pub fn down(paths: &Paths) -> Result<()> {
    let mut any = false;
    for server in SERVERS.iter().rev() {
        any |= server.running_pid(paths).is_some();
        stop_server(paths, *server);
    }
    for file in [paths.tf_state(), paths.env_file()] {
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_file(paths.state.join("terraform.tfstate.backup"));
    if paths.pg_data().exists() {
        std::fs::remove_dir_all(paths.pg_data())
            .with_context(|| format!("cannot remove {}", paths.pg_data().display()))?;
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

/// Print what runs.
pub fn status(paths: &Paths) -> bool {
    for server in SERVERS {
        let line = match server_state(paths, server) {
            ServerState::Running {
                pid,
                answering: true,
            } => {
                format!("running (pid {pid}) on 127.0.0.1:{}", server.port)
            }
            ServerState::Running {
                pid,
                answering: false,
            } => {
                format!(
                    "started (pid {pid}) but not answering on 127.0.0.1:{}",
                    server.port
                )
            }
            ServerState::PortTaken => format!(
                "not started by devstack, but port {} is taken by another process",
                server.port
            ),
            ServerState::Stopped => "stopped".into(),
        };
        println!("{:<10} {line}", server.name);
    }
    let applied = paths.tf_state().is_file();
    println!(
        "{:<10} {}",
        "terraform",
        if applied {
            format!("applied (state {})", paths.tf_state().display())
        } else {
            "not applied".into()
        }
    );
    println!(
        "{:<10} {}",
        "env",
        if paths.env_file().is_file() {
            paths.env_file().display().to_string()
        } else {
            "not written".into()
        }
    );
    let up = is_up(paths);
    println!("devstack is {}", if up { "up" } else { "down" });
    up
}
