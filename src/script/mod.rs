//! The JavaScript sandbox: the only module that touches the JS engine. TEMPORARY stub engine until
//! the script branch lands; the types in `types.rs` are the contract with the runner.

mod types;

use std::time::Duration;

pub use types::{
    Assertion, AssertionError, ConsoleEntry, NextRequest, RequestSender, ScriptFailure, ScriptInfo,
    ScriptJob, ScriptOutcome, ScriptRun, ScriptSource, SendFuture, SentRequest,
};

/// Limits for scripts.
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// `--timeout-script`: interrupt a script running longer than this.
    pub timeout: Option<Duration>,
    /// Memory limit for the JavaScript heap in bytes (0 = the default limit).
    pub memory_limit: usize,
}

/// Runs pre-request and test scripts in one JavaScript realm for the whole run.
pub struct ScriptEngine {
    #[allow(dead_code)]
    options: ScriptOptions,
}

impl ScriptEngine {
    /// An engine; the JavaScript runtime is created on first use.
    pub fn new(options: ScriptOptions) -> Self {
        ScriptEngine { options }
    }

    /// Runs one event's scripts in order.
    pub async fn run(&mut self, job: ScriptJob<'_>) -> ScriptOutcome {
        ScriptOutcome {
            runs: job
                .scripts
                .iter()
                .map(|s| ScriptRun {
                    location: s.location.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }
}
