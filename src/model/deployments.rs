//! The service's deployment history from ECS's service-deployment APIs
//! (ListServiceDeployments / DescribeServiceDeployments): what DescribeServices' deployments
//! list cannot say — how many tasks the circuit breaker counted, which deployment alarm fired,
//! whether and why a deployment rolled back — and which deployment `stop-deployment` stops.

/// One service deployment, newest first in a history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDeployment {
    pub arn: String,
    /// `IN_PROGRESS`, `SUCCESSFUL`, `STOPPED`, `ROLLBACK_SUCCESSFUL`, … as ECS names it.
    pub status: String,
    pub status_reason: String,
    /// The task definition it deploys (its target revision's).
    pub target: String,
    /// The task definition it replaces (its first source revision's), where it has one.
    pub source: Option<String>,
    /// When it was created (seconds since the epoch).
    pub created_at: i64,
    /// The circuit breaker's failed-task count and threshold, where the breaker is enabled.
    pub circuit_breaker: Option<(i32, i32)>,
    pub triggered_alarms: Vec<String>,
    /// Why it rolled back, where it did.
    pub rollback_reason: Option<String>,
}

impl ServiceDeployment {
    pub fn in_progress(&self) -> bool {
        self.status == "IN_PROGRESS"
    }

    /// The deployment's id: the last part of its ARN.
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }
}

/// The deployment `stop-deployment` would stop: the newest in progress.
pub fn in_progress(history: &[ServiceDeployment]) -> Option<&ServiceDeployment> {
    history.iter().find(|d| d.in_progress())
}

/// The service panel's lines on the newest deployment, what the deployments list above them
/// cannot say, short enough for the panel's width at 80 columns: `ECS IN_PROGRESS · breaker 1/3`,
/// then, where it applies, `alarm courier-5xx fired · rolled back: …`. Empty without a history.
pub fn panel_lines(history: &[ServiceDeployment]) -> Vec<String> {
    let Some(newest) = history.first() else {
        return Vec::new();
    };
    let mut first = format!("ECS {}", newest.status);
    if let Some((failed, threshold)) = newest.circuit_breaker {
        first.push_str(&format!(" · breaker {failed}/{threshold}"));
    }
    let mut second: Vec<String> = (newest.triggered_alarms.iter())
        .map(|alarm| format!("alarm {alarm} fired"))
        .collect();
    if let Some(reason) = &newest.rollback_reason {
        second.push(format!("rolled back: {reason}"));
    }
    std::iter::once(first)
        .chain((!second.is_empty()).then(|| second.join(" · ")))
        .collect()
}

/// The history's word on task definition `td` for the rollback picker: the status of the newest
/// deployment that deployed it, and when (`deployed 14:02 · ROLLBACK_SUCCESSFUL`), `hhmm`
/// formatting a time.
pub fn label_of(
    history: &[ServiceDeployment],
    td: &str,
    hhmm: impl Fn(i64) -> String,
) -> Option<String> {
    let d = history.iter().find(|d| d.target == td)?;
    Some(format!("deployed {} · {}", hhmm(d.created_at), d.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(target: &str, status: &str) -> ServiceDeployment {
        ServiceDeployment {
            arn: format!("arn:aws:ecs:r:1:service-deployment/c/s/{target}"),
            status: status.into(),
            target: target.into(),
            created_at: 3600,
            ..ServiceDeployment::default()
        }
    }

    #[test]
    fn the_panel_lines_say_what_the_deployments_list_cannot() {
        assert!(panel_lines(&[]).is_empty());
        let mut d = deployment(
            "arn:aws:ecs:r:1:task-definition/courier:7",
            "ROLLBACK_SUCCESSFUL",
        );
        d.circuit_breaker = Some((3, 3));
        d.triggered_alarms = vec!["courier-5xx".into()];
        d.rollback_reason = Some("tasks failed".into());
        let lines = panel_lines(&[d, deployment("courier:6", "SUCCESSFUL")]);
        assert_eq!(
            lines,
            [
                "ECS ROLLBACK_SUCCESSFUL · breaker 3/3",
                "alarm courier-5xx fired · rolled back: tasks failed"
            ]
        );
        let quiet = panel_lines(&[deployment("courier:6", "SUCCESSFUL")]);
        assert_eq!(quiet, ["ECS SUCCESSFUL"]);
    }

    #[test]
    fn the_deployment_to_stop_is_the_newest_in_progress_and_labels_name_the_status() {
        let history = [
            deployment("courier:7", "IN_PROGRESS"),
            deployment("courier:6", "SUCCESSFUL"),
        ];
        assert_eq!(in_progress(&history).unwrap().target, "courier:7");
        assert_eq!(in_progress(&history[1..]), None);
        assert_eq!(history[0].id(), "courier:7");
        let label = label_of(&history, "courier:6", |_| "01:00".into());
        assert_eq!(label.as_deref(), Some("deployed 01:00 · SUCCESSFUL"));
        assert_eq!(label_of(&history, "courier:5", |_| String::new()), None);
    }
}
