//! A stack of several services and queues (an api and a worker; a work queue and another): the
//! service panel and the queue panel list each one, at 80 and at 160 columns.

use super::tests::screen;
use crate::app::fixtures::{self, state_with};
use crate::model::health::{QueueHealth, ServiceHealth};

#[test]
fn every_service_and_queue_has_its_line() {
    let mut data = fixtures::healthy();
    data.health.more.services.push(Ok(ServiceHealth {
        cluster: "courier-local".into(),
        service: "courier-local-worker".into(),
        status: "ACTIVE".into(),
        running: 0,
        desired: 1,
        ..Default::default()
    }));
    data.health.more.queues.push(Ok(QueueHealth {
        name: "courier-local-events".into(),
        visible: 12,
        dlq_name: "courier-local-events-dlq".into(),
        dlq_visible: 2,
        ..Default::default()
    }));
    data.health
        .more
        .queues
        .push(Err("queue courier-local-gone: does not exist".into()));
    let state = state_with(data);
    // At 160 columns each line whole; at 80 the service panel cuts its lines, and the queue
    // panel wraps them.
    let flat = |width| {
        let text = screen(&state, width, 48);
        (text.split_whitespace().collect::<Vec<_>>().join(" "), text)
    };
    let (wide, text) = flat(160);
    for line in [
        "courier-local-worker (courier-local) 0/1 running",
        "courier-local-events: 12 · DLQ 2",
        "error: queue courier-local-gone: does not exist",
    ] {
        assert!(wide.contains(line), "{line} missing:\n{text}");
    }
    let (narrow, text) = flat(80);
    for part in [
        "courier-local-worker (courier-local)",
        "courier-local-events: 12 · DLQ 2",
    ] {
        assert!(narrow.contains(part), "{part} missing at 80:\n{text}");
    }
}
