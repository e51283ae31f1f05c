//! `devstack agent`: the local AWS endpoint. It listens where clients expect AWS
//! (127.0.0.1:4566), forwards every request to moto on a private port unchanged, and answers the
//! few operations where moto falls short from its own state (the interception list in
//! [`intercept`]). Background loops make the stack live: metrics, alarm evaluation, message move
//! tasks, and the ECS control plane that runs the service's tasks as local processes.

pub mod alarm_data;
pub mod alarms;
pub mod cloudwatch;
pub mod discovery;
pub mod ecs;
pub mod elb;
pub mod lb;
pub mod logs;
pub mod math;
pub mod metrics;
pub mod procs;
pub mod proxy;
pub mod queues;
pub mod sqs;
pub mod sqs_counts;

use anyhow::{Context, Result};
use aws_config::SdkConfig;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::Response;
use proxy::{Call, MotoClient};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the agent needs to know; `devstack up` fills it in from its settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The local AWS endpoint's port (4566).
    pub listen_port: u16,
    /// moto's private port.
    pub moto_port: u16,
    /// The stack whose discovery parameters (`/stackdeck/<stack>/`) the loops read.
    pub stack: String,
    /// The local PostgreSQL standing in for RDS (for AWS/RDS metrics), if any.
    pub pg_port: Option<u16>,
    pub pg_data: Option<PathBuf>,
    /// How often metrics are put (10–60 s for the stack; tests use less).
    pub metrics_interval: Duration,
    /// How often alarms are evaluated.
    pub evaluation_interval: Duration,
    /// How often the ECS control plane reconciles tasks with the service.
    pub control_interval: Duration,
    /// The first courier task's port (5678); the next tasks take the next free ones.
    pub first_task_port: u16,
    /// The binary an ECS container image maps to (`target/debug/courier`).
    pub courier_bin: PathBuf,
    /// Where task output is kept besides the log group.
    pub log_dir: PathBuf,
    /// The local load balancer's port (8080 for `devstack up`; `None`: no listener).
    pub lb_port: Option<u16>,
}

/// The running agent: its settings, its moto clients and the state of each intercepted service.
pub struct Agent {
    pub config: Config,
    pub(crate) client: MotoClient,
    /// SDK configuration pointed at moto itself (the agent never calls through itself).
    pub sdk: SdkConfig,
    pub cloudwatch: cloudwatch::State,
    pub sqs: sqs::State,
    /// Messages received and deleted through the agent, for the metrics loop.
    pub sqs_counts: sqs_counts::Counts,
    pub ecs: ecs::State,
    /// The last non-empty discovery read and when it was made (see [`Agent::discover`]).
    discovered: std::sync::Mutex<Option<(std::time::Instant, discovery::Stack)>>,
    /// The local load balancer: its targets' requests in flight and the interval's counts.
    pub lb: lb::State,
    /// The messages of the stack's queues, served from memory (see [`queues`]).
    pub queues: queues::Queues,
}

impl Agent {
    pub async fn new(config: Config) -> Arc<Agent> {
        let sdk = crate::aws::sdk_config(&format!("http://127.0.0.1:{}", config.moto_port)).await;
        Arc::new(Agent {
            client: proxy::moto_client(),
            sdk,
            cloudwatch: Default::default(),
            sqs: Default::default(),
            sqs_counts: Default::default(),
            ecs: ecs::State::new(&config),
            discovered: Default::default(),
            lb: Default::default(),
            queues: Default::default(),
            config,
        })
    }

    /// Send `call` to moto unchanged.
    pub async fn forward(&self, call: &Call) -> Result<Response<Full<Bytes>>> {
        proxy::forward(&self.client, self.config.moto_port, call).await
    }

    /// The stack's discovery parameters, read from moto's SSM. The three loops share one read
    /// for the longest of their intervals (10 s by default): read on every control cycle, the
    /// parameters (two GetParametersByPath pages) were a third of the agent's calls at rest. An
    /// empty read is not kept, so a stack applied after the agent started is seen at once.
    pub async fn discover(&self) -> Result<discovery::Stack> {
        let fresh_for = self
            .config
            .control_interval
            .max(self.config.metrics_interval)
            .max(self.config.evaluation_interval);
        if let Some((at, stack)) = self.discovered.lock().expect("discovery lock").as_ref() {
            if at.elapsed() < fresh_for {
                return Ok(stack.clone());
            }
        }
        let stack = discovery::read(&self.sdk, &self.config.stack).await?;
        if !stack.is_empty() {
            *self.discovered.lock().expect("discovery lock") =
                Some((std::time::Instant::now(), stack.clone()));
        }
        Ok(stack)
    }
}

/// The interception list: every operation the agent answers or amends, one module per service.
/// Everything else goes to moto unchanged.
pub async fn intercept(agent: &Arc<Agent>, call: &Call) -> Option<Result<Response<Full<Bytes>>>> {
    let answer = match (call.op.service.as_str(), call.op.name.as_str()) {
        // CloudWatch: moto answers 500; the agent keeps the history of the states it sets.
        ("monitoring", "DescribeAlarmHistory") => cloudwatch::describe_alarm_history(agent, call),
        // CloudWatch: forwarded, and the change recorded in the history.
        ("monitoring", "SetAlarmState") => cloudwatch::set_alarm_state(agent, call).await,
        // SQS: moto answers 500 to the message move APIs.
        ("sqs", "StartMessageMoveTask") => sqs::start_message_move_task(agent, call).await,
        ("sqs", "ListMessageMoveTasks") => sqs::list_message_move_tasks(agent, call).await,
        ("sqs", "CancelMessageMoveTask") => sqs::cancel_message_move_task(agent, call),
        // SQS: the stack's queues (`queue_url`, `dlq_url`) are the agent's store: their message
        // operations are answered from memory, GetQueueAttributes gets the store's counts, and
        // PurgeQueue / SetQueueAttributes / DeleteQueue go to moto, then the store follows. Other
        // queues fall through to the arms below (or moto).
        ("sqs", op) if call.op.json && queues::ops::OPERATIONS.contains(&op) => {
            match queues::ops::sqs(agent, call).await {
                Some(answer) => answer,
                None => match op {
                    "PurgeQueue" => sqs::purge_queue(agent, call).await,
                    "ReceiveMessage" | "DeleteMessage" | "DeleteMessageBatch" => {
                        sqs_counts::forward(agent, call).await
                    }
                    _ => agent.forward(call).await,
                },
            }
        }
        // SNS: Publish / PublishBatch of the stack's topic delivered into the store queues
        // subscribed to it; Subscribe, Unsubscribe, SetSubscriptionAttributes and DeleteTopic
        // forwarded, and the subscriptions read again.
        (
            "sns",
            "Publish"
            | "PublishBatch"
            | "Subscribe"
            | "Unsubscribe"
            | "SetSubscriptionAttributes"
            | "DeleteTopic",
        ) => match queues::sns::intercept(agent, call).await {
            Some(answer) => answer,
            None => agent.forward(call).await,
        },
        // SQS: one purge per queue per 60 s, as AWS enforces.
        ("sqs", "PurgeQueue") if call.op.json => sqs::purge_queue(agent, call).await,
        // SQS: forwarded, and the messages counted for NumberOfMessagesReceived / …Deleted.
        ("sqs", "ReceiveMessage" | "DeleteMessage" | "DeleteMessageBatch") if call.op.json => {
            sqs_counts::forward(agent, call).await
        }
        // ECS: the control plane's deployments, counts and events laid over moto's service.
        ("ecs", "DescribeServices") => ecs::describe_services(agent, call).await,
        ("ecs", "UpdateService") => ecs::update_service(agent, call).await,
        // ECS: the service-deployment APIs, which moto lacks, from the control plane's history.
        ("ecs", "ListServiceDeployments") => ecs::deployments_api::list(agent, call).await,
        ("ecs", "DescribeServiceDeployments") => ecs::deployments_api::describe(agent, call).await,
        ("ecs", "DescribeServiceRevisions") => {
            ecs::deployments_api::describe_revisions(agent, call).await
        }
        ("ecs", "StopServiceDeployment") => ecs::deployments_api::stop(agent, call).await,
        // ECS: moto drops the deployment configuration and capacity provider strategy.
        ("ecs", "CreateService") => ecs::create_service(agent, call).await,
        // ECS: a stop of one of the agent's tasks stops its process; the service replaces it.
        ("ecs", "StopTask") => ecs::stop_task(agent, call).await,
        // ECS: moto's task answers have numbers where the SDK expects strings.
        ("ecs", "DescribeTasks" | "RunTask") => ecs::normalise_tasks(agent, call).await,
        // ELB: moto knows nothing of the tasks the agent runs; their health is the agent's.
        ("elasticloadbalancing", "DescribeTargetHealth") => {
            return elb::describe_target_health(agent, call).await
        }
        _ => return None,
    };
    Some(answer)
}

/// Seconds since the Unix epoch, as a float (the JSON protocols' timestamp format).
pub fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// Run the agent until SIGTERM or SIGINT; then stop the tasks it runs and return.
pub async fn run(config: Config) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.listen_port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{}: is another AWS endpoint running there?",
                config.listen_port
            )
        })?;
    let lb_listener = match config.lb_port {
        Some(port) => Some(lb::serve::bind(port).await?),
        None => None,
    };
    let agent = Agent::new(config).await;
    ecs::keep_tasks_running_in_moto(&agent).await?;

    let mut loops = tokio::task::JoinSet::new();
    loops.spawn(proxy::serve(listener, agent.clone()));
    loops.spawn(metrics::run(agent.clone()));
    loops.spawn(alarms::run(agent.clone()));
    loops.spawn(ecs::run(agent.clone()));
    if let Some(listener) = lb_listener {
        loops.spawn(lb::serve::serve(listener, agent.clone()));
        loops.spawn(lb::health::run(agent.clone()));
    }
    loops.spawn(queues::run(agent.clone()));

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    loops.abort_all();
    agent.ecs.stop_all_processes().await;
    // The stopped tasks consume nothing more: the store's messages go back to moto's queues.
    queues::hand_back_all(&agent).await;
    Ok(())
}
