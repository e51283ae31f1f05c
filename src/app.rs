//! The dashboard's state and its pure `update` (The Elm Architecture, DESIGN.md): keys and data
//! arrive as messages, `update` changes the state and answers with effects for the runner. No I/O,
//! no clock (time arrives in `Tick`), no await.

use crate::model::health::{Snapshot, Verdict};

/// Panels, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Service,
    Queue,
    Alarms,
}

impl Panel {
    fn next(self) -> Panel {
        match self {
            Panel::Service => Panel::Queue,
            Panel::Queue => Panel::Alarms,
            Panel::Alarms => Panel::Service,
        }
    }
    fn previous(self) -> Panel {
        match self {
            Panel::Service => Panel::Alarms,
            Panel::Queue => Panel::Service,
            Panel::Alarms => Panel::Queue,
        }
    }
}

/// A key press, reduced to what the dashboard binds (the runner translates terminal events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Tab,
    BackTab,
    Esc,
    Enter,
    CtrlC,
}

/// Everything that happens to the dashboard.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(Key),
    /// The clock, once a second (unix seconds).
    Tick(i64),
    /// A refresh finished at `at`.
    Refreshed {
        at: i64,
        snapshot: Box<Snapshot>,
    },
}

/// What `update` asks the runner to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Read every source once.
    Refresh,
    Quit,
}

/// The dashboard's whole state.
#[derive(Clone, Debug)]
pub struct State {
    pub stack: String,
    pub read_only: bool,
    /// Seconds between automatic refreshes.
    pub interval: i64,
    pub now: i64,
    pub snapshot: Option<Snapshot>,
    pub updated_at: Option<i64>,
    pub refreshing: bool,
    pub requested_at: Option<i64>,
    pub focus: Panel,
    pub zoomed: bool,
    pub show_help: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
}

impl State {
    pub fn new(stack: &str, read_only: bool, interval: i64) -> State {
        State {
            stack: stack.to_owned(),
            read_only,
            interval: interval.max(1),
            now: 0,
            snapshot: None,
            updated_at: None,
            refreshing: false,
            requested_at: None,
            focus: Panel::Service,
            zoomed: false,
            show_help: false,
            dirty: true,
        }
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.snapshot.as_ref().map(Snapshot::verdict)
    }

    /// "updated 3 s ago", or "loading…".
    pub fn age(&self) -> String {
        match self.updated_at {
            Some(at) => format!("updated {} s ago", (self.now - at).max(0)),
            None => "loading…".into(),
        }
    }

    fn refresh(&mut self) -> Vec<Effect> {
        if self.refreshing {
            return Vec::new();
        }
        self.refreshing = true;
        self.requested_at = Some(self.now);
        self.dirty = true;
        vec![Effect::Refresh]
    }
}

/// The one place the state changes.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            let age_changed = state.updated_at.is_some() && now != state.now;
            state.now = now;
            state.dirty |= age_changed;
            let due = state
                .requested_at
                .is_none_or(|at| now - at >= state.interval);
            if due {
                return state.refresh();
            }
            Vec::new()
        }
        Msg::Refreshed { at, snapshot } => {
            state.snapshot = Some(*snapshot);
            state.updated_at = Some(at);
            state.refreshing = false;
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) => {
            state.dirty = true;
            if state.show_help {
                // The help overlay takes the keyboard until it is closed.
                match key {
                    Key::Esc | Key::Char('?') | Key::Char('q') => state.show_help = false,
                    Key::CtrlC => return vec![Effect::Quit],
                    _ => {}
                }
                return Vec::new();
            }
            match key {
                Key::Char('q') | Key::CtrlC => vec![Effect::Quit],
                Key::Char('?') => {
                    state.show_help = true;
                    Vec::new()
                }
                Key::Tab | Key::Char('l') => {
                    state.focus = state.focus.next();
                    Vec::new()
                }
                Key::BackTab | Key::Char('h') => {
                    state.focus = state.focus.previous();
                    Vec::new()
                }
                Key::Enter => {
                    state.zoomed = !state.zoomed;
                    Vec::new()
                }
                Key::Esc => {
                    state.zoomed = false;
                    Vec::new()
                }
                Key::Char('r') => state.refresh(),
                _ => {
                    state.dirty = false;
                    Vec::new()
                }
            }
        }
    }
}

/// Every key, for the help overlay.
pub const KEYS: &[(&str, &str)] = &[
    ("?", "this help (Esc closes it)"),
    ("Tab / l, Shift-Tab / h", "next / previous panel"),
    ("Enter", "zoom the focused panel (Esc: back)"),
    ("r", "refresh now"),
    ("q, Ctrl-C", "quit"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health::{QueueHealth, ServiceHealth};

    fn snapshot() -> Snapshot {
        Snapshot {
            stack: "s".into(),
            service: Ok(ServiceHealth::default()),
            queue: Ok(QueueHealth::default()),
            alarms: Ok(vec![]),
        }
    }

    #[test]
    fn the_first_tick_refreshes_and_a_refresh_in_flight_is_not_repeated() {
        let mut state = State::new("s", false, 5);
        assert_eq!(update(&mut state, Msg::Tick(100)), vec![Effect::Refresh]);
        assert_eq!(update(&mut state, Msg::Key(Key::Char('r'))), vec![]);
        assert_eq!(
            update(&mut state, Msg::Tick(106)),
            vec![],
            "still refreshing"
        );
        update(
            &mut state,
            Msg::Refreshed {
                at: 106,
                snapshot: Box::new(snapshot()),
            },
        );
        assert_eq!(state.age(), "updated 0 s ago");
    }

    #[test]
    fn refreshes_follow_the_interval() {
        let mut state = State::new("s", false, 5);
        update(&mut state, Msg::Tick(100));
        update(
            &mut state,
            Msg::Refreshed {
                at: 101,
                snapshot: Box::new(snapshot()),
            },
        );
        assert_eq!(update(&mut state, Msg::Tick(103)), vec![]);
        assert_eq!(update(&mut state, Msg::Tick(105)), vec![Effect::Refresh]);
    }

    #[test]
    fn keys_move_focus_zoom_help_and_quit() {
        let mut state = State::new("s", false, 5);
        update(&mut state, Msg::Key(Key::Tab));
        assert_eq!(state.focus, Panel::Queue);
        update(&mut state, Msg::Key(Key::BackTab));
        update(&mut state, Msg::Key(Key::BackTab));
        assert_eq!(state.focus, Panel::Alarms);
        update(&mut state, Msg::Key(Key::Enter));
        assert!(state.zoomed);
        update(&mut state, Msg::Key(Key::Esc));
        assert!(!state.zoomed);
        update(&mut state, Msg::Key(Key::Char('?')));
        assert!(state.show_help);
        assert_eq!(
            update(&mut state, Msg::Key(Key::Char('q'))),
            vec![],
            "q closes help first"
        );
        assert!(!state.show_help);
        assert_eq!(
            update(&mut state, Msg::Key(Key::Char('q'))),
            vec![Effect::Quit]
        );
    }

    #[test]
    fn an_unbound_key_does_not_redraw() {
        let mut state = State::new("s", false, 5);
        state.dirty = false;
        update(&mut state, Msg::Key(Key::Char('z')));
        assert!(!state.dirty);
    }
}
