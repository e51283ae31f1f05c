//! The agent's ECS control plane against a real moto: task processes for the service's desired
//! count, rolling deployments, rollback by task definition, the circuit breaker, log shipping.
//!
//! The container image here is an absolute path to python3 (the agent runs such an image as is):
//! a tiny HTTP task answering /healthz, /readyz and /env ($MARK), so that these tests do not
//! depend on the courier service.

mod common;

use aws_sdk_ecs::types::{
    ContainerDefinition, DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair,
    LaunchType, LogConfiguration, LogDriver,
};
use common::{eventually, service, steady_on, Agent};
use devstack::testenv::{unique_name, TestEnv};
use std::io::{Read, Write};

const TASK: &str = r#"
import http.server, os
mark = os.environ.get("MARK", "")
print("task starting mark=" + mark, flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = mark.encode() if self.path == "/env" else b"ok"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

fn python() -> String {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .expect("python3 on PATH")
        .display()
        .to_string()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split("\r\n\r\n").nth(1).map(str::to_owned)
}

/// What the tasks on ports `first..first+8` answer on /env.
fn marks(first: u16) -> Vec<String> {
    (first..first + 8).filter_map(|p| get(p, "/env")).collect()
}

async fn register(
    ecs: &aws_sdk_ecs::Client,
    family: &str,
    group: &str,
    mark: &str,
    command: &[&str],
) -> String {
    let container = ContainerDefinition::builder()
        .name("courier")
        .image(python())
        .memory(128)
        .set_command(Some(command.iter().map(|s| s.to_string()).collect()))
        .environment(KeyValuePair::builder().name("MARK").value(mark).build())
        .log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", group)
                .options("awslogs-stream-prefix", "courier")
                .build()
                .unwrap(),
        )
        .build();
    ecs.register_task_definition()
        .family(family)
        .container_definitions(container)
        .cpu("256")
        .memory("512")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_runs_rolls_rolls_back_and_ships_logs() {
    let env = TestEnv::shared().await;
    let stack = unique_name("ecs");
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
        ],
    );
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let cluster = unique_name("cluster");
    let name = unique_name("svc");
    let group = format!("/ecs/{stack}");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    let family = unique_name("family");
    let rev1 = register(&ecs, &family, &group, "one", &["-c", TASK]).await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&name)
        .task_definition(&rev1)
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
    agent
        .discovery(&[
            ("cluster", &cluster),
            ("service", &name),
            ("log_group", &group),
        ])
        .await;

    // Desired count 2: two processes answer, ListTasks shows two RUNNING tasks.
    steady_on(&ecs, &cluster, &name, &rev1, 2).await;
    assert_eq!(marks(first_port), ["one", "one"]);
    let arns = ecs
        .list_tasks()
        .cluster(&cluster)
        .send()
        .await
        .unwrap()
        .task_arns()
        .to_vec();
    let tasks = ecs
        .describe_tasks()
        .cluster(&cluster)
        .set_tasks(Some(arns.clone()))
        .send()
        .await
        .unwrap();
    let running: Vec<_> = tasks
        .tasks()
        .iter()
        .filter(|t| t.last_status() == Some("RUNNING"))
        .collect();
    assert_eq!(running.len(), 2, "{tasks:?}");

    // Their output reaches the log group, one stream per task named prefix/container/task-id.
    let task_id = arns[0].rsplit('/').next().unwrap().to_owned();
    eventually(30, "the task's log line in the log group", || async {
        let out = logs
            .filter_log_events()
            .log_group_name(&group)
            .log_stream_names(format!("courier/courier/{task_id}"))
            .send()
            .await
            .ok()?;
        out.events()
            .iter()
            .any(|e| e.message() == Some("task starting mark=one"))
            .then_some(())
    })
    .await;

    // A forced new deployment replaces the tasks; the old ones are STOPPED with a reason.
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
    let s = steady_on(&ecs, &cluster, &name, &rev1, 2).await;
    assert!(s.events().iter().any(|e| e
        .message()
        .unwrap_or_default()
        .contains("has reached a steady state")));
    let old = ecs
        .describe_tasks()
        .cluster(&cluster)
        .set_tasks(Some(arns.clone()))
        .send()
        .await
        .unwrap();
    for task in old.tasks() {
        assert_eq!(task.last_status(), Some("STOPPED"), "{task:?}");
        assert!(
            task.stopped_reason()
                .unwrap_or_default()
                .contains("deployment"),
            "{task:?}"
        );
    }

    // Another revision, then back to the older one whose env differs: the processes follow.
    let rev2 = register(&ecs, &family, &group, "two", &["-c", TASK]).await;
    ecs.update_service()
        .cluster(&cluster)
        .service(&name)
        .task_definition(&rev2)
        .send()
        .await
        .unwrap();
    steady_on(&ecs, &cluster, &name, &rev2, 2).await;
    assert_eq!(marks(first_port), ["two", "two"]);
    ecs.update_service()
        .cluster(&cluster)
        .service(&name)
        .task_definition(&rev1)
        .send()
        .await
        .unwrap();
    steady_on(&ecs, &cluster, &name, &rev1, 2).await;
    assert_eq!(marks(first_port), ["one", "one"]);

    // A revision whose container exits: the circuit breaker fails it and rolls back to rev1.
    let bad = register(
        &ecs,
        &family,
        &group,
        "bad",
        &["-c", "import sys; print('boom', flush=True); sys.exit(3)"],
    )
    .await;
    ecs.update_service()
        .cluster(&cluster)
        .service(&name)
        .task_definition(&bad)
        .send()
        .await
        .unwrap();
    let failed = eventually(90, "the bad deployment to fail and roll back", || async {
        let s = service(&ecs, &cluster, &name).await;
        let primary = s.deployments().first()?.clone();
        (s.task_definition() == Some(rev1.as_str())
            && primary.task_definition() == Some(rev1.as_str())
            && primary.rollout_state().map(|r| r.as_str()) == Some("COMPLETED")
            && s.running_count() == 2)
            .then_some(s)
    })
    .await;
    assert!(
        failed.events().iter().any(|e| e
            .message()
            .unwrap_or_default()
            .contains("deployment failed: tasks failed to start")),
        "{:?}",
        failed.events()
    );
    assert_eq!(marks(first_port), ["one", "one"]);
}
