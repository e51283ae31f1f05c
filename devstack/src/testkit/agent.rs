//! A devstack agent of a test's own in front of a [`TestEnv`]'s moto, run in the test process on
//! a runtime of its own (so that it answers whatever the test's runtime is doing), stopped with
//! the tasks it runs when dropped.

use super::eventually;
use crate::testenv::{unique_name, TestEnv};
use std::path::PathBuf;
use std::time::Duration;

/// How an agent runs: the stack it serves and how fast its loops go.
#[derive(Clone, Debug)]
pub struct Options {
    /// The stack whose discovery parameters the agent reads (default: a unique name nothing is
    /// published under, so the loops have nothing to do and the agent only forwards and amends).
    pub stack: String,
    pub metrics_interval: Duration,
    pub evaluation_interval: Duration,
    pub control_interval: Duration,
    /// The first task's port (default: [`super::first_task_port`]).
    pub first_task_port: u16,
    /// What container images that are not absolute paths map to (default: python3, see
    /// [`super::TASK`]).
    pub courier_bin: PathBuf,
    /// Give the agent the environment's PostgreSQL (for the AWS/RDS metrics and courier tasks).
    pub postgres: bool,
    /// Run the local load balancer, on a free port ([`Agent::lb_url`]).
    pub lb: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            stack: unique_name("no-stack"),
            metrics_interval: Duration::from_secs(1),
            evaluation_interval: Duration::from_secs(1),
            control_interval: Duration::from_millis(300),
            first_task_port: super::first_task_port(),
            courier_bin: super::python().into(),
            postgres: false,
            lb: false,
        }
    }
}

impl Options {
    pub fn stack(stack: &str) -> Options {
        Options {
            stack: stack.to_owned(),
            ..Default::default()
        }
    }

    /// Loops that never run within a test: a forwarding endpoint only.
    pub fn idle() -> Options {
        let idle = Duration::from_secs(3600);
        Options {
            metrics_interval: idle,
            evaluation_interval: idle,
            control_interval: idle,
            ..Default::default()
        }
    }
}

pub struct Agent {
    pub port: u16,
    /// The local load balancer's port, when [`Options::lb`] asked for one.
    pub lb_port: Option<u16>,
    pub stack: String,
    /// The agent's own folder: task logs under `logs/`.
    pub state: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Agent {
    /// Start the agent and wait until it answers.
    pub async fn start(env: &TestEnv, options: Options) -> Agent {
        let state = tempfile::tempdir().expect("temp dir");
        for _ in 0..5 {
            let port = crate::ports::free_port().expect("a free port");
            let lb_port = options
                .lb
                .then(|| crate::ports::free_port().expect("a free port"));
            let config = crate::agent::Config {
                listen_port: port,
                moto_port: env.moto_port(),
                stack: options.stack.clone(),
                pg_port: options.postgres.then(|| env.pg_port()),
                // The environment's cluster: its processes are the AWS/RDS CPU.
                pg_data: options.postgres.then(|| env.pg_data().to_owned()),
                metrics_interval: options.metrics_interval,
                evaluation_interval: options.evaluation_interval,
                control_interval: options.control_interval,
                first_task_port: options.first_task_port,
                courier_bin: options.courier_bin.clone(),
                log_dir: state.path().join("logs"),
                lb_port,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("devstack-agent")
                .enable_all()
                .build()
                .expect("the agent's runtime");
            let running = runtime.spawn(crate::agent::run(config));
            let up = eventually(
                Duration::from_secs(30),
                "the devstack agent to answer",
                || async {
                    if running.is_finished() {
                        return Some(false); // the port was taken meanwhile: another one
                    }
                    let answers = tokio::task::spawn_blocking(move || crate::moto::answers(port))
                        .await
                        .unwrap_or(false);
                    answers.then_some(true)
                },
            )
            .await;
            if up {
                return Agent {
                    port,
                    lb_port,
                    stack: options.stack,
                    state,
                    runtime: Some(runtime),
                };
            }
            runtime.shutdown_background();
        }
        panic!("the devstack agent did not start");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The local load balancer's base URL (`http://127.0.0.1:<port>`; the agent runs one when
    /// [`Options::lb`] asked for it).
    pub fn lb_url(&self) -> String {
        let port = self
            .lb_port
            .expect("an agent started with Options { lb: true, .. }");
        format!("http://127.0.0.1:{port}")
    }

    /// SDK configuration for the agent's endpoint.
    pub async fn sdk(&self) -> aws_config::SdkConfig {
        crate::aws::sdk_config(&self.endpoint()).await
    }

    /// Write the agent's stack's discovery parameters.
    pub async fn discovery(&self, values: &[(&str, &str)]) {
        let ssm = aws_sdk_ssm::Client::new(&self.sdk().await);
        super::stack::publish(&ssm, &self.stack, values.iter().copied()).await;
    }

    /// The process the agent runs in, whose children its tasks are: this one.
    pub fn pid(&self) -> i32 {
        std::process::id() as i32
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // Dropping the agent's tasks drops its task processes, which are killed on drop.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
