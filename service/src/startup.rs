//! Building and running the application (zero2prod's shape): [`Application::build`] binds the
//! listener (port 0 in tests) and exposes the port; [`Application::run_until_stopped`] runs the
//! HTTP server and the role's loops until the shutdown signal, then drains within the grace time.

use crate::api::{self, AppState};
use crate::config::Settings;
use crate::db;
use crate::idempotency;
use crate::relay::Relay;
use crate::shutdown::Shutdown;
use crate::worker::Worker;
use anyhow::Context;
use aws_config::SdkConfig;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    port: u16,
    settings: Settings,
    state: AppState,
    sdk: SdkConfig,
}

impl Application {
    /// Bind COURIER_PORT and prepare the pool and clients; nothing is contacted yet, so the
    /// process starts (and answers /healthz) while PostgreSQL or AWS are away.
    pub async fn build(settings: Settings, sdk: SdkConfig) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(("0.0.0.0", settings.port))
            .await
            .with_context(|| format!("cannot listen on port {} (COURIER_PORT)", settings.port))?;
        let port = listener.local_addr()?.port();
        let pool = db::pool(settings.database.clone(), settings.db_pool);
        let store = settings
            .table
            .as_ref()
            .filter(|_| settings.role.serves_api())
            .map(|table| idempotency::Store::new(idempotency::client(&sdk), table));
        let state = AppState::new(pool, store, settings.db_pool as usize);
        Ok(Application {
            listener,
            port,
            settings,
            state,
            sdk,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Run until `shutdown`: the server stops accepting and drains in-flight requests, the relay
    /// finishes its round, the worker its batch, all within `COURIER_SHUTDOWN_SECONDS`.
    pub async fn run_until_stopped(self, shutdown: Shutdown) -> anyhow::Result<()> {
        let Application {
            listener,
            port,
            settings,
            state,
            sdk,
        } = self;
        tracing::info!(role = ?settings.role, port, "courier starting");
        let mut tasks = tokio::task::JoinSet::new();

        let router = api::router(state.clone(), settings.role.serves_api());
        let mut server_stop = shutdown.clone();
        tasks.spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move { server_stop.wait().await })
                .await
                .context("HTTP server failed")
        });

        let loops_shutdown = shutdown.clone();
        let grace = settings.shutdown_grace;
        tasks.spawn(async move {
            let mut stop = loops_shutdown.clone();
            loop {
                match db::migrate(state.pool()).await {
                    Ok(()) => {
                        state.set_migrated();
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "migrations not applied yet (PostgreSQL unreachable?); retrying");
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                            _ = stop.wait() => return Ok(()),
                        }
                    }
                }
            }
            let relay = settings.runs_relay().then(|| Relay {
                pool: state.pool().clone(),
                sns: aws_sdk_sns::Client::new(&sdk),
                topic_arn: settings.topic_arn.clone().expect("checked by Settings"),
                idle: settings.relay_idle,
            });
            let worker = settings.role.runs_worker().then(|| Worker {
                pool: state.pool().clone(),
                sqs: aws_sdk_sqs::Client::new(&sdk),
                queue_url: settings.queue_url.clone().expect("checked by Settings"),
                wait_seconds: settings.sqs_wait_seconds,
            });
            let relay_stop = loops_shutdown.clone();
            tokio::join!(
                async move {
                    if let Some(relay) = relay {
                        relay.run(relay_stop).await
                    }
                },
                async move {
                    if let Some(worker) = worker {
                        worker.run(loops_shutdown).await
                    }
                },
            );
            Ok(())
        });

        let mut stop = shutdown.clone();
        let mut result = Ok(());
        let drained = async {
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => result = Err(e),
                    Err(e) => result = Err(anyhow::anyhow!("a courier task panicked: {e}")),
                }
            }
        };
        tokio::select! {
            _ = drained => {}
            _ = async { stop.wait().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(grace_seconds = grace.as_secs(), "shutdown grace time over; stopping what is left");
            }
        }
        tracing::info!("courier stopped");
        result
    }
}
