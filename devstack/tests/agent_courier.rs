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

mod common;

use aws_sdk_ecs::types::{
    ContainerDefinition, DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair,
    LaunchType,
};
use aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupOutput;
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};
use common::{eventually, service, steady_on, Agent};
use devstack::testenv::{unique_name, TestEnv};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::PathBuf;

/// `target/debug/courier`, next to the devstack binary under test; built when missing.
fn courier_bin() -> PathBuf {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_devstack")).with_file_name("courier");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "courier", "--bin", "courier"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p courier");
        assert!(status.success(), "cargo build -p courier failed");
    }
    assert!(bin.is_file(), "no courier binary at {}", bin.display());
    bin
}

/// Status line and body of `GET path` on 127.0.0.1:`port`.
fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_owned(), body.to_owned()))
}

fn answers_200(port: u16, path: &str, status: &str) -> bool {
    get(port, path).is_some_and(|(line, body)| {
        line.contains(" 200 ") && body.contains(&format!("\"status\":\"{status}\""))
    })
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

/// DescribeTasks of `arns` in `cluster`.
async fn describe_tasks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    arns: impl IntoIterator<Item = String>,
) -> Vec<aws_sdk_ecs::types::Task> {
    ecs.describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(arns.into_iter().collect()))
        .send()
        .await
        .unwrap()
        .tasks()
        .to_vec()
}

async fn running_tasks(ecs: &aws_sdk_ecs::Client, cluster: &str) -> (BTreeSet<String>, usize) {
    let arns = ecs
        .list_tasks()
        .cluster(cluster)
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
        .send()
        .await
        .unwrap()
        .task_arns()
        .to_vec();
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

async fn create_courier_resources(
    sdk: &aws_config::SdkConfig,
    name: &str,
) -> Vec<(&'static str, String)> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    aws_sdk_dynamodb::Client::new(sdk)
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create table");
    let sns = aws_sdk_sns::Client::new(sdk);
    let topic_arn = sns
        .create_topic()
        .name(name)
        .send()
        .await
        .expect("create topic")
        .topic_arn
        .unwrap();
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let queue_url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create queue")
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue arn")
        .attributes
        .unwrap()
        .remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .expect("subscribe the queue to the topic");
    vec![
        ("COURIER_TABLE", name.to_owned()),
        ("COURIER_TOPIC_ARN", topic_arn),
        ("COURIER_QUEUE_URL", queue_url),
        ("COURIER_SQS_WAIT_SECONDS", "1".to_owned()),
        ("COURIER_SHUTDOWN_SECONDS", "5".to_owned()),
        ("COURIER_DB_POOL", "4".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn two_courier_tasks_answer_and_a_forced_deployment_replaces_them() {
    let bin = tokio::task::spawn_blocking(courier_bin).await.unwrap();
    let env = TestEnv::shared().await;
    // The agent gives every task DATABASE_URL = the local PostgreSQL's database `courier`.
    env.create_database(devstack::COURIER_DB).await.unwrap();
    let resources =
        create_courier_resources(&env.sdk_config().await, &unique_name("courier")).await;

    let stack = unique_name("courier");
    let first_port = devstack::ports::free_port()
        .unwrap()
        .saturating_sub(20)
        .max(20000);
    let agent = Agent::start(
        env,
        &stack,
        &[
            "--control-interval",
            "0.3",
            "--first-task-port",
            &first_port.to_string(),
            "--courier-bin",
            bin.to_str().unwrap(),
        ],
    );
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let cluster = unique_name("cluster");
    let name = unique_name("svc");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let mut container = ContainerDefinition::builder()
        .name("courier")
        .image("courier:local")
        .memory(256);
    for (k, v) in &resources {
        container = container.environment(KeyValuePair::builder().name(*k).value(v).build());
    }
    let td = ecs
        .register_task_definition()
        .family(unique_name("courier"))
        .container_definitions(container.build())
        .cpu("256")
        .memory("512")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned();
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&name)
        .task_definition(&td)
        .desired_count(2)
        .launch_type(LaunchType::Fargate)
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .minimum_healthy_percent(100)
                .maximum_percent(200)
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
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
    agent
        .discovery(&[
            ("cluster", &cluster),
            ("service", &name),
            ("target_group_arn", &tg),
        ])
        .await;

    // Desired count 2: two courier processes answer /healthz; ListTasks shows two RUNNING tasks.
    steady_on(&ecs, &cluster, &name, &td, 2).await;
    let first = eventually(60, "two courier processes answering /healthz", || async {
        let procs = task_processes(agent.pid());
        (procs.len() == 2
            && procs
                .iter()
                .all(|(_, port)| answers_200(*port, "/healthz", "ok")))
        .then_some(procs)
    })
    .await;
    let (old_tasks, running) = running_tasks(&ecs, &cluster).await;
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
    eventually(30, "two healthy targets", || async {
        healthy(targets().await)
    })
    .await;
    env.stop_postgres();
    let unhealthy = in_state("unhealthy", "Target.ResponseCodeMismatch");
    eventually(30, "two unhealthy targets", || async {
        unhealthy(targets().await)
    })
    .await;
    env.start_postgres().unwrap();
    eventually(60, "two healthy targets again", || async {
        healthy(targets().await)
    })
    .await;
    let other = elb
        .describe_target_health()
        .target_group_arn(&other_tg)
        .send()
        .await
        .unwrap();
    assert!(other.target_health_descriptions().is_empty(), "{other:?}");

    // DescribeTasks: when each task started, and its container health check (GET /healthz).
    let described = describe_tasks(&ecs, &cluster, old_tasks.iter().cloned()).await;
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
    let forced = ecs
        .update_service()
        .cluster(&cluster)
        .service(&name)
        .force_new_deployment(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forced.service().unwrap().deployments().len(),
        2,
        "the new deployment shows at once"
    );
    steady_on(&ecs, &cluster, &name, &td, 2).await;
    eventually(60, "two new RUNNING tasks in place of the old", || async {
        let (tasks, running) = running_tasks(&ecs, &cluster).await;
        (running == 2 && tasks.is_disjoint(&old_tasks)).then_some(())
    })
    .await;
    let old = describe_tasks(&ecs, &cluster, old_tasks.iter().cloned()).await;
    assert_eq!(old.len(), 2, "{old:?}");
    for task in &old {
        assert_eq!(task.last_status(), Some("STOPPED"), "{task:?}");
        assert!(
            task.stopped_reason()
                .unwrap_or_default()
                .contains("deployment"),
            "{task:?}"
        );
    }
    let second = eventually(
        60,
        "two new courier processes answering /readyz",
        || async {
            let procs = task_processes(agent.pid());
            (procs.len() == 2
                && procs
                    .iter()
                    .all(|(_, port)| answers_200(*port, "/readyz", "ready")))
            .then_some(procs)
        },
    )
    .await;
    let old_pids: BTreeSet<i32> = first.iter().map(|(pid, _)| *pid).collect();
    assert!(
        second.iter().all(|(pid, _)| !old_pids.contains(pid)),
        "new processes: {first:?} then {second:?}"
    );
    let s = service(&ecs, &cluster, &name).await;
    assert!(
        s.events().iter().any(|e| e
            .message()
            .unwrap_or_default()
            .contains("has reached a steady state")),
        "{:?}",
        s.events()
    );
}
