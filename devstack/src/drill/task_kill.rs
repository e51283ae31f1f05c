//! task-kill: SIGKILL the process of one running task of the service, as the kernel's OOM killer
//! or a crash ends a container. ECS sees the essential container exit, stops the task with the
//! reason ("Essential container in task exited", exit code 137) and starts a replacement to keep
//! the desired count: nothing to do but find out why (the stop reason, the task's last log lines).
//!
//! The task's process is found the way the ECS API names it: ListTasks gives the running tasks'
//! ids, and each task process carries ECS's `ECS_CONTAINER_METADATA_URI_V4`, whose path ends in
//! its task id (the devstack agent sets it as the ECS agent does); the drill reads
//! `/proc/<pid>/environ` of this machine's processes for it. No pid file nor agent-private
//! answer: the drill needs only what ECS and the OS show.

use super::{About, Target};
use crate::agent::ecs::tasks::{metadata_uri, METADATA_VARIABLE};
use anyhow::{Context, Result};
use aws_sdk_ecs::types::DesiredStatus;

pub const ABOUT: About = About {
    fault: "SIGKILLs the process of one running task of the service (as an OOM kill or a crash \
            ends it) and prints its task id and pid",
    look: "the service panel's tasks (one stopped: `Essential container in task exited (exit \
           code 137…)`, running below desired for a moment, then a new task), or `stackdeck \
           timeline --since 10m`",
    recover: "none needed: ECS replaced the task; read its stop reason and its last log lines \
              (`stackdeck logs --since 10m`) to tell an OOM kill from a crash",
};

/// Kill one running task's process; the line saying which task and pid.
pub async fn inject(target: &Target) -> Result<String> {
    let (cluster, service) = target.service().await?;
    let ecs = aws_sdk_ecs::Client::new(&target.sdk);
    let listed = ecs
        .list_tasks()
        .cluster(&cluster)
        .service_name(&service)
        .desired_status(DesiredStatus::Running)
        .send()
        .await
        .with_context(|| format!("ListTasks of service {service} in cluster {cluster}"))?;
    let ids: Vec<String> = (listed.task_arns().iter())
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned())
        .collect();
    anyhow::ensure!(
        !ids.is_empty(),
        "service {service} in cluster {cluster} runs no task: start the stack (`make up`) first"
    );
    let processes = environs();
    let (id, pid) = (ids.iter())
        .find_map(|id| Some((id.clone(), pid_of(id, &processes)?)))
        .with_context(|| {
            format!(
                "no process on this machine has {METADATA_VARIABLE} of task {}: does the \
                 devstack agent run the service's tasks here?",
                ids.join(", ")
            )
        })?;
    // SAFETY: a signal to a process of ours (its environment was ours to read).
    if unsafe { libc::kill(pid, libc::SIGKILL) } != 0 {
        let e = std::io::Error::last_os_error();
        anyhow::bail!("cannot SIGKILL pid {pid} of task {id}: {e}");
    }
    Ok(format!(
        "killed task {id} (pid {pid}) with SIGKILL; ECS should stop it and start a replacement"
    ))
}

/// Every readable process's pid and environment (`/proc/<pid>/environ`).
fn environs() -> Vec<(i32, Vec<u8>)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        Some((pid, std::fs::read(format!("/proc/{pid}/environ")).ok()?))
    })
    .collect()
}

/// The process of task `id`: the one whose environment has `ECS_CONTAINER_METADATA_URI_V4` of
/// that task (the lowest pid if, say, a shell started from it inherited it too).
fn pid_of(id: &str, processes: &[(i32, Vec<u8>)]) -> Option<i32> {
    let wanted = format!("{METADATA_VARIABLE}={}", metadata_uri(id));
    (processes.iter())
        .filter(|(_, environ)| {
            environ
                .split(|b| *b == 0)
                .any(|var| var == wanted.as_bytes())
        })
        .map(|(pid, _)| *pid)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environ(vars: &[&str]) -> Vec<u8> {
        vars.join("\0").into_bytes()
    }

    #[test]
    fn the_task_process_is_the_one_with_its_metadata_uri() {
        let a = format!("{METADATA_VARIABLE}={}", metadata_uri("aaa"));
        let ab = format!("{METADATA_VARIABLE}={}", metadata_uri("aaab"));
        let processes = vec![
            (10, environ(&["PATH=/bin", &ab])),
            (30, environ(&["HOME=/", &a, "X=1"])),
            (40, environ(&[&a])),
        ];
        assert_eq!(pid_of("aaa", &processes), Some(30));
        assert_eq!(pid_of("aaab", &processes), Some(10));
        assert_eq!(pid_of("bbb", &processes), None);
    }

    #[test]
    fn this_process_is_found_among_the_machine_s_processes() {
        let me = std::process::id() as i32;
        assert!(environs().iter().any(|(pid, _)| *pid == me));
    }
}
