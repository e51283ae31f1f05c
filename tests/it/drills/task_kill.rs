//! The task-kill drill end to end: `devstack drill task-kill` finds the process of the service's
//! running task (by ECS's `ECS_CONTAINER_METADATA_URI_V4` in its environment) and SIGKILLs it.
//! The agent stops the task with ECS's reason (exit code 137) and starts a replacement:
//! `stackdeck status` shows the task stopped and a new one started, then running == desired with
//! another task id, with nothing done; `stackdeck timeline` gives the stop reason.

use super::{DrillStack, Setup};
use crate::kit::text;
use aws_sdk_ecs::types::DesiredStatus;
use devstack::drill::Name;
use devstack::testkit::eventually;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_task_is_replaced_and_its_stop_reason_shown() {
    let deck = DrillStack::start("taskkill", Setup::default()).await;
    let killed = running_tasks(&deck).await;
    assert_eq!(killed.len(), 1, "{killed:?}");
    let killed = killed[0].clone();

    devstack::drill::run(Name::TaskKill, &deck.target(None).await)
        .await
        .expect("the drill kills the task");

    // The signal and the recovery, ECS's own: the task stopped, another started, steady again.
    eventually(Duration::from_secs(90), "the task replaced", || async {
        let json = deck.status().json;
        let s = &json["snapshot"]["service"]["Ok"];
        let events: Vec<&str> = (s["events"].as_array().into_iter().flatten())
            .filter_map(|e| e["message"].as_str())
            .collect();
        let stopped = (events.iter()).any(|e| e.ends_with(&format!("(task {killed}).")));
        let running = running_tasks(&deck).await;
        let replaced = running.len() == 1 && running[0] != killed;
        let steady = s["running"] == s["desired"] && s["desired"] == 1;
        let started = (events.iter()).any(|e| {
            running
                .first()
                .is_some_and(|new| e.ends_with(&format!("started 1 tasks: (task {new}).")))
        });
        if stopped && replaced && steady && started {
            Ok(())
        } else {
            Err(format!("running {running:?}, service {s}"))
        }
    })
    .await;

    // Why it stopped: ECS's reason, with SIGKILL's exit code.
    let out = deck.run(&["timeline", "--since", "10m", "--format", "json"]);
    let timeline: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("timeline JSON: {e}\n{}", text(&out)));
    let stop = (timeline["entries"].as_array().into_iter().flatten())
        .find(|e| e["kind"] == "task_stopped" && e["subject"] == killed.as_str())
        .unwrap_or_else(|| panic!("no stop of task {killed}: {timeline}"));
    assert_eq!(
        stop["title"],
        format!(
            "task {killed} stopped: Essential container in task exited (exit code 137: killed by SIGKILL)"
        ),
        "{stop}"
    );
}

/// The ids of the service's running tasks (ListTasks), as the ECS API lists them.
async fn running_tasks(deck: &DrillStack) -> Vec<String> {
    let ecs = aws_sdk_ecs::Client::new(&deck.agent.sdk().await);
    let listed = ecs
        .list_tasks()
        .cluster(&deck.stack.cluster)
        .service_name(&deck.stack.service)
        .desired_status(DesiredStatus::Running)
        .send()
        .await
        .expect("ListTasks");
    (listed.task_arns().iter())
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned())
        .collect()
}
