//! What a run has settled so far, kept where another thread can read it.
//!
//! A script stuck in native code (`new Array(2**32 - 1).join('')`) never reaches QuickJS's
//! interrupt handler, so neither `--timeout` nor Ctrl-C can end it from inside, and the run's own
//! thread cannot write the reports. After every item the run settles its results here: the
//! executions move in (they are kept once, not copied); the counters, failures and scopes are
//! copied, and the masker too when it learned something. A watchdog thread can then write the
//! outputs from the last settled item and end the process; a run that ends normally takes its
//! executions back.

use std::sync::{Arc, Mutex, MutexGuard};

use super::RunSummary;

/// The run's results as of its last finished item, shared between threads.
#[derive(Debug, Clone, Default)]
pub struct Checkpoint(Arc<Mutex<RunSummary>>);

impl Checkpoint {
    /// An empty checkpoint, to hand to a run and to a watchdog.
    pub fn new() -> Self {
        Self::default()
    }

    /// The summary as of the last settled item. Its executions are there; the run's own summary
    /// holds them again only once the run is over.
    pub fn settled(&self) -> MutexGuard<'_, RunSummary> {
        // A panic while the lock was held leaves data that is still worth writing.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes in what the run settled since the last call: the new executions move here, the rest
    /// is copied.
    pub(crate) fn settle(&self, summary: &mut RunSummary) {
        let mut settled = self.settled();
        settled.executions.append(&mut summary.executions);
        let known = settled.failures.len();
        settled
            .failures
            .extend_from_slice(summary.failures.get(known..).unwrap_or_default());
        settled.stats = summary.stats.clone();
        settled.timings = summary.timings;
        settled.scopes = summary.scopes.clone();
        settled.stopped = summary.stopped.clone();
        // Copied only when it learned something: most items teach it nothing.
        if settled.masker.knowledge() != summary.masker.knowledge() {
            settled.masker = summary.masker.clone();
        }
    }

    /// Gives the executions back to the run's summary once the run is over.
    pub(crate) fn take_back(&self, summary: &mut RunSummary) {
        let mut settled = self.settled();
        settled.executions.append(&mut summary.executions);
        summary.executions = std::mem::take(&mut settled.executions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Execution;
    use serde_json::json;

    fn execution(id: &str) -> Execution {
        Execution {
            id: id.into(),
            ..Execution::default()
        }
    }

    #[test]
    fn executions_move_in_once_and_come_back_in_order() {
        let checkpoint = Checkpoint::new();
        let mut summary = RunSummary::default();
        summary.executions.push(execution("a"));
        summary.scopes.environment.set("k", json!(1));
        checkpoint.settle(&mut summary);
        assert!(summary.executions.is_empty(), "kept once, not copied");
        summary.executions.push(execution("b"));
        summary.scopes.environment.set("k", json!(2));
        {
            let settled = checkpoint.settled();
            assert_eq!(settled.executions.len(), 1);
            assert_eq!(settled.scopes.environment.get("k"), Some(&json!(1)));
        }
        checkpoint.take_back(&mut summary);
        let ids: Vec<&str> = summary.executions.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
