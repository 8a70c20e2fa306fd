//! The JavaScript sandbox: the only module that touches the JS engine. One QuickJS realm per run,
//! made on the first script or ahead of it, on a thread of its own while the run's first request
//! is in flight (`warm.rs`). Each script runs in its own async function scope (sloppy mode, so
//! top-level `await` and implicit globals both work), and its promises, timers and
//! `pm.sendRequest` calls settle in a small event loop before the next script starts. The pm API
//! itself is JavaScript (`js/prelude.js`, `js/sdk.js`, `js/assertions.js`) over a few native
//! functions (`host.rs`); the npm libraries load on first use (`libraries.rs`, `LIBRARIES.md`).

mod accessor;
mod convert;
mod host;
mod json;
mod libraries;
mod realm;
mod sugar;
mod types;
mod warm;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

pub use libraries::third_party_licenses;
pub use types::{
    Assertion, AssertionError, ConsoleEntry, NextRequest, RequestSender, ScriptErrorKind,
    ScriptFailure, ScriptInfo, ScriptJob, ScriptOutcome, ScriptRun, ScriptSource, SendFuture,
    SentRequest,
};
pub use warm::ScriptUse;

use realm::Realm;
use warm::Warming;

/// The JavaScript heap limit when [`ScriptOptions::memory_limit`] is 0.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 * 1024 * 1024;

/// Limits for scripts.
#[derive(Debug, Clone)]
pub struct ScriptOptions {
    /// `--timeout-script`: interrupt a script running longer than this.
    pub timeout: Option<Duration>,
    /// Memory limit for the JavaScript heap in bytes (0 = the default limit).
    pub memory_limit: usize,
    /// Set from another thread (Ctrl-C) to interrupt a running script at once, even one stuck in
    /// a synchronous loop.
    pub stop: Arc<AtomicBool>,
    /// The same stop as a channel, so a script waiting on a timer or a `pm.sendRequest` wakes at
    /// once and hands its scopes back instead of being dropped with them.
    pub stop_signal: tokio::sync::watch::Receiver<bool>,
    /// The whole run's `--timeout`: a script still running then is interrupted.
    pub run_deadline: Option<Instant>,
    /// `--script-top-level-await`: `await` outside functions waits, as in the Postman app. By
    /// default it is a syntax error that stops the whole script, as in Newman's sandbox.
    pub top_level_await: bool,
    /// The process ends soon after the run (the command-line tool): dropping the engine leaves
    /// the JavaScript heap to the system instead of freeing it object by object, which took a
    /// one-request run a sixth of its instructions.
    pub leave_heap_at_exit: bool,
}

impl Default for ScriptOptions {
    /// No limits beyond the default heap, and a stop that never comes.
    fn default() -> Self {
        ScriptOptions {
            timeout: None,
            memory_limit: 0,
            stop: Arc::default(),
            stop_signal: tokio::sync::watch::channel(false).1,
            run_deadline: None,
            top_level_await: false,
            leave_heap_at_exit: false,
        }
    }
}

/// Runs pre-request and test scripts in one JavaScript realm for the whole run.
pub struct ScriptEngine {
    options: ScriptOptions,
    realm: Option<Realm>,
    /// The realm being made on a thread of its own, after [`ScriptEngine::warm_up`].
    warming: Option<Warming>,
}

impl ScriptEngine {
    /// An engine; the JavaScript runtime is created on first use, or ahead of it by
    /// [`ScriptEngine::warm_up`].
    pub fn new(options: ScriptOptions) -> Self {
        ScriptEngine {
            options,
            realm: None,
            warming: None,
        }
    }

    /// Starts making the realm (and chai, if a script will use it) on a thread of its own, so
    /// that it is ready, or nearly, when the first script runs: for a test script, while its
    /// request is in flight. Call it before the run's first request with what the run's scripts
    /// use; with no scripts it does nothing.
    pub fn warm_up(&mut self, uses: ScriptUse) {
        if uses.any && self.realm.is_none() && self.warming.is_none() {
            self.warming = Warming::start(&self.options, uses.chai);
        }
    }

    /// Runs one event's scripts in order, each to completion (including its timers, promises and
    /// `pm.sendRequest` callbacks). Failures are recorded in the outcome; the run goes on.
    pub async fn run(&mut self, job: ScriptJob<'_>) -> ScriptOutcome {
        if job.scripts.is_empty() {
            return ScriptOutcome::default();
        }
        if self.realm.is_none() {
            let warmed = match self.warming.take() {
                Some(mut warming) => warming.finish().await,
                None => None,
            };
            match warmed.unwrap_or_else(|| Realm::new(&self.options)) {
                Ok(realm) => self.realm = Some(realm),
                Err(error) => return realm_failure(&job, &error.to_string()),
            }
        }
        let realm = self.realm.as_mut().expect("realm was just created");
        realm.run_job(job).await
    }
}

impl Drop for ScriptEngine {
    fn drop(&mut self) {
        if self.options.leave_heap_at_exit {
            std::mem::forget(self.realm.take());
        }
    }
}

fn realm_failure(job: &ScriptJob<'_>, message: &str) -> ScriptOutcome {
    ScriptOutcome {
        runs: job
            .scripts
            .iter()
            .map(|s| ScriptRun {
                location: s.location.clone(),
                error: Some(ScriptFailure {
                    kind: ScriptErrorKind::Engine,
                    name: "Error".into(),
                    message: format!("cannot start the JavaScript engine: {message}"),
                    line: None,
                    column: None,
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests;
