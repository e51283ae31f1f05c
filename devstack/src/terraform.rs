//! `terraform init` + `apply` of an env against a local endpoint, bounded in time.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

/// Where the filesystem mirror of providers sits on machines without registry access.
pub const OFFLINE_MIRROR: &str = "/opt/tf-plugins";

/// One Terraform run's settings.
#[derive(Clone, Debug)]
pub struct Run {
    /// The env folder (`terraform/envs/local`).
    pub env_dir: PathBuf,
    /// `TF_DATA_DIR`: `.terraform` contents, kept out of the repository.
    pub data_dir: PathBuf,
    /// The state file.
    pub state: PathBuf,
    /// The offline CLI config, used when [`OFFLINE_MIRROR`] exists.
    pub cli_config: PathBuf,
    /// `-var` values.
    pub vars: Vec<(String, String)>,
    /// Where Terraform's output goes.
    pub log: PathBuf,
    /// Upper bound on each command: some provider waits are never satisfied by moto.
    pub timeout: Duration,
}

impl Run {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("terraform");
        cmd.arg(format!("-chdir={}", self.env_dir.display()))
            .args(args)
            .env("TF_DATA_DIR", &self.data_dir)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        // As the Makefile does: where the mirror exists, use it (any other CLI config would send
        // init to a registry this machine cannot reach); elsewhere leave Terraform alone.
        if Path::new(OFFLINE_MIRROR).is_dir() {
            cmd.env("TF_CLI_CONFIG_FILE", &self.cli_config);
        }
        cmd
    }

    /// `terraform init`.
    pub async fn init(&self) -> Result<()> {
        self.run("init", self.command(&["init", "-input=false", "-no-color"]))
            .await
    }

    /// `terraform apply -auto-approve` with the vars and state file.
    pub async fn apply(&self) -> Result<()> {
        let state = format!("-state={}", self.state.display());
        let mut args = vec![
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            &state,
        ];
        let vars: Vec<String> = self
            .vars
            .iter()
            .map(|(k, v)| format!("-var={k}={v}"))
            .collect();
        args.extend(vars.iter().map(String::as_str));
        self.run("apply", self.command(&args)).await
    }

    /// Run `cmd`, appending its output to the log; on failure or timeout, the error carries
    /// Terraform's own error text.
    async fn run(&self, what: &str, mut cmd: Command) -> Result<()> {
        let mut log = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .await
            .with_context(|| format!("cannot open {}", self.log.display()))?;
        let mut child = cmd
            .spawn()
            .context("cannot run terraform: is it installed and on PATH?")?;
        let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
        forward_lines(child.stdout.take().expect("piped"), tx.clone());
        forward_lines(child.stderr.take().expect("piped"), tx);
        let collect = async {
            let mut output = Vec::new();
            while let Some(line) = lines.recv().await {
                let _ = log.write_all(format!("{line}\n").as_bytes()).await;
                output.push(line);
            }
            (output, child.wait().await)
        };
        let (output, status) = match tokio::time::timeout(self.timeout, collect).await {
            Ok(done) => done,
            Err(_) => bail!(
                "terraform {what} of {} did not finish within {:?} (some provider waits are never \
                 satisfied by moto); its output is in {}",
                self.env_dir.display(),
                self.timeout,
                self.log.display()
            ),
        };
        let status = status.context("cannot wait for terraform")?;
        if !status.success() {
            bail!(
                "terraform {what} of {} failed ({status}):\n{}\n(full output: {})",
                self.env_dir.display(),
                error_text(&output),
                self.log.display()
            );
        }
        Ok(())
    }
}

/// Send each line of `stream` to `tx` until the stream ends.
fn forward_lines(
    stream: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
}

/// Terraform's error blocks (from the first line mentioning `Error:`), or the last lines.
pub fn error_text(output: &[String]) -> String {
    let start = output
        .iter()
        .position(|l| l.contains("Error:"))
        .unwrap_or_else(|| output.len().saturating_sub(40));
    output[start..].join("\n")
}
