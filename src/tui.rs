//! The dashboard's runner: terminal in, effects out. Keys come from a thread reading the terminal,
//! the clock from a one-second ticker, data from refresh and log-tail tasks; all arrive as `Msg` on
//! one channel. The screen is drawn only when `update` marked the state dirty, so an idle
//! dashboard costs almost nothing. Nothing here is awaited between a message and its draw.

use crate::app::{update, Effect, Msg, Scope, State};
use crate::aws::discover::resolve::{resolve, Flags, Request};
use crate::aws::logs::{History, Logs, Tail};
use crate::aws::sqs_actions::SqsActions;
use crate::config::Config;
use crate::model::mutation::{read_only_message, PlanError};
use crate::model::stack::StackResources;
use crate::ops::{self, audit, picker};
use crate::tui_switch::{self, Arrived, Aws};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Run `work` for an action and send its message; if it panics, send `failed(why)` instead, so
/// the dashboard never waits for an answer that cannot come (the action stays in flight).
pub(crate) fn guarded(
    tasks: &mut Tasks,
    tx: &mpsc::UnboundedSender<Msg>,
    failed: impl FnOnce(String) -> Msg + Send + 'static,
    work: impl std::future::Future<Output = Msg> + Send + 'static,
) {
    let tx = tx.clone();
    tasks.mutations.spawn(async move {
        let msg = match tokio::spawn(work).await {
            Ok(msg) => msg,
            Err(e) => failed(format!("stackdeck failed while doing it ({e})")),
        };
        let _ = tx.send(msg);
    });
}

/// Run an audit write; its failure, if any, reaches the footer as `Msg::Notice`.
fn notice(
    tx: &mpsc::UnboundedSender<Msg>,
    write: impl std::future::Future<Output = Result<(), String>> + Send + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let tx = tx.clone();
    async move {
        if let Err(failure) = write.await {
            let _ = tx.send(Msg::Notice(failure));
        }
    }
}

/// What the runner's effects left running.
pub struct Tasks {
    /// The log tail (replaced on a stack switch).
    pub tail: Option<JoinHandle<()>>,
    /// Mutations and audit writes: waited for at exit, so that quitting right after a key press
    /// neither cuts an action short nor loses its audit line.
    pub mutations: tokio::task::JoinSet<()>,
    /// `:profile` / `:region` switches that succeeded, for [`Runner::adopt`] (a failed one
    /// answers on the message channel).
    arrived: mpsc::UnboundedSender<Arrived>,
    arrivals: mpsc::UnboundedReceiver<Arrived>,
}

impl Default for Tasks {
    fn default() -> Tasks {
        let (arrived, arrivals) = mpsc::unbounded_channel();
        Tasks {
            tail: None,
            mutations: tokio::task::JoinSet::new(),
            arrived,
            arrivals,
        }
    }
}

impl Tasks {
    async fn finish(&mut self) {
        while self.mutations.try_join_next().is_some() {}
        if self.mutations.is_empty() {
            return;
        }
        eprintln!("stackdeck: waiting for the action under way and its audit line…");
        let all = async { while self.mutations.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .is_err()
        {
            eprintln!("stackdeck: gave up waiting after 30 s; check the audit log and the stack");
        }
    }
}

/// Everything the runner needs to carry out effects.
pub struct Runner {
    /// The profile, region and SDK configuration every effect uses: replaced by a successful
    /// `:profile` or `:region` (`tui_switch`), in the loop, between two messages.
    pub aws: Aws,
    pub config: Config,
    pub log_poll: Duration,
    /// Where every attempted mutation is written.
    pub audit_path: PathBuf,
}

impl Runner {
    /// Run the dashboard until the user quits. Returns the exit code.
    pub async fn run(mut self, mut state: State) -> i32 {
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();

        // Keys: crossterm's read blocks, so it lives on its own thread. The mouse unless off.
        let mouse = self.config.mouse.unwrap_or(true);
        let mut reader = crate::tui_exec::read_keys(&tx, mouse);

        // The clock: once a second (ages are shown in seconds).
        let ticks = tx.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if ticks.send(Msg::Tick(now())).is_err() {
                    return;
                }
            }
        });

        let mut terminal = ratatui::init();
        crate::tui_clip::capture_mouse(mouse);
        let mut tasks = Tasks::default();
        state.now = now();
        let mut pending: Vec<Effect> = state.start();
        let mut code = 0;
        'outer: loop {
            for effect in pending.drain(..) {
                // Exec takes the terminal itself: only the loop has it.
                if let Effect::HandOver { session, scope } = effect {
                    let (term, handed) = (&mut terminal, (session, scope));
                    let hand_over = crate::tui_exec::hand_over;
                    reader = hand_over(&self, handed, term, reader, mouse, &tx, &mut tasks).await;
                } else if !self.perform(effect, &tx, &mut tasks) {
                    break 'outer;
                }
            }
            if state.dirty {
                if let Err(e) = terminal.draw(|frame| crate::ui::view(&state, frame)) {
                    crate::tui_clip::capture_mouse(false);
                    ratatui::restore();
                    eprintln!("stackdeck: cannot draw on the terminal: {e}");
                    code = 2;
                    break 'outer;
                }
                state.dirty = false;
            }
            let msg = tokio::select! {
                Some(msg) = rx.recv() => msg,
                Some(switched) = tasks.arrivals.recv() => self.adopt(switched),
                else => break,
            };
            let size = terminal.size().unwrap_or_default();
            let msg = crate::tui_clip::pointed(&state, size, msg);
            pending = update(&mut state, msg);
            // Drain what else is queued before drawing: a burst of log lines is one redraw.
            while let Ok(msg) = rx.try_recv() {
                let msg = crate::tui_clip::pointed(&state, size, msg);
                pending.extend(update(&mut state, msg));
                if pending.contains(&Effect::Quit) {
                    break;
                }
            }
        }
        if let Some(tail) = tasks.tail.take() {
            tail.abort();
        }
        reader.stop();
        crate::tui_clip::capture_mouse(false);
        ratatui::restore();
        tasks.finish().await;
        code
    }

    /// Carry out one effect with the data it carries; its answer arrives on `tx` as a message.
    /// `false` for `Quit`. Public so that tests drive `update` and these effects without a
    /// terminal.
    pub fn perform(
        &self,
        effect: Effect,
        tx: &mpsc::UnboundedSender<Msg>,
        tasks: &mut Tasks,
    ) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::Refresh { stack, seq } => self.refresh(stack, seq, tx),
            Effect::StartTail {
                generation,
                log_group,
                history,
            } => {
                if let Some(old) = tasks.tail.take() {
                    old.abort();
                }
                tasks.tail = log_group.map(|group| self.tail(group, history, generation, tx));
            }
            Effect::Clipboard(text) => crate::tui_clip::clipboard(&text),
            Effect::Browse(url) => crate::tui_clip::browse(&url, tx),
            Effect::SwitchStack(name) => self.switch_stack(Some(name), None, None, tx),
            Effect::SwitchService { cluster, service } => {
                self.switch_stack(None, cluster, Some(service), tx)
            }
            Effect::SwitchAws { to, stack } => {
                let arrived = &tasks.arrived;
                tui_switch::spawn(&self.aws, to, stack, &self.config, tx, arrived);
            }
            Effect::LoadTheme(name) => {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::ThemeLoaded(crate::theme::load(&name)));
                });
            }
            Effect::LoadAudit => {
                let (tx, path) = (tx.clone(), self.audit_path.clone());
                tokio::task::spawn_blocking(move || {
                    let records = audit::tail(&path, 1000)
                        .map_err(|e| format!("cannot read the audit log {}: {e}", path.display()));
                    let _ = tx.send(Msg::AuditLoaded(records));
                });
            }
            Effect::LoadTimeline(ask) => crate::timeline_cmd::spawn_load(self, ask, tx),
            Effect::Whoami => {
                let (tx, sdk, profile) =
                    (tx.clone(), self.aws.sdk.clone(), self.aws.profile.clone());
                tokio::spawn(async move {
                    let id = crate::aws::sts::caller(&sdk, &profile).await;
                    let _ = tx.send(Msg::Identity(id.ok().map(|id| id.arn)));
                });
            }
            Effect::RedriveProgress(dlq_arn) => {
                let tx = tx.clone();
                let sqs = SqsActions::new(&self.aws.sdk, self.aws.profile.clone());
                tokio::spawn(async move {
                    let progress = sqs.redrive_progress(&dlq_arn).await;
                    let _ = tx.send(Msg::Redrive(progress.map_err(|e| e.message)));
                });
            }
            Effect::Plan { request, scope } => {
                let ctx = self.ops(scope);
                let failed = |e: String| Msg::Planned(Err(PlanError::Refused(e)));
                guarded(tasks, tx, failed, async move {
                    Msg::Planned(ops::plan_audited(&ctx, &request).await)
                });
            }
            Effect::RollbackChoices(scope) => {
                let ctx = self.ops(scope);
                let failed = |e: String| Msg::Choices(Err(PlanError::Refused(e)));
                guarded(tasks, tx, failed, async move {
                    Msg::Choices(match picker::choices(&ctx).await {
                        Err(PlanError::Refused(message)) => {
                            let audited = ops::refuse(&ctx, "rollback", &message).await;
                            Err(PlanError::Refused(ops::with_audit_failure(
                                message, audited,
                            )))
                        }
                        other => other,
                    })
                });
            }
            Effect::Execute { mutation, scope } => {
                let ctx = self.ops(scope);
                let attempted = mutation.clone();
                let failed = move |e: String| Msg::Executed {
                    mutation: attempted,
                    result: Err(format!("{e}; check the stack and the audit log")),
                };
                guarded(tasks, tx, failed, async move {
                    // `update` never asks for this in read-only mode; refuse anyway.
                    let result = if ctx.read_only {
                        let message = read_only_message(mutation.name(), &ctx.stack.stack);
                        let audited = ops::refuse(&ctx, mutation.name(), &message).await;
                        Err(ops::with_audit_failure(message, audited))
                    } else {
                        ops::execute(&ctx, &mutation).await
                    };
                    Msg::Executed { mutation, result }
                });
            }
            Effect::Exec { ask, scope } => crate::tui_exec::prepare(self, ask, scope, tx, tasks),
            Effect::HandOver { session, scope } => {
                crate::tui_exec::detached(self, (session, scope), tx, tasks)
            }
            Effect::Decline { mutation, scope } => {
                let ctx = self.ops(scope);
                tasks.mutations.spawn(notice(
                    tx,
                    async move { ops::decline(&ctx, &mutation).await },
                ));
            }
            Effect::Refuse {
                action,
                message,
                scope,
            } => {
                let ctx = self.ops(scope);
                tasks.mutations.spawn(notice(tx, async move {
                    ops::refuse(&ctx, &action, &message).await
                }));
            }
        }
        true
    }

    /// Take the configuration of a switch that succeeded; its message, for `update` (whose
    /// refresh and log tail then already use it).
    pub fn adopt(&mut self, switched: Arrived) -> Msg {
        self.aws = switched.aws;
        switched.msg
    }

    /// The operations context of the effect's stack (the same one the scriptable commands use).
    pub(crate) fn ops(&self, scope: Scope) -> ops::Context {
        ops::Context {
            sdk: self.aws.sdk.clone(),
            profile: self.aws.profile.clone(),
            stack: scope.stack,
            audit_path: self.audit_path.clone(),
            read_only: scope.read_only,
            assume_yes: true,
        }
    }

    fn refresh(&self, stack: StackResources, seq: u64, tx: &mpsc::UnboundedSender<Msg>) {
        let (tx, sdk, profile) = (tx.clone(), self.aws.sdk.clone(), self.aws.profile.clone());
        tokio::spawn(async move {
            let data = crate::refresh::refresh(&sdk, &profile, &stack, now()).await;
            let _ = tx.send(Msg::Refreshed {
                at: now(),
                stack: stack.stack.clone(),
                seq,
                data: Box::new(data),
            });
        });
    }

    /// The log tail of `group`, `history` lines back at most.
    fn tail(
        &self,
        group: String,
        history: usize,
        generation: u64,
        tx: &mpsc::UnboundedSender<Msg>,
    ) -> JoinHandle<()> {
        let logs = Logs::new(&self.aws.sdk, self.aws.profile.clone());
        let (tx, every) = (tx.clone(), self.log_poll);
        tokio::spawn(async move {
            let tail = Tail {
                group: &group,
                start_ms: now() * 1000 - crate::app::LOG_HISTORY_MS,
                history: History::Newest(history),
                pattern: None,
                every,
            };
            logs.tail(tail, |event| {
                tx.send(Msg::Log { generation, event }).is_ok()
            })
            .await;
        })
    }

    /// Resolve the stack `name`, or the one of `service` (in `cluster`), as at start.
    fn switch_stack(
        &self,
        name: Option<String>,
        cluster: Option<String>,
        service: Option<String>,
        tx: &mpsc::UnboundedSender<Msg>,
    ) {
        let (tx, sdk, profile, config) = (
            tx.clone(),
            self.aws.sdk.clone(),
            self.aws.profile.clone(),
            self.config.clone(),
        );
        tokio::spawn(async move {
            let flags = Flags {
                cluster: cluster.as_deref(),
                service: service.as_deref(),
                tags: &[],
            };
            let msg = match Request::new(name, flags, &config) {
                Ok(request) => resolve(&sdk, &profile, &request).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::StackLoaded(msg));
        });
    }
}
