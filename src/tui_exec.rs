//! The dashboard's keys (the reading thread, as `tui` starts it) and exec's hand-over of the
//! terminal: the dashboard leaves its screen for the session's program and takes it back after.
//!
//! The hand-over, in order: stop the key-reading thread (so that no key typed into the session
//! reaches the dashboard), mouse capture off, raw mode off and the alternate screen left, the
//! cursor shown; the program run with the terminal and waited for (`ops::exec::run_session`);
//! then raw mode, the alternate screen and mouse capture (if on) back, the screen cleared so
//! that the next draw is whole, and the keys read again. The session's audit line is written
//! (`ops::exec::finish`) and `Msg::ExecEnded` says how it ended.

use crate::app::{Msg, Scope};
use crate::model::exec::{ExecAsk, ExecSession};
use crate::ops;
use crate::terminal::{Input, Reader};
use crate::tui::{Runner, Tasks};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{enable_raw_mode, EnterAlternateScreen};
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::UnboundedSender;

/// Read the terminal's keys (and the mouse, when `mouse`) onto `tx`, on a thread of their own.
pub fn read_keys(tx: &UnboundedSender<Msg>, mouse: bool) -> Reader {
    let keys = tx.clone();
    Reader::spawn(move |input| {
        keys.send(match input {
            Input::Key(key) => Msg::Key(key),
            Input::Resize(..) => Msg::Resize,
            Input::Pointer { x, y, wheel } if mouse => Msg::Pointer { x, y, wheel },
            Input::Pointer { .. } => return true,
        })
        .is_ok()
    })
}

/// `Effect::Exec`: the pre-checks (refusals audited), answered with `Msg::ExecReady`.
pub fn prepare(
    runner: &Runner,
    ask: ExecAsk,
    scope: Scope,
    tx: &UnboundedSender<Msg>,
    tasks: &mut Tasks,
) {
    let ctx = runner.ops(scope);
    let config = runner.config.exec.clone();
    let failed = |e: String| Msg::ExecReady(Err(e));
    crate::tui::guarded(tasks, tx, failed, async move {
        Msg::ExecReady(ops::exec::prepare(&ctx, &config, &ask).await)
    });
}

/// Run `session` and wait for it, off the runtime's threads.
async fn run(session: &ExecSession) -> std::io::Result<std::process::ExitStatus> {
    let ran = session.clone();
    tokio::task::spawn_blocking(move || ops::exec::run_session(&ran))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// Audit the ended session, then send `Msg::ExecEnded` (waited for at exit, as the mutations).
fn ended(
    runner: &Runner,
    session: ExecSession,
    scope: Scope,
    status: std::io::Result<std::process::ExitStatus>,
    tx: &UnboundedSender<Msg>,
    tasks: &mut Tasks,
) {
    let ctx = runner.ops(scope);
    let tx = tx.clone();
    tasks.mutations.spawn(async move {
        let result = ops::exec::finish(&ctx, &session, &status).await;
        let _ = tx.send(Msg::ExecEnded(result));
    });
}

/// `Effect::HandOver` in the terminal loop: the hand-over of the module's doc. Returns the new
/// key reader.
pub async fn hand_over(
    runner: &Runner,
    (session, scope): (ExecSession, Scope),
    terminal: &mut DefaultTerminal,
    reader: Reader,
    mouse: bool,
    tx: &UnboundedSender<Msg>,
    tasks: &mut Tasks,
) -> Reader {
    reader.stop();
    crate::tui_clip::capture_mouse(false);
    let _ = terminal.show_cursor();
    ratatui::restore();
    let status = run(&session).await;
    // A failure here shows at the next draw, which ends the dashboard with its error.
    let _ = enable_raw_mode();
    let _ = execute!(std::io::stdout(), EnterAlternateScreen);
    crate::tui_clip::capture_mouse(mouse);
    let _ = terminal.clear();
    ended(runner, session, scope, status, tx, tasks);
    read_keys(tx, mouse)
}

/// `Effect::HandOver` without a terminal loop (the runner driven by tests): the session runs
/// on the standard streams as they are.
pub fn detached(
    runner: &Runner,
    (session, scope): (ExecSession, Scope),
    tx: &UnboundedSender<Msg>,
    tasks: &mut Tasks,
) {
    let ctx = runner.ops(scope);
    let tx = tx.clone();
    tasks.mutations.spawn(async move {
        let status = run(&session).await;
        let result = ops::exec::finish(&ctx, &session, &status).await;
        let _ = tx.send(Msg::ExecEnded(result));
    });
}
