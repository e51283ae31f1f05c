//! slow-db: a runaway query load on courier's database — a report someone runs against the
//! primary, a batch job's aggregate — keeps the database's CPU busy until the RDS CPU alarm
//! fires. The on-call engineer finds the statements in `pg_stat_activity` by their
//! `application_name` and ends them with `pg_terminate_backend`; the CPU falls, the alarm
//! returns to OK.
//!
//! The load is short CPU-bound statements (an aggregate over `generate_series` in the select
//! list, which PostgreSQL streams rather than materialises: no temporary files, no table
//! writes), looped on [`CONNECTIONS`] connections, so that a terminated backend or ctrl-c stops it
//! within one statement.
//!
//! The agent's `AWS/RDS` `CPUUtilization` is the CPU time of the local PostgreSQL's processes
//! (postmaster and backends) as a percentage of **one core** (`agent::procs::CpuSampler`), not
//! of the machine as on RDS: one busy backend reads about 100 %, over the stack's 80 %
//! threshold, so one connection is enough and leaves the other core of a 2-core machine free.

use super::{About, Target};
use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::time::{Duration, Instant};

/// The `application_name` of the drill's connections: how `pg_stat_activity` shows them.
pub const APPLICATION_NAME: &str = "devstack-drill-slow-db";

/// Connections looping the statement: each keeps one core busy (see the module's doc).
pub const CONNECTIONS: usize = 1;

/// How long the load lasts without `--seconds`: the stack's alarm needs 5 periods of 60 s.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(420);

/// One CPU-bound statement of about 100 ms: a sum over rows generated in the select list.
pub const STATEMENT: &str =
    "SELECT sum(x)::bigint FROM (SELECT generate_series(1, 1000000)::bigint AS x) AS series";

pub const ABOUT: About = About {
    fault: "loops CPU-heavy statements on courier's database from a connection whose \
            application_name is devstack-drill-slow-db",
    look: "the dashboard's database chart (RDS CPU over its line), then the rds-cpu alarm \
           (`stackdeck status`)",
    recover: "find the statements in pg_stat_activity and end them (`SELECT \
              pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \
              'devstack-drill-slow-db'`) or stop the drill; the CPU falls and the alarm returns \
              to OK",
};

/// How one connection's loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The time was up.
    Done,
    /// Its backend was terminated (`pg_terminate_backend`, SQLSTATE 57P01) or its connection
    /// closed under it.
    Terminated,
}

/// Whether `e`, met by a statement of the loop, means the backend was ended from outside.
pub fn terminated(e: &sqlx::Error) -> bool {
    match e {
        // admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now.
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03"))
        }
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        _ => false,
    }
}

async fn connect(target: &Target) -> Result<PgConnection> {
    let options: PgConnectOptions = target.database_url.parse().with_context(|| {
        format!(
            "--database-url {} is not a PostgreSQL URL",
            target.database_url
        )
    })?;
    options
        .application_name(APPLICATION_NAME)
        .connect()
        .await
        .with_context(|| {
            format!(
                "cannot connect to courier's database {}: is the local stack up (`make up`), or \
                 pass --database-url",
                target.database_url
            )
        })
}

/// Check that courier's database takes the drill's connections; the line saying what the load
/// will be.
pub async fn inject(target: &Target) -> Result<String> {
    connect(target).await?.close().await.ok();
    let seconds = target.duration_or(DEFAULT_DURATION).as_secs();
    Ok(format!(
        "loading courier's database from {CONNECTIONS} connection(s) \
         (application_name = '{APPLICATION_NAME}') for {seconds} s, or until they are terminated \
         or ctrl-c"
    ))
}

/// One connection's loop until `until`.
async fn load(mut conn: PgConnection, until: Instant) -> Result<Ended> {
    while Instant::now() < until {
        if let Err(e) = sqlx::query(STATEMENT).execute(&mut conn).await {
            if terminated(&e) {
                return Ok(Ended::Terminated);
            }
            return Err(e).context("the drill's statement on courier's database failed");
        }
    }
    conn.close().await.ok();
    Ok(Ended::Done)
}

/// The load, for `duration` (or the default), until every connection is terminated, or ctrl-c.
pub async fn run(target: &Target) -> Result<()> {
    let until = Instant::now() + target.duration_or(DEFAULT_DURATION);
    let mut loops = tokio::task::JoinSet::new();
    for _ in 0..CONNECTIONS {
        loops.spawn(load(connect(target).await?, until));
    }
    let mut terminated = 0;
    let ended = async {
        while let Some(ended) = loops.join_next().await {
            if ended?? == Ended::Terminated {
                terminated += 1;
            }
        }
        anyhow::Ok(())
    };
    tokio::select! {
        done = ended => done?,
        _ = tokio::signal::ctrl_c() => {
            println!("slow-db: stopped (ctrl-c); the load is gone");
            return Ok(());
        }
    }
    if terminated == CONNECTIONS {
        println!(
            "slow-db: the drill's connections were terminated (pg_terminate_backend): the load \
             stopped"
        );
    } else {
        println!("slow-db: time is up: the load stopped");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_terminations_and_other_errors_are_not() {
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(terminated(&io));
        assert!(!terminated(&sqlx::Error::RowNotFound));
        assert!(!terminated(&sqlx::Error::PoolTimedOut));
    }

    #[test]
    fn the_statement_reads_and_writes_no_table() {
        let lower = STATEMENT.to_lowercase();
        assert!(lower.starts_with("select "), "{STATEMENT}");
        for word in [
            "insert",
            "update",
            "delete",
            "create",
            "pg_sleep",
            " from pg_",
        ] {
            assert!(!lower.contains(word), "{word} in {STATEMENT}");
        }
    }
}
