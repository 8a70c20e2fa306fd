//! The run's results as data: per-item executions, counters in Newman's shape, and failures.

use std::time::Duration;

use crate::collection::Request;
use crate::http::{Response, WireRequest};
use crate::script::{ScriptErrorKind, ScriptOutcome, SentRequest};

use super::oauth2::TokenExchange;
use super::request_error::{RequestError, RequestErrorKind};

/// What happened to one item in one iteration.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    /// Zero-based iteration.
    pub iteration: usize,
    /// Position of the item in the plan.
    pub position: usize,
    /// Number of items in the plan.
    pub plan_length: usize,
    /// Number of iterations in the run.
    pub iterations: usize,
    /// The item's id.
    pub id: String,
    /// Folder names and the item name.
    pub path: Vec<String>,
    /// The request after pre-request scripts and variable resolution.
    pub request: Option<Request>,
    /// What went on the wire.
    pub wire: Option<WireRequest>,
    /// The response, if one arrived.
    pub response: Option<Response>,
    /// Why no response arrived (network error, invalid URL, unsupported auth...).
    pub request_error: Option<RequestError>,
    /// The exchanges Baton made to get the request's OAuth 2.0 token, in order (none when a
    /// token was cached or given).
    pub token_exchanges: Vec<TokenExchange>,
    /// Pre-request scripts' results.
    pub prerequest: ScriptOutcome,
    /// Test scripts' results.
    pub test: ScriptOutcome,
    /// `pm.execution.skipRequest()` was called.
    pub skipped: bool,
    /// How many times `--retry` ran the item again before this, its last attempt.
    pub retries: u32,
}

impl Execution {
    /// The item's display name.
    pub fn name(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("")
    }

    /// How many `request` events Newman's run emits for this item: its own request unless a script
    /// skipped it, each time it was sent again for an auth challenge, and each `pm.sendRequest`.
    /// Newman's JSON report lists the item's execution once per event.
    pub fn request_events(&self) -> usize {
        let replays = self.response.as_ref().map_or(0, |r| r.replays as usize);
        usize::from(!self.skipped) + replays + self.sent().count()
    }

    /// Requests made with `pm.sendRequest` in both events.
    pub fn sent(&self) -> impl Iterator<Item = &SentRequest> {
        self.prerequest.sent.iter().chain(self.test.sent.iter())
    }
}

/// A `{total, pending, failed}` counter as Newman reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    /// How many ran.
    pub total: usize,
    /// How many were skipped.
    pub pending: usize,
    /// How many failed.
    pub failed: usize,
}

/// Newman's `run.stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Iterations.
    pub iterations: Counter,
    /// Items.
    pub items: Counter,
    /// All script executions.
    pub scripts: Counter,
    /// Pre-request events.
    pub prerequests: Counter,
    /// Requests sent.
    pub requests: Counter,
    /// Test events.
    pub tests: Counter,
    /// Assertions.
    pub assertions: Counter,
    /// Test scripts.
    pub test_scripts: Counter,
    /// Pre-request scripts.
    pub prerequest_scripts: Counter,
}

/// What kind of failure, as precisely as a report may need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A `pm.test` failed.
    Assertion,
    /// A script threw, did not parse, timed out or ran out of memory.
    Script(ScriptErrorKind),
    /// The request got no response.
    Request(RequestErrorKind),
}

/// One failure, with everything needed to show where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What failed.
    pub kind: FailureKind,
    /// Zero-based iteration.
    pub iteration: usize,
    /// Position of the item in the plan.
    pub position: usize,
    /// The item's id.
    pub item_id: String,
    /// Folder names and item name.
    pub path: Vec<String>,
    /// Index of the failed test among the script's tests.
    pub assertion_index: Option<usize>,
    /// `prerequest` or `test` for script and assertion failures.
    pub event: Option<&'static str>,
    /// Where the failing script is defined (collection, folder or item path).
    pub script_location: Option<String>,
    /// The test name for assertion failures.
    pub test_name: Option<String>,
    /// The error class (`AssertionError`, `TypeError`, `RequestError`, ...).
    pub name: String,
    /// The message.
    pub message: String,
    /// One-based line within the script.
    pub line: Option<u32>,
    /// One-based column within the script.
    pub column: Option<u32>,
    /// The script line that failed, for display.
    pub source_line: Option<String>,
    /// For a request a script sent (`pm.sendRequest`) that failed, that request; the item's
    /// own request is the execution's.
    pub sent: Option<SentTarget>,
}

/// A request a script sent, as a failure of it names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTarget {
    /// The method.
    pub method: String,
    /// The URL as sent.
    pub url: String,
}

/// Timings of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Wall time of the whole run.
    pub total: Duration,
    /// Sum of response times.
    pub responses: Duration,
    /// Fastest response.
    pub min_response: Option<Duration>,
    /// Slowest response.
    pub max_response: Option<Duration>,
    /// Number of responses timed.
    pub response_count: usize,
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
}

impl Counter {
    /// Adds `other`'s counts to these.
    pub(crate) fn add(&mut self, other: Counter) {
        self.total += other.total;
        self.pending += other.pending;
        self.failed += other.failed;
    }
}

impl Stats {
    /// Adds `other`'s counters to these (one iteration's into the run's).
    pub(crate) fn add(&mut self, other: &Stats) {
        self.iterations.add(other.iterations);
        self.items.add(other.items);
        self.scripts.add(other.scripts);
        self.prerequests.add(other.prerequests);
        self.requests.add(other.requests);
        self.tests.add(other.tests);
        self.assertions.add(other.assertions);
        self.test_scripts.add(other.test_scripts);
        self.prerequest_scripts.add(other.prerequest_scripts);
    }
}

impl Timings {
    /// Adds the response times of `other` (one iteration's) to these; the run's start and wall
    /// time stay.
    pub(crate) fn add(&mut self, other: &Timings) {
        self.responses += other.responses;
        self.response_count += other.response_count;
        self.min_response = match (self.min_response, other.min_response) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_response = match (self.max_response, other.max_response) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Mean response time.
    pub fn average(&self) -> Duration {
        match self.response_count {
            0 => Duration::ZERO,
            n => self.responses / n as u32,
        }
    }
}
