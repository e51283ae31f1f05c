//! A throwaway PostgreSQL cluster: initdb, start, create databases.

use crate::process::RunAs;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Marker found in a PostgreSQL server's command line (pid-reuse guard).
pub const MARKER: &str = "postgres";

/// Directory of the PostgreSQL server binaries: where `initdb` on PATH really lives (PATH may hold
/// only links to a few of them), else the newest /usr/lib/postgresql/*/bin (Debian keeps the
/// server binaries there, off PATH).
pub fn bin_dir() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("initdb"))
            .find(|initdb| initdb.is_file())
            .and_then(|initdb| std::fs::canonicalize(initdb).ok())
            .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
            .filter(|dir| dir.join("postgres").is_file() && dir.join("pg_isready").is_file())
    });
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("postgres").is_file())
        .collect();
    versions.sort();
    versions.pop().context(
        "PostgreSQL server binaries not found (no initdb/postgres on PATH or under /usr/lib/postgresql): \
         install them, e.g. apt-get install postgresql",
    )
}

/// A cluster's settings.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub bin: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    pub run_as: Option<RunAs>,
    /// Turn fsync off: for test clusters only (a PostgreSQL crash still loses nothing committed;
    /// only an OS crash could).
    pub fast: bool,
}

impl Cluster {
    pub fn new(data: impl Into<PathBuf>, port: u16, fast: bool) -> Result<Self> {
        Ok(Cluster {
            bin: bin_dir()?,
            data: data.into(),
            port,
            run_as: RunAs::postgres_if_root()?,
            fast,
        })
    }

    fn tool(&self, name: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(name));
        if let Some(run_as) = self.run_as {
            run_as.apply(&mut cmd);
        }
        // Never pick up a developer's PG* settings.
        for var in [
            "PGHOST",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGPASSWORD",
            "PGDATA",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Whether the data directory holds an initialised cluster.
    pub fn is_initialised(&self) -> bool {
        self.data.join("PG_VERSION").is_file()
    }

    /// `initdb` the data directory (trust authentication on loopback: a throwaway cluster).
    pub fn init(&self) -> Result<()> {
        crate::paths::ensure_dir(&self.data)?;
        if let Some(run_as) = self.run_as {
            run_as.chown(&self.data)?;
        }
        let output = self
            .tool("initdb")
            .arg("-D")
            .arg(&self.data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ])
            .stdin(Stdio::null())
            .output()
            .context("cannot run initdb")?;
        if !output.status.success() {
            bail!(
                "initdb of {} failed: {}",
                self.data.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    /// The server command, listening on 127.0.0.1 only, no Unix socket.
    pub fn server_command(&self) -> Command {
        let mut cmd = self.tool("postgres");
        cmd.arg("-D")
            .arg(&self.data)
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .args(["-c", "max_connections=200"]);
        if self.fast {
            cmd.args(["-c", "fsync=off", "-c", "full_page_writes=off"]);
        }
        cmd
    }

    /// Whether the server accepts connections.
    pub fn is_ready(&self) -> bool {
        self.tool("pg_isready")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-q",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Wait until the server accepts connections; fail early if it exits.
    pub fn wait_ready(&self, child: &mut Child, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.is_ready() {
                return Ok(());
            }
            if let Some(status) = child.try_wait().context("cannot watch postgres")? {
                bail!(
                    "PostgreSQL exited with {status} before accepting connections on 127.0.0.1:{}",
                    self.port
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "PostgreSQL did not accept connections on 127.0.0.1:{} within {timeout:?}",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Create database `name` unless it exists.
    pub fn create_database(&self, name: &str) -> Result<()> {
        let output = self
            .tool("createdb")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ])
            .stdin(Stdio::null())
            .output()
            .context("cannot run createdb")?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() && !stderr.contains("already exists") {
            bail!(
                "createdb {name} on 127.0.0.1:{} failed: {}",
                self.port,
                stderr.trim()
            );
        }
        Ok(())
    }

    /// URL of database `name` for the `postgres` superuser.
    pub fn url(&self, name: &str) -> String {
        database_url(self.port, name)
    }
}

/// URL of database `name` on the local cluster at `port`.
pub fn database_url(port: u16, name: &str) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}

/// Make `dir` traversable by the server account (temp dirs are created 0700).
pub fn open_for_server(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot open {} to the postgres user", dir.display()))
}
