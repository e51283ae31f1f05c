//! `devstack`: the courier stack on one machine. See the README's devstack section.

use anyhow::Result;
use clap::{Parser, Subcommand};
use devstack::paths::Paths;
use devstack::stack::{self, Settings};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "The courier stack on one machine: moto, PostgreSQL, terraform apply of envs/local"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// State folder (default: <repo>/.devstack). For tests of devstack itself.
    #[arg(long, global = true, hide = true)]
    state_dir: Option<PathBuf>,
    /// Terraform env to apply (default: <repo>/terraform/envs/local). For tests of devstack itself.
    #[arg(long, global = true, hide = true)]
    terraform_env: Option<PathBuf>,
    /// Port of the local AWS endpoint.
    #[arg(long, global = true, default_value_t = devstack::AWS_PORT, hide = true)]
    aws_port: u16,
    /// Port of the local PostgreSQL.
    #[arg(long, global = true, default_value_t = devstack::PG_PORT, hide = true)]
    pg_port: u16,
    /// Port of the local load balancer, in front of the service's tasks (`up`: 8080; `agent`:
    /// none unless given).
    #[arg(long, global = true)]
    lb_port: Option<u16>,
}

impl Cli {
    fn settings(&self) -> Result<Settings> {
        let mut paths = Paths::discover()?;
        if let Some(state) = &self.state_dir {
            paths.state = state.clone();
        }
        if let Some(env) = &self.terraform_env {
            paths.local_env = env.clone();
        }
        Ok(Settings {
            paths,
            aws_port: self.aws_port,
            pg_port: self.pg_port,
            lb_port: self.lb_port.unwrap_or(devstack::LB_PORT),
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Start moto and PostgreSQL, apply terraform/envs/local, write .devstack/env.
    Up,
    /// Stop what `up` started and forget the local stack.
    Down,
    /// Say what runs; exit 0 when the stack is up, 3 when it is not.
    Status,
    /// The local AWS endpoint in front of moto (`up` starts it as a daemon): forwards every call
    /// to moto, answers what moto lacks, runs the service's tasks, metrics and alarms.
    Agent(AgentArgs),
    /// Rehearse an incident on the local stack: inject a scripted fault, then say what to look at
    /// and how to recover (`--list` prints every drill).
    Drill(DrillArgs),
    /// Send load to the local stack's courier: steady, or a burst then steady.
    Traffic {
        #[arg(long, value_enum, default_value = "steady")]
        profile: devstack::traffic::Profile,
        /// courier's base URL: the local load balancer (`COURIER_URL` of `.devstack/env`).
        #[arg(long, env = "COURIER_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        /// Messages per second of steady traffic.
        #[arg(long, default_value_t = 5)]
        rate: u32,
        /// Messages in a burst.
        #[arg(long, default_value_t = 500)]
        burst: u32,
        /// Stop after this many seconds (default: run until ctrl-c).
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Start a private moto + PostgreSQL on free ports, print their addresses as one JSON line,
    /// and keep them until standard input closes (used by tests of the test environment).
    #[command(hide = true)]
    Testenv,
}

#[derive(clap::Args)]
struct DrillArgs {
    /// The drill to run (see --list).
    #[arg(required_unless_present = "list")]
    name: Option<devstack::drill::Name>,
    /// Print every drill: its fault, what to look at, how to recover.
    #[arg(long)]
    list: bool,
    /// The stack to drill (its SSM discovery parameters).
    #[arg(long, env = "STACKDECK_STACK", default_value = devstack::STACK_NAME)]
    stack: String,
    /// courier's base URL: the local load balancer (`COURIER_URL` of `.devstack/env`).
    #[arg(long, env = "COURIER_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// courier's database (`DATABASE_URL` of `.devstack/env`).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// How long the drill's traffic or timed fault lasts, in seconds (default: traffic until
    /// ctrl-c; a timed fault its own default).
    #[arg(long)]
    seconds: Option<u64>,
    /// Messages per second of the drill's steady traffic.
    #[arg(long, default_value_t = 5)]
    rate: u32,
}

#[derive(clap::Args)]
struct AgentArgs {
    /// moto's private port.
    #[arg(long)]
    moto_port: u16,
    /// The stack whose discovery parameters the agent reads.
    #[arg(long, default_value = devstack::STACK_NAME)]
    stack: String,
    /// Seconds between metric puts.
    #[arg(long, default_value_t = 10.0)]
    metrics_interval: f64,
    /// Seconds between alarm evaluations.
    #[arg(long, default_value_t = 10.0)]
    evaluation_interval: f64,
    /// Seconds between reconciliations of the service's tasks.
    #[arg(long, default_value_t = 2.0)]
    control_interval: f64,
    /// Port of the first task; later tasks take the next free ports.
    #[arg(long, default_value_t = 5678)]
    first_task_port: u16,
    /// The binary container images map to (default: `courier` next to this binary).
    #[arg(long)]
    courier_bin: Option<PathBuf>,
    /// Without a local PostgreSQL (no AWS/RDS metrics).
    #[arg(long)]
    no_postgres: bool,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("devstack: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Up => stack::up(&cli.settings()?).await,
        Command::Down => devstack::down::down(&cli.settings()?),
        Command::Status => {
            if !stack::status(&cli.settings()?) {
                std::process::exit(3);
            }
            Ok(())
        }
        Command::Agent(ref args) => {
            let settings = cli.settings()?;
            let secs = |s: f64| std::time::Duration::from_secs_f64(s.max(0.05));
            let courier_bin = match &args.courier_bin {
                Some(bin) => bin.clone(),
                None => std::env::current_exe()?.with_file_name("courier"),
            };
            devstack::agent::run(devstack::agent::Config {
                listen_port: settings.aws_port,
                moto_port: args.moto_port,
                stack: args.stack.clone(),
                pg_port: (!args.no_postgres).then_some(settings.pg_port),
                pg_data: (!args.no_postgres).then(|| settings.paths.pg_data()),
                metrics_interval: secs(args.metrics_interval),
                evaluation_interval: secs(args.evaluation_interval),
                control_interval: secs(args.control_interval),
                first_task_port: args.first_task_port,
                courier_bin,
                log_dir: settings.paths.log_dir(),
                lb_port: cli.lb_port,
            })
            .await
        }
        Command::Traffic {
            profile,
            ref url,
            rate,
            burst,
            seconds,
        } => {
            devstack::traffic::Traffic {
                url: url.clone(),
                rate,
                burst,
                duration: seconds.map(std::time::Duration::from_secs),
            }
            .run(profile)
            .await
        }
        Command::Drill(ref args) => drill(&cli, args).await,
        Command::Testenv => testenv().await,
    }
}

async fn drill(cli: &Cli, args: &DrillArgs) -> Result<()> {
    let Some(name) = args.name.filter(|_| !args.list) else {
        print!("{}", devstack::drill::list());
        return Ok(());
    };
    let target = devstack::drill::Target {
        sdk: devstack::drill::Target::local_sdk().await,
        stack: args.stack.clone(),
        courier_url: args.url.clone(),
        database_url: args
            .database_url
            .clone()
            .unwrap_or_else(|| devstack::postgres::database_url(cli.pg_port, devstack::COURIER_DB)),
        duration: args.seconds.map(std::time::Duration::from_secs),
        rate: args.rate,
    };
    devstack::drill::run(name, &target).await
}

async fn testenv() -> Result<()> {
    let env = tokio::task::spawn_blocking(devstack::testenv::TestEnv::start).await??;
    println!(
        "{}",
        serde_json::json!({
            "aws_endpoint": env.aws_endpoint(),
            "database_url": env.create_database("probe").await?,
            "pid": std::process::id(),
        })
    );
    // Hold the servers until our parent closes our standard input.
    tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink()))
        .await??;
    drop(env);
    Ok(())
}
