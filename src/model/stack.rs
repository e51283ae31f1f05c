//! A stack's resources, as the SSM discovery contract of ARCHITECTURE.md names them.

use serde::Serialize;
use std::collections::BTreeMap;

/// The discovery keys under `/stackdeck/<stack>/`, in the order ARCHITECTURE.md lists them.
pub const DISCOVERY_KEYS: [&str; 12] = [
    "cluster",
    "service",
    "task_family",
    "queue_url",
    "dlq_url",
    "topic_arn",
    "db_instance_id",
    "dynamodb_table",
    "log_group",
    "alarm_prefix",
    "target_group_arn",
    "load_balancer_arn",
];

/// The SSM path prefix under which every stack's parameters live.
pub const DISCOVERY_ROOT: &str = "/stackdeck/";

/// The parameter path of `stack`: `/stackdeck/<stack>/`.
pub fn discovery_path(stack: &str) -> String {
    format!("{DISCOVERY_ROOT}{stack}/")
}

/// What discovery found for one stack: every parameter under its path, by key. Keys the
/// contract names but the stack lacks are reported by [`StackResources::missing`], not an error:
/// a stack may be half built, and each panel says what it lacks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StackResources {
    pub stack: String,
    pub values: BTreeMap<String, String>,
    /// Where each value was found; a key absent here came from SSM.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, Source>,
    /// Why a key is missing, where discovery knows (e.g. "logs not in CloudWatch: driver awsfirelens").
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, String>,
}

/// Which alarms are the stack's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlarmSelector<'a> {
    Prefix(&'a str),
    Names(Vec<&'a str>),
}

impl AlarmSelector<'_> {
    pub fn matches(&self, alarm: &str) -> bool {
        match self {
            AlarmSelector::Prefix(prefix) => alarm.starts_with(prefix),
            AlarmSelector::Names(names) => names.contains(&alarm),
        }
    }

    /// For messages: "alarms with prefix X" or "3 alarms".
    pub fn describe(&self) -> String {
        match self {
            AlarmSelector::Prefix(prefix) => format!("alarms with prefix {prefix}"),
            AlarmSelector::Names(names) => format!("the stack's {} alarms", names.len()),
        }
    }

    /// What the alarm panel strips from names.
    pub fn prefix(&self) -> &str {
        match self {
            AlarmSelector::Prefix(prefix) => prefix,
            AlarmSelector::Names(_) => "",
        }
    }
}

/// Where discovery found a resource, for `stackdeck discover`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Source {
    /// An SSM parameter under `/stackdeck/<stack>/`.
    #[default]
    Ssm,
    /// The config file's `[stacks.<name>.resources]`.
    Config,
    /// A flag (`--cluster`, `--service`).
    Flag,
    /// The ECS service's description (its load balancers, its task definition's ARN).
    Service,
    /// The task definition (log configuration, environment, secrets).
    #[strum(serialize = "task definition")]
    TaskDefinition,
    /// A queue's RedrivePolicy.
    #[strum(serialize = "redrive policy")]
    RedrivePolicy,
    /// The Resource Groups Tagging API (`--tag`).
    Tag,
    /// The dimensions of the stack's alarms.
    #[strum(serialize = "alarm dimensions")]
    AlarmDimensions,
}

impl StackResources {
    /// Build from `(parameter name, value)` pairs read under the stack's path.
    pub fn from_parameters(
        stack: &str,
        parameters: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let prefix = discovery_path(stack);
        let values = parameters
            .into_iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(&prefix)?.to_owned(), value)))
            .collect();
        StackResources {
            stack: stack.to_owned(),
            values,
            ..StackResources::default()
        }
    }

    /// Set `key` to `value`, found through `source`.
    pub fn set(&mut self, key: &str, value: impl Into<String>, source: Source) {
        self.values.insert(key.to_owned(), value.into());
        self.notes.remove(key);
        match source {
            Source::Ssm => self.sources.remove(key),
            other => self.sources.insert(key.to_owned(), other),
        };
    }

    /// Set `key` unless a value is already there (what SSM or the config said stands).
    pub fn fill(&mut self, key: &str, value: impl Into<String>, source: Source) {
        if !self.values.contains_key(key) {
            self.set(key, value, source);
        }
    }

    /// Where `key`'s value was found.
    pub fn source(&self, key: &str) -> Source {
        self.sources.get(key).copied().unwrap_or_default()
    }

    /// Say why `key` is missing (unless a value was found after all).
    pub fn note(&mut self, key: &str, why: impl Into<String>) {
        if !self.values.contains_key(key) {
            self.notes.insert(key.to_owned(), why.into());
        }
    }

    /// The alarms to show: the names discovery listed (`alarm_names`, comma-separated), else
    /// every alarm whose name starts with `alarm_prefix`.
    pub fn alarm_selector(&self) -> Option<AlarmSelector<'_>> {
        match (self.get("alarm_names"), self.get("alarm_prefix")) {
            (Some(names), _) => Some(AlarmSelector::Names(
                names
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect(),
            )),
            (None, Some(prefix)) => Some(AlarmSelector::Prefix(prefix)),
            (None, None) => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The sentence saying the stack lacks parameter `key`, naming its full path.
    pub fn missing_message(&self, key: &str) -> String {
        if let Some(why) = self.notes.get(key) {
            return format!("stack {} has no `{key}`: {why}", self.stack);
        }
        format!(
            "stack {} has no `{key}` discovery parameter ({}{key})",
            self.stack,
            discovery_path(&self.stack)
        )
    }

    /// Every value of a key a stack may have several of: `key`, then `key_2`, `key_3`, … up to
    /// the first gap. A stack with an api and a worker service names them `service` and
    /// `service_2`; its queues `queue_url`, `queue_url_2`, each with its DLQ under the same
    /// number (`dlq_url`, `dlq_url_2`).
    pub fn numbered(&self, key: &str) -> Vec<&str> {
        let mut found: Vec<&str> = self.get(key).into_iter().collect();
        for n in 2.. {
            match self.get(&numbered_key(key, n)) {
                Some(value) => found.push(value),
                None => break,
            }
        }
        found
    }

    /// The stack's queues, each with its DLQ where it has one.
    pub fn queues(&self) -> Vec<(&str, Option<&str>)> {
        self.numbered("queue_url")
            .into_iter()
            .enumerate()
            .map(|(i, url)| (url, self.get(&numbered_key("dlq_url", i + 1))))
            .collect()
    }

    /// Contract keys with no parameter.
    pub fn missing(&self) -> Vec<&'static str> {
        DISCOVERY_KEYS
            .iter()
            .copied()
            .filter(|k| !self.values.contains_key(*k))
            .collect()
    }
}

/// The key of the `n`th value of `key` (1-based): `key` itself for the first, `key_n` after.
pub fn numbered_key(key: &str, n: usize) -> String {
    if n <= 1 {
        key.to_owned()
    } else {
        format!("{key}_{n}")
    }
}

/// Stack names found under `/stackdeck/`, from full parameter names; sorted, unique.
pub fn stack_names<'a>(parameter_names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = parameter_names
        .into_iter()
        .filter_map(|name| {
            name.strip_prefix(DISCOVERY_ROOT)?
                .split_once('/')
                .map(|(stack, _)| stack.to_owned())
        })
        .filter(|stack| !stack.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_keys_and_missing_ones_are_listed() {
        let found = StackResources::from_parameters(
            "courier-local",
            [
                (
                    "/stackdeck/courier-local/cluster".to_owned(),
                    "c".to_owned(),
                ),
                (
                    "/stackdeck/courier-local/queue_url".to_owned(),
                    "http://q".to_owned(),
                ),
                ("/stackdeck/other/cluster".to_owned(), "x".to_owned()),
            ],
        );
        assert_eq!(found.get("cluster"), Some("c"));
        assert_eq!(found.get("queue_url"), Some("http://q"));
        assert_eq!(found.values.len(), 2);
        assert_eq!(found.missing().len(), 10);
        assert!(found.missing().contains(&"service"));
    }

    #[test]
    fn a_missing_parameter_is_named_with_its_path() {
        let stack = StackResources::from_parameters("s", []);
        assert_eq!(
            stack.missing_message("log_group"),
            "stack s has no `log_group` discovery parameter (/stackdeck/s/log_group)"
        );
    }

    #[test]
    fn numbered_keys_list_services_and_queues_with_their_dlqs() {
        let stack = StackResources::from_parameters(
            "s",
            [
                ("service", "api"),
                ("service_2", "worker"),
                ("service_4", "after-a-gap"),
                ("queue_url", "q1"),
                ("queue_url_2", "q2"),
                ("dlq_url_2", "d2"),
            ]
            .map(|(k, v)| (format!("/stackdeck/s/{k}"), v.to_owned())),
        );
        assert_eq!(stack.numbered("service"), ["api", "worker"]);
        assert_eq!(stack.queues(), [("q1", None), ("q2", Some("d2"))]);
        assert!(stack.numbered("topic_arn").is_empty());
    }

    #[test]
    fn stack_names_are_unique_and_sorted() {
        let names = stack_names([
            "/stackdeck/b/cluster",
            "/stackdeck/a/cluster",
            "/stackdeck/b/service",
            "/other/x/y",
            "/stackdeck/toplevel",
        ]);
        assert_eq!(names, vec!["a".to_owned(), "b".to_owned()]);
    }
}
