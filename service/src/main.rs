//! courier: the messaging service the stack runs. See service/README.md.

use clap::{Parser, Subcommand};
use courier::config::{Role, Settings};
use courier::startup::Application;
use courier::{aws, healthcheck, shutdown, telemetry};

#[derive(Parser)]
#[command(name = "courier", version, about)]
struct Cli {
    /// Which loops to run (overrides COURIER_ROLE; default all).
    #[arg(long, value_enum, global = true)]
    role: Option<Role>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Ask this container's /healthz (the task definition's health check); exit 0 when healthy.
    Healthcheck,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Healthcheck) = cli.command {
        let port = std::env::var("COURIER_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(5678);
        return healthcheck::check(port);
    }
    telemetry::init();
    let settings = Settings::from_env(cli.role)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let sdk = aws::sdk_config().await;
            let app = Application::build(settings, sdk).await?;
            let (trigger, stop) = shutdown::channel();
            tokio::spawn(async move {
                shutdown::signal().await;
                trigger.fire();
            });
            app.run_until_stopped(stop).await
        })
}
