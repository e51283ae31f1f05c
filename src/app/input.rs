//! What the keyboard does: a dialog or the help overlay takes it first, then the filter or the
//! command line being typed, then the key map's actions; an Enter on the command line runs a
//! command of the `:` table.

use super::command::{self, Command};
use super::keys::{Action, Key};
use super::{AwsSwitch, Effect, Mode, Panel, State};
use crate::model::mutation::Request;
use crate::model::rollback::Wanted;

/// Lines a page key moves.
const PAGE: usize = 10;

impl State {
    pub(super) fn key(&mut self, key: Key) -> Vec<Effect> {
        if key == Key::Ctrl('c') {
            // A dialog left open is an attempt declined: audited before quitting.
            let mut effects = self.close_dialog();
            effects.push(Effect::Quit);
            return effects;
        }
        if self.ops.dialog.is_some() {
            return self.dialog_key(key);
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Help => {
                // The help overlay takes the keyboard until it is closed.
                let closes = matches!(key, Key::Esc | Key::Enter)
                    || matches!(self.keymap.action(key), Some(Action::Help | Action::Quit));
                if !closes {
                    self.mode = Mode::Help;
                }
                Vec::new()
            }
            Mode::Filter => {
                match key {
                    Key::Esc => self.filter.clear(),
                    Key::Enter => {}
                    Key::Backspace => {
                        self.filter.pop();
                        self.mode = Mode::Filter;
                    }
                    Key::Char(c) => {
                        self.filter.push(c);
                        self.mode = Mode::Filter;
                    }
                    _ => self.mode = Mode::Filter,
                }
                self.scroll.clear();
                self.logs.offset = 0;
                Vec::new()
            }
            Mode::Command(mut line) => {
                match key {
                    Key::Esc => return Vec::new(),
                    Key::Enter => return self.command(&line),
                    Key::Backspace => {
                        line.pop();
                    }
                    Key::Char(c) => line.push(c),
                    _ => {}
                }
                self.mode = Mode::Command(line);
                Vec::new()
            }
            Mode::Normal => {
                self.message = None;
                match self.keymap.action(key) {
                    Some(action) => self.act(action),
                    None => {
                        self.dirty = false;
                        Vec::new()
                    }
                }
            }
        }
    }

    /// Enter on the command line.
    fn command(&mut self, line: &str) -> Vec<Effect> {
        let command = match command::parse(line) {
            Ok(Some(command)) => command,
            Ok(None) => return Vec::new(),
            Err(e) => {
                self.message = Some(e);
                return Vec::new();
            }
        };
        match command {
            Command::Quit => vec![Effect::Quit],
            Command::Help => {
                self.mode = Mode::Help;
                Vec::new()
            }
            Command::Stack(_) | Command::Service(_) if self.ops.in_flight.is_some() => {
                self.message = Some("an action is under way: switch stacks when it is done".into());
                Vec::new()
            }
            Command::Stack(name) => {
                self.refresh.switching = true;
                self.message = Some(format!("switching to stack {name}…"));
                vec![Effect::SwitchStack(name)]
            }
            Command::Service(name) => {
                // Without a cluster: the current stack's, as the service is most likely its
                // neighbour (the AWS CLI's `default` when the stack names none).
                let (cluster, service) = match name.split_once('/') {
                    Some((cluster, service)) => (Some(cluster.to_owned()), service.to_owned()),
                    None => (self.resources.get("cluster").map(str::to_owned), name),
                };
                self.refresh.switching = true;
                self.message = Some(format!("switching to service {service}…"));
                vec![Effect::SwitchService { cluster, service }]
            }
            Command::Profile(_) | Command::Region(_) if self.ops.in_flight.is_some() => {
                self.message =
                    Some("an action is under way: switch profile or region when it is done".into());
                Vec::new()
            }
            Command::Profile(_) | Command::Region(_) if self.refresh.switching => {
                self.message = Some("a switch is under way: wait for it first".into());
                Vec::new()
            }
            Command::Profile(name) => self.switch_aws(AwsSwitch::Profile(name)),
            Command::Region(name) => self.switch_aws(AwsSwitch::Region(name)),
            Command::Theme(name) => vec![Effect::LoadTheme(name)],
            Command::Audit => vec![Effect::LoadAudit],
            Command::Timeline => self.open_timeline(),
            Command::Mutate(request) => self.request(request),
            Command::Exec(ask) => self.exec(ask),
        }
    }

    pub(super) fn scroll_by(&mut self, down: bool, lines: usize) {
        if self.focus == Panel::Logs {
            self.logs.scroll(down, lines, &self.filter);
            return;
        }
        let at = self.scroll.entry(self.focus).or_insert(0);
        *at = if down {
            at.saturating_add(lines)
        } else {
            at.saturating_sub(lines)
        };
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => self.mode = Mode::Help,
            Action::Filter => self.mode = Mode::Filter,
            Action::Command => self.mode = Mode::Command(String::new()),
            Action::NextPanel => self.focus = self.focus.next(),
            Action::PreviousPanel => self.focus = self.focus.previous(),
            Action::Zoom => self.zoomed = !self.zoomed,
            Action::Back => {
                if self.zoomed {
                    self.zoomed = false;
                } else {
                    self.filter.clear();
                }
            }
            Action::Refresh => return self.ask_refresh(),
            Action::ScrollUp => self.scroll_by(false, 1),
            Action::ScrollDown => self.scroll_by(true, 1),
            Action::PageUp => self.scroll_by(false, PAGE),
            Action::PageDown => self.scroll_by(true, PAGE),
            Action::Top => {
                if self.focus == Panel::Logs {
                    self.logs.top(&self.filter);
                } else {
                    self.scroll.insert(self.focus, 0);
                }
            }
            Action::Follow => {
                if self.focus == Panel::Logs || self.logs.paused() {
                    self.logs.follow();
                }
                if self.focus != Panel::Logs {
                    self.scroll.insert(self.focus, usize::MAX / 2);
                }
            }
            Action::Pause => self.logs.toggle_pause(),
            Action::LogFormat => {
                self.logs.format = self.logs.format.next();
                self.message = Some(format!("logs: {}", self.logs.format.name()));
            }
            Action::NextError | Action::PreviousError => {
                let older = action == Action::PreviousError;
                if !self.logs.jump_error(&self.filter, older) {
                    self.message = Some(
                        if older {
                            "no earlier error in the log buffer"
                        } else {
                            "no newer error; End follows the newest line"
                        }
                        .into(),
                    );
                }
            }
            Action::Redeploy => return self.request(Request::Redeploy),
            Action::Rollback => {
                return self.request(Request::Rollback {
                    to: Wanted::LastCompleted,
                })
            }
            Action::Purge => return self.request(Request::Purge { dlq: false }),
            Action::StopTask => return self.request(Request::StopTask { task: None }),
            Action::Exec => return self.exec(Default::default()),
            Action::StopDeployment => return self.request(Request::StopDeployment),
            Action::Timeline => return self.open_timeline(),
            Action::Copy => return self.copy_focused(),
            Action::Console => return self.open_focused(),
        }
        Vec::new()
    }
}
