//! Which one, in a stack of several: a purge or a redrive asks which queue, a redeploy, a
//! rollback or a scale which service, a stop-task or an exec which task, before anything is
//! read; the choice puts that queue or service first in the stack the plan is made on
//! (`StackResources::focus_queue`, `focus_service`), or names the task.

use crate::model::dashboard::Dashboard;
use crate::model::exec::ExecAsk;
use crate::model::mutation::Request;
use crate::model::sqs::queue_name;
use crate::model::stack::{numbered_key, StackResources};

/// Does `request` act on a queue (else on a service)?
fn on_queue(request: &Request) -> bool {
    matches!(request, Request::Purge { .. } | Request::Redrive)
}

/// A stop-task or an exec without a task id, asking which of the tasks the last refresh listed.
fn on_task(request: &Request) -> bool {
    matches!(
        request,
        Request::StopTask { task: None } | Request::Exec(ExecAsk { task: None, .. })
    )
}

/// What `request` could act on: each one's name and what tells it apart (its DLQ, its cluster,
/// a task's status). One or none: nothing to ask.
pub(super) fn options(
    stack: &StackResources,
    data: Option<&Dashboard>,
    request: &Request,
) -> Vec<(String, String)> {
    if let Request::StopTask { task } | Request::Exec(ExecAsk { task, .. }) = request {
        if task.is_some() {
            return Vec::new();
        }
        let tasks = data.and_then(|d| d.tasks.as_ref().ok());
        return (tasks.into_iter().flatten())
            .filter(|t| t.desired_status == "RUNNING")
            .map(|t| {
                let health = if t.health.is_empty() {
                    "UNKNOWN"
                } else {
                    &t.health
                };
                (t.id.clone(), format!("{} · {health}", t.last_status))
            })
            .collect();
    }
    if on_queue(request) {
        stack
            .queues()
            .into_iter()
            .map(|(url, dlq)| {
                let dlq = dlq.map_or("no DLQ".into(), |d| format!("DLQ {}", queue_name(d)));
                (queue_name(url).to_owned(), dlq)
            })
            .collect()
    } else {
        let first = stack.get("cluster").unwrap_or_default();
        stack
            .numbered("service")
            .into_iter()
            .enumerate()
            .map(|(i, service)| {
                let cluster = stack.get(&numbered_key("cluster", i + 1)).unwrap_or(first);
                (service.to_owned(), format!("cluster {cluster}"))
            })
            .collect()
    }
}

/// The stack with `name` first, for `request` (a task chosen names it in the request).
pub(super) fn focus(
    stack: &StackResources,
    request: Request,
    name: &str,
) -> Result<(StackResources, Request), String> {
    if on_task(&request) {
        let task = Some(name.to_owned());
        let request = match request {
            Request::Exec(ask) => Request::Exec(ExecAsk { task, ..ask }),
            _ => Request::StopTask { task },
        };
        return Ok((stack.clone(), request));
    }
    let focused = if on_queue(&request) {
        stack.focus_queue(name)
    } else {
        stack.focus_service(name)
    };
    Ok((focused?, request))
}

/// The chooser's title: `purge: which queue?`.
pub fn question(request: &Request) -> String {
    let what = if on_task(request) {
        "task"
    } else if on_queue(request) {
        "queue"
    } else {
        "service"
    };
    format!("{}: which {what}?", request.name())
}

/// The chooser's count: `the stack has 2` (queues, services), `the service runs 3` (tasks).
pub fn among(request: &Request, n: usize) -> String {
    if on_task(request) {
        format!("the service runs {n}")
    } else {
        format!("the stack has {n}")
    }
}

/// The audit line of a chooser closed without a choice.
pub(super) fn nothing_chosen(request: &Request) -> &'static str {
    if on_task(request) {
        "no task chosen"
    } else if on_queue(request) {
        "no queue chosen"
    } else {
        "no service chosen"
    }
}
