//! The dashboard's rollback picker: the family's revisions newest first, each with what the
//! deployments say about it and its diff against the running revision, and the one a rollback
//! should go to preselected (the last *completed* deployment's, as [`rollback::choose`] decides).
//!
//! [`choices`] reads; [`assemble`] is the pure part, tested with plain values.

use super::plan::{rollback_inputs, RollbackInputs};
use super::rollback;
use super::Context;
use crate::model::ecs::{
    diff, family_of, revision_of, short, CurrentDeployment, PastDeployment, Rollout,
    TaskDefinitionSummary,
};
use crate::model::mutation::PlanError;
use crate::model::rollback::{Choice, NoTarget, RollbackChoices, Target, Wanted, MAX_CHOICES};
use std::collections::BTreeMap;

/// What the deployments say about `task_definition`.
fn label(
    task_definition: &str,
    current: &[CurrentDeployment],
    history: &[PastDeployment],
) -> String {
    if let Some(d) = current
        .iter()
        .find(|d| !d.primary && d.task_definition == task_definition)
    {
        return match d.rollout {
            Rollout::Failed => "failed".into(),
            Rollout::Completed => "last completed".into(),
            _ => "draining".into(),
        };
    }
    match history
        .iter()
        .find(|d| d.task_definition == task_definition)
    {
        // ECS's history: when and how it ended, e.g. `deployed 14:02 · ROLLBACK_SUCCESSFUL`.
        Some(PastDeployment {
            status: Some((status, at)),
            ..
        }) => match jiff::Timestamp::from_second(*at) {
            Ok(t) => format!("deployed {} · {status}", t.strftime("%H:%M")),
            Err(_) => status.clone(),
        },
        Some(d) if d.successful => "completed before".into(),
        Some(_) => "failed before".into(),
        None => String::new(),
    }
}

/// The deployment the service runs: PRIMARY, else the first listed.
fn primary_of(current: &[CurrentDeployment]) -> Option<&CurrentDeployment> {
    current
        .iter()
        .find(|d| d.primary)
        .or_else(|| current.first())
}

/// The preselected target (the rollback rule of `stackdeck rollback`) and a note for the head.
fn preselection(
    service: &str,
    primary: &CurrentDeployment,
    current: &[CurrentDeployment],
    history: &[PastDeployment],
    revisions: &[String],
) -> (Option<Target>, Option<String>) {
    match rollback::choose(service, &Wanted::LastCompleted, current, history, revisions) {
        Ok(target) => (Some(target), None),
        // Stable on its last completed revision: going back means an older one, which the
        // picker offers (the command line's wording names its flags instead).
        Err(NoTarget::NothingToDo(_)) if primary.rollout == Rollout::Completed => (
            rollback::preselect(primary, history, current, revisions).ok(),
            Some(format!(
                "{service} already runs {}, the revision of its last completed deployment: \
                 rolling back goes to an older one",
                short(&primary.task_definition)
            )),
        ),
        Err(NoTarget::NothingToDo(message)) => (
            rollback::preselect(primary, history, current, revisions).ok(),
            Some(message),
        ),
        Err(other) => (None, Some(other.to_string())),
    }
}

/// The revisions listed, newest first: the newest [`MAX_CHOICES`] other than the running one,
/// and the preselected one even when it is older than those.
fn listed(running: &str, revisions: &[String], target: Option<&Target>) -> Vec<String> {
    let mut sorted: Vec<String> = revisions
        .iter()
        .filter(|r| *r != running)
        .cloned()
        .collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(revision_of(r)));
    sorted.truncate(MAX_CHOICES);
    if let Some(target) = target {
        if !sorted.contains(&target.task_definition) {
            sorted.push(target.task_definition.clone());
        }
    }
    sorted
}

/// The pure part: options from the revisions (newest first, running excluded), labels, diffs
/// (`summaries` by ARN; a revision that could not be described gets no diff), and the
/// preselection.
pub fn assemble(
    cluster: &str,
    service: &str,
    current: &[CurrentDeployment],
    history: &[PastDeployment],
    revisions: &[String],
    summaries: &BTreeMap<String, TaskDefinitionSummary>,
) -> Result<RollbackChoices, PlanError> {
    let primary = primary_of(current).ok_or_else(|| {
        PlanError::Refused(format!(
            "service {cluster}/{service} has no deployments: nothing to roll back"
        ))
    })?;
    let running = primary.task_definition.clone();
    let (target, note) = preselection(service, primary, current, history, revisions);
    let sorted = listed(&running, revisions, target.as_ref());
    if sorted.is_empty() {
        return Err(PlanError::Refused(format!(
            "task definition family {} has no revision other than the running {}: nothing to roll back to",
            family_of(&running),
            short(&running)
        )));
    }
    let options: Vec<Choice> = sorted
        .iter()
        .map(|r| Choice {
            task_definition: r.clone(),
            label: label(r, current, history),
            diff: match (summaries.get(&running), summaries.get(r)) {
                (Some(from), Some(to)) => diff(from, to),
                _ => vec!["(could not describe this revision)".into()],
            },
        })
        .collect();
    let selected = target
        .as_ref()
        .and_then(|t| {
            options
                .iter()
                .position(|o| o.task_definition == t.task_definition)
        })
        .unwrap_or(0);
    Ok(RollbackChoices {
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        running: running.clone(),
        reason: target.as_ref().map_or_else(
            || {
                format!(
                    "{} is the newest other revision",
                    short(&options[0].task_definition)
                )
            },
            |t| t.reason.clone(),
        ),
        interrupts_deployment: primary.rollout == Rollout::InProgress,
        options,
        selected,
        note,
    })
}

/// Read the deployments, the history, the revisions and the definitions of those listed
/// (concurrently), then [`assemble`].
pub async fn choices(ctx: &Context) -> Result<RollbackChoices, PlanError> {
    let RollbackInputs {
        svc,
        current,
        history,
        revisions,
    } = rollback_inputs(ctx).await?;
    let ecs = ctx.ecs();
    let mut wanted = Vec::new();
    if let Some(primary) = primary_of(&current) {
        let (target, _) = preselection(&svc.service, primary, &current, &history, &revisions);
        wanted = listed(&primary.task_definition, &revisions, target.as_ref());
        wanted.push(primary.task_definition.clone());
    }
    let mut reads = tokio::task::JoinSet::new();
    for arn in wanted {
        let ecs = ecs.clone();
        reads.spawn(async move { (arn.clone(), ecs.summary(&arn).await) });
    }
    let mut summaries = BTreeMap::new();
    while let Some(read) = reads.join_next().await {
        if let Ok((arn, Ok(summary))) = read {
            summaries.insert(arn, summary);
        }
    }
    assemble(
        &svc.cluster,
        &svc.service,
        &current,
        &history,
        &revisions,
        &summaries,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ecs::ContainerSummary;

    use crate::ops::test_values::{dep, td};

    fn summaries(revisions: &[u32]) -> BTreeMap<String, TaskDefinitionSummary> {
        revisions
            .iter()
            .map(|r| {
                let mut containers = BTreeMap::new();
                containers.insert(
                    "courier".to_owned(),
                    ContainerSummary {
                        image: Some(format!("courier:{r}")),
                        ..Default::default()
                    },
                );
                (
                    td(*r),
                    TaskDefinitionSummary {
                        arn: td(*r),
                        containers,
                        ..Default::default()
                    },
                )
            })
            .collect()
    }

    #[test]
    fn newest_first_without_the_running_one_and_the_last_completed_preselected() {
        // 5 is rolling out, 4 served before it, 3 and 2 are older, 6 was registered, never deployed.
        let current = [
            dep(true, 5, Rollout::InProgress),
            dep(false, 4, Rollout::Completed),
        ];
        let revisions: Vec<String> = (1..=6).map(td).collect();
        let picked = assemble(
            "c",
            "s",
            &current,
            &[],
            &revisions,
            &summaries(&[1, 2, 3, 4, 5, 6]),
        )
        .unwrap();
        let order: Vec<_> = picked
            .options
            .iter()
            .map(|o| short(&o.task_definition))
            .collect();
        assert_eq!(
            order,
            [
                "courier:6",
                "courier:4",
                "courier:3",
                "courier:2",
                "courier:1"
            ]
        );
        assert_eq!(picked.options[picked.selected].task_definition, td(4));
        assert_eq!(picked.options[picked.selected].label, "last completed");
        assert!(picked.interrupts_deployment);
        assert_eq!(
            picked.options[1].diff,
            ["courier image: courier:5 → courier:4"]
        );
        let target = picked.target(picked.selected).unwrap();
        assert_eq!(target.task_definition, td(4));
        assert!(target.interrupts_deployment);
    }

    #[test]
    fn ecs_history_labels_a_revision_with_when_and_how_its_deployment_ended() {
        let current = [dep(true, 3, Rollout::Completed)];
        let history = [PastDeployment {
            task_definition: td(2),
            successful: false,
            status: Some(("ROLLBACK_SUCCESSFUL".into(), 14 * 3600 + 2 * 60)),
        }];
        let revisions: Vec<String> = (1..=3).map(td).collect();
        let picked = assemble(
            "c",
            "s",
            &current,
            &history,
            &revisions,
            &summaries(&[1, 2, 3]),
        )
        .unwrap();
        assert_eq!(
            picked.options[0].label,
            "deployed 14:02 · ROLLBACK_SUCCESSFUL"
        );
    }

    #[test]
    fn a_stable_service_preselects_the_previous_completed_revision_and_says_so() {
        let current = [dep(true, 3, Rollout::Completed)];
        let history = [
            PastDeployment {
                task_definition: td(3),
                successful: true,
                status: None,
            },
            PastDeployment {
                task_definition: td(2),
                successful: false,
                status: None,
            },
            PastDeployment {
                task_definition: td(1),
                successful: true,
                status: None,
            },
        ];
        let revisions: Vec<String> = (1..=3).map(td).collect();
        let picked = assemble(
            "c",
            "s",
            &current,
            &history,
            &revisions,
            &summaries(&[1, 2, 3]),
        )
        .unwrap();
        assert_eq!(picked.options[picked.selected].task_definition, td(1));
        assert_eq!(picked.options[0].label, "failed before");
        assert!(picked
            .note
            .as_deref()
            .unwrap()
            .contains("already runs courier:3"));
        assert!(
            !picked.note.as_deref().unwrap().contains("--to"),
            "no command-line flags in the picker"
        );
        assert!(!picked.interrupts_deployment);
    }

    #[test]
    fn a_preselected_revision_older_than_the_listed_ones_is_listed_too() {
        // 40 revisions registered by CI; revision 3 ran the last completed deployment.
        let current = [
            dep(true, 40, Rollout::Failed),
            dep(false, 3, Rollout::Completed),
        ];
        let revisions: Vec<String> = (1..=40).map(td).collect();
        let all: Vec<u32> = (1..=40).collect();
        let picked = assemble("c", "s", &current, &[], &revisions, &summaries(&all)).unwrap();
        assert_eq!(picked.options.len(), MAX_CHOICES + 1);
        assert_eq!(picked.options[picked.selected].task_definition, td(3));
        assert!(picked.reason.contains("courier:3"), "{}", picked.reason);
    }

    #[test]
    fn no_older_revision_and_no_deployments_are_refusals() {
        let current = [dep(true, 1, Rollout::Completed)];
        let only = vec![td(1)];
        let err = assemble("c", "s", &current, &[], &only, &summaries(&[1])).unwrap_err();
        assert!(matches!(err, PlanError::Refused(m) if m.contains("no revision other than")));
        let err = assemble("c", "s", &[], &[], &only, &BTreeMap::new()).unwrap_err();
        assert!(matches!(err, PlanError::Refused(m) if m.contains("no deployments")));
    }

    #[test]
    fn a_revision_that_cannot_be_described_says_so_in_its_diff() {
        let current = [dep(true, 2, Rollout::Completed)];
        let revisions = vec![td(1), td(2)];
        let picked = assemble("c", "s", &current, &[], &revisions, &summaries(&[2])).unwrap();
        assert_eq!(
            picked.options[0].diff,
            ["(could not describe this revision)"]
        );
    }
}
