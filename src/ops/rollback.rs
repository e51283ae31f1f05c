//! Which task definition a rollback goes to. Pure: the caller reads the service's deployments
//! (DescribeServices), the ECS service deployment history where the endpoint has it
//! (ListServiceDeployments), and the family's revisions, and this module decides.
//!
//! The target is the revision the last *completed* deployment ran, never blindly "current − 1":
//! revisions may have been registered and never deployed, or deployed and failed.

use crate::model::ecs::{
    family_of, revision_of, short, CurrentDeployment, PastDeployment, Rollout,
};
use crate::model::rollback::{NoTarget, Target, Wanted};

/// Choose the rollback target.
///
/// - `current`: the service's deployments (PRIMARY first).
/// - `history`: finished deployments, newest first; empty where the endpoint has no history API.
/// - `revisions`: the family's ACTIVE task definition ARNs, any order.
pub fn choose(
    service: &str,
    wanted: &Wanted,
    current: &[CurrentDeployment],
    history: &[PastDeployment],
    revisions: &[String],
) -> Result<Target, NoTarget> {
    let primary = current
        .iter()
        .find(|d| d.primary)
        .or_else(|| current.first())
        .ok_or_else(|| NoTarget::NoDeployments(service.to_owned()))?;
    let running = &primary.task_definition;
    let running_revision = revision_of(running).unwrap_or(u32::MAX);
    let family = family_of(running);

    match wanted {
        Wanted::Revision(number) => {
            let found = revisions
                .iter()
                .find(|r| family_of(r) == family && revision_of(r) == Some(*number))
                .ok_or_else(|| NoTarget::NotInFamily(number.to_string(), family.to_owned()))?;
            if found == running {
                return Err(NoTarget::AlreadyRunning(found.clone()));
            }
            Ok(Target {
                task_definition: found.clone(),
                reason: format!("revision {number}, as asked"),
                interrupts_deployment: primary.rollout == Rollout::InProgress,
            })
        }
        Wanted::Previous => previous(revisions, family, running_revision, running, primary),
        Wanted::LastCompleted => {
            let newer_failed = current.iter().any(|d| {
                !d.primary
                    && d.rollout == Rollout::Failed
                    && revision_of(&d.task_definition) > revision_of(running)
            });
            match primary.rollout {
                // The last completed deployment is the running one: a rollback "to the last
                // completed revision" has nothing to do. This is the state after ECS's circuit
                // breaker rolled a failed deployment back, and a CI health gate that then asks
                // for a rollback must not be taken one revision further back.
                Rollout::Completed => Err(NoTarget::NothingToDo(format!(
                    "service {service} already runs {}, the revision of its last completed deployment; \
                     use --to previous or --to REVISION to go further back",
                    short(running)
                ))),
                // ECS's circuit breaker is already rolling a failed deployment back.
                Rollout::InProgress if newer_failed => Err(NoTarget::NothingToDo(format!(
                    "service {service} is already rolling back to {} after a failed deployment",
                    short(running)
                ))),
                // A deployment under way: go back to what served before it.
                Rollout::InProgress => match current.iter().find(|d| {
                    !d.primary && d.rollout != Rollout::Failed && d.task_definition != *running
                }) {
                    Some(serving) => Ok(Target {
                        task_definition: serving.task_definition.clone(),
                        reason: format!(
                            "a deployment of {} is still in progress; {} is what served before it",
                            short(running),
                            short(&serving.task_definition)
                        ),
                        interrupts_deployment: true,
                    }),
                    None => preselect(primary, history, current, revisions),
                },
                Rollout::Failed | Rollout::Unknown => preselect(primary, history, current, revisions),
            }
        }
    }
}

/// The revision a rollback picker offers first: the newest completed deployment of another
/// revision (from the history, else from the deployments still listed), else the newest older
/// revision, saying there was no history.
pub fn preselect(
    primary: &CurrentDeployment,
    history: &[PastDeployment],
    current: &[CurrentDeployment],
    revisions: &[String],
) -> Result<Target, NoTarget> {
    let running = &primary.task_definition;
    let interrupts_deployment = primary.rollout == Rollout::InProgress;
    if let Some(done) = history
        .iter()
        .find(|d| d.successful && d.task_definition != *running)
    {
        return Ok(Target {
            task_definition: done.task_definition.clone(),
            reason: format!(
                "{} ran the last completed deployment before {}",
                short(&done.task_definition),
                short(running)
            ),
            interrupts_deployment,
        });
    }
    if let Some(done) = current
        .iter()
        .find(|d| !d.primary && d.rollout == Rollout::Completed && d.task_definition != *running)
    {
        return Ok(Target {
            task_definition: done.task_definition.clone(),
            reason: format!(
                "{} is the last completed deployment",
                short(&done.task_definition)
            ),
            interrupts_deployment,
        });
    }
    let revision = revision_of(running).unwrap_or(u32::MAX);
    let mut target = previous(revisions, family_of(running), revision, running, primary)?;
    target.reason = format!(
        "no deployment history is available; {} is the newest revision older than the running {}",
        short(&target.task_definition),
        short(running)
    );
    Ok(target)
}

fn previous(
    revisions: &[String],
    family: &str,
    running_revision: u32,
    running: &str,
    primary: &CurrentDeployment,
) -> Result<Target, NoTarget> {
    revisions
        .iter()
        .filter(|r| family_of(r) == family)
        .filter_map(|r| Some((revision_of(r)?, r)))
        .filter(|(n, _)| *n < running_revision)
        .max_by_key(|(n, _)| *n)
        .map(|(_, r)| Target {
            task_definition: r.clone(),
            reason: format!(
                "{} is the newest revision older than the running {}",
                short(r),
                short(running)
            ),
            interrupts_deployment: primary.rollout == Rollout::InProgress,
        })
        .ok_or_else(|| NoTarget::NothingOlder(running.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ops::test_values::{dep, td};

    fn past(revision: u32, successful: bool) -> PastDeployment {
        PastDeployment {
            task_definition: td(revision),
            successful,
            status: None,
        }
    }

    fn revisions(upto: u32) -> Vec<String> {
        (1..=upto).map(td).collect()
    }

    #[test]
    fn the_picker_preselects_completed_history_not_current_minus_one() {
        // 7 runs; 6 was registered but never deployed; 5 failed; 4 was the last good deploy.
        let primary = dep(true, 7, Rollout::Completed);
        let target = preselect(
            &primary,
            &[past(7, true), past(5, false), past(4, true), past(3, true)],
            std::slice::from_ref(&primary),
            &revisions(7),
        )
        .unwrap();
        assert_eq!(target.task_definition, td(4));
        assert!(!target.interrupts_deployment);
        assert!(target.reason.contains("courier:4"), "{}", target.reason);
    }

    #[test]
    fn a_failed_deployment_is_never_the_target() {
        let target = choose(
            "svc",
            &Wanted::LastCompleted,
            &[dep(true, 9, Rollout::Failed)],
            &[
                past(9, false),
                past(8, false),
                past(7, false),
                past(2, true),
            ],
            &revisions(9),
        )
        .unwrap();
        assert_eq!(target.task_definition, td(2));
    }

    #[test]
    fn a_stable_service_is_already_on_its_last_completed_revision() {
        // After ECS's circuit breaker rolled a bad deployment back, the health gate's
        // `rollback --to last-completed` must not go one revision further back.
        let result = choose(
            "svc",
            &Wanted::LastCompleted,
            &[dep(true, 4, Rollout::Completed)],
            &[past(4, true), past(5, false), past(4, true)],
            &revisions(5),
        );
        assert!(
            matches!(result, Err(NoTarget::NothingToDo(ref m)) if m.contains("courier:4")),
            "{result:?}"
        );
    }

    #[test]
    fn an_automatic_rollback_in_progress_is_left_to_finish() {
        let result = choose(
            "svc",
            &Wanted::LastCompleted,
            &[
                dep(true, 4, Rollout::InProgress),
                dep(false, 5, Rollout::Failed),
            ],
            &[],
            &revisions(5),
        );
        assert!(
            matches!(result, Err(NoTarget::NothingToDo(ref m)) if m.contains("already rolling back")),
            "{result:?}"
        );
    }

    #[test]
    fn a_failed_deployment_still_listed_is_not_what_served_before() {
        let target = choose(
            "svc",
            &Wanted::LastCompleted,
            &[
                dep(true, 6, Rollout::InProgress),
                dep(false, 5, Rollout::Failed),
                dep(false, 4, Rollout::Completed),
            ],
            &[],
            &revisions(6),
        )
        .unwrap();
        assert_eq!(target.task_definition, td(4));
    }

    #[test]
    fn in_progress_deployment_rolls_back_to_what_served_before_it() {
        let target = choose(
            "svc",
            &Wanted::LastCompleted,
            &[
                dep(true, 12, Rollout::InProgress),
                dep(false, 10, Rollout::Completed),
            ],
            &[past(11, true)],
            &revisions(12),
        )
        .unwrap();
        assert_eq!(target.task_definition, td(10));
        assert!(target.interrupts_deployment);
        assert!(target.reason.contains("still in progress"));
    }

    #[test]
    fn without_history_the_newest_older_revision_is_chosen_and_the_reason_says_so() {
        let target = choose(
            "svc",
            &Wanted::LastCompleted,
            &[dep(true, 3, Rollout::Unknown)],
            &[],
            &[td(1), td(3), td(2)],
        )
        .unwrap();
        assert_eq!(target.task_definition, td(2));
        assert!(target.reason.contains("no deployment history"));
    }

    #[test]
    fn previous_skips_gaps_in_revision_numbers() {
        let target = choose(
            "svc",
            &Wanted::Previous,
            &[dep(true, 5, Rollout::Completed)],
            &[],
            &[td(1), td(2), td(5)],
        )
        .unwrap();
        assert_eq!(target.task_definition, td(2));
    }

    #[test]
    fn an_explicit_revision_must_exist_in_the_family_and_not_be_running() {
        let current = [dep(true, 3, Rollout::Completed)];
        assert_eq!(
            choose("svc", &Wanted::Revision(1), &current, &[], &revisions(3))
                .unwrap()
                .task_definition,
            td(1)
        );
        assert!(matches!(
            choose("svc", &Wanted::Revision(9), &current, &[], &revisions(3)),
            Err(NoTarget::NotInFamily(..))
        ));
        assert!(matches!(
            choose("svc", &Wanted::Revision(3), &current, &[], &revisions(3)),
            Err(NoTarget::AlreadyRunning(..))
        ));
    }

    #[test]
    fn nothing_to_roll_back_to() {
        assert!(matches!(
            choose("svc", &Wanted::LastCompleted, &[], &[], &[]),
            Err(NoTarget::NoDeployments(_))
        ));
        assert!(matches!(
            choose(
                "svc",
                &Wanted::LastCompleted,
                &[dep(true, 1, Rollout::Failed)],
                &[],
                &revisions(1)
            ),
            Err(NoTarget::NothingOlder(_))
        ));
    }

    #[test]
    fn wanted_parses_the_flag() {
        assert_eq!(
            "last-completed".parse::<Wanted>(),
            Ok(Wanted::LastCompleted)
        );
        assert_eq!("previous".parse::<Wanted>(), Ok(Wanted::Previous));
        assert_eq!("42".parse::<Wanted>(), Ok(Wanted::Revision(42)));
        assert!("latest"
            .parse::<Wanted>()
            .unwrap_err()
            .contains("--to takes"));
    }

    #[test]
    fn names_are_read_from_arns_and_short_forms() {
        assert_eq!(revision_of(&td(17)), Some(17));
        assert_eq!(family_of(&td(17)), "courier");
        assert_eq!(family_of("courier:3"), "courier");
        assert_eq!(short(&td(17)), "courier:17");
    }
}
