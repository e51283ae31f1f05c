//! `devstack up | down | status`: the local stack's processes, its Terraform apply and its env file.

use crate::paths::{ensure_dir, Paths};
use crate::postgres::Cluster;
use crate::{envfile, moto, ports, postgres, process, terraform};
use anyhow::{bail, Context, Result};

use std::time::Duration;

const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// A full local apply takes about 100 s against moto; anything near this bound is a hang.
const APPLY_TIMEOUT: Duration = Duration::from_secs(420);
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(15);

/// Where the local stack lives: its state folder and ports. `Settings::standard` is the one of
/// ARCHITECTURE.md; tests use other ports and folders.
#[derive(Clone, Debug)]
pub struct Settings {
    pub paths: Paths,
    pub aws_port: u16,
    pub pg_port: u16,
    /// The local load balancer's port (8080).
    pub lb_port: u16,
}

impl Settings {
    /// The local stack of ARCHITECTURE.md: 127.0.0.1:4566 and :55432, state in `<repo>/.devstack`.
    pub fn standard(paths: Paths) -> Self {
        Settings {
            paths,
            aws_port: crate::AWS_PORT,
            pg_port: crate::PG_PORT,
            lb_port: crate::LB_PORT,
        }
    }

    /// The port `server` listens on; moto's is private and known once it has started.
    pub(crate) fn port(&self, server: Server) -> Option<u16> {
        match server.name {
            "moto" => std::fs::read_to_string(self.paths.run_dir().join("moto.port"))
                .ok()
                .and_then(|p| p.trim().parse().ok()),
            "agent" => Some(self.aws_port),
            _ => Some(self.pg_port),
        }
    }
}

/// One server devstack runs: its name (pid file), pid-reuse marker and stop signal.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    pub name: &'static str,
    pub marker: &'static str,
    pub stop_signal: libc::c_int,
}

pub const MOTO: Server = Server {
    name: "moto",
    marker: moto::MARKER,
    stop_signal: libc::SIGTERM,
};

pub const POSTGRES: Server = Server {
    name: "postgres",
    marker: postgres::MARKER,
    // Fast shutdown: disconnect clients, then stop.
    stop_signal: libc::SIGINT,
};

/// The agent: the local AWS endpoint in front of moto (`devstack agent`).
pub const AGENT: Server = Server {
    name: "agent",
    marker: "devstack agent",
    stop_signal: libc::SIGTERM,
};

/// Servers in start order (stopped in reverse: the agent first, so it stops its tasks).
pub const SERVERS: [Server; 3] = [MOTO, POSTGRES, AGENT];

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

pub fn server_state(settings: &Settings, server: Server) -> ServerState {
    let port = settings.port(server);
    let listening = port.is_some_and(ports::is_listening);
    match server.running_pid(&settings.paths) {
        Some(pid) => ServerState::Running {
            pid,
            answering: listening,
        },
        None if listening => ServerState::PortTaken,
        None => ServerState::Stopped,
    }
}

/// Whether the stack is fully up: both servers ours and answering, the apply done, the env written.
pub fn is_up(settings: &Settings) -> bool {
    SERVERS.iter().all(|s| {
        matches!(
            server_state(settings, *s),
            ServerState::Running {
                answering: true,
                ..
            }
        )
    }) && settings.paths.tf_state().is_file()
        && settings.paths.env_file().is_file()
}

/// Bring the stack up. A second call while it runs says so and does nothing.
pub async fn up(settings: &Settings) -> Result<()> {
    let paths = &settings.paths;
    if is_up(settings) {
        println!(
            "devstack is already up (AWS endpoint http://127.0.0.1:{}, PostgreSQL 127.0.0.1:{}); nothing to do. \
             `devstack status` shows it, `devstack down` stops it.",
            settings.aws_port, settings.pg_port
        );
        return Ok(());
    }
    for dir in [paths.state.clone(), paths.run_dir(), paths.log_dir()] {
        ensure_dir(&dir)?;
    }
    // Refuse before starting anything when a port belongs to someone else.
    for server in SERVERS {
        if server_state(settings, server) == ServerState::PortTaken {
            bail!(
                "port {} ({}) is already taken by a process devstack did not start: stop it, then run `devstack up` again",
                settings.port(server).unwrap_or_default(),
                server.name
            );
        }
    }

    if AGENT.running_pid(paths).is_none() && !ports::is_free(settings.lb_port) {
        bail!(
            "port {} (the local load balancer) is already taken by another process: stop it, or              give `devstack up` another `--lb-port`",
            settings.lb_port
        );
    }

    let mut started = Vec::new();
    if let Err(e) = bring_up(settings, &mut started).await {
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
        "devstack is up: stack {} at http://127.0.0.1:{}, courier at http://127.0.0.1:{} (the \
         load balancer), PostgreSQL at 127.0.0.1:{}; environment in {} (`set -a; . {}; set +a`)",
        crate::STACK_NAME,
        settings.aws_port,
        settings.lb_port,
        settings.pg_port,
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

async fn bring_up(settings: &Settings, started: &mut Vec<Server>) -> Result<()> {
    let paths = &settings.paths;
    if MOTO.running_pid(paths).is_none() {
        // moto listens on a private port; clients reach it through the agent on the AWS port.
        let moto_port = ports::free_port()?;
        println!("starting moto on 127.0.0.1:{moto_port} (private, behind the agent)");
        std::fs::write(paths.run_dir().join("moto.port"), format!("{moto_port}\n"))?;
        let mut cmd = moto::command(moto_port);
        redirect_to_log(&mut cmd, &paths.log_file(MOTO.name))?;
        let mut child = process::spawn_daemon(cmd, &paths.pid_file(MOTO.name))?;
        started.push(MOTO);
        moto::wait_ready(moto_port, &mut child, READY_TIMEOUT)
            .with_context(|| format!("see {}", paths.log_file(MOTO.name).display()))?;
        // A fresh moto holds nothing: an old state file would describe resources that are gone.
        let _ = std::fs::remove_file(paths.tf_state());
    }

    let cluster = Cluster::new(paths.pg_data(), settings.pg_port, false)?;
    if POSTGRES.running_pid(paths).is_none() {
        if !cluster.is_initialised() {
            println!(
                "creating a PostgreSQL cluster in {}",
                paths.pg_data().display()
            );
            cluster.init()?;
        }
        println!("starting PostgreSQL on 127.0.0.1:{}", settings.pg_port);
        let mut cmd = cluster.server_command();
        redirect_to_log(&mut cmd, &paths.log_file(POSTGRES.name))?;
        let mut child = process::spawn_daemon(cmd, &paths.pid_file(POSTGRES.name))?;
        started.push(POSTGRES);
        cluster
            .wait_ready(&mut child, READY_TIMEOUT)
            .with_context(|| format!("see {}", paths.log_file(POSTGRES.name).display()))?;
    }
    cluster.create_database(crate::COURIER_DB)?;

    if AGENT.running_pid(paths).is_none() {
        let moto_port = settings
            .port(MOTO)
            .context("moto runs but its port file is missing: run `devstack down`, then `up`")?;
        println!(
            "starting the agent on 127.0.0.1:{} (the local AWS endpoint, in front of moto)",
            settings.aws_port
        );
        let mut cmd = std::process::Command::new(
            std::env::current_exe().context("cannot find the devstack binary")?,
        );
        cmd.arg("agent")
            .arg("--moto-port")
            .arg(moto_port.to_string())
            .arg("--state-dir")
            .arg(&paths.state)
            .arg("--aws-port")
            .arg(settings.aws_port.to_string())
            .arg("--pg-port")
            .arg(settings.pg_port.to_string())
            .arg("--lb-port")
            .arg(settings.lb_port.to_string())
            .current_dir(&paths.root);
        redirect_to_log(&mut cmd, &paths.log_file(AGENT.name))?;
        let mut child = process::spawn_daemon(cmd, &paths.pid_file(AGENT.name))?;
        started.push(AGENT);
        moto::wait_ready(settings.aws_port, &mut child, READY_TIMEOUT)
            .with_context(|| format!("see {}", paths.log_file(AGENT.name).display()))?;
    }

    if !paths.tf_state().is_file() {
        println!(
            "applying {} against moto (about two minutes for the full stack)",
            paths.local_env().display()
        );
        let run = terraform_run(settings);
        let started_at = std::time::Instant::now();
        run.init().await?;
        run.apply().await?;
        println!("terraform apply done in {:.0?}", started_at.elapsed());
    }

    let vars = envfile::variables(settings.aws_port, settings.pg_port, settings.lb_port);
    std::fs::write(paths.env_file(), envfile::render(&vars))
        .with_context(|| format!("cannot write {}", paths.env_file().display()))?;
    Ok(())
}

/// The Terraform run of `envs/local` against the local endpoint.
pub fn terraform_run(settings: &Settings) -> terraform::Run {
    let paths = &settings.paths;
    terraform::Run {
        env_dir: paths.local_env(),
        data_dir: paths.tf_data_dir(),
        state: paths.tf_state(),
        cli_config: paths.terraformrc(),
        vars: vec![
            (
                "aws_endpoint".into(),
                format!("http://127.0.0.1:{}", settings.aws_port),
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
pub(crate) fn stop_server(paths: &Paths, server: Server) {
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
    if server.name == MOTO.name {
        let _ = std::fs::remove_file(paths.run_dir().join("moto.port"));
    }
}

/// Print what runs; true when the stack is up.
pub fn status(settings: &Settings) -> bool {
    let paths = &settings.paths;
    for server in SERVERS {
        let port = settings
            .port(server)
            .map_or_else(|| "?".to_owned(), |p| p.to_string());
        let line = match server_state(settings, server) {
            ServerState::Running {
                pid,
                answering: true,
            } => format!("running (pid {pid}) on 127.0.0.1:{port}"),
            ServerState::Running {
                pid,
                answering: false,
            } => format!("started (pid {pid}) but not answering on 127.0.0.1:{port}"),
            ServerState::PortTaken => {
                format!("not started by devstack, but port {port} is taken by another process")
            }
            ServerState::Stopped => "stopped".into(),
        };
        println!("{:<10} {line}", server.name);
    }
    let state = if paths.tf_state().is_file() {
        format!("applied (state {})", paths.tf_state().display())
    } else {
        "not applied".into()
    };
    println!("{:<10} {state}", "terraform");
    let env = if paths.env_file().is_file() {
        paths.env_file().display().to_string()
    } else {
        "not written".into()
    };
    println!("{:<10} {env}", "env");
    let up = is_up(settings);
    println!("devstack is {}", if up { "up" } else { "down" });
    up
}
