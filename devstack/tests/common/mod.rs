//! An agent of one's own in front of the test binary's shared moto, for one stack name.

#![allow(dead_code)]

use devstack::testenv::TestEnv;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Agent {
    child: Child,
    pub port: u16,
    pub stack: String,
    pub state: tempfile::TempDir,
}

impl Agent {
    /// Start `devstack agent` for stack `stack` with fast loops, and wait until it answers.
    pub fn start(env: &TestEnv, stack: &str, extra: &[&str]) -> Agent {
        let state = tempfile::tempdir().expect("temp dir");
        for _ in 0..5 {
            let port = devstack::ports::free_port().unwrap();
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_devstack"));
            cmd.arg("agent")
                .args(["--moto-port", &env.moto_port().to_string()])
                .args(["--aws-port", &port.to_string()])
                .args(["--pg-port", &env.pg_port().to_string()])
                .arg("--state-dir")
                .arg(state.path())
                .args(["--stack", stack])
                .args(["--metrics-interval", "1", "--evaluation-interval", "1"])
                .args(extra)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .stdout(Stdio::inherit())
                .stderr(Stdio::inherit());
            let mut child = devstack::process::spawn_tied(cmd, libc::SIGTERM).unwrap();
            if devstack::moto::wait_ready(port, &mut child, Duration::from_secs(30)).is_ok() {
                return Agent {
                    child,
                    port,
                    stack: stack.to_owned(),
                    state,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("devstack agent did not start");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn sdk(&self) -> aws_config::SdkConfig {
        devstack::aws::sdk_config(&self.endpoint()).await
    }

    /// Write the stack's discovery parameters.
    pub async fn discovery(&self, values: &[(&str, &str)]) {
        let ssm = aws_sdk_ssm::Client::new(&self.sdk().await);
        for (key, value) in values {
            ssm.put_parameter()
                .name(format!("/stackdeck/{}/{key}", self.stack))
                .value(*value)
                .r#type(aws_sdk_ssm::types::ParameterType::String)
                .overwrite(true)
                .send()
                .await
                .unwrap();
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `check` every 250 ms until it gives a value or `secs` pass.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The service as moto (through the agent) describes it.
pub async fn service(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> aws_sdk_ecs::types::Service {
    ecs.describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .unwrap()
        .services()[0]
        .clone()
}

/// Wait (up to 120 s) for one COMPLETED deployment on `td` with `desired` tasks running.
pub async fn steady_on(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
    td: &str,
    desired: i32,
) -> aws_sdk_ecs::types::Service {
    eventually(120, &format!("a completed deployment of {td}"), || async {
        let s = service(ecs, cluster, name).await;
        let d = s.deployments();
        (d.len() == 1
            && d[0].task_definition() == Some(td)
            && d[0].rollout_state().map(|r| r.as_str()) == Some("COMPLETED")
            && d[0].running_count() == desired
            && s.running_count() == desired)
            .then_some(s)
    })
    .await
}
