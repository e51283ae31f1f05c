//! The runner's part of `y`, `o` and the mouse: the OSC 52 sequence written to the terminal (tmux
//! with `set-clipboard on` and most terminals over SSH put it on the clipboard), `$BROWSER`
//! started on a console address, detached, its failure one line in the footer; mouse capture
//! (on unless the config's `mouse = false`, which leaves the terminal's own selection alone) and
//! a mouse event turned into the panel it points at.

use crate::app::{Msg, State};
use crate::model::console::osc52;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::layout::{Rect, Size};
use std::io::Write;
use std::process::{Command, Stdio};
use tokio::sync::mpsc;

/// Put `text` on the clipboard through the terminal.
pub fn clipboard(text: &str) {
    let mut out = std::io::stdout();
    let _ = out.write_all(osc52(text).as_bytes());
    let _ = out.flush();
}

/// Copy `url`, and open it with `$BROWSER` when that is set.
pub fn browse(url: &str, tx: &mpsc::UnboundedSender<Msg>) {
    clipboard(url);
    let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) else {
        return;
    };
    let started = Command::new(&browser)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(e) = started {
        let _ = tx.send(Msg::Notice(format!(
            "$BROWSER {}: {e}; the address is on the clipboard",
            browser.to_string_lossy()
        )));
    }
}

/// Mouse capture on or off (off before the terminal is given back).
pub fn capture_mouse(on: bool) {
    let mut out = std::io::stdout();
    let _ = if on {
        execute!(out, EnableMouseCapture)
    } else {
        execute!(out, DisableMouseCapture)
    };
}

/// `msg`, with a mouse event on a screen of `size` turned into the panel it points at (none:
/// the header, the footer, a border between panels — then it stays a `Pointer`, which does
/// nothing).
pub fn pointed(state: &State, size: Size, msg: Msg) -> Msg {
    let Msg::Pointer { x, y, wheel } = msg else {
        return msg;
    };
    let area = Rect::new(0, 0, size.width, size.height);
    match (crate::ui::panel_at(state, area, x, y), wheel) {
        (Some(panel), None) => Msg::Focus(panel),
        (Some(panel), Some(down)) => Msg::Wheel { panel, down },
        (None, _) => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, state_with};
    use crate::app::{update, Panel};

    #[test]
    fn a_click_focuses_the_panel_under_it_and_the_wheel_scrolls_it() {
        let mut state = state_with(fixtures::healthy());
        let size = Size::new(80, 24);
        let click = |x, y| Msg::Pointer { x, y, wheel: None };
        // At 80×24: the service top left, the alarms top right, the logs at the bottom.
        let msg = pointed(&state, size, click(60, 3));
        assert!(matches!(msg, Msg::Focus(Panel::Alarms)), "{msg:?}");
        update(&mut state, msg);
        assert_eq!(state.focus, Panel::Alarms);
        let wheel = Msg::Pointer {
            x: 10,
            y: 20,
            wheel: Some(true),
        };
        let msg = pointed(&state, size, wheel);
        assert!(
            matches!(
                msg,
                Msg::Wheel {
                    panel: Panel::Logs,
                    down: true
                }
            ),
            "{msg:?}"
        );
        update(&mut state, msg);
        assert_eq!(state.focus, Panel::Logs);
        // The header and the footer point at no panel.
        assert!(matches!(
            pointed(&state, size, click(5, 0)),
            Msg::Pointer { .. }
        ));
        assert!(matches!(
            pointed(&state, size, click(5, 23)),
            Msg::Pointer { .. }
        ));
    }
}
