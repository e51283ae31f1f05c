//! The dashboard's panels and their focus order.

/// Panels, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Panel {
    Service,
    Alarms,
    Database,
    Queue,
    Logs,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Service,
        Panel::Alarms,
        Panel::Database,
        Panel::Queue,
        Panel::Logs,
    ];

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).expect("listed")
    }

    pub(super) fn next(self) -> Panel {
        Panel::ALL[(self.index() + 1) % Panel::ALL.len()]
    }

    pub(super) fn previous(self) -> Panel {
        Panel::ALL[(self.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::Service => "Service",
            Panel::Alarms => "Alarms",
            Panel::Database => "Database",
            Panel::Queue => "Queue",
            Panel::Logs => "Logs",
        }
    }
}
