//! ECS domain types: a service's identity, its deployments as a rollback sees them, a task
//! definition's summary and the differences between two revisions, and the names inside ARNs.

use serde::Serialize;
use std::collections::BTreeMap;

/// Rollout state of a deployment, as ECS reports it; serialized as ECS spells it, and the
/// unknown state as an empty string (what `stackdeck status --format json` has always printed).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, strum::EnumString, strum::IntoStaticStr,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Rollout {
    Completed,
    InProgress,
    Failed,
    /// The endpoint did not say (old API versions, a CODE_DEPLOY or EXTERNAL controller).
    #[default]
    #[serde(rename = "")]
    #[strum(serialize = "")]
    Unknown,
}

impl Rollout {
    /// From ECS's `rolloutState` text.
    pub fn parse(state: Option<&str>) -> Rollout {
        state.and_then(|s| s.parse().ok()).unwrap_or_default()
    }

    /// ECS's word for it; empty when unknown.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A deployment in this state has ended: completed, failed, or its controller does not say.
    pub fn is_final(self) -> bool {
        self != Rollout::InProgress
    }
}

/// One deployment of the service as DescribeServices lists it: PRIMARY first, then ACTIVE ones
/// (older deployments still draining), newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentDeployment {
    pub primary: bool,
    pub task_definition: String,
    pub rollout: Rollout,
    pub running: i32,
}

/// One finished deployment from the service deployment history (ListServiceDeployments),
/// newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PastDeployment {
    pub task_definition: String,
    /// ECS says SUCCESSFUL for a deployment that reached steady state.
    pub successful: bool,
    /// Its status as ECS names it (`SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, …) and when it started
    /// (seconds since the epoch), where the history gave them: the rollback picker's label.
    pub status: Option<(String, i64)>,
}

/// The revision number at the end of a task definition ARN or `family:revision`.
pub fn revision_of(task_definition: &str) -> Option<u32> {
    task_definition.rsplit(':').next()?.parse().ok()
}

/// The family of a task definition ARN or `family:revision`.
pub fn family_of(task_definition: &str) -> &str {
    let name = task_definition
        .rsplit('/')
        .next()
        .unwrap_or(task_definition);
    name.rsplit_once(':').map_or(name, |(family, _)| family)
}

/// `family:revision` of an ARN, for messages.
pub fn short(task_definition: &str) -> &str {
    task_definition
        .rsplit('/')
        .next()
        .unwrap_or(task_definition)
}

/// A service's identity for messages and calls.
#[derive(Clone, Debug)]
pub struct ServiceRef {
    pub cluster: String,
    pub service: String,
}

impl std::fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "service {} in cluster {}", self.service, self.cluster)
    }
}

/// What differs between two revisions, for the rollback dialog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TaskDefinitionSummary {
    pub arn: String,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    /// Per container: image, command, environment.
    pub containers: BTreeMap<String, ContainerSummary>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContainerSummary {
    pub image: Option<String>,
    pub command: Vec<String>,
    pub environment: BTreeMap<String, String>,
}

/// The differences between two revisions, one line each, for the rollback dialog.
pub fn diff(from: &TaskDefinitionSummary, to: &TaskDefinitionSummary) -> Vec<String> {
    let mut lines = Vec::new();
    let mut field = |name: &str, a: &Option<String>, b: &Option<String>| {
        if a != b {
            lines.push(format!(
                "{name}: {} → {}",
                a.as_deref().unwrap_or("-"),
                b.as_deref().unwrap_or("-")
            ));
        }
    };
    field("cpu", &from.cpu, &to.cpu);
    field("memory", &from.memory, &to.memory);
    let names: std::collections::BTreeSet<&String> =
        from.containers.keys().chain(to.containers.keys()).collect();
    let empty = ContainerSummary::default();
    for name in names {
        let a = from.containers.get(name).unwrap_or(&empty);
        let b = to.containers.get(name).unwrap_or(&empty);
        if a.image != b.image {
            lines.push(format!(
                "{name} image: {} → {}",
                a.image.as_deref().unwrap_or("-"),
                b.image.as_deref().unwrap_or("-")
            ));
        }
        if a.command != b.command {
            lines.push(format!("{name} command: {:?} → {:?}", a.command, b.command));
        }
        let keys: std::collections::BTreeSet<&String> =
            a.environment.keys().chain(b.environment.keys()).collect();
        for key in keys {
            let (va, vb) = (a.environment.get(key), b.environment.get(key));
            if va != vb {
                lines.push(format!(
                    "{name} env {key}: {} → {}",
                    va.map_or("(unset)", String::as_str),
                    vb.map_or("(unset)", String::as_str)
                ));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollout_states_read_and_print_as_ecs_spells_them() {
        for (text, state) in [
            ("COMPLETED", Rollout::Completed),
            ("IN_PROGRESS", Rollout::InProgress),
            ("FAILED", Rollout::Failed),
        ] {
            assert_eq!(Rollout::parse(Some(text)), state);
            assert_eq!(state.as_str(), text);
            assert_eq!(serde_json::to_value(state).unwrap(), text);
        }
        assert_eq!(Rollout::parse(Some("in_progress")), Rollout::Unknown);
        assert_eq!(Rollout::parse(None), Rollout::Unknown);
        assert_eq!(Rollout::Unknown.as_str(), "");
        assert_eq!(serde_json::to_value(Rollout::Unknown).unwrap(), "");
    }

    #[test]
    fn diff_names_image_env_command_and_size_changes() {
        let mut a = TaskDefinitionSummary {
            arn: "a".into(),
            cpu: Some("256".into()),
            memory: Some("512".into()),
            ..Default::default()
        };
        a.containers.insert(
            "courier".into(),
            ContainerSummary {
                image: Some("courier:1".into()),
                command: vec!["courier".into()],
                environment: [
                    ("MODE".to_owned(), "a".to_owned()),
                    ("GONE".to_owned(), "x".to_owned()),
                ]
                .into(),
            },
        );
        let mut b = a.clone();
        b.memory = Some("1024".into());
        let c = b.containers.get_mut("courier").unwrap();
        c.image = Some("courier:2".into());
        c.environment.remove("GONE");
        c.environment.insert("MODE".into(), "b".into());
        let lines = diff(&a, &b);
        assert_eq!(
            lines,
            vec![
                "memory: 512 → 1024".to_owned(),
                "courier image: courier:1 → courier:2".to_owned(),
                "courier env GONE: x → (unset)".to_owned(),
                "courier env MODE: a → b".to_owned(),
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }
}
