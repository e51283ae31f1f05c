//! What the full-screen runners (`tui`, `picker_tui`) share: crossterm's keys in the app's
//! terms, read on a thread of their own (crossterm's read blocks) that stops when asked, so that
//! the picker's reader is gone before the dashboard's starts and no key goes to the wrong one.

use crate::app::keys::Key;
use ratatui::crossterm::event::{
    self, Event, KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the reader waits for an event before it looks whether it was told to stop.
const POLL: Duration = Duration::from_millis(100);

/// What the terminal says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The terminal's new size: width, height.
    Resize(u16, u16),
    /// The mouse at column `x`, row `y` (only while capture is on): `wheel` None a left click,
    /// else the wheel turned down (`true`) or up.
    Pointer {
        x: u16,
        y: u16,
        wheel: Option<bool>,
    },
}

pub fn key_of(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
    Some(match code {
        KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
            Key::Ctrl(c.to_ascii_lowercase())
        }
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Esc => Key::Esc,
        KeyCode::Enter => Key::Enter,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

/// The thread reading the terminal.
pub struct Reader {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Reader {
    /// Read the terminal until `send` answers `false` (its receiver is gone), the terminal
    /// fails, or [`Reader::stop`].
    pub fn spawn(mut send: impl FnMut(Input) -> bool + Send + 'static) -> Reader {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match event::poll(POLL) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => return,
                }
                let input = match event::read() {
                    Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                        // Esc quickly followed by a key reaches us as Alt+key: it was meant as two.
                        if k.modifiers.contains(KeyModifiers::ALT) && !send(Input::Key(Key::Esc)) {
                            return;
                        }
                        match key_of(k.code, k.modifiers - KeyModifiers::ALT) {
                            Some(key) => Input::Key(key),
                            None => continue,
                        }
                    }
                    Ok(Event::Resize(width, height)) => Input::Resize(width, height),
                    Ok(Event::Mouse(m)) => {
                        let wheel = match m.kind {
                            MouseEventKind::Down(MouseButton::Left) => None,
                            MouseEventKind::ScrollDown => Some(true),
                            MouseEventKind::ScrollUp => Some(false),
                            _ => continue,
                        };
                        Input::Pointer {
                            x: m.column,
                            y: m.row,
                            wheel,
                        }
                    }
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if !send(input) {
                    return;
                }
            }
        });
        Reader {
            stop,
            thread: Some(thread),
        }
    }

    /// Stop reading and wait for the thread (at most one poll interval).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
