//! The optional config file, `$XDG_CONFIG_HOME/stackdeck/config.toml` (else
//! `~/.config/stackdeck/config.toml`): default stack, refresh interval, theme, log buffer, key
//! overrides, per-stack settings such as `read_only`, and how exec runs (`[exec]`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The stack when neither --stack nor STACKDECK_STACK names one.
    pub default_stack: Option<String>,
    /// Seconds between refreshes (default 5).
    pub refresh_seconds: Option<u64>,
    /// Theme name or path (default "dark").
    pub theme: Option<String>,
    /// Log lines kept in memory (default 10 000).
    pub log_lines: Option<usize>,
    /// Seconds between FilterLogEvents polls when live tail is not available (default 2).
    pub log_poll_seconds: Option<u64>,
    /// Fields of structured log lines the compact form leaves out (default: `target`, `span`,
    /// `spans` and the thread fields of JVM loggers); `[]` shows every field.
    pub log_hidden_fields: Option<Vec<String>>,
    /// The mouse (default true): a click focuses a panel, the wheel scrolls the one under it;
    /// `false` leaves the terminal's own text selection alone.
    pub mouse: Option<bool>,
    /// Action name → keys, e.g. `quit = ["q", "ctrl-q"]`.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Per-stack settings, by stack name.
    #[serde(default)]
    pub stacks: BTreeMap<String, StackConfig>,
    /// Stack names or AWS account ids (`*` is a wildcard) that get the red PRODUCTION banner,
    /// e.g. `["*-prod", "123456789012"]`.
    #[serde(default)]
    pub production: Vec<String>,
    /// `[warnings]`: the warning rules' thresholds over their defaults, by name, e.g.
    /// `age_seconds = 300` (`model::warnings::Thresholds` says which there are).
    #[serde(default)]
    pub warnings: BTreeMap<String, u32>,
    /// `[exec]`: how `e`, `:exec` and `stackdeck exec` open a shell in a task's container.
    #[serde(default)]
    pub exec: ExecConfig,
}

/// `[exec]`: the program exec runs and whether a read-only stackdeck may run it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExecConfig {
    /// The argv template, one element per argument, each with its placeholders (`{cluster}`,
    /// `{service}`, `{task}`, `{container}`, `{command}`, `{region}`, `{profile}`,
    /// `{endpoint}`, `{stack}`) substituted; no shell is involved. Default: `aws ecs
    /// execute-command …` (`ops::exec::DEFAULT_COMMAND`), to which stackdeck adds `--region`,
    /// `--profile` (unless the profile is `default`) and `--endpoint-url` (when one is set);
    /// a template given here gets nothing added: it names the placeholders it wants.
    pub command: Option<Vec<String>>,
    /// The command run in the container when none is given (`{command}`; default `/bin/sh`).
    pub shell: Option<String>,
    /// Exec changes nothing, but a read-only stackdeck refuses it unless this is `true`.
    #[serde(default)]
    pub allow_in_read_only: bool,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StackConfig {
    /// Refuse mutations for this stack, as --read-only does.
    #[serde(default)]
    pub read_only: bool,
    /// A theme for this stack, so production looks different from staging.
    pub theme: Option<String>,
    /// Resource values that override discovery (same keys as the SSM parameters). With them
    /// the stack needs no SSM parameter at all.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
    /// The ECS cluster and service to discover the rest from (as `--cluster/--service`).
    pub cluster: Option<String>,
    pub service: Option<String>,
    /// Tags to find the stack's resources by, `KEY=VALUE` (as `--tag`).
    #[serde(default)]
    pub tags: Vec<String>,
}

pub const DEFAULT_REFRESH_SECONDS: u64 = 5;
pub const DEFAULT_LOG_LINES: usize = 10_000;
pub const DEFAULT_LOG_POLL_SECONDS: u64 = 2;

/// `$XDG_CONFIG_HOME/stackdeck`, else `$HOME/.config/stackdeck`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("stackdeck"))
}

/// The config file's path (it need not exist).
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Fields of structured log lines the compact form leaves out unless the config names others: the source location
/// and the span bookkeeping of `tracing`, the thread of JVM loggers.
pub const DEFAULT_LOG_HIDDEN_FIELDS: [&str; 7] = [
    "target",
    "span",
    "spans",
    "threadId",
    "threadName",
    "logger_name",
    "thread_name",
];

impl Config {
    /// The fields the compact log form leaves out: the config's, else the default list.
    pub fn hidden_fields(&self) -> Vec<String> {
        match &self.log_hidden_fields {
            Some(fields) => fields.clone(),
            None => DEFAULT_LOG_HIDDEN_FIELDS
                .iter()
                .map(|f| f.to_string())
                .collect(),
        }
    }

    /// Parse the file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| {
            format!(
                "config {origin}: {}",
                e.to_string().trim().replace('\n', " ")
            )
        })
    }

    /// Read `path`; a missing file is the empty config.
    pub fn load(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("config {}: cannot read it: {e}", path.display())),
        }
    }

    pub fn stack(&self, name: &str) -> StackConfig {
        self.stacks.get(name).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses_and_typos_are_named() {
        let config = Config::parse(
            r#"
default_stack = "courier-local"
production = ["*-prod"]
refresh_seconds = 10
theme = "light"
log_lines = 500
[keys]
quit = ["q", "ctrl-q"]
[stacks.courier-prod]
read_only = true
theme = "high-contrast"
[warnings]
age_seconds = 300
[exec]
command = ["sh", "-c", "echo {task}"]
allow_in_read_only = true
"#,
            "c.toml",
        )
        .unwrap();
        assert_eq!(config.default_stack.as_deref(), Some("courier-local"));
        assert!(config.stack("courier-prod").read_only);
        assert_eq!(config.production, ["*-prod"]);
        assert_eq!(config.warnings["age_seconds"], 300);
        assert!(!config.stack("other").read_only);
        assert_eq!(config.exec.command.as_deref().map(<[String]>::len), Some(3));
        assert!(config.exec.allow_in_read_only && config.exec.shell.is_none());
        assert!(!Config::default().exec.allow_in_read_only);
        let err = Config::parse("refresh_secs = 3", "/x/config.toml").unwrap_err();
        assert!(
            err.contains("/x/config.toml") && err.contains("refresh_secs"),
            "{err}"
        );
    }
}
