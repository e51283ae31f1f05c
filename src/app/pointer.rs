//! `y` and `o`: the focused panel's resource — the service, the first alarm (ALARM first), the work
//! queue, the DB instance, the log group over the last hour — copied (its ARN or id, through
//! OSC 52) or opened in the AWS console (the address copied too, and shown in the footer). And
//! the mouse: a click focuses a panel, the wheel scrolls the one under it.

use super::{Effect, Panel, State};
use crate::model::console::{self, Resource};

/// Lines one turn of the wheel scrolls.
const WHEEL_LINES: usize = 3;

impl State {
    fn focused_resource(&self) -> Option<Resource<'_>> {
        let r = &self.resources;
        Some(match self.focus {
            Panel::Service => Resource::Service {
                cluster: r.get("cluster")?,
                service: r.get("service")?,
            },
            Panel::Alarms => {
                let data = self.refresh.data.as_ref()?;
                Resource::Alarm(&data.health.alarms.as_ref().ok()?.first()?.name)
            }
            Panel::Queue => Resource::Queue {
                url: r.get("queue_url")?,
            },
            Panel::Database => Resource::Db(r.get("db_instance_id")?),
            Panel::Logs => Resource::LogGroup {
                group: r.get("log_group")?,
                start_ms: (self.now - 3600) * 1000,
                end_ms: self.now * 1000,
            },
        })
    }

    /// A click (`scroll` None) or the wheel on `panel`: ignored while a dialog, the help, the
    /// filter or the command line has the keyboard.
    pub(super) fn point_at(&mut self, panel: Panel, scroll: Option<bool>) -> Vec<Effect> {
        if self.ops.dialog.is_some() || self.mode != super::Mode::Normal {
            return Vec::new();
        }
        self.focus = panel;
        self.dirty = true;
        if let Some(down) = scroll {
            self.scroll_by(down, WHEEL_LINES);
        }
        Vec::new()
    }

    /// `y`: the focused resource's ARN or id on the clipboard.
    pub(super) fn copy_focused(&mut self) -> Vec<Effect> {
        let Some(resource) = self.focused_resource() else {
            self.message = Some(format!(
                "nothing to copy in the {} panel",
                self.focus.title()
            ));
            return Vec::new();
        };
        let text = console::id(&self.region, self.account.as_deref(), &resource);
        self.message = Some(format!("copied {text}"));
        vec![Effect::Clipboard(text)]
    }

    /// `o`: the focused resource's console page, copied, shown and opened with `$BROWSER`.
    pub(super) fn open_focused(&mut self) -> Vec<Effect> {
        let Some(resource) = self.focused_resource() else {
            self.message = Some(format!(
                "no console page for the {} panel",
                self.focus.title()
            ));
            return Vec::new();
        };
        let url = console::url(&self.region, &resource);
        self.message = Some(format!("copied {url}"));
        vec![Effect::Browse(url)]
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, key, state_with};
    use super::super::keys::Key;
    use super::*;

    #[test]
    fn y_copies_the_focused_resource_and_o_its_console_page() {
        let mut state = state_with(fixtures::healthy());
        assert_eq!(
            key(&mut state, Key::Char('y')),
            vec![Effect::Clipboard(
                "courier-local/courier-local-courier".into()
            )],
            "no account yet: the name"
        );
        state.account = Some("123456789012".into());
        assert_eq!(
            key(&mut state, Key::Char('y')),
            vec![Effect::Clipboard(
                "arn:aws:ecs:eu-west-1:123456789012:service/courier-local/courier-local-courier"
                    .into()
            )]
        );
        assert_eq!(
            state.message.as_deref(),
            Some("copied arn:aws:ecs:eu-west-1:123456789012:service/courier-local/courier-local-courier")
        );
        state.focus = Panel::Logs;
        let effects = key(&mut state, Key::Char('o'));
        let [Effect::Browse(url)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(
            url.starts_with("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fcourier-local/log-events"),
            "{url}"
        );
        state.focus = Panel::Alarms;
        assert_eq!(
            key(&mut state, Key::Char('y')),
            vec![Effect::Clipboard(
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:courier-local-queue-depth".into()
            )]
        );
    }
}
