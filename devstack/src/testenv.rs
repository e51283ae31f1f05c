//! Test environments: a moto server and a PostgreSQL cluster on free ports, private to one test
//! binary (or one test), so that tests never collide with a running devstack or each other.
//!
//! ```no_run
//! # async fn t() -> anyhow::Result<()> {
//! let env = devstack::testenv::TestEnv::shared().await;
//! let db_url = env.create_database("orders_test").await?;
//! let sdk = env.sdk_config().await;
//! # Ok(()) }
//! ```
//!
//! The servers are children of the test process, started with a parent-death signal: they stop
//! when the test binary exits, however it exits. [`TestEnv::start`] gives an environment of one's
//! own, stopped on drop (for tests that restart PostgreSQL, say).

use crate::postgres::{self, Cluster};
use crate::{moto, ports, process};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const PORT_ATTEMPTS: usize = 5;

/// moto + PostgreSQL for tests.
pub struct TestEnv {
    dir: PathBuf,
    moto_port: u16,
    moto: Mutex<Child>,
    cluster: Cluster,
    pg: Mutex<Option<Child>>,
}

impl TestEnv {
    /// The environment shared by every test of this test binary (each crate has one), started on
    /// first use. Tests sharing it keep apart by unique resource and database names
    /// ([`unique_name`]); a test that stops one of its servers, or needs a moto of its own (one
    /// IAM OIDC provider URL and one RDS resource id per moto), takes [`TestEnv::start`] instead.
    pub async fn shared() -> &'static TestEnv {
        static SHARED: OnceLock<TestEnv> = OnceLock::new();
        if let Some(env) = SHARED.get() {
            return env;
        }
        // Start outside the runtime's async context: this blocks for a second or two.
        let env = tokio::task::spawn_blocking(TestEnv::start)
            .await
            .expect("test environment start panicked")
            .expect("cannot start the test environment (moto + PostgreSQL)");
        // Another test may have won the race: its environment is kept, ours is dropped (stopped).
        let _ = SHARED.set(env);
        SHARED.get().expect("set above")
    }

    /// A new environment of one's own; stopped and deleted on drop.
    pub fn start() -> Result<TestEnv> {
        let dir = new_run_dir()?;
        let moto = start_moto(&dir)?;
        let (cluster, pg) = match start_postgres(&dir) {
            Ok(started) => started,
            Err(e) => {
                let (mut child, _) = moto;
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        Ok(TestEnv {
            dir,
            moto_port: moto.1,
            moto: Mutex::new(moto.0),
            cluster,
            pg: Mutex::new(Some(pg)),
        })
    }

    /// The AWS endpoint URL (moto) of this environment.
    pub fn aws_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }

    pub fn moto_port(&self) -> u16 {
        self.moto_port
    }

    /// A VPC in moto (for target groups). aws-sdk-ec2 is not a dependency of this workspace (it
    /// is huge), so this one call is a plain EC2 Query request; its id.
    pub async fn create_vpc(&self) -> Result<String> {
        use crate::testkit::http::{request, Request};
        let call = Request::aws(
            "ec2",
            "application/x-www-form-urlencoded; charset=utf-8",
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.20.0.0%2F16",
        );
        let response = request(self.moto_port, &call).await?.body;
        let start = response
            .find("<vpcId>")
            .with_context(|| format!("CreateVpc answered without a vpcId: {response}"))?
            + "<vpcId>".len();
        let end = start
            + response[start..]
                .find('<')
                .context("an unterminated vpcId")?;
        Ok(response[start..end].to_owned())
    }

    /// moto's process id (for benchmarks that read its CPU time).
    pub fn moto_pid(&self) -> u32 {
        self.moto.lock().unwrap_or_else(|e| e.into_inner()).id()
    }

    pub fn pg_port(&self) -> u16 {
        self.cluster.port
    }

    /// The PostgreSQL cluster's data directory (its `postmaster.pid`: the agent's AWS/RDS CPU).
    pub fn pg_data(&self) -> &std::path::Path {
        &self.cluster.data
    }

    /// URL of database `name` (which [`create_database`](Self::create_database) made).
    pub fn database_url(&self, name: &str) -> String {
        self.cluster.url(name)
    }

    /// Create database `name` (if absent) and return its URL.
    pub async fn create_database(&self, name: &str) -> Result<String> {
        let cluster = self.cluster.clone();
        let owned = name.to_owned();
        tokio::task::spawn_blocking(move || cluster.create_database(&owned)).await??;
        Ok(self.database_url(name))
    }

    /// SDK configuration for this environment's moto: test credentials, us-east-1.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        crate::aws::sdk_config(&self.aws_endpoint()).await
    }

    /// Stop PostgreSQL (fast shutdown), keeping its data: for outage tests.
    pub fn stop_postgres(&self) {
        if let Some(mut child) = self.pg.lock().expect("pg lock").take() {
            process::stop(
                child.id() as i32,
                libc::SIGINT,
                postgres::MARKER,
                Duration::from_secs(20),
            );
            let _ = child.wait();
        }
    }

    /// Start PostgreSQL again on the same port with the same data.
    pub fn start_postgres(&self) -> Result<()> {
        let mut pg = self.pg.lock().expect("pg lock");
        if pg.is_none() {
            *pg = Some(run_postgres(&self.cluster, &self.dir)?);
        }
        Ok(())
    }

    /// The folder holding this environment's data and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        self.stop_postgres();
        if let Ok(mut moto) = self.moto.lock() {
            let _ = moto.kill();
            let _ = moto.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A name unique to this process and call, for per-test resources: `prefix_<pid>_<n>`,
/// lower case, usable as a database, queue, table or topic name.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `$TMPDIR/devstack-testenv/<pid>-<n>`; folders left by processes that are gone are removed.
fn new_run_dir() -> Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir().join("devstack-testenv");
    crate::paths::ensure_dir(&base)?;
    postgres::open_for_server(&base)?;
    for entry in std::fs::read_dir(&base)?.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_string_lossy()
            .split('-')
            .next()
            .and_then(|p| p.parse::<i32>().ok());
        if let Some(pid) = pid {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    crate::paths::ensure_dir(&dir)?;
    postgres::open_for_server(&dir)?;
    Ok(dir)
}

fn log_file(dir: &Path, name: &str) -> Result<std::fs::File> {
    let path = dir.join(format!("{name}.log"));
    std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))
}

fn start_moto(dir: &Path) -> Result<(Child, u16)> {
    let mut last_error = None;
    for _ in 0..PORT_ATTEMPTS {
        let port = ports::free_port()?;
        let mut cmd = moto::command(port);
        let log = log_file(dir, "moto")?;
        cmd.stdout(log.try_clone()?).stderr(log);
        let mut child = process::spawn_tied(cmd, libc::SIGTERM)?;
        match moto::wait_ready(port, &mut child, READY_TIMEOUT) {
            Ok(()) => return Ok((child, port)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                last_error = Some(e);
            }
        }
    }
    Err(last_error.expect("at least one attempt")).context(format!(
        "moto did not start (log: {})",
        dir.join("moto.log").display()
    ))
}

fn start_postgres(dir: &Path) -> Result<(Cluster, Child)> {
    let mut last_error = None;
    for attempt in 0..PORT_ATTEMPTS {
        let data = dir.join(format!("pg{attempt}"));
        let cluster = Cluster::new(&data, ports::free_port()?, true)?;
        cluster.init()?;
        match run_postgres(&cluster, dir) {
            Ok(child) => return Ok((cluster, child)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&data);
                last_error = Some(e);
            }
        }
    }
    Err(last_error.expect("at least one attempt"))
}

fn run_postgres(cluster: &Cluster, dir: &Path) -> Result<Child> {
    let mut cmd = cluster.server_command();
    let log = log_file(dir, "postgres")?;
    cmd.stdout(Stdio::null()).stderr(log);
    // SIGINT: fast shutdown, so the cluster stops cleanly when the test process dies.
    let mut child = process::spawn_tied(cmd, libc::SIGINT)?;
    if let Err(e) = cluster.wait_ready(&mut child, READY_TIMEOUT) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e.context(format!("log: {}", dir.join("postgres.log").display())));
    }
    Ok(child)
}
