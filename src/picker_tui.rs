//! The start picker's runner: with no stack given, the terminal shows the SSM stacks and every
//! ECS service as they are listed (`aws::ecs_list`), keys filter and move (`app::picker`), Enter
//! opens the dashboard on the row. The screen is drawn only when something changed; a burst of
//! rows is one redraw.

use crate::app::picker::{Msg, Outcome, Picker};
use crate::aws::ecs_list::{EcsList, Listed};
use crate::aws::ssm::Discovery;
use crate::terminal::{Input, Reader};
use crate::theme::Theme;
use std::io::IsTerminal;
use tokio::sync::mpsc;

pub use crate::model::picker::Picked;

/// Let the user pick a stack or a service; `None` when they quit. `Err` when there is no
/// terminal to show the picker on, or it cannot be drawn.
pub async fn pick(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    discovery: &Discovery,
) -> Result<Option<Picked>, String> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err("no stack given, and no terminal to pick one on: pass --stack NAME (`stackdeck stacks` lists them) or --cluster CLUSTER --service SERVICE".into());
    }
    let mut terminal = ratatui::try_init()
        .map_err(|e| format!("cannot open the terminal for the picker ({e}); pass --stack NAME or --cluster CLUSTER --service SERVICE"))?;
    let height = terminal.size().map(|s| s.height).unwrap_or(24);

    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let keys = tx.clone();
    let reader = Reader::spawn(move |input| {
        keys.send(match input {
            Input::Key(key) => Msg::Key(key),
            Input::Resize(_, height) => Msg::Resize(height),
            // The picker does not capture the mouse.
            Input::Pointer { .. } => return true,
        })
        .is_ok()
    });
    let (listed_tx, mut listed) = mpsc::unbounded_channel::<Listed>();
    let ecs = EcsList::new(sdk, profile.to_owned());
    let listing = async {
        let stacks = async {
            let found = discovery.stacks().await.map_err(|e| e.message);
            let _ = tx.send(Msg::Stacks(found));
        };
        tokio::join!(stacks, ecs.services(listed_tx));
    };
    tokio::pin!(listing);

    let mut picker = Picker::new(profile, Theme::default(), height);
    let mut listing_done = false;
    let result = loop {
        if picker.dirty {
            if let Err(e) = terminal.draw(|frame| crate::ui::picker::view(&picker, frame)) {
                break Err(format!("cannot draw on the terminal: {e}"));
            }
            picker.dirty = false;
        }
        let first = tokio::select! {
            () = &mut listing, if !listing_done => {
                listing_done = true;
                Msg::ServicesDone
            }
            Some(rows) = listed.recv() => Msg::Services(rows),
            Some(msg) = rx.recv() => msg,
        };
        // What else is queued, before drawing; the end of the listing after its last rows.
        let mut msgs: Vec<Msg> = std::iter::from_fn(|| listed.try_recv().ok())
            .map(Msg::Services)
            .collect();
        if first == Msg::ServicesDone {
            msgs.push(first);
        } else {
            msgs.insert(0, first);
        }
        msgs.extend(std::iter::from_fn(|| rx.try_recv().ok()));
        let outcome = msgs
            .into_iter()
            .map(|msg| picker.update(msg))
            .find(|outcome| *outcome != Outcome::Continue);
        match outcome {
            Some(Outcome::Quit) => break Ok(None),
            Some(Outcome::Picked(picked)) => break Ok(Some(picked)),
            _ => {}
        }
    };
    reader.stop();
    ratatui::restore();
    result
}
