//! Exec into a task's container (`e`, `:exec`, `stackdeck exec`): what was asked ([`ExecAsk`]),
//! what ECS says about the service and the task ([`ExecFacts`]), the session ready to run
//! ([`ExecSession`]), and the pure decisions on them: may it run in read-only mode
//! ([`read_only_refusal`]), and which container, or why not ([`choose_container`]).
//!
//! Exec is not a mutation: it changes nothing in the stack, so it asks no confirmation. It opens
//! a shell inside production all the same, so it is audited like the mutations (one line per
//! attempt), and a read-only stackdeck refuses it unless the config file's `[exec]
//! allow_in_read_only = true` says otherwise.

use super::ecs::ServiceRef;

/// What the user asked for: a task (its id or ARN; `None`: the only running one, or the
/// chooser), a container (`None`: the first essential one) and the command to run in it
/// (`None`: the config's `shell`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecAsk {
    pub task: Option<String>,
    pub container: Option<String>,
    pub command: Option<String>,
}

/// What ECS says that exec depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecFacts {
    /// The service's `enableExecuteCommand` (ECS answers `false` when it was never set).
    pub enabled: bool,
    /// The task's `lastStatus`; `None`: ECS does not know the task.
    pub last_status: Option<String>,
    /// The task's containers, in the task definition's order.
    pub containers: Vec<String>,
    /// Those the task definition marks essential (where it was read).
    pub essential: Vec<String>,
}

/// An exec checked and ready: the program and its arguments (placeholders substituted), and what
/// the audit line names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecSession {
    pub argv: Vec<String>,
    pub cluster: String,
    pub service: String,
    pub task: String,
    pub container: String,
    /// The command run in the container.
    pub command: String,
}

impl ExecSession {
    /// The audit line's target, as for stop-task: `cluster/task`.
    pub fn target(&self) -> String {
        format!("{}/{}", self.cluster, self.task)
    }

    /// The audit line's parameters: the container and the command (with `exit_code` added once
    /// the session ended).
    pub fn parameters(&self, exit_code: Option<i32>) -> serde_json::Value {
        let mut parameters = serde_json::json!({
            "service": self.service,
            "container": self.container,
            "command": self.command,
            "program": self.argv.first(),
        });
        if let Some(code) = exit_code {
            parameters["exit_code"] = code.into();
        }
        parameters
    }
}

/// Why exec is refused in read-only mode, or `None` where it may run: it changes nothing, yet a
/// read-only dashboard (production, say) opens no shell unless the config allows it.
pub fn read_only_refusal(
    read_only: bool,
    allowed_in_read_only: bool,
    stack: &str,
) -> Option<String> {
    (read_only && !allowed_in_read_only).then(|| {
        format!(
            "refusing to exec: stackdeck is read-only for stack {stack}; set allow_in_read_only = true under [exec] in the config file to allow it"
        )
    })
}

/// The one line that says how to turn ECS Exec on for `svc`: the AWS CLI, and Terraform.
pub fn not_enabled(svc: &ServiceRef) -> String {
    format!(
        "ECS Exec is off for {svc}: turn it on with `aws ecs update-service --cluster {} --service {} --enable-execute-command --force-new-deployment` (or enable_execute_command = true on its aws_ecs_service in Terraform), then exec into a task it starts",
        svc.cluster, svc.service
    )
}

/// The pre-checks on ECS's answers, in order: ECS Exec on for the service, the task RUNNING, the
/// container in it (`wanted`, else the first essential one, else the first). The container, or
/// the one line why not.
pub fn choose_container(
    svc: &ServiceRef,
    task: &str,
    facts: &ExecFacts,
    wanted: Option<&str>,
) -> Result<String, String> {
    if !facts.enabled {
        return Err(not_enabled(svc));
    }
    match facts.last_status.as_deref() {
        Some("RUNNING") => {}
        Some(status) => {
            return Err(format!(
                "task {task} of {svc} is {status}, not RUNNING: exec into a running task (the tasks panel, or ListTasks)"
            ))
        }
        None => {
            return Err(format!(
                "task {task} not found in cluster {}: name a running task of {svc}",
                svc.cluster
            ))
        }
    }
    match wanted {
        Some(name) if facts.containers.iter().any(|c| c == name) => Ok(name.to_owned()),
        Some(name) => Err(format!(
            "task {task} has no container {name} (it has: {}): name one of those with --container",
            facts.containers.join(", ")
        )),
        None => facts
            .containers
            .iter()
            .find(|c| facts.essential.contains(c))
            .or(facts.containers.first())
            .cloned()
            .ok_or_else(|| format!("task {task} of {svc} lists no container to exec into")),
    }
}

/// The task to exec into when none was named: the only running one; else the one line listing
/// them.
pub fn only_task(svc: &ServiceRef, running: &[String]) -> Result<String, String> {
    match running {
        [only] => Ok(only.clone()),
        [] => Err(format!("{svc} has no running task to exec into")),
        many => Err(format!(
            "{svc} runs {} tasks: name the one to exec into (stackdeck exec ID; running: {})",
            many.len(),
            many.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc() -> ServiceRef {
        ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        }
    }

    fn facts() -> ExecFacts {
        ExecFacts {
            enabled: true,
            last_status: Some("RUNNING".into()),
            containers: vec!["sidecar".into(), "app".into()],
            essential: vec!["app".into()],
        }
    }

    #[test]
    fn read_only_refuses_exec_unless_the_config_allows_it() {
        assert_eq!(read_only_refusal(false, false, "st"), None);
        assert_eq!(read_only_refusal(true, true, "st"), None);
        let refused = read_only_refusal(true, false, "st").unwrap();
        assert!(
            refused.contains("read-only for stack st") && refused.contains("allow_in_read_only"),
            "{refused}"
        );
    }

    #[test]
    fn the_checks_run_in_order_and_each_names_the_fix() {
        let off = ExecFacts {
            enabled: false,
            last_status: None,
            ..facts()
        };
        let why = choose_container(&svc(), "t1", &off, None).unwrap_err();
        assert!(
            why.contains("--cluster c --service s --enable-execute-command --force-new-deployment")
                && why.contains("enable_execute_command")
                && !why.contains('\n'),
            "{why}"
        );
        let stopped = ExecFacts {
            last_status: Some("STOPPED".into()),
            ..facts()
        };
        let why = choose_container(&svc(), "t1", &stopped, None).unwrap_err();
        assert!(why.contains("is STOPPED, not RUNNING"), "{why}");
        let unknown = ExecFacts {
            last_status: None,
            ..facts()
        };
        let why = choose_container(&svc(), "t1", &unknown, None).unwrap_err();
        assert!(why.contains("task t1 not found in cluster c"), "{why}");
        let why = choose_container(&svc(), "t1", &facts(), Some("db")).unwrap_err();
        assert!(
            why.contains("no container db (it has: sidecar, app)"),
            "{why}"
        );
    }

    #[test]
    fn the_container_is_the_named_one_else_the_first_essential_else_the_first() {
        assert_eq!(
            choose_container(&svc(), "t", &facts(), None),
            Ok("app".into())
        );
        assert_eq!(
            choose_container(&svc(), "t", &facts(), Some("sidecar")),
            Ok("sidecar".into())
        );
        let unread = ExecFacts {
            essential: Vec::new(),
            ..facts()
        };
        assert_eq!(
            choose_container(&svc(), "t", &unread, None),
            Ok("sidecar".into())
        );
    }

    #[test]
    fn without_a_task_the_only_running_one_else_the_list() {
        assert_eq!(only_task(&svc(), &["a".into()]), Ok("a".into()));
        let why = only_task(&svc(), &["a".into(), "b".into()]).unwrap_err();
        assert!(
            why.contains("runs 2 tasks") && why.contains("running: a, b"),
            "{why}"
        );
        assert!(only_task(&svc(), &[])
            .unwrap_err()
            .contains("no running task"));
    }
}
