//! The whole scriptable command (`stackdeck redeploy | rollback | purge | redrive`): refuse in
//! read-only mode, plan, confirm on the terminal (or `--yes`), execute, wait; with its exit code.

use super::context::{refuse, with_audit_failure, Context};
use super::execute::{decline, execute};
use super::plan::plan_audited;
use super::wait::{wait_for_count, wait_for_redrive, wait_stable};
use crate::model::mutation::{read_only_message, Mutation, PlanError, Request};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

/// Exit codes of the scriptable commands.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_REFUSED: i32 = 2;

/// Ask on the terminal. `Ok(true)` only for an explicit yes (or the typed name).
fn confirm_on_terminal(mutation: &Mutation) -> bool {
    let stdin = std::io::stdin();
    let mut stderr = std::io::stderr();
    match mutation.typed_confirmation() {
        Some(name) => {
            let _ = write!(stderr, "type the queue name ({name}) to confirm: ");
        }
        None => {
            let _ = write!(stderr, "proceed? [y/N] ");
        }
    }
    let _ = stderr.flush();
    let mut answer = String::new();
    if stdin.lock().read_line(&mut answer).is_err() {
        return false;
    }
    let answer = answer.trim();
    match mutation.typed_confirmation() {
        Some(name) => answer == name,
        None => matches!(answer, "y" | "Y" | "yes"),
    }
}

/// Confirmed by `--yes` or on the terminal; a mutation not confirmed is audited as declined.
async fn confirmed(ctx: &Context, mutation: &Mutation) -> bool {
    if ctx.assume_yes {
        return true;
    }
    let confirmed = if std::io::stdin().is_terminal() {
        confirm_on_terminal(mutation)
    } else {
        eprintln!(
            "stackdeck: refusing to {} without --yes: standard input is not a terminal",
            mutation.name()
        );
        false
    };
    if !confirmed {
        if let Err(failure) = decline(ctx, mutation).await {
            eprintln!("stackdeck: {failure}");
        }
        eprintln!(
            "stackdeck: {} not confirmed; nothing changed",
            mutation.name()
        );
    }
    confirmed
}

/// A wait's outcome printed, as an exit code.
fn report(waited: Result<String, String>) -> i32 {
    match waited {
        Ok(done) => {
            println!("{done}");
            EXIT_OK
        }
        Err(message) => {
            eprintln!("stackdeck: {message}");
            EXIT_FAILED
        }
    }
}

/// The whole scriptable command: refuse in read-only mode, plan, confirm, execute, wait.
pub async fn run(ctx: &Context, request: Request, wait: Option<Duration>) -> i32 {
    if ctx.read_only {
        let message = read_only_message(request.name(), &ctx.stack.stack);
        let audited = refuse(ctx, request.name(), &message).await;
        eprintln!("stackdeck: {}", with_audit_failure(message, audited));
        return EXIT_REFUSED;
    }
    let (mutation, details) = match plan_audited(ctx, &request).await {
        Ok(planned) => planned,
        Err(PlanError::NothingToDo(message)) => {
            println!("{message}");
            return match wait {
                Some(timeout) => report(wait_stable(ctx, timeout).await),
                None => EXIT_OK,
            };
        }
        Err(PlanError::Refused(message)) => {
            eprintln!("stackdeck: {message}");
            return EXIT_REFUSED;
        }
    };
    for line in &details {
        println!("{line}");
    }
    if !confirmed(ctx, &mutation).await {
        return EXIT_REFUSED;
    }
    match execute(ctx, &mutation).await {
        Ok(done) => println!("{done}"),
        Err(message) => {
            eprintln!("stackdeck: {message}");
            return EXIT_FAILED;
        }
    }
    match (wait, &mutation) {
        // Stable on the source revision: the rollback the stop asked for.
        (Some(timeout), Mutation::StopDeployment { source, .. }) => match ctx.service() {
            Ok(svc) => report(
                super::wait::wait_for_deployment(&ctx.ecs(), &svc, Some(source), timeout).await,
            ),
            Err(e) => report(Err(e)),
        },
        (Some(timeout), Mutation::Redeploy { .. } | Mutation::Rollback { .. }) => {
            report(wait_stable(ctx, timeout).await)
        }
        (Some(timeout), Mutation::Scale { to, .. }) => {
            report(wait_for_count(ctx, Some(*to), None, timeout).await)
        }
        (Some(timeout), Mutation::StopTask { task, .. }) => {
            report(wait_for_count(ctx, None, Some(task), timeout).await)
        }
        (Some(timeout), Mutation::Redrive { dlq_arn, .. }) => {
            let progress = |t: &crate::model::sqs::MoveTask| {
                println!(
                    "redrive {}: {} of {} moved",
                    t.status,
                    t.moved,
                    t.to_move.map_or("?".into(), |n| n.to_string())
                )
            };
            report(wait_for_redrive(ctx, dlq_arn, timeout, progress).await)
        }
        _ => EXIT_OK,
    }
}
