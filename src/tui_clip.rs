//! The runner's part of `y` and `o`: the OSC 52 sequence written to the terminal (tmux with
//! `set-clipboard on` and most terminals over SSH put it on the clipboard), and `$BROWSER`
//! started on a console address, detached, its failure one line in the footer.

use crate::app::Msg;
use crate::model::console::osc52;
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
