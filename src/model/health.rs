//! One snapshot of the stack's health: what `stackdeck status` prints and what decides its exit
//! code. Plain values; each source keeps its own error so one failing source degrades only itself.

use super::ecs::Rollout;
use serde::Serialize;

/// The ECS service.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceHealth {
    pub cluster: String,
    pub service: String,
    pub status: String,
    pub running: i32,
    pub desired: i32,
    pub pending: i32,
    pub deployments: Vec<Deployment>,
    /// Newest first.
    pub events: Vec<ServiceEvent>,
    /// What stops or rolls back a bad deployment (`deploymentConfiguration`).
    pub guards: Guards,
}

/// What guards the service's deployments: ECS's deployment circuit breaker and the deployment
/// alarms (an alarm of the list in ALARM fails the deployment in progress). `None` where the
/// endpoint answers none.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Guards {
    pub circuit_breaker: Option<Guard>,
    pub alarms: Option<Guard>,
    /// The deployment alarms' names.
    pub alarm_names: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Guard {
    pub enable: bool,
    /// A failed deployment rolls back to the last completed one.
    pub rollback: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Deployment {
    pub id: String,
    /// PRIMARY or ACTIVE.
    pub status: String,
    pub task_definition: String,
    pub rollout_state: Rollout,
    pub rollout_reason: String,
    pub running: i32,
    pub desired: i32,
    pub failed_tasks: i32,
    /// Unix seconds.
    pub created: Option<i64>,
    /// Unix seconds of its last change (its rollout state's, once it completed or failed).
    pub updated: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceEvent {
    pub at: Option<i64>,
    pub message: String,
}

/// The work queue and its dead-letter queue.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueHealth {
    pub name: String,
    pub visible: i64,
    pub in_flight: i64,
    pub delayed: i64,
    pub dlq_name: String,
    pub dlq_visible: i64,
}

/// One CloudWatch alarm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    pub name: String,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state: String,
    pub reason: String,
    /// Unix seconds of the last state change.
    pub since: Option<i64>,
    /// The metric it watches (empty for composite or math alarms) and its threshold.
    pub metric: String,
    pub threshold: Option<f64>,
}

/// A source's value, or why it could not be read.
pub type Source<T> = Result<T, String>;

/// Everything `stackdeck status` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub stack: String,
    pub service: Source<ServiceHealth>,
    pub queue: Source<QueueHealth>,
    /// Alarms with the stack's prefix, ALARM first.
    pub alarms: Source<Vec<Alarm>>,
    /// The stack's other services and queues, where it has several (`service_2`, `queue_url_2`,
    /// …): `service` and `queue` are its first, as scripts have always read them; the JSON of
    /// [`Snapshot::to_json`] lists them all under `services` and `queues`.
    #[serde(skip)]
    pub more: More,
}

/// The second and later services and queues of a stack.
#[derive(Clone, Debug, Default)]
pub struct More {
    pub services: Vec<Source<ServiceHealth>>,
    pub queues: Vec<Source<QueueHealth>>,
}

/// The verdict of a snapshot, as the exit code reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Healthy,
    /// Why, one line each.
    Degraded(Vec<String>),
    /// A source could not be read: health cannot be vouched for.
    Error(Vec<String>),
}

/// `service`, then `service 2`, …: how a verdict names the nth source of a kind.
fn nth(kind: &str, i: usize) -> String {
    if i == 0 {
        kind.to_owned()
    } else {
        format!("{kind} {}", i + 1)
    }
}

impl Snapshot {
    /// Every service of the stack, the first first.
    pub fn services(&self) -> impl Iterator<Item = &Source<ServiceHealth>> {
        std::iter::once(&self.service).chain(&self.more.services)
    }

    /// Every queue of the stack, the first first.
    pub fn queues(&self) -> impl Iterator<Item = &Source<QueueHealth>> {
        std::iter::once(&self.queue).chain(&self.more.queues)
    }

    /// The snapshot as `status --format json` prints it: its fields, and `services` and `queues`
    /// listing every one.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::to_value(self).expect("a snapshot serialises");
        json["services"] = serde_json::json!(self.services().collect::<Vec<_>>());
        json["queues"] = serde_json::json!(self.queues().collect::<Vec<_>>());
        json
    }

    pub fn verdict(&self) -> Verdict {
        let errors: Vec<String> = self
            .services()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_ref()
                    .err()
                    .map(|e| format!("{}: {e}", nth("service", i)))
            })
            .chain(self.queues().enumerate().filter_map(|(i, q)| {
                q.as_ref()
                    .err()
                    .map(|e| format!("{}: {e}", nth("queue", i)))
            }))
            .chain(self.alarms.as_ref().err().map(|e| format!("alarms: {e}")))
            .collect();
        if !errors.is_empty() {
            return Verdict::Error(errors);
        }
        let mut reasons = Vec::new();
        for s in self.services().flatten() {
            if s.running < s.desired {
                reasons.push(format!(
                    "service {}: {} of {} tasks running",
                    s.service, s.running, s.desired
                ));
            }
            if let Some(d) = s
                .deployments
                .iter()
                .find(|d| d.status == "PRIMARY" && d.rollout_state == Rollout::Failed)
            {
                reasons.push(format!(
                    "deployment {} of {} FAILED: {}",
                    d.id, d.task_definition, d.rollout_reason
                ));
            }
        }
        for q in self.queues().flatten() {
            if q.dlq_visible > 0 {
                reasons.push(format!(
                    "dead-letter queue {} holds {} message(s)",
                    q.dlq_name, q.dlq_visible
                ));
            }
        }
        if let Ok(alarms) = &self.alarms {
            reasons.extend(
                alarms
                    .iter()
                    .filter(|a| a.state == "ALARM")
                    .map(|a| format!("alarm {} is in ALARM", a.name)),
            );
        }
        if reasons.is_empty() {
            Verdict::Healthy
        } else {
            Verdict::Degraded(reasons)
        }
    }
}

/// Sort alarms for display: ALARM first, then INSUFFICIENT_DATA, then OK; by name within a state.
pub fn sort_alarms(alarms: &mut [Alarm]) {
    let rank = |state: &str| match state {
        "ALARM" => 0,
        "INSUFFICIENT_DATA" => 1,
        _ => 2,
    };
    alarms.sort_by(|a, b| {
        rank(&a.state)
            .cmp(&rank(&b.state))
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> Snapshot {
        Snapshot {
            stack: "s".into(),
            service: Ok(ServiceHealth {
                service: "svc".into(),
                running: 2,
                desired: 2,
                ..Default::default()
            }),
            queue: Ok(QueueHealth {
                dlq_name: "dlq".into(),
                ..Default::default()
            }),
            alarms: Ok(vec![Alarm {
                name: "a".into(),
                state: "OK".into(),
                reason: String::new(),
                since: None,
                metric: String::new(),
                threshold: None,
            }]),
            more: More::default(),
        }
    }

    #[test]
    fn a_quiet_stack_is_healthy() {
        assert_eq!(healthy().verdict(), Verdict::Healthy);
    }

    #[test]
    fn alarm_missing_tasks_and_a_full_dlq_degrade() {
        let mut s = healthy();
        s.alarms.as_mut().unwrap()[0].state = "ALARM".into();
        s.service.as_mut().unwrap().running = 1;
        s.queue.as_mut().unwrap().dlq_visible = 3;
        let Verdict::Degraded(reasons) = s.verdict() else {
            panic!("{:?}", s.verdict())
        };
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("1 of 2 tasks")));
        assert!(reasons.iter().any(|r| r.contains("holds 3")));
        assert!(reasons.iter().any(|r| r.contains("alarm a is in ALARM")));
    }

    #[test]
    fn every_service_and_queue_counts_and_json_lists_them_all() {
        let mut s = healthy();
        s.more.services.push(Ok(ServiceHealth {
            service: "worker".into(),
            running: 0,
            desired: 1,
            ..Default::default()
        }));
        s.more.queues.push(Ok(QueueHealth {
            dlq_name: "dlq-2".into(),
            dlq_visible: 1,
            ..Default::default()
        }));
        let Verdict::Degraded(reasons) = s.verdict() else {
            panic!("{:?}", s.verdict())
        };
        assert_eq!(
            reasons,
            [
                "service worker: 0 of 1 tasks running",
                "dead-letter queue dlq-2 holds 1 message(s)"
            ]
        );
        let json = s.to_json();
        assert_eq!(json["services"][1]["Ok"]["service"], "worker");
        assert_eq!(json["queues"][1]["Ok"]["dlq_name"], "dlq-2");
        assert_eq!(
            json["service"]["Ok"]["service"], "svc",
            "the first, as before"
        );
        s.more.queues[0] = Err("throttled".into());
        assert_eq!(
            s.verdict(),
            Verdict::Error(vec!["queue 2: throttled".into()])
        );
    }

    #[test]
    fn a_source_error_is_an_error_not_health() {
        let mut s = healthy();
        s.queue = Err("throttled".into());
        assert_eq!(s.verdict(), Verdict::Error(vec!["queue: throttled".into()]));
    }

    #[test]
    fn alarms_sort_alarm_first() {
        let alarm = |name: &str, state: &str| Alarm {
            name: name.into(),
            state: state.into(),
            reason: String::new(),
            since: None,
            metric: String::new(),
            threshold: None,
        };
        let mut list = vec![
            alarm("b", "OK"),
            alarm("c", "INSUFFICIENT_DATA"),
            alarm("z", "ALARM"),
            alarm("a", "OK"),
        ];
        sort_alarms(&mut list);
        let names: Vec<_> = list.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["z", "c", "a", "b"]);
    }
}
