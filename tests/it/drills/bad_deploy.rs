//! The bad-deploy drill end to end: `devstack drill bad-deploy` deploys revision 2 without
//! `COURIER_QUEUE_URL`; each of its tasks exits at start, the agent's circuit breaker (3 failed
//! tasks at desired 1) fails the deployment and rolls back. `stackdeck status` shows the failure
//! and then the service back on revision 1, steady with its desired count; `stackdeck timeline`
//! has the stopped tasks' reason and `stackdeck logs` courier's own line saying what is missing.

use super::{DrillStack, Setup};
use crate::kit::text;
use devstack::drill::Name;
use devstack::testkit::eventually;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_revision_whose_tasks_exit_at_start_is_failed_and_rolled_back_with_the_reason_shown() {
    let deck = DrillStack::start(
        "baddeploy",
        Setup {
            log_group: true,
            ..Setup::default()
        },
    )
    .await;
    let before = deck.status().json;
    let service = &before["snapshot"]["service"]["Ok"];
    let revision_1 = service["deployments"][0]["task_definition"]
        .as_str()
        .unwrap_or_else(|| panic!("no deployment: {before}"))
        .to_owned();

    devstack::drill::run(Name::BadDeploy, &deck.target(None).await)
        .await
        .expect("the drill deploys revision 2");

    // The signal: the circuit breaker fails the deployment and starts the rollback.
    eventually(
        Duration::from_secs(120),
        "the deployment failed",
        || async {
            let json = deck.status().json;
            let events = events(&json);
            let failed = events
                .iter()
                .any(|e| e.ends_with("deployment failed: tasks failed to start."));
            let rolling_back = events.iter().any(|e| e.contains("rolling back to"));
            if failed && rolling_back {
                Ok(())
            } else {
                Err(format!("events {events:?}"))
            }
        },
    )
    .await;

    // Recovery, the breaker's: revision 1 again, completed, running == desired.
    eventually(Duration::from_secs(120), "back on revision 1", || async {
        let json = deck.status().json;
        let s = &json["snapshot"]["service"]["Ok"];
        let deployments = s["deployments"].as_array().cloned().unwrap_or_default();
        let primary = &deployments.first().cloned().unwrap_or_default();
        let steady = deployments.len() == 1
            && primary["task_definition"] == revision_1.as_str()
            && primary["rollout_state"] == "COMPLETED"
            && s["running"] == s["desired"]
            && s["desired"] == 1;
        if steady {
            Ok(())
        } else {
            Err(format!("service {s}"))
        }
    })
    .await;

    // Why: the stopped tasks' reason (exit code 1) in the timeline, courier's line in the logs.
    let out = deck.run(&["timeline", "--since", "10m", "--format", "json"]);
    let timeline: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("timeline JSON: {e}\n{}", text(&out)));
    let stops: Vec<&str> = (timeline["entries"].as_array().into_iter().flatten())
        .filter(|e| e["kind"] == "task_stopped")
        .filter_map(|e| e["title"].as_str())
        .collect();
    assert!(
        (stops.iter())
            .filter(|t| t.ends_with("Essential container in task exited (exit code 1)"))
            .count()
            >= 3,
        "{stops:?}"
    );
    eventually(
        Duration::from_secs(60),
        "courier's reason in the logs",
        || async {
            let out = deck.run(&["logs", "--since", "10m", "--format", "raw"]);
            let logs = text(&out);
            if logs.contains("COURIER_QUEUE_URL is not set") {
                Ok(())
            } else {
                Err(logs)
            }
        },
    )
    .await;
}

/// The service events' messages in a status JSON, newest first.
fn events(json: &serde_json::Value) -> Vec<String> {
    (json["snapshot"]["service"]["Ok"]["events"]
        .as_array()
        .into_iter()
        .flatten())
    .filter_map(|e| e["message"].as_str().map(str::to_owned))
    .collect()
}
