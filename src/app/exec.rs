//! `e` and `:exec [ID]`: a shell in a task's container. No mutation, so no confirmation; but
//! refused (and audited) in read-only mode unless the config's `[exec] allow_in_read_only`, one
//! action at a time like the others, and with several running tasks the chooser asks which
//! (`which`), as for a stop-task. The runner checks it (`Effect::Exec`), then hands the terminal
//! over (`Effect::HandOver`); the footer says how it ended.

use super::msg::{Effect, Msg};
use super::ops::{Dialog, InFlight};
use super::State;
use crate::model::exec::{read_only_refusal, ExecAsk, ExecSession};
use crate::model::mutation::Request;

impl State {
    /// Exec asked for by key or command.
    pub(super) fn exec(&mut self, mut ask: ExecAsk) -> Vec<Effect> {
        let refused = read_only_refusal(self.read_only(), self.exec_in_read_only, self.stack());
        if let Some(message) = refused {
            self.message = Some(message.clone());
            return vec![self.refuse("exec", &message)];
        }
        if let Some(busy) = &self.ops.in_flight {
            self.message = Some(format!(
                "{} is still under way: one action at a time",
                busy.what
            ));
            return Vec::new();
        }
        if self.refresh.switching {
            self.message = Some("the stack is being switched: act once it is shown".into());
            return Vec::new();
        }
        let request = Request::Exec(ask.clone());
        let options = super::which::options(&self.resources, self.refresh.data.as_ref(), &request);
        match options.as_slice() {
            [_, _, ..] => {
                return self.open_dialog(Dialog::Which {
                    request,
                    options,
                    cursor: 0,
                })
            }
            // The one task the dashboard shows; none shown: the runner finds the only one.
            [(only, _)] if ask.task.is_none() => ask.task = Some(only.clone()),
            _ => {}
        }
        self.plan_on(Request::Exec(ask), self.scope())
    }

    /// `Msg::ExecReady` or `Msg::ExecEnded`.
    pub(super) fn exec_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::ExecReady(ready) => self.exec_ready(ready),
            Msg::ExecEnded(ended) => self.exec_ended(ended),
            _ => Vec::new(),
        }
    }

    /// The pre-checks' answer: hand the terminal over, or say why not.
    fn exec_ready(&mut self, ready: Result<ExecSession, String>) -> Vec<Effect> {
        match ready {
            Ok(session) => {
                self.ops.in_flight = Some(InFlight {
                    what: format!("exec into task {}", session.task),
                    since: self.now,
                });
                vec![Effect::HandOver {
                    session,
                    scope: self.scope(),
                }]
            }
            // In a dialog, as a refused plan is: the fix it names is longer than a footer at
            // 80 columns.
            Err(why) => {
                self.ops.in_flight = None;
                self.open_dialog(Dialog::Outcome {
                    title: "exec refused".into(),
                    lines: vec![why],
                    ok: false,
                })
            }
        }
    }

    /// The session ended and the screen is the dashboard's again: the footer says how, and a
    /// refresh catches up with the time spent in it.
    fn exec_ended(&mut self, ended: Result<String, String>) -> Vec<Effect> {
        self.ops.in_flight = None;
        self.message = Some(match ended {
            Ok(done) | Err(done) => done,
        });
        self.ask_refresh()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, command, key, state_with, state_with_settings};
    use super::super::keys::Key;
    use super::super::{update, Settings, State};
    use super::*;
    use crate::model::dashboard::Dashboard;
    use crate::model::dashboard::Task;

    fn task(id: &str) -> Task {
        Task {
            id: id.into(),
            last_status: "RUNNING".into(),
            desired_status: "RUNNING".into(),
            ..Task::default()
        }
    }

    fn tasks(ids: &[&str]) -> Dashboard {
        let mut data = fixtures::healthy();
        data.tasks = Ok(ids.iter().map(|id| task(id)).collect());
        data
    }

    fn with_tasks(ids: &[&str]) -> State {
        state_with(tasks(ids))
    }

    fn session() -> ExecSession {
        ExecSession {
            argv: vec!["aws".into()],
            cluster: "c".into(),
            service: "s".into(),
            task: "t1".into(),
            container: "app".into(),
            command: "/bin/sh".into(),
        }
    }

    #[test]
    fn e_on_the_only_task_asks_the_runner_to_exec_into_it() {
        let mut state = with_tasks(&["t1"]);
        let effects = key(&mut state, Key::Char('e'));
        let [Effect::Exec { ask, scope }] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(ask.task.as_deref(), Some("t1"));
        assert_eq!(
            (ask.container.as_deref(), ask.command.as_deref()),
            (None, None)
        );
        assert_eq!(scope.stack.stack, state.stack());
        assert!(state.activity().unwrap().contains("reading exec"));
        // One action at a time.
        assert!(key(&mut state, Key::Char('e')).is_empty());
        assert!(state
            .message
            .as_deref()
            .unwrap()
            .contains("one action at a time"));

        let effects = update(&mut state, Msg::ExecReady(Ok(session())));
        assert!(matches!(&effects[..], [Effect::HandOver { session: s, .. }] if *s == session()));
        assert!(state.activity().unwrap().contains("exec into task t1"));
        let effects = update(
            &mut state,
            Msg::ExecEnded(Err("exec into task t1 (app) ended: exit code 3".into())),
        );
        assert!(effects.iter().all(|e| matches!(e, Effect::Refresh { .. })));
        assert_eq!(state.activity(), None);
        assert_eq!(
            state.message.as_deref(),
            Some("exec into task t1 (app) ended: exit code 3")
        );
    }

    #[test]
    fn several_tasks_open_the_chooser_and_the_choice_names_the_task() {
        let mut state = with_tasks(&["t1", "t2"]);
        let effects = key(&mut state, Key::Char('e'));
        assert!(effects.is_empty(), "{effects:?}");
        key(&mut state, Key::Down);
        let effects = key(&mut state, Key::Enter);
        let [Effect::Exec { ask, .. }] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(ask.task.as_deref(), Some("t2"));
        // `:exec ID` names it: no chooser.
        let mut state = with_tasks(&["t1", "t2"]);
        let effects = command(&mut state, "exec t1");
        assert!(
            matches!(&effects[..], [Effect::Exec { ask, .. }] if ask.task.as_deref() == Some("t1"))
        );
    }

    #[test]
    fn a_refused_exec_says_why_in_a_dialog() {
        let mut state = with_tasks(&["t1"]);
        update(&mut state, Msg::Key(Key::Char('e')));
        let effects = update(&mut state, Msg::ExecReady(Err("ECS Exec is off".into())));
        assert!(effects.is_empty());
        match &state.ops.dialog {
            Some(Dialog::Outcome { title, lines, ok }) => {
                assert_eq!(
                    (title.as_str(), lines.as_slice(), *ok),
                    ("exec refused", &["ECS Exec is off".to_owned()][..], false)
                );
            }
            other => panic!("a refusal dialog, not {other:?}"),
        }
        assert_eq!(state.activity(), None);
    }

    fn read_only(allowed: bool) -> State {
        let settings = Settings {
            read_only: true,
            exec_in_read_only: allowed,
            interval: 5,
            ..Settings::default()
        };
        state_with_settings(tasks(&["t1"]), settings)
    }

    #[test]
    fn read_only_binds_no_exec_key_and_refuses_the_command_unless_the_config_allows_it() {
        let mut state = read_only(false);
        assert!(key(&mut state, Key::Char('e')).is_empty());
        assert_eq!(state.message, None, "e is not bound");
        let effects = command(&mut state, "exec");
        let [Effect::Refuse {
            action, message, ..
        }] = &effects[..]
        else {
            panic!("{effects:?}")
        };
        assert_eq!(action, "exec");
        assert!(message.contains("allow_in_read_only"), "{message}");
        assert_eq!(state.message.as_deref(), Some(message.as_str()));

        let mut state = read_only(true);
        let effects = key(&mut state, Key::Char('e'));
        assert!(matches!(&effects[..], [Effect::Exec { .. }]), "{effects:?}");
    }
}
