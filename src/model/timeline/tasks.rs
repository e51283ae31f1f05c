//! Deployments ECS no longer lists. DescribeServices drops a deployment once another has
//! replaced it, so after a rollback the bad revision's deployment is gone from the service —
//! but its tasks (running, or stopped within the hour ECS keeps them) name it in `startedBy`.

use super::{entry, Entry, Kind};
use crate::model::dashboard::Task;
use crate::model::ecs::short;
use crate::model::health::Deployment;
use std::collections::BTreeMap;

/// A start entry for each deployment that started tasks but is not in `listed`: at its first
/// task's start, with the revision its tasks ran.
pub fn unlisted_deployments(tasks: &[Task], listed: &[Deployment]) -> Vec<Entry> {
    let mut first: BTreeMap<&str, &Task> = BTreeMap::new();
    for t in tasks {
        let (Some(started), id) = (t.started, t.started_by.as_str()) else {
            continue;
        };
        if !id.starts_with("ecs-svc/") || listed.iter().any(|d| d.id == id) {
            continue;
        }
        let earlier = first
            .get(id)
            .and_then(|f| f.started)
            .is_some_and(|s| s <= started);
        if !earlier {
            first.insert(id, t);
        }
    }
    first
        .into_iter()
        .filter_map(|(id, t)| {
            let mut row = entry(
                t.started?,
                Kind::DeploymentStarted,
                format!("{} started (deployment {id})", short(&t.task_definition)),
                Some(id.to_owned()),
            );
            row.detail = vec![
                format!("deployment {id} (no longer listed by ECS: replaced since)"),
                format!("task definition {}", t.task_definition),
                format!("its first task {} started then", t.id),
            ];
            Some(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, by: &str, td: &str, started: i64) -> Task {
        Task {
            id: id.into(),
            started_by: by.into(),
            task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/{td}"),
            started: Some(started),
            ..Default::default()
        }
    }

    #[test]
    fn tasks_name_the_deployments_the_service_no_longer_lists() {
        let tasks = [
            task("b", "ecs-svc/2", "courier:2", 200),
            task("a", "ecs-svc/2", "courier:2", 100),
            task("c", "ecs-svc/3", "courier:1", 300),
            task("d", "", "courier:1", 50),
            task("e", "someone", "courier:1", 60),
        ];
        let listed = [Deployment {
            id: "ecs-svc/3".into(),
            ..Default::default()
        }];
        let found = unlisted_deployments(&tasks, &listed);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].at, 100);
        assert_eq!(found[0].title, "courier:2 started (deployment ecs-svc/2)");
        assert_eq!(found[0].kind, Kind::DeploymentStarted);
    }
}
