//! The deployment's guards under the primary deployment: the circuit breaker and the deployment
//! alarms, the one in ALARM marked so (it fails the deployment in progress).

use super::tests::screen;
use crate::app::fixtures::{self, state_with};
use crate::model::health::{Guard, Guards};

fn guarded(mut data: crate::model::dashboard::Dashboard) -> crate::model::dashboard::Dashboard {
    let service = data.health.service.as_mut().unwrap();
    service.guards = Guards {
        circuit_breaker: Some(Guard {
            enable: true,
            rollback: true,
        }),
        alarms: Some(Guard {
            enable: true,
            rollback: true,
        }),
        alarm_names: vec![
            "courier-local-alb-5xx".into(),
            "courier-local-queue-depth".into(),
        ],
    };
    data
}

#[test]
fn the_deployment_alarms_show_under_the_primary_deployment() {
    let state = state_with(guarded(fixtures::alarm_firing()));
    let text = screen(&state, 160, 48);
    assert!(
        text.contains(
            "  alarms → rollback (queue-depth ALARM, alb-5xx) · circuit breaker → rollback"
        ),
        "{text}"
    );
    insta::assert_snapshot!("guards_alarm_80x24", screen(&state, 80, 24));
}

#[test]
fn no_guard_line_without_a_deployment_configuration() {
    let state = state_with(fixtures::healthy());
    assert!(!screen(&state, 160, 48).contains("circuit breaker"));
    let mut data = guarded(fixtures::healthy());
    let service = data.health.service.as_mut().unwrap();
    service.guards.circuit_breaker = Some(Guard::default());
    service.guards.alarms = None;
    let text = screen(&state_with(data), 160, 48);
    assert!(text.contains("  circuit breaker off"), "{text}");
}
