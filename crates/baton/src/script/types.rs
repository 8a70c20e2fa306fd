//! What the runner hands the script engine and what it gets back: the contract between the run loop
//! and the JavaScript sandbox.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::collection::{Listen, Request};
use crate::http::{CookieJar, HttpError, Response};
use crate::vars::Scopes;

/// One script to run, with where it lives (for failure messages).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptSource {
    /// The JavaScript source.
    pub code: Rc<str>,
    /// Where it is defined, e.g. `Workflow > Create application` (the collection name for
    /// collection-level scripts).
    pub location: String,
}

/// Facts about the current execution, as `pm.info` shows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptInfo {
    /// Zero-based iteration.
    pub iteration: usize,
    /// Number of iterations in the run.
    pub iteration_count: usize,
    /// The request item's name.
    pub request_name: String,
    /// The request item's id.
    pub request_id: String,
    /// The names of the folders above the item and the item itself (`pm.execution.location`).
    pub location: Vec<String>,
}

/// The future a [`RequestSender`] returns: the headers the request went out with (none when it
/// could not be built), and its response or why there is none.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = (Vec<(String, String)>, Result<Response, HttpError>)> + 'a>>;

/// Sends `pm.sendRequest` requests through the run's HTTP client and cookie jar.
pub trait RequestSender {
    /// Sends the request as given (no `{{variable}}` resolution, as in Postman); `Err` carries a
    /// network error message.
    fn send_request(&self, request: Request) -> SendFuture<'_>;
}

/// Everything one event's scripts (collection -> folders -> item) may read or change.
pub struct ScriptJob<'a> {
    /// Which event runs.
    pub listen: Listen,
    /// The scripts, outermost first; each runs in its own function scope.
    pub scripts: &'a [ScriptSource],
    /// The variable scopes; `set`/`unset` calls change them.
    pub scopes: &'a mut Scopes,
    /// The request about to be sent (pre-request scripts may change it) or that was sent.
    pub request: &'a mut Request,
    /// The response, for test scripts (absent when the request failed on the network); lent
    /// to the scripts for the job and given back at its end, as the scopes are.
    pub response: &'a mut Option<Response>,
    /// `pm.info` facts.
    pub info: ScriptInfo,
    /// The run's cookie jar.
    pub cookies: &'a CookieJar,
    /// The HTTP client behind `pm.sendRequest`.
    pub sender: &'a dyn RequestSender,
}

/// What the event's scripts did.
#[derive(Debug, Clone, Default)]
pub struct ScriptOutcome {
    /// One entry per script, in the order they ran.
    pub runs: Vec<ScriptRun>,
    /// Set by `pm.execution.setNextRequest` / `postman.setNextRequest`.
    pub next_request: Option<NextRequest>,
    /// Set by `pm.execution.skipRequest()` in a pre-request script.
    pub skip_request: bool,
    /// Requests made with `pm.sendRequest`, for `--verbose` and reports.
    pub sent: Vec<SentRequest>,
}

/// Where the run goes after the current item.
#[derive(Debug, Clone, PartialEq)]
pub enum NextRequest {
    /// The item with this name or id.
    Item(String),
    /// `setNextRequest(null)`: stop the run after this item.
    Stop,
}

/// The result of one script.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptRun {
    /// Where the script is defined.
    pub location: String,
    /// `pm.test` / `tests[...]` results, in order.
    pub assertions: Vec<Assertion>,
    /// `console.*` output, in order.
    pub console: Vec<ConsoleEntry>,
    /// An uncaught error, a syntax error, a timeout or running out of memory.
    pub error: Option<ScriptFailure>,
}

/// One named test.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    /// The test name.
    pub name: String,
    /// `pm.test.skip`.
    pub skipped: bool,
    /// Why it failed (chai's message), if it did.
    pub error: Option<AssertionError>,
}

/// A failed test's error.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertionError {
    /// The error class, usually `AssertionError`.
    pub name: String,
    /// The message, e.g. `expected response to have status code 201 but got 400`.
    pub message: String,
    /// One-based line in the script of the failing statement, when known.
    pub line: Option<u32>,
}

/// A line of console output.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleEntry {
    /// `log`, `info`, `warn`, `error` or `debug`.
    pub level: String,
    /// The arguments formatted as Node's `console` does, joined by spaces.
    pub message: String,
}

/// An error that stopped a script.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptFailure {
    /// What kind of failure, decided by the engine (never by reading the message).
    pub kind: ScriptErrorKind,
    /// The error class (`SyntaxError`, `ReferenceError`, `TypeError`, `TimeoutError`, ...).
    pub name: String,
    /// The message.
    pub message: String,
    /// One-based line within the script's own source, when known.
    pub line: Option<u32>,
    /// One-based column, when known.
    pub column: Option<u32>,
}

/// The kinds of script failure a user can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScriptErrorKind {
    /// The script does not parse.
    Syntax,
    /// The script threw (or rejected) while it ran.
    #[default]
    Runtime,
    /// The script ran past `--timeout-script`.
    Timeout,
    /// The script ran out of heap.
    MemoryLimit,
    /// The run was stopped (Ctrl-C, `--timeout`) while the script ran.
    Interrupted,
    /// The JavaScript engine could not start.
    Engine,
}

/// A request made by `pm.sendRequest`.
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// The request as the script gave it.
    pub request: Request,
    /// The headers it went out with, system headers included (none when it could not be built).
    pub headers: Vec<(String, String)>,
    /// The response, or why there is none.
    pub response: Result<Response, HttpError>,
}
