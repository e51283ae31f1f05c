//! Which one, in a stack of several: a purge or a redrive asks which queue, a redeploy or a
//! rollback which service, before anything is read; the choice puts that one first in the
//! stack the plan is made on (`StackResources::focus_queue`, `focus_service`).

use crate::model::mutation::Request;
use crate::model::sqs::queue_name;
use crate::model::stack::{numbered_key, StackResources};

/// Does `request` act on a queue (else on a service)?
fn on_queue(request: &Request) -> bool {
    matches!(request, Request::Purge { .. } | Request::Redrive)
}

/// What `request` could act on: each one's name and what tells it apart (its DLQ, its cluster).
/// One or none: nothing to ask.
pub(super) fn options(stack: &StackResources, request: &Request) -> Vec<(String, String)> {
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

/// The stack with `name` first, for `request`.
pub(super) fn focus(
    stack: &StackResources,
    request: &Request,
    name: &str,
) -> Result<StackResources, String> {
    if on_queue(request) {
        stack.focus_queue(name)
    } else {
        stack.focus_service(name)
    }
}

/// The chooser's title: `purge: which queue?`.
pub fn question(request: &Request) -> String {
    let what = if on_queue(request) {
        "queue"
    } else {
        "service"
    };
    format!("{}: which {what}?", request.name())
}

/// The audit line of a chooser closed without a choice.
pub(super) fn nothing_chosen(request: &Request) -> &'static str {
    if on_queue(request) {
        "no queue chosen"
    } else {
        "no service chosen"
    }
}
