//! The dashboard's runner: terminal in, effects out. Keys come from a thread reading the terminal,
//! the clock from a one-second ticker, data from refresh tasks; all arrive as `Msg` on one channel.
//! The screen is drawn only when `update` marked the state dirty, so an idle dashboard costs
//! almost nothing.

use crate::app::{update, Effect, Key, Msg, State};
use crate::model::stack::StackResources;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::time::Duration;
use tokio::sync::mpsc;

fn key_of(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
    Some(match code {
        KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => Key::CtrlC,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Tab | KeyCode::Right => Key::Tab,
        KeyCode::BackTab | KeyCode::Left => Key::BackTab,
        KeyCode::Esc => Key::Esc,
        KeyCode::Enter => Key::Enter,
        _ => return None,
    })
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Run the dashboard until the user quits. Returns the exit code.
pub async fn run(
    sdk: aws_config::SdkConfig,
    profile: String,
    stack: StackResources,
    read_only: bool,
    interval_seconds: i64,
) -> i32 {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();

    // Keys: crossterm's read blocks, so it lives on its own thread.
    let keys = tx.clone();
    std::thread::spawn(move || loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                if let Some(key) = key_of(k.code, k.modifiers) {
                    if keys.send(Msg::Key(key)).is_err() {
                        return;
                    }
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    });

    // The clock.
    let ticks = tx.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        loop {
            interval.tick().await;
            if ticks.send(Msg::Tick(now())).is_err() {
                return;
            }
        }
    });

    let mut terminal = ratatui::init();
    let mut state = State::new(&stack.stack, read_only, interval_seconds);
    let mut code = 0;
    while let Some(msg) = rx.recv().await {
        for effect in update(&mut state, msg) {
            match effect {
                Effect::Quit => {
                    ratatui::restore();
                    return code;
                }
                Effect::Refresh => {
                    let (tx, sdk, profile, stack) =
                        (tx.clone(), sdk.clone(), profile.clone(), stack.clone());
                    tokio::spawn(async move {
                        let snapshot = crate::status::snapshot(&sdk, &profile, &stack).await;
                        let _ = tx.send(Msg::Refreshed {
                            at: now(),
                            snapshot: Box::new(snapshot),
                        });
                    });
                }
            }
        }
        if state.dirty {
            if let Err(e) = terminal.draw(|frame| crate::ui::view(&state, frame)) {
                ratatui::restore();
                eprintln!("stackdeck: cannot draw on the terminal: {e}");
                code = 2;
                return code;
            }
            state.dirty = false;
        }
    }
    ratatui::restore();
    code
}
