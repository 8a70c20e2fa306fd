//! The last resort when a run cannot end itself: a script stuck in QuickJS native code ignores
//! the interrupt handler, so `--timeout` and Ctrl-C cannot stop it from inside.
//!
//! The watchdog waits on a thread of its own. A second Ctrl-C wakes it at once; a stop or the
//! `--timeout` deadline wakes it after [`GRACE`], time enough for a run that can end cooperatively
//! to do so. Woken while the run is still going, it writes the reports and exports from the run's
//! [`Checkpoint`] (everything up to the last finished item) and ends the process. Once the run is
//! over and its own outputs are being written, the watchdog stays out of the way, so no file is
//! ever written twice or cut short.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton::runner::{Checkpoint, RunSummary, Stop};

use super::Exit;

/// How long a stopped run may take to end on its own before the watchdog ends it.
pub const GRACE: Duration = Duration::from_secs(1);

/// Who writes the outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The run is going; nobody has written anything.
    Running,
    /// The run is over and writes its own outputs.
    Finished,
    /// The watchdog took over and is about to end the process.
    TakenOver,
}

/// The handle the run keeps; see the module documentation.
pub struct Watchdog {
    phase: Arc<Mutex<Phase>>,
    finished: tokio::sync::watch::Sender<bool>,
}

impl Watchdog {
    /// Starts watching a run that ends at `deadline` (if any) or when `stop` is requested. Should
    /// it have to take over, `write` writes the outputs from the checkpoint's summary (the stop
    /// reason filled in) and the process exits with [`Exit::Failure`].
    pub fn start(
        stop: Stop,
        deadline: Option<Instant>,
        checkpoint: Checkpoint,
        write: impl FnOnce(&RunSummary) + Send + 'static,
    ) -> Watchdog {
        let phase = Arc::new(Mutex::new(Phase::Running));
        let (finished, mut finished_rx) = tokio::sync::watch::channel(false);
        let watched = phase.clone();
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
            else {
                return;
            };
            let reason = runtime.block_on(async {
                let mut stopped = stop.clone();
                let overdue = async {
                    let reason = tokio::select! {
                        _ = stopped.wait() => "the run was interrupted",
                        _ = until(deadline) => "the run reached its --timeout",
                    };
                    tokio::time::sleep(GRACE).await;
                    reason
                };
                tokio::select! {
                    _ = stop.forced() => Some("the run was interrupted twice"),
                    reason = overdue => Some(reason),
                    _ = finished_rx.wait_for(|done| *done) => None,
                }
            });
            let Some(reason) = reason else { return };
            {
                let mut phase = watched.lock().unwrap_or_else(|p| p.into_inner());
                if *phase != Phase::Running {
                    return;
                }
                *phase = Phase::TakenOver;
            }
            eprintln!(
                "error: {reason} and did not end within {} s (a script is stuck); the reports \
                 and exports hold everything up to the last finished item",
                GRACE.as_secs()
            );
            let mut summary = checkpoint.settled();
            summary.stopped = Some(reason.to_string());
            write(&summary);
            std::process::exit(i32::from(Exit::Failure.code()));
        });
        Watchdog { phase, finished }
    }

    /// Called once the run returned, before its outputs are written: from then on the watchdog
    /// stays out. `false` when it already took over and is ending the process; the caller must
    /// then write nothing.
    pub fn run_finished(&self) -> bool {
        let mut phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        if *phase == Phase::TakenOver {
            return false;
        }
        *phase = Phase::Finished;
        self.finished.send_replace(true);
        true
    }
}

/// Resolves at `deadline`, or never without one.
async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}
