//! Keys and the actions they are bound to (k9s conventions), with overrides from the config file.

use std::collections::BTreeMap;
use std::fmt;

/// A key press, reduced to what the dashboard can bind (the runner translates terminal events).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Tab,
    BackTab,
    Esc,
    Enter,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Char(' ') => write!(f, "Space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Ctrl(c) => write!(f, "Ctrl-{c}"),
            Key::Tab => write!(f, "Tab"),
            Key::BackTab => write!(f, "Shift-Tab"),
            Key::Esc => write!(f, "Esc"),
            Key::Enter => write!(f, "Enter"),
            Key::Backspace => write!(f, "Backspace"),
            Key::Up => write!(f, "Up"),
            Key::Down => write!(f, "Down"),
            Key::Left => write!(f, "Left"),
            Key::Right => write!(f, "Right"),
            Key::PageUp => write!(f, "PgUp"),
            Key::PageDown => write!(f, "PgDn"),
            Key::Home => write!(f, "Home"),
            Key::End => write!(f, "End"),
        }
    }
}

/// Parse a key as the config file writes it: `q`, `?`, `ctrl-r`, `tab`, `shift-tab`, `enter`,
/// `esc`, `space`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`.
pub fn parse_key(text: &str) -> Option<Key> {
    let lower = text.to_ascii_lowercase();
    if let Some(c) = lower.strip_prefix("ctrl-").or(lower.strip_prefix("c-")) {
        let mut chars = c.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(Key::Ctrl(c)),
            _ => None,
        };
    }
    Some(match lower.as_str() {
        "tab" => Key::Tab,
        "shift-tab" | "backtab" => Key::BackTab,
        "esc" | "escape" => Key::Esc,
        "enter" | "return" => Key::Enter,
        "backspace" => Key::Backspace,
        "space" => Key::Char(' '),
        "up" => Key::Up,
        "down" => Key::Down,
        "left" => Key::Left,
        "right" => Key::Right,
        "pgup" | "pageup" => Key::PageUp,
        "pgdn" | "pagedown" => Key::PageDown,
        "home" => Key::Home,
        "end" => Key::End,
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Key::Char(c),
                _ => return None,
            }
        }
    })
}

/// What a key does in the normal mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Help,
    Quit,
    Filter,
    Command,
    NextPanel,
    PreviousPanel,
    Zoom,
    Back,
    Refresh,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    Top,
    Follow,
    Pause,
    LogFormat,
    NextError,
    PreviousError,
    Copy,
    Console,
    Redeploy,
    Rollback,
    Purge,
    StopTask,
    Exec,
    StopDeployment,
    Timeline,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 28] = [
        Action::Help,
        Action::Filter,
        Action::Command,
        Action::NextPanel,
        Action::PreviousPanel,
        Action::Zoom,
        Action::Back,
        Action::ScrollUp,
        Action::ScrollDown,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Follow,
        Action::Pause,
        Action::LogFormat,
        Action::NextError,
        Action::PreviousError,
        Action::Refresh,
        Action::Timeline,
        Action::Copy,
        Action::Console,
        Action::Exec,
        Action::Redeploy,
        Action::Rollback,
        Action::Purge,
        Action::StopTask,
        Action::StopDeployment,
        Action::Quit,
    ];

    /// The name the config file's `[keys]` table uses.
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Filter => "filter",
            Action::Command => "command",
            Action::NextPanel => "next_panel",
            Action::PreviousPanel => "previous_panel",
            Action::Zoom => "zoom",
            Action::Back => "back",
            Action::Refresh => "refresh",
            Action::ScrollUp => "scroll_up",
            Action::ScrollDown => "scroll_down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Follow => "follow",
            Action::Pause => "pause",
            Action::LogFormat => "log_format",
            Action::NextError => "next_error",
            Action::PreviousError => "previous_error",
            Action::Copy => "copy",
            Action::Console => "console",
            Action::Redeploy => "redeploy",
            Action::Rollback => "rollback",
            Action::Purge => "purge",
            Action::StopTask => "stop_task",
            Action::Exec => "exec",
            Action::StopDeployment => "stop_deployment",
            Action::Timeline => "timeline",
        }
    }

    /// What the help overlay says it does.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Help => "this help",
            Action::Quit => "quit",
            Action::Filter => "filter the lists",
            Action::Command => "command line",
            Action::NextPanel => "next panel",
            Action::PreviousPanel => "previous panel",
            Action::Zoom => "zoom the panel",
            Action::Back => "back, clear filter",
            Action::Refresh => "refresh now",
            Action::ScrollUp => "scroll up",
            Action::ScrollDown => "scroll down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top, oldest line",
            Action::Follow => "newest, follow logs",
            Action::Pause => "pause the logs",
            Action::LogFormat => "compact/pretty/raw",
            Action::NextError => "next error line",
            Action::PreviousError => "previous error line",
            Action::Copy => "copy ARN / id",
            Action::Console => "AWS console link",
            Action::Redeploy => "redeploy (asks)",
            Action::Rollback => "roll back (asks)",
            Action::Purge => "purge queue (asks)",
            Action::StopTask => "stop a task (asks)",
            Action::Exec => "shell in a task",
            Action::StopDeployment => "stop rollout (asks)",
            Action::Timeline => "incident timeline",
        }
    }

    /// Mutations: not bound at all in read-only mode.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Action::Redeploy
                | Action::Rollback
                | Action::Purge
                | Action::StopTask
                | Action::StopDeployment
        )
    }

    pub fn by_name(name: &str) -> Option<Action> {
        // `pretty_json`: the name of `J` before it cycled compact → pretty → raw.
        if name == "pretty_json" {
            return Some(Action::LogFormat);
        }
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    fn default_keys(self) -> &'static [Key] {
        match self {
            Action::Help => &[Key::Char('?')],
            Action::Quit => &[Key::Char('q')],
            Action::Filter => &[Key::Char('/')],
            Action::Command => &[Key::Char(':')],
            Action::NextPanel => &[Key::Tab, Key::Right, Key::Char('l')],
            Action::PreviousPanel => &[Key::BackTab, Key::Left, Key::Char('h')],
            Action::Zoom => &[Key::Enter],
            Action::Back => &[Key::Esc],
            Action::Refresh => &[Key::Char('r')],
            Action::ScrollUp => &[Key::Up, Key::Char('k')],
            Action::ScrollDown => &[Key::Down, Key::Char('j')],
            Action::PageUp => &[Key::PageUp, Key::Ctrl('u')],
            Action::PageDown => &[Key::PageDown, Key::Ctrl('d')],
            Action::Top => &[Key::Home, Key::Char('g')],
            Action::Follow => &[Key::End, Key::Char('G')],
            Action::Pause => &[Key::Char(' '), Key::Char('p')],
            Action::LogFormat => &[Key::Char('J')],
            Action::NextError => &[Key::Char('n')],
            Action::PreviousError => &[Key::Char('N')],
            Action::Copy => &[Key::Char('y')],
            Action::Console => &[Key::Char('o')],
            Action::Redeploy => &[Key::Ctrl('r')],
            Action::Rollback => &[Key::Ctrl('b')],
            Action::Purge => &[Key::Ctrl('p')],
            Action::StopTask => &[Key::Char('x')],
            Action::Exec => &[Key::Char('e')],
            Action::StopDeployment => &[Key::Char('X')],
            Action::Timeline => &[Key::Char('t')],
        }
    }
}

/// Key → action, after the config file's overrides; read-only mode leaves mutations unbound, and
/// exec too unless the config's `[exec] allow_in_read_only`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Key, Action>,
}

impl Keymap {
    /// The default bindings with `overrides` (action name → keys) applied: an overridden action
    /// loses its default keys. `exec_in_read_only`: bind exec even when `read_only`.
    pub fn new(
        overrides: &BTreeMap<String, Vec<String>>,
        read_only: bool,
        exec_in_read_only: bool,
    ) -> Result<Keymap, String> {
        let mut chosen: BTreeMap<Action, Vec<Key>> = Action::ALL
            .into_iter()
            .map(|a| (a, a.default_keys().to_vec()))
            .collect();
        for (name, keys) in overrides {
            let action = Action::by_name(name).ok_or_else(|| {
                format!(
                    "[keys]: unknown action `{name}` (known: {})",
                    Action::ALL.map(Action::name).join(", ")
                )
            })?;
            let parsed = keys
                .iter()
                .map(|k| {
                    parse_key(k).ok_or_else(|| {
                        format!("[keys] {name}: `{k}` is not a key (e.g. q, ctrl-r, tab, pgdn)")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            chosen.insert(action, parsed);
        }
        let mut bindings = BTreeMap::new();
        for (action, keys) in chosen {
            let gated = action.mutates() || (action == Action::Exec && !exec_in_read_only);
            if read_only && gated {
                continue;
            }
            for key in keys {
                // An override wins over a default binding of the same key.
                let overridden = overrides.contains_key(action.name());
                if overridden || !bindings.contains_key(&key) {
                    bindings.insert(key, action);
                }
            }
        }
        Ok(Keymap { bindings })
    }

    pub fn action(&self, key: Key) -> Option<Action> {
        self.bindings.get(&key).copied()
    }

    /// The keys of `action`, for the help overlay.
    pub fn keys_of(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect()
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&BTreeMap::new(), false, false).expect("the defaults are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_as_the_config_writes_them() {
        assert_eq!(parse_key("ctrl-r"), Some(Key::Ctrl('r')));
        assert_eq!(parse_key("?"), Some(Key::Char('?')));
        assert_eq!(parse_key("shift-tab"), Some(Key::BackTab));
        assert_eq!(parse_key("space"), Some(Key::Char(' ')));
        assert_eq!(parse_key("nope"), None);
    }

    #[test]
    fn overrides_replace_defaults_and_read_only_unbinds_mutations() {
        let mut overrides = BTreeMap::new();
        overrides.insert("quit".to_owned(), vec!["x".to_owned()]);
        let map = Keymap::new(&overrides, false, false).unwrap();
        assert_eq!(map.action(Key::Char('x')), Some(Action::Quit));
        assert_eq!(map.action(Key::Char('q')), None);
        assert_eq!(map.action(Key::Ctrl('r')), Some(Action::Redeploy));
        let ro = Keymap::new(&BTreeMap::new(), true, false).unwrap();
        assert_eq!(ro.action(Key::Ctrl('r')), None);
        assert_eq!(ro.action(Key::Ctrl('p')), None);
        assert_eq!(ro.action(Key::Char('x')), None);
        assert_eq!(ro.action(Key::Char('X')), None);
        let defaults = Keymap::default();
        assert_eq!(defaults.action(Key::Char('x')), Some(Action::StopTask));
        // Exec: bound unless read-only, where only the config's allow_in_read_only binds it.
        assert_eq!(defaults.action(Key::Char('e')), Some(Action::Exec));
        assert_eq!(ro.action(Key::Char('e')), None);
        let allowed = Keymap::new(&BTreeMap::new(), true, true).unwrap();
        assert_eq!(allowed.action(Key::Char('e')), Some(Action::Exec));
        assert_eq!(allowed.action(Key::Char('x')), None);
        assert_eq!(
            defaults.action(Key::Char('X')),
            Some(Action::StopDeployment)
        );
        overrides.insert("fly".to_owned(), vec!["f".to_owned()]);
        assert!(Keymap::new(&overrides, false, false)
            .unwrap_err()
            .contains("`fly`"));
    }
}
