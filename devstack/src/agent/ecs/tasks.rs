//! The service's task processes: started as moto records them (RunTask, with the service's
//! network) and as the container asks (courier, its arguments and environment, with ECS's own
//! `ECS_CONTAINER_METADATA_URI_V4` naming the task), stopped with SIGTERM and then SIGKILL; a
//! process that exits by itself is stopped with ECS's reason ([`exit_reason`]).

use super::super::{logs, Agent};
use super::state::Task;
use anyhow::{Context, Result};
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinition};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::process::Child;

/// How long a stopping task gets between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long moto's state manager may take to answer (it answers in milliseconds).
const MOTO_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    }
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// Tell moto's state manager to keep tasks where they are: by default a task started with RunTask
/// drifts one state toward STOPPED on every describe call.
pub async fn keep_tasks_running_in_moto(agent: &Agent) -> Result<()> {
    let url = format!(
        "http://127.0.0.1:{}/moto-api/state-manager/set-transition",
        agent.config.moto_port
    );
    let body = json!({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000_000u64}});
    let (status, _) = crate::http::post_json(&url, &[], &body, MOTO_TIMEOUT)
        .await
        .context("cannot reach moto's state manager")?;
    anyhow::ensure!(
        status.is_success(),
        "moto's state manager answered {status}"
    );
    Ok(())
}

/// RunTask in moto, spoken as raw JSON: moto's answer has numbers where the SDK expects strings
/// (task `cpu`/`memory`), which the SDK refuses to parse.
async fn run_task(
    agent: &Agent,
    cluster: &str,
    task_definition: &str,
    deployment: &str,
    service: &str,
) -> Result<String> {
    let mut body = json!({
        "cluster": cluster,
        "taskDefinition": task_definition,
        "launchType": "FARGATE",
        "startedBy": deployment,
        "group": format!("service:{service}"),
    });
    // awsvpc task definitions (every real stack's) need the service's network configuration.
    if let Some(network) = service_network(agent, cluster, service).await {
        body["networkConfiguration"] = network;
    }
    let request = hyper::http::Request::post(format!("http://127.0.0.1:{}/", agent.config.moto_port))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AmazonEC2ContainerServiceV20141113.RunTask")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(Full::new(Bytes::from(body.to_string())))?;
    let response = agent
        .client
        .request(request)
        .await
        .context("RunTask: moto did not answer")?;
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .context("RunTask: cannot read moto's answer")?
        .to_bytes();
    let answer: Value =
        serde_json::from_slice(&bytes).context("RunTask: moto's answer is not JSON")?;
    answer["tasks"][0]["taskArn"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("RunTask in moto started no task: {answer}"))
}

/// The service's awsvpc network configuration, as RunTask's JSON wants it; `None` when it has none.
async fn service_network(agent: &Agent, cluster: &str, service: &str) -> Option<Value> {
    let described = aws_sdk_ecs::Client::new(&agent.sdk)
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .ok()?;
    let vpc = described
        .services()
        .first()?
        .network_configuration()?
        .awsvpc_configuration()?;
    Some(json!({
        "awsvpcConfiguration": {
            "subnets": vpc.subnets(),
            "securityGroups": vpc.security_groups(),
            "assignPublicIp": "DISABLED",
        }
    }))
}

/// A port for a new task: the first free one from `first`, not used by our tasks.
fn task_port(first: u16, used: &[u16]) -> u16 {
    (first..u16::MAX)
        .find(|p| !used.contains(p) && crate::ports::is_free(*p))
        .unwrap_or(first)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn start_task(
    agent: &Agent,
    cluster: &str,
    service: &str,
    deployment: &str,
    td: &TaskDefinition,
    stack: &super::super::discovery::Stack,
) -> Result<(Task, Child)> {
    let container = td
        .container_definitions()
        .first()
        .cloned()
        .context("the task definition has no container")?;
    let arn = run_task(
        agent,
        cluster,
        td.task_definition_arn().unwrap_or_default(),
        deployment,
        service,
    )
    .await?;
    let used: Vec<u16> = agent
        .ecs
        .service
        .lock()
        .expect("ecs lock")
        .as_ref()
        .map(|s| s.tasks.iter().map(|t| t.port).collect())
        .unwrap_or_default();
    let port = task_port(agent.config.first_task_port, &used);
    let task_id = arn.rsplit('/').next().unwrap_or_default().to_owned();
    let mut cmd = command(agent, &container, port, &task_id);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().with_context(|| {
        format!(
            "cannot start {:?} for task {arn}",
            cmd.as_std().get_program()
        )
    })?;
    let prefix = container
        .log_configuration()
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-stream-prefix").cloned())
        .unwrap_or_else(|| "ecs".into());
    let stream = format!(
        "{prefix}/{}/{task_id}",
        container.name().unwrap_or("courier")
    );
    logs::ship(
        agent,
        stack.get("log_group").map(str::to_owned),
        stream,
        child.stdout.take(),
        child.stderr.take(),
    );
    let memory_mib = container
        .memory()
        .or(td.memory().and_then(|m| m.parse().ok()))
        .unwrap_or(512)
        .max(1) as f64;
    let task = Task {
        arn,
        deployment: deployment.to_owned(),
        port,
        pid: child.id().unwrap_or_default() as i32,
        memory_mib,
        started_at: super::super::now_secs(),
        ready: false,
    };
    Ok((task, child))
}

/// The process of a container: its image maps to the courier binary (or, when the image is an
/// absolute path to an executable on this machine, to that), its `command` are the arguments,
/// its environment the container's plus the local endpoint, database and port, and the task
/// metadata endpoint's variable ECS sets in every container ([`metadata_uri`]).
fn command(
    agent: &Agent,
    container: &ContainerDefinition,
    port: u16,
    task_id: &str,
) -> tokio::process::Command {
    let image = container.image().unwrap_or_default();
    let program = if image.starts_with('/') && std::path::Path::new(image).is_file() {
        std::path::PathBuf::from(image)
    } else {
        agent.config.courier_bin.clone()
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(container.command());
    cmd.env_remove("AWS_PROFILE");
    for kv in container.environment() {
        if let (Some(k), Some(v)) = (kv.name(), kv.value()) {
            cmd.env(k, v);
        }
    }
    let endpoint = format!("http://127.0.0.1:{}", agent.config.listen_port);
    cmd.env("COURIER_PORT", port.to_string())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", crate::REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env(METADATA_VARIABLE, metadata_uri(task_id));
    if let Some(pg) = agent.config.pg_port {
        cmd.env(
            "DATABASE_URL",
            crate::postgres::database_url(pg, crate::COURIER_DB),
        );
    }
    cmd
}

/// The variable ECS sets in every container of a task: its task metadata endpoint.
pub const METADATA_VARIABLE: &str = "ECS_CONTAINER_METADATA_URI_V4";

/// The task metadata endpoint of task `task_id`, at ECS's link-local address (nothing answers
/// there locally): the path ends in the task's id, so a process says which task it is — how
/// `devstack drill task-kill` finds the process of a task the ECS API lists.
pub fn metadata_uri(task_id: &str) -> String {
    format!("http://169.254.170.2/v4/{task_id}")
}

/// The stopped reason of a task whose essential container exited by itself, as ECS gives it,
/// with the exit code ECS reports for the container (128 + the signal of a killed process, as
/// Docker counts it: 137 for SIGKILL, an OOM kill among them).
pub fn exit_reason(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("exit code {}: {}", 128 + signal, signal_name(signal)),
        (None, None) => "exit code unknown".to_owned(),
    };
    format!("Essential container in task exited ({code})")
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGKILL => "killed by SIGKILL".to_owned(),
        libc::SIGTERM => "SIGTERM".to_owned(),
        libc::SIGSEGV => "SIGSEGV".to_owned(),
        libc::SIGABRT => "SIGABRT".to_owned(),
        other => format!("signal {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn an_exited_container_gets_ecs_reason_with_its_exit_code() {
        assert_eq!(
            exit_reason(std::process::ExitStatus::from_raw(1 << 8)),
            "Essential container in task exited (exit code 1)"
        );
        // A raw wait status of 9: killed by signal 9.
        assert_eq!(
            exit_reason(std::process::ExitStatus::from_raw(libc::SIGKILL)),
            "Essential container in task exited (exit code 137: killed by SIGKILL)"
        );
    }

    #[test]
    fn the_metadata_uri_ends_in_the_task_id() {
        assert!(metadata_uri("abc123").ends_with("/abc123"));
    }
}
