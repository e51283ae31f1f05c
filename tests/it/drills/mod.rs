//! The drills of `devstack drill`, end to end: each test builds a stack whose tasks are courier
//! processes behind a devstack agent of its own (its own moto and PostgreSQL too: an alarm's
//! metric is the test's alone), runs the drill, sees its signal in `stackdeck status --format
//! json`, applies the drill's documented fix and sees recovery. Alarm periods are shortened.

mod bad_deploy;
mod errors;
mod poison;
mod slow_db;
mod stall_worker;
mod task_kill;

use super::kit::text;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use aws_sdk_sqs::types::QueueAttributeName;
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{create_queue, Revision, Stack, StackBuilder};
use devstack::testkit::{courier, first_task_port};
use std::process::{Output, Stdio};
use std::time::Duration;

/// How the drill's stack is built.
pub struct Setup {
    /// The work queue's visibility timeout, seconds.
    pub visibility: u32,
    /// Receives before the redrive policy moves a message to the DLQ.
    pub max_receive: u32,
    /// The service's desired count.
    pub desired: i32,
    /// stackdeck's config file.
    pub config: &'static str,
    /// The stack has its log group (`/ecs/<name>`, discovery parameter `log_group`): the agent
    /// ships the tasks' output there, for `stackdeck logs`.
    pub log_group: bool,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            visibility: 30,
            max_receive: 5,
            desired: 1,
            config: "",
            log_group: false,
        }
    }
}

/// A drill's stack: courier tasks behind an agent, the queue with its DLQ, and stackdeck.
pub struct DrillStack {
    pub stack: Stack,
    pub agent: Agent,
    pub queue_url: String,
    pub dlq_url: String,
    /// courier's database.
    pub database_url: String,
    /// The `db_instance_id` parameter: the agent's AWS/RDS metrics of the local PostgreSQL
    /// carry it as `DBInstanceIdentifier`.
    pub db_instance_id: String,
    /// The `LoadBalancer` dimension of the agent's AWS/ApplicationELB metrics: the
    /// `app/<name>/<id>` suffix of the published `load_balancer_arn`.
    pub load_balancer: String,
    /// stackdeck's config (`config.toml`) and state (`state/`, its audit log).
    pub work: tempfile::TempDir,
    /// Kept to the end (dropped last): moto and PostgreSQL.
    _env: TestEnv,
}

impl DrillStack {
    /// Start moto, PostgreSQL and an agent (metrics and alarms every 2 s), build the stack with
    /// revision 1 (courier, role `all`) and wait for its deployment to complete.
    pub async fn start(prefix: &str, setup: Setup) -> DrillStack {
        let bin = tokio::task::spawn_blocking(|| {
            courier::binary(std::path::Path::new(env!("CARGO_BIN_EXE_stackdeck")))
        })
        .await
        .unwrap();
        let env = tokio::task::spawn_blocking(TestEnv::start)
            .await
            .unwrap()
            .expect("start moto and PostgreSQL");
        let database_url = env.create_database(devstack::COURIER_DB).await.unwrap();
        let name = unique_name(prefix);
        let sdk = env.sdk_config().await;
        let topic_arn = courier::create_table_and_topic(&sdk, &name).await;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let (dlq_url, dlq_arn) = create_queue(&sqs, &format!("{name}-dlq"), &[])
            .await
            .unwrap();
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dlq_arn,
            "maxReceiveCount": setup.max_receive,
        });
        let (queue_url, queue_arn) = create_queue(
            &sqs,
            &name,
            &[
                (QueueAttributeName::RedrivePolicy, redrive.to_string()),
                (
                    QueueAttributeName::VisibilityTimeout,
                    setup.visibility.to_string(),
                ),
            ],
        )
        .await
        .unwrap();
        courier::subscribe(&sdk, &topic_arn, &queue_arn).await;
        let courier_env = vec![
            ("COURIER_TABLE", name.clone()),
            ("COURIER_TOPIC_ARN", topic_arn.clone()),
            ("COURIER_QUEUE_URL", queue_url.clone()),
            ("COURIER_SQS_WAIT_SECONDS", "1".to_owned()),
            ("COURIER_SHUTDOWN_SECONDS", "5".to_owned()),
            ("COURIER_DB_POOL", "4".to_owned()),
            ("RUST_LOG", "info".to_owned()),
        ];

        let mut builder = StackBuilder::new(prefix);
        if setup.log_group {
            builder = builder.log_group();
        }
        let options = Options {
            metrics_interval: Duration::from_secs(2),
            evaluation_interval: Duration::from_secs(2),
            first_task_port: first_task_port(),
            courier_bin: bin,
            postgres: true,
            lb: true,
            ..Options::stack(builder.name())
        };
        let agent = Agent::start(&env, options).await;
        let revision = revision(&courier_env, "all");
        let stack = builder
            .revision(revision)
            .service(setup.desired)
            .circuit_breaker()
            .build(&agent.sdk().await)
            .await
            .unwrap();
        let table = name.clone();
        // What terraform publishes and the agent's metrics need: the database instance and the
        // load balancer (its port is the agent's).
        let db_instance_id = format!("{name}-db");
        let load_balancer = format!("app/{name}/1f2e3d4c5b6a7980");
        let lb_arn = format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/{load_balancer}"
        );
        stack
            .publish([
                ("queue_url", queue_url.as_str()),
                ("dlq_url", dlq_url.as_str()),
                ("topic_arn", topic_arn.as_str()),
                ("dynamodb_table", table.as_str()),
                ("db_instance_id", db_instance_id.as_str()),
                ("load_balancer_arn", lb_arn.as_str()),
            ])
            .await;
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("config.toml"), setup.config).unwrap();
        stack.wait_completed(Duration::from_secs(90)).await;
        DrillStack {
            stack,
            agent,
            queue_url,
            dlq_url,
            database_url,
            db_instance_id,
            load_balancer,
            work,
            _env: env,
        }
    }

    /// The drill library's view of this stack (traffic through the agent's load balancer).
    pub async fn target(&self, duration: Option<Duration>) -> devstack::drill::Target {
        devstack::drill::Target {
            sdk: self.agent.sdk().await,
            stack: self.stack.name.clone(),
            courier_url: self.agent.lb_url(),
            database_url: self.database_url.clone(),
            duration,
            rate: 5,
        }
    }

    /// An alarm `<alarm_prefix><suffix>` on one metric, `periods` periods of `period` seconds
    /// over `threshold` (the stack's alarms, shortened).
    pub async fn alarm(&self, suffix: &str, metric: Metric<'_>, periods: i32, threshold: f64) {
        let (name, value) = metric.dimension;
        aws_sdk_cloudwatch::Client::new(&self.agent.sdk().await)
            .put_metric_alarm()
            .alarm_name(format!("{}{suffix}", self.stack.alarm_prefix))
            .namespace(metric.namespace)
            .metric_name(metric.name)
            .dimensions(Dimension::builder().name(name).value(value).build())
            .statistic(metric.statistic)
            .period(60)
            .evaluation_periods(periods)
            .threshold(threshold)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .unwrap();
    }

    /// `stackdeck --stack <stack> --config <work>/config.toml args…`, its audit log in `work`.
    pub fn run(&self, args: &[&str]) -> Output {
        super::kit::stackdeck(&self.agent.endpoint())
            .args(["--stack", &self.stack.name, "--config"])
            .arg(self.work.path().join("config.toml"))
            .args(args)
            .env("XDG_STATE_HOME", self.work.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .expect("run stackdeck")
    }

    /// `stackdeck status --format json`.
    pub fn status(&self) -> Status {
        let out = self.run(&["status", "--format", "json"]);
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("status JSON: {e}\n{}", text(&out)));
        Status { json }
    }
}

/// One metric of an alarm: namespace, name, its one dimension and the statistic.
pub struct Metric<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub dimension: (&'a str, &'a str),
    pub statistic: Statistic,
}

/// What `stackdeck status --format json` said.
pub struct Status {
    pub json: serde_json::Value,
}

impl Status {
    /// The warnings' codes.
    pub fn warnings(&self) -> Vec<String> {
        self.json["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(|w| w["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The state of the stack's alarm whose name ends with `suffix` ("missing" without one).
    pub fn alarm(&self, suffix: &str) -> String {
        self.json["snapshot"]["alarms"]["Ok"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|a| a["name"].as_str().is_some_and(|n| n.ends_with(suffix)))
            })
            .and_then(|a| a["state"].as_str())
            .unwrap_or("missing")
            .to_owned()
    }

    /// Visible messages of the work queue (`visible`) or of its DLQ (`dlq_visible`); -1 when
    /// unread.
    pub fn queue(&self, field: &str) -> i64 {
        self.json["snapshot"]["queue"]["Ok"][field]
            .as_i64()
            .unwrap_or(-1)
    }
}

fn revision(courier_env: &[(&'static str, String)], role: &str) -> Revision {
    courier_env
        .iter()
        .fold(Revision::image("courier:local").memory(256), |r, (k, v)| {
            r.env(k, v)
        })
        .env("COURIER_ROLE", role)
}
