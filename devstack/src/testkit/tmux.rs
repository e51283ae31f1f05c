//! A program in a real terminal: a detached tmux session on a server of its own, driven with
//! `send-keys` and read with `capture-pane`; the server is killed on drop.

use super::eventually;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A detached `width`×`height` session `deck` running the shell command `command`, kept on
    /// screen after it exits.
    pub fn start(command: &str, width: u16, height: u16) -> Tmux {
        static SESSIONS: AtomicUsize = AtomicUsize::new(0);
        let tmux = Tmux {
            socket: format!(
                "stackdeck-test-{}-{}",
                std::process::id(),
                SESSIONS.fetch_add(1, Ordering::SeqCst)
            ),
        };
        let (width, height) = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "deck",
            "-x",
            &width,
            "-y",
            &height,
            command,
        ]);
        tmux.run(&["set-option", "-t", "deck", "remain-on-exit", "on"]);
        tmux
    }

    /// Run a tmux command on this server; its standard output.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "deck"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "deck"])
    }

    /// `#{format}` of the session's pane (`pane_pid`, `pane_dead` …).
    pub fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "deck", format])
    }

    /// Wait (up to 30 s) until `what` shows; the screen then.
    pub async fn wait_for(&self, what: &str) -> String {
        let on_screen = format!("{what:?} on screen");
        eventually(Duration::from_secs(30), &on_screen, || async {
            let screen = self.screen();
            if screen.contains(what) {
                Ok(screen)
            } else {
                Err(screen)
            }
        })
        .await
    }

    /// Wait (up to 10 s) until `what` is gone from the screen.
    pub async fn wait_until_gone(&self, what: &str) {
        let gone = format!("{what:?} to leave the screen");
        eventually(Duration::from_secs(10), &gone, || async {
            let screen = self.screen();
            if screen.contains(what) {
                Err(screen)
            } else {
                Ok(())
            }
        })
        .await
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
