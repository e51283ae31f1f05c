//! The agent's ECS control plane with the real courier binary as the task (issue 7): desired
//! count 2 gives two courier processes that answer /healthz and two RUNNING tasks; a forced new
//! deployment replaces both (new task ids, the old ones STOPPED with a reason, the deployment
//! COMPLETED) and the new processes answer /readyz.
//!
//! The image is a name (`courier:local`, as terraform/envs/local registers it): the agent maps
//! it to the `courier` binary next to the devstack binary, `target/debug/courier`. `cargo test
//! --workspace` / `cargo nextest run --workspace` (`make test`) build it before any test runs; run
//! alone (`-p devstack`), the test builds it with `cargo build -p courier` when it is missing.
//! The agent gives each task the test's PostgreSQL (database `courier`) and its own endpoint; the
//! table, topic and queue are made in the test's moto.

use super::kit::{
    assert_stopped_by_a_deployment, describe_tasks, force_new_deployment, has_event, list_tasks,
    steady_on,
};
use aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupOutput;
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::{eventually, first_task_port, http};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// `target/debug/courier`, next to the devstack binary under test; built when missing.
fn courier_bin() -> PathBuf {
    devstack::testkit::courier::binary(std::path::Path::new(env!("CARGO_BIN_EXE_devstack")))
}

async fn answers_200(port: u16, path: &str, status: &str) -> bool {
    http::get(port, path).await.is_some_and(|answer| {
        answer.status == 200 && answer.body.contains(&format!("\"status\":\"{status}\""))
    })
}

/// Whether every task process answers 200 with `status` on `path`.
async fn all_answer(procs: &[(i32, u16)], path: &str, status: &str) -> bool {
    for (_, port) in procs {
        if !answers_200(*port, path, status).await {
            return false;
        }
    }
    true
}

/// The task processes of the agent: (pid, COURIER_PORT) of its children running courier.
fn task_processes(agent_pid: i32) -> Vec<(i32, u16)> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Some((ppid, _, _)) = devstack::agent::procs::stat(pid) else {
            continue;
        };
        // (A binary rebuilt meanwhile shows as `courier (deleted)`.)
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        let is_courier = exe
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("courier"));
        if ppid != agent_pid || !is_courier {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        let port = environ
            .split(|b| *b == 0)
            .filter_map(|kv| std::str::from_utf8(kv).ok())
            .find_map(|kv| kv.strip_prefix("COURIER_PORT="))
            .and_then(|p| p.parse().ok());
        if let Some(port) = port {
            found.push((pid, port));
        }
    }
    found.sort();
    found
}

async fn running_tasks(ecs: &aws_sdk_ecs::Client, cluster: &str) -> (BTreeSet<String>, usize) {
    let arns = list_tasks(ecs, cluster, true).await;
    if arns.is_empty() {
        return (BTreeSet::new(), 0);
    }
    let running: BTreeSet<String> = describe_tasks(ecs, cluster, arns)
        .await
        .iter()
        .filter(|t| t.last_status() == Some("RUNNING"))
        .filter_map(|t| t.task_arn().map(str::to_owned))
        .collect();
    let n = running.len();
    (running, n)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_courier_tasks_answer_and_a_forced_deployment_replaces_them() {
    let bin = tokio::task::spawn_blocking(courier_bin).await.unwrap();
    // A PostgreSQL (and moto) of its own: this test stops PostgreSQL, which no test sharing the
    // binary's environment may see.
    let env = tokio::task::spawn_blocking(TestEnv::start)
        .await
        .unwrap()
        .expect("start moto and PostgreSQL");
    // The agent gives every task DATABASE_URL = the local PostgreSQL's database `courier`.
    env.create_database(devstack::COURIER_DB).await.unwrap();
    let resources = devstack::testkit::courier::task_environment(
        &env.sdk_config().await,
        &unique_name("courier"),
    )
    .await;

    let builder = StackBuilder::new("courier");
    let options = Options {
        first_task_port: first_task_port(),
        courier_bin: bin,
        postgres: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(&env, options).await;
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let revision = resources.iter().fold(
        Revision::image("courier:local").memory(256),
        |revision, (k, v)| revision.env(k, v),
    );
    let stack = builder
        .revision(revision)
        .service(2)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    let (cluster, td) = (&stack.cluster, &stack.revisions[0]);
    // The service's target group: the agent answers for its health.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let vpc = env.create_vpc().await.unwrap();
    let target_group = |name: String| {
        elb.create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(5678)
            .vpc_id(&vpc)
            .target_type(TargetTypeEnum::Ip)
            .health_check_path("/readyz")
            .send()
    };
    let arn = |out: CreateTargetGroupOutput| {
        out.target_groups()[0]
            .target_group_arn()
            .unwrap()
            .to_owned()
    };
    let pid = std::process::id();
    let tg = arn(target_group(format!("courier-{pid}")).await.unwrap());
    let other_tg = arn(target_group(format!("other-{pid}")).await.unwrap());
    stack.publish([("target_group_arn", &tg)]).await;

    // Desired count 2: two courier processes answer /healthz; ListTasks shows two RUNNING tasks.
    steady_on(&stack, td, 2).await;
    let what = "two courier processes answering /healthz";
    let first = eventually(Duration::from_secs(60), what, || async {
        let procs = task_processes(agent.pid());
        (procs.len() == 2 && all_answer(&procs, "/healthz", "ok").await).then_some(procs)
    })
    .await;
    let (old_tasks, running) = running_tasks(&ecs, cluster).await;
    assert_eq!(running, 2, "{old_tasks:?}");

    // Target health, as an ALB would report it: both tasks healthy on their ports; unhealthy
    // while PostgreSQL is down (/readyz answers 503); healthy again after. Another target group
    // is moto's, which knows no targets.
    let mut ports: Vec<i32> = first.iter().map(|(_, port)| i32::from(*port)).collect();
    ports.sort();
    let targets = || async {
        let health = elb
            .describe_target_health()
            .target_group_arn(&tg)
            .send()
            .await
            .unwrap();
        let mut targets: Vec<(i32, String, String)> = health
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let h = d.target_health().unwrap();
                (
                    d.target().unwrap().port().unwrap(),
                    h.state().unwrap().as_str().to_owned(),
                    h.reason()
                        .map(|r| r.as_str().to_owned())
                        .unwrap_or_default(),
                )
            })
            .collect();
        targets.sort();
        targets
    };
    let in_state = |state: &'static str, reason: &'static str| {
        let ports = ports.clone();
        move |targets: Vec<(i32, String, String)>| {
            let expected: Vec<(i32, String, String)> = ports
                .iter()
                .map(|p| (*p, state.to_owned(), reason.to_owned()))
                .collect();
            (targets == expected).then_some(())
        }
    };
    let healthy = in_state("healthy", "");
    eventually(Duration::from_secs(30), "two healthy targets", || async {
        healthy(targets().await)
    })
    .await;
    env.stop_postgres();
    let unhealthy = in_state("unhealthy", "Target.ResponseCodeMismatch");
    eventually(Duration::from_secs(90), "two unhealthy targets", || async {
        unhealthy(targets().await)
    })
    .await;
    env.start_postgres().unwrap();
    eventually(
        Duration::from_secs(60),
        "two healthy targets again",
        || async { healthy(targets().await) },
    )
    .await;
    let other = elb
        .describe_target_health()
        .target_group_arn(&other_tg)
        .send()
        .await
        .unwrap();
    assert!(other.target_health_descriptions().is_empty(), "{other:?}");

    // DescribeTasks: when each task started, and its container health check (GET /healthz).
    let described = describe_tasks(&ecs, cluster, old_tasks.iter().cloned()).await;
    assert_eq!(described.len(), 2);
    for task in &described {
        assert_eq!(
            task.health_status().map(|h| h.as_str()),
            Some("HEALTHY"),
            "{task:?}"
        );
        assert!(task.started_at().is_some(), "{task:?}");
    }

    // A forced new deployment replaces both: new task ids, the old ones STOPPED with a reason,
    // the deployment COMPLETED, the new processes ready.
    force_new_deployment(&ecs, &stack).await;
    steady_on(&stack, td, 2).await;
    let what = "two new RUNNING tasks in place of the old";
    eventually(Duration::from_secs(60), what, || async {
        let (tasks, running) = running_tasks(&ecs, cluster).await;
        (running == 2 && tasks.is_disjoint(&old_tasks)).then_some(())
    })
    .await;
    let old = describe_tasks(&ecs, cluster, old_tasks.iter().cloned()).await;
    assert_eq!(old.len(), 2, "{old:?}");
    assert_stopped_by_a_deployment(&old);
    let what = "two new courier processes answering /readyz";
    let second = eventually(Duration::from_secs(60), what, || async {
        let procs = task_processes(agent.pid());
        (procs.len() == 2 && all_answer(&procs, "/readyz", "ready").await).then_some(procs)
    })
    .await;
    let old_pids: BTreeSet<i32> = first.iter().map(|(pid, _)| *pid).collect();
    assert!(
        second.iter().all(|(pid, _)| !old_pids.contains(pid)),
        "new processes: {first:?} then {second:?}"
    );
    let s = stack.describe_service().await;
    assert!(
        has_event(&s, "has reached a steady state"),
        "{:?}",
        s.events()
    );
}
