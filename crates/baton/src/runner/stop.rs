//! Stopping a run from outside (Ctrl-C): a flag the script engine's interrupt handler reads, so even
//! a script stuck in a synchronous loop ends at once, and a channel the run loop awaits, so a
//! request in flight is abandoned.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// A request to stop; clones share it, and any thread may call [`Stop::request`].
#[derive(Debug, Clone)]
pub struct Stop {
    flag: Arc<AtomicBool>,
    sender: Arc<watch::Sender<bool>>,
    receiver: watch::Receiver<bool>,
    /// Turns true when waiting for the run is no longer wanted (a second Ctrl-C).
    forced: Arc<watch::Sender<bool>>,
}

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

impl Stop {
    /// A stop that has not been requested.
    pub fn new() -> Self {
        let (sender, receiver) = watch::channel(false);
        Stop {
            flag: Arc::default(),
            sender: Arc::new(sender),
            receiver,
            forced: Arc::new(watch::channel(false).0),
        }
    }

    /// Asks for the outputs to be written and the process ended now, whatever the run is doing
    /// (a second Ctrl-C). It also asks the run to stop.
    pub fn force(&self) {
        self.request();
        self.forced.send_replace(true);
    }

    /// Resolves once [`force`](Self::force) was called.
    pub async fn forced(&self) {
        let mut receiver = self.forced.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = receiver.wait_for(|forced| *forced).await;
    }

    /// Asks the run to stop.
    pub fn request(&self) {
        self.flag.store(true, Ordering::Relaxed);
        let _ = self.sender.send(true);
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// The flag the script engine checks while a script runs.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    /// The stop as a channel that turns `true`, for the script engine's event loop.
    pub fn signal(&self) -> watch::Receiver<bool> {
        self.receiver.clone()
    }

    /// Resolves once a stop is asked for.
    pub async fn wait(&mut self) {
        // The sender lives as long as any clone of this `Stop`, so `changed` cannot fail here.
        while !*self.receiver.borrow_and_update() {
            if self.receiver.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_from_another_thread_is_seen_and_awaited() {
        let stop = Stop::new();
        let mut waiting = stop.clone();
        std::thread::spawn(move || stop.request()).join().unwrap();
        assert!(waiting.requested());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(waiting.wait());
    }
}
