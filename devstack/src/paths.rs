//! Where devstack keeps its state: `.devstack/` at the repository root.

use std::path::{Path, PathBuf};

/// Layout of the `.devstack/` state directory.
#[derive(Clone, Debug)]
pub struct Paths {
    /// Repository root (holds `terraform/`).
    pub root: PathBuf,
    /// `.devstack/`
    pub state: PathBuf,
    /// The Terraform env to apply: `terraform/envs/local`.
    pub local_env: PathBuf,
}

impl Paths {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Paths {
            state: root.join(".devstack"),
            local_env: root.join("terraform/envs/local"),
            root,
        }
    }

    /// Find the repository root: the nearest ancestor of the current directory holding
    /// `terraform/envs/local`.
    pub fn discover() -> anyhow::Result<Self> {
        let cwd = std::env::current_dir()?;
        cwd.ancestors()
            .find(|dir| dir.join("terraform/envs/local").is_dir())
            .map(Paths::new)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no terraform/envs/local above {}: run devstack from the stackdeck repository",
                    cwd.display()
                )
            })
    }

    pub fn pg_data(&self) -> PathBuf {
        self.state.join("pg")
    }
    pub fn run_dir(&self) -> PathBuf {
        self.state.join("run")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.state.join("logs")
    }
    pub fn pid_file(&self, name: &str) -> PathBuf {
        self.run_dir().join(format!("{name}.pid"))
    }
    pub fn log_file(&self, name: &str) -> PathBuf {
        self.log_dir().join(format!("{name}.log"))
    }
    pub fn env_file(&self) -> PathBuf {
        self.state.join("env")
    }
    pub fn tf_data_dir(&self) -> PathBuf {
        self.state.join("terraform")
    }
    pub fn tf_state(&self) -> PathBuf {
        self.state.join("terraform.tfstate")
    }
    pub fn local_env(&self) -> PathBuf {
        self.local_env.clone()
    }
    pub fn terraformrc(&self) -> PathBuf {
        self.root.join("terraform/terraformrc.offline")
    }
}

/// Create `dir` and its parents, with a message naming it on failure.
pub fn ensure_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))
}
