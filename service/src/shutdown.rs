//! One shutdown signal shared by the HTTP server, the relay and the worker.

use tokio::sync::watch;

/// The sending side: [`Trigger::fire`] asks everything holding a [`Shutdown`] to stop.
#[derive(Clone)]
pub struct Trigger(watch::Sender<bool>);

/// The receiving side: cheap to clone, one per loop.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// A new trigger and its first receiver.
pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Shutdown(rx))
}

impl Trigger {
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    /// Whether shutdown was asked for.
    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Wait until shutdown is asked for (or the trigger is gone).
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// SIGTERM (ECS stopping the task) or SIGINT (Ctrl-C).
pub async fn signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("cannot listen for SIGTERM");
    let mut int = signal(SignalKind::interrupt()).expect("cannot listen for SIGINT");
    tokio::select! {
        _ = term.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
        _ = int.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
    }
}
