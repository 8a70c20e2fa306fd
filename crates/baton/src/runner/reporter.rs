//! Live run events, named after Newman's: a reporter implements the hooks it needs; all default to
//! doing nothing.

use std::time::Duration;

use super::{Execution, Failure, Masker, RunSummary};

/// Receives the run's events as they happen.
pub trait Reporter {
    /// The run starts with this many items per iteration and this many iterations (with
    /// `--shard`, the shard's).
    fn start(&mut self, _collection_name: &str, _items: usize, _iterations: usize) {}
    /// A new iteration begins: its zero-based number and the count, both in the whole run (a
    /// shard's iterations keep their numbers).
    fn iteration(&mut self, _iteration: usize, _count: usize) {}
    /// An item is about to run.
    fn before_item(&mut self, _path: &[String]) {}
    /// A warning worth the user's attention (unresolved variables, unknown scripts' features).
    fn warning(&mut self, _message: &str) {}
    /// A failure was recorded.
    fn failure(&mut self, _failure: &Failure) {}
    /// The request of an item was sent and answered (or failed): `execution` holds the
    /// pre-request results, the request and the response, not yet the tests.
    fn request(&mut self, _execution: &Execution, _masker: &Masker) {}
    /// An attempt at the item failed for `reason` and it runs again after `wait` (`--retry`);
    /// `execution` is the failed attempt, which no report keeps.
    fn retry(&mut self, _execution: &Execution, _reason: &str, _wait: Duration) {}
    /// The item finished (its test scripts' console output and tests are in `execution`);
    /// `masker` hides the secrets known so far.
    fn item(&mut self, _execution: &Execution, _masker: &Masker) {}
    /// The run finished.
    fn done(&mut self, _summary: &RunSummary) {}
}

/// Sends every event to each reporter in turn.
pub struct Reporters(pub Vec<Box<dyn Reporter>>);

impl Reporter for Reporters {
    fn start(&mut self, name: &str, items: usize, iterations: usize) {
        self.0
            .iter_mut()
            .for_each(|r| r.start(name, items, iterations));
    }
    fn iteration(&mut self, iteration: usize, count: usize) {
        self.0
            .iter_mut()
            .for_each(|r| r.iteration(iteration, count));
    }
    fn before_item(&mut self, path: &[String]) {
        self.0.iter_mut().for_each(|r| r.before_item(path));
    }
    fn warning(&mut self, message: &str) {
        self.0.iter_mut().for_each(|r| r.warning(message));
    }
    fn failure(&mut self, failure: &Failure) {
        self.0.iter_mut().for_each(|r| r.failure(failure));
    }
    fn request(&mut self, execution: &Execution, masker: &Masker) {
        self.0.iter_mut().for_each(|r| r.request(execution, masker));
    }
    fn retry(&mut self, execution: &Execution, reason: &str, wait: Duration) {
        self.0
            .iter_mut()
            .for_each(|r| r.retry(execution, reason, wait));
    }
    fn item(&mut self, execution: &Execution, masker: &Masker) {
        self.0.iter_mut().for_each(|r| r.item(execution, masker));
    }
    fn done(&mut self, summary: &RunSummary) {
        self.0.iter_mut().for_each(|r| r.done(summary));
    }
}
