//! Configuration from the environment (12-factor), named as the ECS task definition passes it.

use anyhow::{bail, Context, Result};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::str::FromStr;
use std::time::Duration;

/// Which loops a process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// The HTTP API and the outbox relay.
    Api,
    /// The SQS worker (and /healthz, /readyz).
    Worker,
    /// The outbox relay alone (and /healthz, /readyz): for tests and for scaling the relay apart.
    Relay,
    /// Everything in one process: local use and small deployments.
    All,
}

impl Role {
    pub fn serves_api(self) -> bool {
        matches!(self, Role::Api | Role::All)
    }
    pub fn runs_relay(self) -> bool {
        matches!(self, Role::Api | Role::Relay | Role::All)
    }
    pub fn runs_worker(self) -> bool {
        matches!(self, Role::Worker | Role::All)
    }
}

impl FromStr for Role {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "api" => Ok(Role::Api),
            "worker" => Ok(Role::Worker),
            "relay" => Ok(Role::Relay),
            "all" => Ok(Role::All),
            other => bail!("COURIER_ROLE={other:?} is not a role: use api, worker, relay or all"),
        }
    }
}

/// Everything courier reads from its environment.
#[derive(Clone, Debug)]
pub struct Settings {
    pub role: Role,
    /// COURIER_PORT: the HTTP port (every role serves /healthz and /readyz on it).
    pub port: u16,
    /// COURIER_TABLE: the DynamoDB idempotency table; without it Idempotency-Key is enforced by
    /// PostgreSQL alone (no 409 for a concurrent duplicate).
    pub table: Option<String>,
    /// COURIER_TOPIC_ARN: where the relay publishes.
    pub topic_arn: Option<String>,
    /// COURIER_QUEUE_URL: what the worker consumes.
    pub queue_url: Option<String>,
    pub database: PgConnectOptions,
    /// COURIER_DB_POOL: PostgreSQL connections of this process.
    pub db_pool: u32,
    /// COURIER_SQS_WAIT_SECONDS: the worker's long-poll (0..=20).
    pub sqs_wait_seconds: i32,
    /// COURIER_RELAY_IDLE_MS: how long the relay sleeps when the outbox is empty.
    pub relay_idle: Duration,
    /// COURIER_RELAY: `off` keeps the outbox relay out of the api/all roles (run it apart with
    /// `--role relay`).
    pub relay: bool,
    /// COURIER_SHUTDOWN_SECONDS: the drain budget after SIGTERM (below the task's stopTimeout).
    pub shutdown_grace: Duration,
}

impl Settings {
    /// Whether this process runs the outbox relay.
    pub fn runs_relay(&self) -> bool {
        self.role.runs_relay() && (self.relay || self.role == Role::Relay)
    }

    /// Read the settings from the process environment; `role` (the `--role` flag) wins over
    /// COURIER_ROLE.
    pub fn from_env(role: Option<Role>) -> Result<Settings> {
        Settings::from_lookup(role, |k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Settings from any key lookup (tests pass a map).
    pub fn from_lookup(
        role: Option<Role>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings> {
        let role = match role {
            Some(r) => r,
            None => get("COURIER_ROLE")
                .map(|r| r.parse())
                .transpose()?
                .unwrap_or(Role::All),
        };
        let port = parse(&get, "COURIER_PORT", 5678u16)?;
        let database = database_options(&get)?;
        let settings = Settings {
            role,
            port,
            table: get("COURIER_TABLE"),
            topic_arn: get("COURIER_TOPIC_ARN"),
            queue_url: get("COURIER_QUEUE_URL"),
            database,
            db_pool: parse(&get, "COURIER_DB_POOL", 16u32)?,
            sqs_wait_seconds: parse(&get, "COURIER_SQS_WAIT_SECONDS", 20i32)?.clamp(0, 20),
            relay_idle: Duration::from_millis(parse(&get, "COURIER_RELAY_IDLE_MS", 50u64)?),
            shutdown_grace: Duration::from_secs(parse(&get, "COURIER_SHUTDOWN_SECONDS", 25u64)?),
            relay: match get("COURIER_RELAY").as_deref() {
                None | Some("on" | "true" | "1") => true,
                Some("off" | "false" | "0") => false,
                Some(other) => bail!("COURIER_RELAY={other:?}: use on or off"),
            },
        };
        if settings.runs_relay() && settings.topic_arn.is_none() {
            bail!("COURIER_TOPIC_ARN is not set: role {role:?} runs the outbox relay, which publishes to that SNS topic");
        }
        if role.runs_worker() && settings.queue_url.is_none() {
            bail!("COURIER_QUEUE_URL is not set: role {role:?} runs the worker, which consumes that SQS queue");
        }
        Ok(settings)
    }
}

fn parse<T: FromStr>(get: &impl Fn(&str) -> Option<String>, key: &str, default: T) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    match get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{key}={v:?} is not valid: {e}")),
    }
}

/// DATABASE_URL, or DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD / DB_SSLMODE.
fn database_options(get: &impl Fn(&str) -> Option<String>) -> Result<PgConnectOptions> {
    if let Some(url) = get("DATABASE_URL") {
        return PgConnectOptions::from_str(&url).context(
            "DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/db)",
        );
    }
    let Some(host) = get("DB_HOST") else {
        bail!("no database configured: set DATABASE_URL, or DB_HOST (with DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_SSLMODE)");
    };
    let mut options = PgConnectOptions::new_without_pgpass()
        .host(&host)
        .port(parse(get, "DB_PORT", 5432u16)?)
        .database(&get("DB_NAME").unwrap_or_else(|| "courier".into()))
        .username(&get("DB_USER").unwrap_or_else(|| "postgres".into()));
    if let Some(password) = get("DB_PASSWORD") {
        options = options.password(&password);
    }
    if let Some(mode) = get("DB_SSLMODE") {
        let mode = PgSslMode::from_str(&mode)
            .map_err(|e| anyhow::anyhow!("DB_SSLMODE={mode:?} is not an sslmode: {e}"))?;
        options = options.ssl_mode(mode);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(None, move |k| map.get(k).cloned())
    }

    #[test]
    fn the_task_definition_environment_is_enough() {
        let s = settings(&[
            ("COURIER_ROLE", "all"),
            ("COURIER_PORT", "5679"),
            ("COURIER_TABLE", "t"),
            ("COURIER_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t"),
            ("COURIER_QUEUE_URL", "http://q"),
            ("DB_HOST", "db.example"),
            ("DB_PORT", "5433"),
            ("DB_NAME", "courier"),
            ("DB_USER", "courier"),
            ("DB_PASSWORD", "secret"),
            ("DB_SSLMODE", "require"),
        ])
        .unwrap();
        assert_eq!(s.role, Role::All);
        assert_eq!(s.port, 5679);
        assert_eq!(s.database.get_host(), "db.example");
        assert_eq!(s.database.get_port(), 5433);
        assert!(matches!(s.database.get_ssl_mode(), PgSslMode::Require));
    }

    #[test]
    fn missing_pieces_are_named() {
        let err = settings(&[
            ("COURIER_ROLE", "worker"),
            ("DATABASE_URL", "postgres://x@h/db"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("COURIER_QUEUE_URL"), "{err}");
        let err = settings(&[("COURIER_ROLE", "api")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        let err = settings(&[("COURIER_ROLE", "boss")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("boss"), "{err}");
        let err = settings(&[
            ("COURIER_ROLE", "api"),
            ("COURIER_TOPIC_ARN", "arn"),
            ("DATABASE_URL", "postgres://x@h/db"),
            ("COURIER_PORT", "http"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("COURIER_PORT"), "{err}");
    }
}
