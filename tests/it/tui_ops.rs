//! The dashboard's operations through `update` and the runner's effects (no terminal), against
//! moto with the devstack agent in front: each confirmed action changes the stack (checked with a
//! separate SDK client), each attempt is audited, read-only sends nothing (and binds no key).

use super::kit::{agent_stack, outcomes, AgentStack, CALLS};
use devstack::testenv::TestEnv;
use stackdeck::app::keys::Key;
use stackdeck::app::ops::Dialog;
use stackdeck::app::{update, Effect, Msg, Settings, State};
use stackdeck::model::ecs::Rollout;
use stackdeck::tui::{Runner, Tasks};
use stackdeck::tui_switch::Aws;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The dashboard without a terminal: `update` plus the runner's effects, messages pumped by hand.
struct Deck {
    state: State,
    runner: Runner,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    tasks: Tasks,
}

impl Deck {
    async fn open(stack: &AgentStack, read_only: bool) -> Deck {
        let resources = stackdeck::aws::ssm::Discovery::new(&stack.sdk, "default".into())
            .stack(&stack.name)
            .await
            .unwrap();
        let state = State::new(
            resources,
            Settings {
                read_only,
                interval: 5,
                ..Default::default()
            },
        )
        .unwrap();
        let runner = Runner {
            aws: Aws::new(Default::default(), stack.sdk.clone()),
            config: Default::default(),
            log_poll: Duration::from_secs(2),
            audit_path: stack.audit_path(),
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let mut deck = Deck {
            state,
            runner,
            tx,
            rx,
            tasks: Tasks::default(),
        };
        deck.state.now = now();
        let stack = deck.state.resources().clone();
        deck.perform(vec![Effect::Refresh { stack, seq: 0 }]);
        deck.until("the first refresh", |s| s.refresh.data.is_some())
            .await;
        deck
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            // The log tail is not under test here.
            if !matches!(effect, Effect::StartTail { .. }) {
                assert!(self.runner.perform(effect, &self.tx, &mut self.tasks));
            }
        }
    }

    fn key(&mut self, key: Key) {
        let effects = update(&mut self.state, Msg::Key(key));
        self.perform(effects);
    }

    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(Key::Char(c));
        }
    }

    fn command(&mut self, line: &str) {
        self.key(Key::Char(':'));
        self.keys(line);
        self.key(Key::Enter);
    }

    /// Pump messages (and a clock tick each second) until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while !done(&self.state) {
            assert!(
                Instant::now() < deadline,
                "waited 90 s for {what}; dialog {:?}, message {:?}",
                self.state.ops.dialog,
                self.state.message
            );
            let msg = match tokio::time::timeout(Duration::from_secs(1), self.rx.recv()).await {
                Ok(Some(msg)) => msg,
                _ => Msg::Tick(now()),
            };
            let effects = update(&mut self.state, msg);
            self.perform(effects);
        }
    }

    fn outcome(&self) -> (bool, String) {
        match &self.state.ops.dialog {
            Some(Dialog::Outcome { ok, lines, .. }) => (*ok, lines.join(" / ")),
            other => panic!("expected an outcome dialog, not {other:?}"),
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn is_confirm(s: &State) -> bool {
    matches!(s.ops.dialog, Some(Dialog::Confirm(_)))
}

fn is_outcome(s: &State) -> bool {
    matches!(s.ops.dialog, Some(Dialog::Outcome { .. }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_and_rollback_are_confirmed_followed_to_completion_and_audited() {
    // The runner calls AWS through stackdeck in this process.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let stack = agent_stack(env, "tuiecs").await;
    let mut deck = Deck::open(&stack, false).await;
    let (_, _, before) = stack.deployments().await;

    // Redeploy: Ctrl-r, the dialog (default No), y, Enter.
    deck.key(Key::Ctrl('r'));
    deck.until("the redeploy dialog", is_confirm).await;
    deck.key(Key::Char('y'));
    deck.key(Key::Enter);
    deck.until("the redeploy's outcome", is_outcome).await;
    let (ok, text) = deck.outcome();
    assert!(ok, "{text}");
    deck.key(Key::Enter);
    deck.until("the new deployment to complete", |s| {
        s.ops.follow.as_ref().is_some_and(|f| f.outcome.is_some())
    })
    .await;
    assert_eq!(
        deck.state.ops.follow.as_ref().unwrap().outcome,
        Some(Rollout::Completed),
        "{:?}",
        deck.state.message
    );
    // It followed the new deployment, not the one before: its tasks are new.
    let new_tasks = deck
        .state
        .ops
        .follow
        .as_ref()
        .unwrap()
        .new_tasks
        .clone()
        .unwrap();
    assert!(!new_tasks.is_empty(), "{:?}", deck.state.ops.follow);
    let (running, rollout, after) = stack.deployments().await;
    assert_eq!(rollout, "COMPLETED");
    assert!(
        after.iter().any(|id| !before.contains(id)),
        "a new deployment: before {before:?}, after {after:?}"
    );
    assert_eq!(running, stack.revisions[1]);

    // Rollback: the picker preselects revision 1 (nothing older completed is known), with the
    // env diff; Enter, y, Enter.
    deck.key(Key::Ctrl('b'));
    deck.until("the rollback picker", |s| {
        matches!(s.ops.dialog, Some(Dialog::Picker { .. }))
    })
    .await;
    let Some(Dialog::Picker { choices, cursor }) = &deck.state.ops.dialog else {
        unreachable!()
    };
    assert_eq!(choices.options[*cursor].task_definition, stack.revisions[0]);
    assert!(
        choices.options[*cursor]
            .diff
            .iter()
            .any(|d| d.contains("REVISION: 2 → 1")),
        "{:?}",
        choices.options[*cursor].diff
    );
    deck.key(Key::Enter);
    assert!(is_confirm(&deck.state));
    deck.key(Key::Char('y'));
    deck.key(Key::Enter);
    deck.until("the rollback's outcome", is_outcome).await;
    assert!(deck.outcome().0, "{}", deck.outcome().1);
    deck.key(Key::Esc);
    deck.until("the rollback to complete", |s| {
        s.ops.follow.as_ref().is_some_and(|f| f.outcome.is_some())
    })
    .await;
    let (running, rollout, _) = stack.deployments().await;
    assert_eq!(
        (running.as_str(), rollout.as_str()),
        (stack.revisions[0].as_str(), "COMPLETED")
    );

    // A third action declined: nothing changes, the attempt is audited.
    deck.key(Key::Ctrl('r'));
    deck.until("the redeploy dialog", is_confirm).await;
    deck.key(Key::Enter);
    let (_, _, ids) = stack.deployments().await;
    while deck.tasks.mutations.join_next().await.is_some() {}
    let audit = stack.audit();
    let lines: Vec<(&str, &str)> = audit
        .iter()
        .map(|r| (r.action.as_str(), r.result.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("redeploy", "ok"),
            ("rollback", "ok"),
            ("redeploy", "refused")
        ]
    );
    assert_eq!(audit[2].error.as_deref(), Some("not confirmed"));
    let (_, _, still) = stack.deployments().await;
    assert_eq!(ids, still, "the declined redeploy sent nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redrive_and_purge_move_and_empty_the_queues_and_read_only_sends_nothing() {
    // The runner calls AWS through stackdeck in this process.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let stack = agent_stack(env, "tuisqs").await;
    stack.send(&stack.dlq_url, 4).await;

    // Read-only: the command line refuses, the attempt is audited, the DLQ keeps its messages.
    let mut ro = Deck::open(&stack, true).await;
    ro.command("purge dlq");
    assert!(ro.state.message.as_deref().unwrap().contains("read-only"));
    assert!(ro.state.ops.dialog.is_none());
    while ro.tasks.mutations.join_next().await.is_some() {}
    assert_eq!(stack.audit().last().unwrap().result, "refused");
    assert_eq!(stack.depth(&stack.dlq_url).await, 4);

    // Redrive: the DLQ's messages back to the work queue, followed until the move task ends.
    let mut deck = Deck::open(&stack, false).await;
    deck.command("redrive");
    deck.until("the redrive dialog", is_confirm).await;
    deck.key(Key::Char('y'));
    deck.key(Key::Enter);
    deck.until("the redrive's outcome", is_outcome).await;
    assert!(deck.outcome().0, "{}", deck.outcome().1);
    deck.key(Key::Esc);
    deck.until("the move task to end", |s| {
        s.ops.redrive.as_ref().is_some_and(|w| w.done)
    })
    .await;
    assert!(
        deck.state.message.as_deref().unwrap().contains("COMPLETED"),
        "{:?}",
        deck.state.message
    );
    assert_eq!(stack.depth(&stack.dlq_url).await, 0);
    assert_eq!(stack.depth(&stack.queue_url).await, 4);

    // Purge: the wrong name does nothing; the right one empties the queue.
    deck.key(Key::Ctrl('p'));
    deck.until("the purge dialog", is_confirm).await;
    deck.keys(&format!("{}-dlq", stack.name));
    deck.key(Key::Enter);
    assert!(is_confirm(&deck.state), "still asking");
    assert_eq!(stack.depth(&stack.queue_url).await, 4, "nothing purged");
    for _ in 0.."dlq".len() {
        deck.key(Key::Backspace);
    }
    deck.keys("work");
    deck.key(Key::Enter);
    deck.until("the purge's outcome", is_outcome).await;
    assert!(deck.outcome().0, "{}", deck.outcome().1);
    deck.key(Key::Esc);
    assert_eq!(stack.depth(&stack.queue_url).await, 0);

    // A second purge within 60 s is refused before calling, with the time left.
    stack.send(&stack.queue_url, 2).await;
    deck.key(Key::Ctrl('p'));
    deck.until("the refusal", is_outcome).await;
    let (ok, text) = deck.outcome();
    assert!(!ok && text.contains("try again in"), "{text}");
    assert_eq!(stack.depth(&stack.queue_url).await, 2);

    while deck.tasks.mutations.join_next().await.is_some() {}
    let results = outcomes(stack.audit());
    assert_eq!(
        results,
        [
            ("purge".to_owned(), "refused".to_owned()),
            ("redrive".to_owned(), "ok".to_owned()),
            ("purge".to_owned(), "ok".to_owned()),
            ("purge".to_owned(), "refused".to_owned()),
        ]
    );
}

/// The ids of the service's tasks that are meant to run.
async fn running(stack: &AgentStack) -> Vec<String> {
    aws_sdk_ecs::Client::new(&stack.sdk)
        .list_tasks()
        .cluster(&stack.cluster)
        .service_name(&stack.service)
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Running)
        .send()
        .await
        .unwrap()
        .task_arns()
        .iter()
        .map(|a| a.rsplit('/').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_task_by_key_and_scale_by_command_change_the_service_and_read_only_binds_neither() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let stack = agent_stack(env, "tuiscale").await;
    let [first] = running(&stack).await.try_into().unwrap();

    // Read-only: `x` is not bound, `:scale` and `:stop-task` are refused and audited.
    let mut ro = Deck::open(&stack, true).await;
    ro.key(Key::Char('x'));
    assert!(ro.state.ops.dialog.is_none());
    for line in ["scale 2", "stop-task"] {
        ro.command(line);
        assert!(ro.state.message.as_deref().unwrap().contains("read-only"));
        // Each refusal's audit line written before the next attempt: their order is known.
        while ro.tasks.mutations.join_next().await.is_some() {}
    }
    assert_eq!(running(&stack).await, std::slice::from_ref(&first));

    // `x` with one task: its confirmation, then the stop; the service replaces the task.
    let mut deck = Deck::open(&stack, false).await;
    deck.key(Key::Char('x'));
    deck.until("the stop-task dialog", is_confirm).await;
    deck.key(Key::Char('y'));
    deck.key(Key::Enter);
    deck.until("the stop's outcome", is_outcome).await;
    assert!(deck.outcome().0, "{}", deck.outcome().1);
    deck.key(Key::Esc);
    devstack::testkit::eventually(Duration::from_secs(60), "a replacement", || async {
        match running(&stack).await.as_slice() {
            [one] if *one != first => Ok(()),
            other => Err(format!("running {other:?}")),
        }
    })
    .await;

    // `:scale 2`: confirmed, and the desired count is 2.
    deck.command("scale 2");
    deck.until("the scale dialog", is_confirm).await;
    deck.key(Key::Char('y'));
    deck.key(Key::Enter);
    deck.until("the scale's outcome", is_outcome).await;
    assert!(deck.outcome().0, "{}", deck.outcome().1);
    assert_eq!(stack.describe_service().await.desired_count(), 2);

    while deck.tasks.mutations.join_next().await.is_some() {}
    assert_eq!(
        outcomes(stack.audit()),
        [
            ("scale".to_owned(), "refused".to_owned()),
            ("stop-task".to_owned(), "refused".to_owned()),
            ("stop-task".to_owned(), "ok".to_owned()),
            ("scale".to_owned(), "ok".to_owned()),
        ]
    );
}
