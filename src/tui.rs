//! The dashboard's runner: terminal in, effects out. Keys come from a thread reading the terminal,
//! the clock from a one-second ticker, data from refresh and log-tail tasks; all arrive as `Msg` on
//! one channel. The screen is drawn only when `update` marked the state dirty, so an idle
//! dashboard costs almost nothing. Nothing here is awaited between a message and its draw.

use crate::app::keys::Key;
use crate::app::{update, Effect, Msg, State};
use crate::aws::logs::Logs;
use crate::aws::ssm::Discovery;
use crate::config::Config;
use crate::model::stack::StackResources;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How far back the log panel starts.
const LOG_HISTORY_MS: i64 = 10 * 60 * 1000;

fn key_of(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
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

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Everything the runner needs to carry out effects.
pub struct Runner {
    pub sdk: aws_config::SdkConfig,
    pub profile: String,
    pub config: Config,
    pub log_poll: Duration,
}

/// Apply the config file's per-stack resource overrides to what discovery found.
pub fn with_overrides(mut found: StackResources, config: &Config) -> StackResources {
    for (key, value) in config.stack(&found.stack).resources {
        found.values.insert(key, value);
    }
    found
}

impl Runner {
    /// Run the dashboard until the user quits. Returns the exit code.
    pub async fn run(self, mut state: State) -> i32 {
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();

        // Keys: crossterm's read blocks, so it lives on its own thread.
        let keys = tx.clone();
        std::thread::spawn(move || loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                    // Esc quickly followed by a key reaches us as Alt+key: it was meant as two.
                    if k.modifiers.contains(KeyModifiers::ALT)
                        && keys.send(Msg::Key(Key::Esc)).is_err()
                    {
                        return;
                    }
                    match key_of(k.code, k.modifiers - KeyModifiers::ALT) {
                        Some(key) => Msg::Key(key),
                        None => continue,
                    }
                }
                Ok(Event::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                Err(_) => return,
            };
            if keys.send(msg).is_err() {
                return;
            }
        });

        // The clock: once a second (ages are shown in seconds).
        let ticks = tx.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if ticks.send(Msg::Tick(now())).is_err() {
                    return;
                }
            }
        });

        let mut terminal = ratatui::init();
        let mut tail: Option<JoinHandle<()>> = None;
        state.now = now();
        let mut pending: Vec<Effect> = state.start();
        let mut code = 0;
        'outer: loop {
            for effect in pending.drain(..) {
                match effect {
                    Effect::Quit => break 'outer,
                    Effect::Refresh => self.refresh(&state, &tx),
                    Effect::StartTail { generation } => {
                        if let Some(old) = tail.take() {
                            old.abort();
                        }
                        tail = self.tail(&state, generation, &tx);
                    }
                    Effect::SwitchStack(name) => self.switch_stack(name, &tx),
                    Effect::LoadTheme(name) => {
                        let tx = tx.clone();
                        tokio::task::spawn_blocking(move || {
                            let _ = tx.send(Msg::ThemeLoaded(crate::theme::load(&name)));
                        });
                    }
                }
            }
            if state.dirty {
                if let Err(e) = terminal.draw(|frame| crate::ui::view(&state, frame)) {
                    ratatui::restore();
                    eprintln!("stackdeck: cannot draw on the terminal: {e}");
                    code = 2;
                    break 'outer;
                }
                state.dirty = false;
            }
            let Some(msg) = rx.recv().await else { break };
            pending = update(&mut state, msg);
            // Drain what else is queued before drawing: a burst of log lines is one redraw.
            while let Ok(msg) = rx.try_recv() {
                pending.extend(update(&mut state, msg));
                if pending.contains(&Effect::Quit) {
                    break;
                }
            }
        }
        if let Some(tail) = tail {
            tail.abort();
        }
        ratatui::restore();
        code
    }

    fn refresh(&self, state: &State, tx: &mpsc::UnboundedSender<Msg>) {
        let (tx, sdk, profile, stack) = (
            tx.clone(),
            self.sdk.clone(),
            self.profile.clone(),
            state.resources.clone(),
        );
        tokio::spawn(async move {
            let data = crate::refresh::refresh(&sdk, &profile, &stack, now()).await;
            let _ = tx.send(Msg::Refreshed {
                at: now(),
                stack: stack.stack.clone(),
                data: Box::new(data),
            });
        });
    }

    fn tail(
        &self,
        state: &State,
        generation: u64,
        tx: &mpsc::UnboundedSender<Msg>,
    ) -> Option<JoinHandle<()>> {
        let group = state.resources.get("log_group")?.to_owned();
        let logs = Logs::new(&self.sdk, self.profile.clone());
        let (tx, every) = (tx.clone(), self.log_poll);
        Some(tokio::spawn(async move {
            let start = now() * 1000 - LOG_HISTORY_MS;
            logs.tail(&group, start, every, |event| {
                tx.send(Msg::Log { generation, event }).is_ok()
            })
            .await;
        }))
    }

    fn switch_stack(&self, name: String, tx: &mpsc::UnboundedSender<Msg>) {
        let (tx, sdk, profile, config) = (
            tx.clone(),
            self.sdk.clone(),
            self.profile.clone(),
            self.config.clone(),
        );
        tokio::spawn(async move {
            let found = Discovery::new(&sdk, profile.clone()).stack(&name).await;
            let msg = match found {
                Ok(found) => {
                    let found = with_overrides(found, &config);
                    if found.values.is_empty() {
                        Err(format!(
                            "no parameters under /stackdeck/{name}/ (profile {profile}); `stackdeck stacks` lists the stacks"
                        ))
                    } else {
                        Ok(found)
                    }
                }
                Err(e) => Err(e.message),
            };
            let _ = tx.send(Msg::StackLoaded(msg));
        });
    }
}
