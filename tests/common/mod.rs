//! Shared by the integration tests: [`publish`], the SSM discovery parameters of a test's stack;
//! and a stack for tests that need the devstack agent in front of moto (it runs the service's
//! tasks, rolls deployments, and answers the message move tasks moto lacks): the agent in
//! process, a service whose tasks are a python stand-in answering /healthz and /readyz, two
//! revisions, a work queue whose redrive policy names its DLQ, and the discovery parameters.
#![allow(dead_code)]

use aws_sdk_ecs::types::{
    ContainerDefinition, DeploymentCircuitBreaker, DeploymentConfiguration, KeyValuePair,
    LaunchType,
};
use devstack::testenv::{unique_name, TestEnv};
use std::time::{Duration, Instant};

/// Publish `/stackdeck/{stack}/{key}` = value for each parameter: the discovery contract of
/// DESIGN.md, written out here rather than with stackdeck's own code, so a test of discovery
/// cannot agree with a mistake in it.
pub async fn publish<V: AsRef<str>>(
    ssm: &aws_sdk_ssm::Client,
    stack: &str,
    params: impl IntoIterator<Item = (&'static str, V)>,
) {
    for (key, value) in params {
        ssm.put_parameter()
            .name(format!("/stackdeck/{stack}/{key}"))
            .value(value.as_ref())
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutParameter /stackdeck/{stack}/{key}: {e:?}"));
    }
}

/// A task that answers /healthz and /readyz on $COURIER_PORT, like courier does.
pub const TASK: &str = r#"
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["COURIER_PORT"])), H).serve_forever()
"#;

pub fn python() -> String {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .expect("python3 on PATH")
        .display()
        .to_string()
}

/// Register a revision of `family` running python with `command`; its ARN.
pub async fn register(
    ecs: &aws_sdk_ecs::Client,
    family: &str,
    command: &[&str],
    revision_env: &str,
) -> String {
    ecs.register_task_definition()
        .family(family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("courier")
                // The agent runs an absolute path as the container's program.
                .image(python())
                .set_command(Some(command.iter().map(|c| c.to_string()).collect()))
                .memory(256)
                .environment(
                    KeyValuePair::builder()
                        .name("REVISION")
                        .value(revision_env)
                        .build(),
                )
                .build(),
        )
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

pub struct AgentStack {
    pub name: String,
    /// The agent's endpoint (what stackdeck talks to).
    pub endpoint: String,
    pub sdk: aws_config::SdkConfig,
    pub cluster: String,
    pub service: String,
    pub family: String,
    /// Revision ARNs, oldest first; the service starts on the last one.
    pub revisions: Vec<String>,
    pub queue_url: String,
    pub dlq_url: String,
    pub work: tempfile::TempDir,
}

/// Start an agent in this process in front of `env`'s moto and build the stack behind it;
/// returns once the service's first deployment is COMPLETED.
pub async fn agent_stack(env: &TestEnv, prefix: &str) -> AgentStack {
    let name = unique_name(prefix).replace('_', "-");
    let work = tempfile::tempdir().unwrap();
    let listen_port = devstack::ports::free_port().unwrap();
    let first_task_port = devstack::ports::free_port()
        .unwrap()
        .saturating_sub(10)
        .max(20000);
    let config = devstack::agent::Config {
        listen_port,
        moto_port: env.moto_port(),
        stack: name.clone(),
        pg_port: None,
        pg_data: None,
        metrics_interval: Duration::from_secs(5),
        evaluation_interval: Duration::from_secs(5),
        control_interval: Duration::from_millis(300),
        first_task_port,
        courier_bin: python().into(),
        log_dir: work.path().join("logs"),
    };
    tokio::spawn(devstack::agent::run(config));
    let endpoint = format!("http://127.0.0.1:{listen_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !devstack::moto::answers(listen_port) {
        assert!(Instant::now() < deadline, "the agent did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let sdk = devstack::aws::sdk_config(&endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let cluster = format!("{name}-cluster");
    let service = format!("{name}-svc");
    let family = format!("{name}-courier");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let mut revisions = Vec::new();
    for revision in ["1", "2"] {
        revisions.push(register(&ecs, &family, &["-c", TASK], revision).await);
    }
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(revisions.last().unwrap())
        .desired_count(1)
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
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3 }).to_string(),
        )
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    publish(
        &ssm,
        &name,
        [
            ("cluster", cluster.as_str()),
            ("service", service.as_str()),
            ("task_family", family.as_str()),
            ("queue_url", queue_url.as_str()),
            ("dlq_url", dlq_url.as_str()),
            ("alarm_prefix", &format!("{name}-")),
        ],
    )
    .await;
    let stack = AgentStack {
        name,
        endpoint,
        sdk,
        cluster,
        service,
        family,
        revisions,
        queue_url,
        dlq_url,
        work,
    };
    stack.wait_completed(Duration::from_secs(60)).await;
    stack
}

impl AgentStack {
    /// (primary deployment's task definition, its rollout state, deployment ids), as ECS says.
    pub async fn deployments(&self) -> (String, String, Vec<String>) {
        let out = aws_sdk_ecs::Client::new(&self.sdk)
            .describe_services()
            .cluster(&self.cluster)
            .services(&self.service)
            .send()
            .await
            .unwrap();
        let svc = &out.services()[0];
        let primary = svc
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"))
            .expect("a primary deployment");
        (
            primary.task_definition().unwrap_or_default().to_owned(),
            primary
                .rollout_state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            svc.deployments()
                .iter()
                .filter_map(|d| d.id().map(str::to_owned))
                .collect(),
        )
    }

    /// Wait until the primary deployment is COMPLETED.
    pub async fn wait_completed(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let (_, rollout, _) = self.deployments().await;
            if rollout == "COMPLETED" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the service's deployment is still {rollout}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Visible messages of a queue.
    pub async fn depth(&self, url: &str) -> i64 {
        aws_sdk_sqs::Client::new(&self.sdk)
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap()
            .attributes()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    pub async fn send(&self, url: &str, n: usize) {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        for i in 0..n {
            sqs.send_message()
                .queue_url(url)
                .message_body(format!("m{i}"))
                .send()
                .await
                .unwrap();
        }
    }

    /// The audit log of this stack's state directory.
    pub fn audit_path(&self) -> std::path::PathBuf {
        self.work.path().join("state/stackdeck/audit.jsonl")
    }

    pub fn audit(&self) -> Vec<stackdeck::ops::audit::Record> {
        stackdeck::ops::audit::tail(&self.audit_path(), 1000).unwrap()
    }
}
