//! The run loop: for each iteration, for each planned item: pre-request scripts, resolve, send, test
//! scripts, record; `setNextRequest` moves the cursor, `--bail` and Ctrl-C stop it.

use std::time::{Duration, Instant};

use crate::collection::{Collection, DataRow, KeyValue, Listen, LoadError, Request};
use crate::http::{
    CookieJar, FileAccess, HttpClient, Response, build_wire_request, resolve_request,
};
use crate::script::{
    NextRequest, RequestSender, ScriptEngine, ScriptInfo, ScriptJob, ScriptOptions, ScriptOutcome,
};
use crate::vars::{Scopes, Variable, VariableScope};

use super::failures::record_failures;
use super::mask::Masker;
use super::oauth2::{TokenCache, TokenLog};
use super::parallel::run_parallel;
use super::plan::{Plan, PlannedItem};
use super::retry::RetryPolicy;
use super::send_request::ClientSender;
use super::summary::{Counter, Execution, Failure, Stats, Timings};
use super::warnings::warn_unresolved;
use super::{Checkpoint, Reporter, RequestError, Shard, Stop};

/// How the run behaves.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `-n`: iterations (default: the number of data rows, or 1).
    pub iterations: Option<usize>,
    /// `-d`: one row per iteration.
    pub data: Vec<DataRow>,
    /// `--delay-request`.
    pub delay: Duration,
    /// `--timeout`: stop the whole run after this long.
    pub timeout: Option<Duration>,
    /// `--bail`.
    pub bail: bool,
    /// File bodies.
    pub files: FileAccess,
    /// Script limits.
    pub script: ScriptOptions,
    /// Keep every execution in the summary (the JSON and JUnit reports need them); off, memory stays
    /// flat however long the run.
    pub keep_executions: bool,
    /// Keep the scripts' console output in the kept executions (the HTML report shows it); off,
    /// it is dropped once the reporters have shown it.
    pub keep_console: bool,
    /// Report unresolved `{{variables}}` as warnings.
    pub warn_unresolved: bool,
    /// `--show-secrets`: do not mask secrets in events and reports.
    pub show_secrets: bool,
    /// `--oauth2-no-fetch`: an `oauth2` auth block only sends the `accessToken` it holds, as in
    /// Newman; otherwise Baton fetches a token for a block with a grant and no token.
    pub oauth2_no_fetch: bool,
    /// Where the run settles its results after every item, for a watchdog to write from.
    pub checkpoint: Checkpoint,
    /// `--retry` and its companions: which failed items run again.
    pub retry: RetryPolicy,
    /// `--shard K/N`: run only this share of the iterations, under their global indices (the
    /// data row, `pm.info.iteration` and the reports' cursors are those of a single run).
    pub shard: Option<Shard>,
    /// `--parallel N`: iterations in flight at once (0 and 1 run them one after another). Each
    /// iteration then starts from the scopes as the run began plus its data row, and what it
    /// sets stays within it; the run ends with the scopes of the last iteration by index. The
    /// cookie jar, the connection pool and OAuth 2.0 tokens are shared. Events and results are
    /// delivered whole per iteration, in index order.
    pub parallel: usize,
}

/// The variable scopes the run starts from.
#[derive(Debug, Clone, Default)]
pub struct RunScopes {
    /// Environment variables.
    pub environment: Vec<Variable>,
    /// Global variables.
    pub globals: Vec<Variable>,
}

/// Everything a finished (or stopped) run produced.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Counters.
    pub stats: Stats,
    /// Every execution, when `keep_executions` was set.
    pub executions: Vec<Execution>,
    /// Every failure, in order.
    pub failures: Vec<Failure>,
    /// Timings.
    pub timings: Timings,
    /// The variables at the end of the run.
    pub scopes: Scopes,
    /// Why the run stopped early, if it did (`--bail`, `--timeout`, interrupted).
    pub stopped: Option<String>,
    /// Masks every secret the run saw, for report writers.
    pub masker: Masker,
}

impl RunSummary {
    /// Whether anything failed.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }
}

/// Runs the planned items. `stop` turning true (Ctrl-C) ends the run after the current step; the
/// summary is still returned so reports and exports get written.
///
/// With [`RunOptions::shard`], only that shard's iterations run, under their global indices.
/// With [`RunOptions::parallel`] above 1, that many iterations are in flight at once, each from
/// the scopes the run started with plus its data row; see [`RunOptions::parallel`].
pub async fn run(
    collection: &Collection,
    plan: &Plan,
    scopes: RunScopes,
    options: &RunOptions,
    client: &HttpClient,
    reporter: &mut dyn Reporter,
    stop: Stop,
) -> RunSummary {
    let started = Instant::now();
    let deadline = options.timeout.map(|t| started + t);
    let iterations = options
        .iterations
        .unwrap_or_else(|| options.data.len().max(1));
    let mut summary = RunSummary {
        scopes: Scopes {
            environment: VariableScope::from_values(scopes.environment),
            globals: VariableScope::from_values(scopes.globals),
            collection: VariableScope::from_values(collection.variables.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    summary.timings.started_unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    if options.show_secrets {
        summary.masker = Masker::disabled();
    }
    summary.masker.learn_scopes(&summary.scopes);
    let script_options = ScriptOptions {
        stop: stop.flag(),
        stop_signal: stop.signal(),
        run_deadline: deadline,
        ..options.script.clone()
    };
    let script_files = options.files.for_scripts();
    let sender = ClientSender {
        client,
        files: &script_files,
    };
    let tokens = TokenCache::default();
    let range = options
        .shard
        .map_or(0..iterations, |shard| shard.range(iterations));
    // A shard announces the iterations it runs; each keeps its number in the whole run.
    reporter.start(&collection.name, plan.len(), range.len());
    // Stuck in its first script, the run still has the loaded variables to export.
    options.checkpoint.settle(&mut summary);

    let context = IterationContext {
        collection,
        plan,
        iterations,
        options,
        client,
        sender: &sender,
        tokens: &tokens,
        stop: &stop,
        deadline,
        halted: None,
    };
    if options.parallel > 1 {
        run_parallel(&context, range, script_options, &mut summary, reporter).await;
    } else {
        let mut engine = ScriptEngine::new(script_options);
        engine.warm_up(plan.scripts());
        for iteration in range {
            let stopped =
                run_iteration(&context, iteration, &mut engine, &mut summary, reporter).await;
            if stopped.is_some() {
                summary.stopped = stopped;
                break;
            }
        }
    }
    summary.timings.total = started.elapsed();
    options.checkpoint.take_back(&mut summary);
    reporter.done(&summary);
    summary
}

/// What every iteration of a run shares.
#[derive(Clone, Copy)]
pub(super) struct IterationContext<'a> {
    pub(super) collection: &'a Collection,
    pub(super) plan: &'a Plan,
    /// Iterations in the whole run (all shards).
    pub(super) iterations: usize,
    pub(super) options: &'a RunOptions,
    pub(super) client: &'a HttpClient,
    pub(super) sender: &'a ClientSender<'a>,
    /// OAuth 2.0 tokens fetched so far in the run.
    pub(super) tokens: &'a TokenCache,
    pub(super) stop: &'a Stop,
    /// The run's `--timeout`.
    pub(super) deadline: Option<Instant>,
    /// Set by the parallel driver when one iteration ended the run (`--bail`): the others stop at
    /// their next item with that reason. The serial driver stops at once and has none.
    pub(super) halted: Option<&'a std::cell::RefCell<Option<String>>>,
}

/// Runs iteration `iteration` (global, zero-based) into `summary`, item by item as the cursor
/// goes; returns why the whole run must stop, if it must (`--bail`, `--timeout`, interrupted).
/// The serial and parallel drivers both run iterations through it.
pub(super) async fn run_iteration(
    context: &IterationContext<'_>,
    iteration: usize,
    engine: &mut ScriptEngine,
    summary: &mut RunSummary,
    reporter: &mut dyn Reporter,
) -> Option<String> {
    let (plan, options, client) = (context.plan, context.options, context.client);
    let (iterations, deadline, stop) = (context.iterations, context.deadline, context.stop);
    summary.stats.iterations.total += 1;
    // What Digest blocks learned lasts one iteration: Newman's next one starts unsigned.
    client.digest_memory().forget();
    reporter.iteration(iteration, iterations);
    let row = options
        .data
        .get(iteration)
        .or_else(|| options.data.last())
        .cloned()
        .unwrap_or_default();
    summary.scopes.data =
        VariableScope::from_values(row.into_iter().map(|(k, v)| Variable::new(k, v)).collect());
    let mut position = 0;
    while position < plan.len() {
        if stop.requested() {
            return Some("interrupted".into());
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(stop_reason(deadline, options));
        }
        if let Some(reason) = context.halted.and_then(|halted| halted.borrow().clone()) {
            return Some(reason);
        }
        // Checked when the collection loaded: built again, the item fails only if its file
        // changed since (a large collection is read from its file as it runs).
        let planned = match plan.item(context.collection, position) {
            Ok(planned) => planned,
            Err(error @ LoadError::Changed { .. }) => return Some(error.to_string()),
            Err(error) => return Some(format!("the collection changed while it ran: {error}")),
        };
        let planned = &planned;
        let item_context = ItemContext {
            plan_length: plan.len(),
            collection_name: &context.collection.name,
            planned,
            iteration,
            iterations,
            position,
            options,
            client,
            sender: context.sender,
            tokens: context.tokens,
            stop,
            deadline,
        };
        // The item is never dropped half way: a stop or the deadline ends its request or
        // its scripts from inside, and what the scripts set is back in the summary.
        let (mut execution, next) = run_attempts(&item_context, engine, summary, reporter).await;
        // Newman counts every request event: auth replays and `pm.sendRequest` calls too.
        let extra = execution.request_events() - usize::from(!execution.skipped);
        summary.stats.requests.total += extra;
        summary.stats.requests.failed += execution.sent().filter(|s| s.response.is_err()).count();
        let failed_before = summary.failures.len();
        // The test scripts may have captured secrets: they are masked from now on, for the
        // rest of the run, even once unset.
        summary.masker.learn_item(&summary.scopes, &execution);
        record_failures(&execution, planned, summary, reporter);
        reporter.item(&execution, &summary.masker);
        if options.keep_executions && !options.keep_console {
            // The reporters above have shown the console output, and no file report needs it.
            let outcomes = [&mut execution.prerequest, &mut execution.test];
            for run in outcomes.into_iter().flat_map(|o| o.runs.iter_mut()) {
                run.console = Vec::new();
            }
        }
        if options.keep_executions {
            summary.executions.push(execution);
        }
        // The parallel driver settles whole iterations, in order, itself.
        if context.halted.is_none() {
            options.checkpoint.settle(summary);
        }
        if stop.requested() || deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(stop_reason(deadline, options));
        }
        if options.bail && summary.failures.len() > failed_before {
            return Some("--bail: stopped at the first failure".into());
        }
        position = match next {
            None => position + 1,
            Some(NextRequest::Stop) => break,
            Some(NextRequest::Item(target)) => match plan.position(context.collection, &target) {
                Some(found) => found,
                None => break,
            },
        };
        if !options.delay.is_zero() && position < plan.len() {
            tokio::time::sleep(options.delay).await;
        }
    }
    None
}

/// Why the run stopped early: its `--timeout`, else an interrupt.
fn stop_reason(deadline: Option<Instant>, options: &RunOptions) -> String {
    if deadline.is_some_and(|d| Instant::now() >= d) {
        format!(
            "the run exceeded its --timeout of {} ms",
            options.timeout.unwrap_or_default().as_millis()
        )
    } else {
        "interrupted".into()
    }
}

/// Resolves at the run's deadline, or never when there is none.
async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

struct ItemContext<'a> {
    plan_length: usize,
    collection_name: &'a str,
    planned: &'a PlannedItem,
    iteration: usize,
    iterations: usize,
    position: usize,
    options: &'a RunOptions,
    client: &'a HttpClient,
    sender: &'a ClientSender<'a>,
    /// OAuth 2.0 tokens fetched so far in the run.
    tokens: &'a TokenCache,
    /// Ends a request in flight (Ctrl-C, SIGTERM).
    stop: &'a Stop,
    /// The run's `--timeout`, which also ends a request in flight.
    deadline: Option<Instant>,
}

/// Runs one item, and again as `--retry` allows while it fails for a passing reason. What a
/// failed attempt set and counted is rolled back before the next; the last attempt is the item's
/// result, with the number of retries it took.
async fn run_attempts(
    context: &ItemContext<'_>,
    engine: &mut ScriptEngine,
    summary: &mut RunSummary,
    reporter: &mut dyn Reporter,
) -> (Execution, Option<NextRequest>) {
    let policy = &context.options.retry;
    if policy.times == 0 {
        return run_item(context, engine, summary, reporter, true).await;
    }
    let scopes = summary.scopes.clone();
    let (stats, timings) = (summary.stats.clone(), summary.timings);
    let mut attempt = 1;
    loop {
        let (mut execution, next) =
            run_item(context, engine, summary, reporter, attempt == 1).await;
        execution.retries = attempt - 1;
        let Some(reason) = policy.reason(&execution, attempt) else {
            return (execution, next);
        };
        let wait = policy.wait(&execution, std::time::SystemTime::now());
        reporter.retry(&execution, &summary.masker.mask(&reason), wait);
        let mut stop = context.stop.clone();
        let waited = tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = stop.wait() => false,
            _ = until(context.deadline) => false,
        };
        // A stop during the wait keeps the last attempt as the item's result.
        if !waited || context.stop.requested() {
            return (execution, next);
        }
        summary.scopes = scopes.clone();
        summary.stats = stats.clone();
        summary.timings = timings;
        attempt += 1;
    }
}

/// Runs one item: pre-request scripts, resolution, sending, test scripts. `announce` is false
/// for a retry, whose item the reporter has already named.
async fn run_item(
    context: &ItemContext<'_>,
    engine: &mut ScriptEngine,
    summary: &mut RunSummary,
    reporter: &mut dyn Reporter,
    announce: bool,
) -> (Execution, Option<NextRequest>) {
    let planned = context.planned;
    if announce {
        reporter.before_item(&planned.path);
    }
    let stats = &mut summary.stats;
    stats.items.total += 1;
    let mut request = planned.item.request.clone();
    if request.auth.is_none() {
        request.auth = planned.auth.clone();
    }
    let mut execution = Execution {
        iteration: context.iteration,
        position: context.position,
        plan_length: context.plan_length,
        iterations: context.iterations,
        id: planned.item.id.clone(),
        path: planned.path.clone(),
        ..Default::default()
    };
    let info = ScriptInfo {
        iteration: context.iteration,
        iteration_count: context.iterations,
        request_name: planned.item.name.clone(),
        request_id: planned.item.id.clone(),
        // pm.execution.location starts with the collection name, as in Newman.
        location: std::iter::once(context.collection_name.to_string())
            .chain(planned.path.iter().cloned())
            .collect(),
    };
    let jar = context.client.jar().as_ref();
    let mut next = None;

    if !planned.prerequest.is_empty() {
        execution.prerequest = run_scripts(
            engine,
            Listen::Prerequest,
            planned,
            &mut summary.scopes,
            &mut request,
            &mut None,
            info.clone(),
            jar,
            context.sender,
        )
        .await;
        count_scripts(
            &mut summary.stats,
            Listen::Prerequest,
            &execution.prerequest,
        );
        next = execution.prerequest.next_request.clone().or(next);
        if execution.prerequest.skip_request {
            execution.skipped = true;
            return (execution, next);
        }
    }

    // A stop that came while the pre-request scripts ran leaves the request unsent.
    if context.stop.requested() || context.deadline.is_some_and(|d| Instant::now() >= d) {
        execution.request_error = Some(RequestError::NotSent(stop_reason(
            context.deadline,
            context.options,
        )));
        return (execution, None);
    }
    let (resolved, expansion) = match resolve_request(&request, &summary.scopes) {
        Ok(resolved) => (resolved, None),
        // The request keeps its tokens, so the reports show what could not be resolved.
        Err(error) => (request.clone(), Some(error)),
    };
    execution.request = Some(resolved.clone());
    // What the pre-request scripts set and the request's own credentials are masked from here
    // on: in warnings, in the request event and everything after.
    summary.masker.learn_item(&summary.scopes, &execution);
    if context.options.warn_unresolved && expansion.is_none() {
        warn_unresolved(&resolved, &summary.scopes, &summary.masker, reporter);
    }
    summary.stats.requests.total += 1;
    // A Digest block signs at once with what a challenge taught it earlier in the run.
    let auth = match (&resolved.auth, planned.auth_origin) {
        (Some(auth), Some(origin)) if auth.kind == "digest" => {
            Some(context.client.digest_memory().recall(origin, auth))
        }
        (auth, _) => auth.clone(),
    };
    // A body a pre-request script changed names its files under the scripts' rules.
    let files = match request.body == planned.item.request.body {
        true => &context.options.files,
        false => context.sender.files,
    };
    // An OAuth 2.0 block with a grant and no token gets one before the request is built; the
    // request waits for it, and a stop ends the wait as it ends a request in flight.
    let auth = match (
        &auth,
        expansion.is_none() && !context.options.oauth2_no_fetch,
    ) {
        (Some(block), true) => {
            let mut stop = context.stop.clone();
            let mut log = TokenLog::default();
            let item = planned.item.name.as_str();
            let authorized = context
                .tokens
                .authorize(block, item, context.client, files, &mut log);
            let fetched = tokio::select! {
                fetched = authorized => fetched.map(|r| r.map_err(Some)),
                _ = stop.wait() => Some(Err(None)),
                _ = until(context.deadline) => Some(Err(None)),
            };
            // What went out for the token is masked from here on, a token or a refusal alike.
            summary.masker.learn_secrets(&log.secrets);
            execution.token_exchanges = log.exchanges;
            match fetched {
                None => Ok(auth),
                Some(Ok(authorized)) => Ok(Some(authorized)),
                Some(Err(Some(error))) => Err(RequestError::from(error)),
                Some(Err(None)) => Err(RequestError::Interrupted(stop_reason(
                    context.deadline,
                    context.options,
                ))),
            }
        }
        _ => Ok(auth),
    };
    let built = match (expansion, auth) {
        (Some(error), _) => Err(RequestError::from(error)),
        (None, Err(error)) => Err(error),
        (None, Ok(auth)) => build_wire_request(&resolved, auth.as_ref(), &planned.behavior, files)
            .map_err(RequestError::from),
    };
    match built {
        Err(error) => execution.request_error = Some(error),
        Ok(mut wire) => {
            if let Some(digest) = &mut wire.digest {
                digest.origin = planned.auth_origin;
            }
            for warning in &wire.warnings {
                reporter.warning(&summary.masker.mask(warning));
            }
            // Only the request is given up on a stop: it holds nothing the run needs.
            let mut stop = context.stop.clone();
            let sent = tokio::select! {
                sent = context.client.send(&wire, &planned.behavior) => Some(sent),
                _ = stop.wait() => None,
                _ = until(context.deadline) => None,
            };
            let Some(sent) = sent else {
                execution.request_error = Some(RequestError::Interrupted(stop_reason(
                    context.deadline,
                    context.options,
                )));
                execution.wire = Some(wire);
                summary.stats.requests.failed += 1;
                return (execution, None);
            };
            match sent {
                Ok(response) => {
                    wire.record_sent_headers(&response.sent_headers);
                    if let Some(warning) = &response.auth_warning {
                        reporter.warning(&summary.masker.mask(warning));
                    }
                    let timings = &mut summary.timings;
                    timings.responses += response.response_time;
                    timings.response_count += 1;
                    timings.min_response = Some(
                        timings
                            .min_response
                            .map_or(response.response_time, |m| m.min(response.response_time)),
                    );
                    timings.max_response = Some(
                        timings
                            .max_response
                            .map_or(response.response_time, |m| m.max(response.response_time)),
                    );
                    execution.response = Some(response);
                }
                Err(error) => execution.request_error = Some(error.into()),
            }
            execution.wire = Some(wire);
        }
    }
    if execution.request_error.is_some() {
        summary.stats.requests.failed += 1;
    }
    summary.masker.learn_item(&summary.scopes, &execution);
    reporter.request(&execution, &summary.masker);

    if !planned.test.is_empty() {
        // Test scripts see the request as it went out, system and auth headers included (Newman).
        let mut sent_request = resolved.clone();
        if let Some(wire) = &execution.wire {
            sent_request.headers = wire
                .headers
                .iter()
                .map(|(key, value)| KeyValue::new(key.clone(), value.clone()))
                .collect();
        }
        execution.test = run_scripts(
            engine,
            Listen::Test,
            planned,
            &mut summary.scopes,
            &mut sent_request,
            &mut execution.response,
            info,
            jar,
            context.sender,
        )
        .await;
        count_scripts(&mut summary.stats, Listen::Test, &execution.test);
        next = execution.test.next_request.clone().or(next);
    }
    (execution, next)
}

#[allow(clippy::too_many_arguments)]
async fn run_scripts(
    engine: &mut ScriptEngine,
    listen: Listen,
    planned: &PlannedItem,
    scopes: &mut Scopes,
    request: &mut Request,
    response: &mut Option<Response>,
    info: ScriptInfo,
    cookies: &CookieJar,
    sender: &dyn RequestSender,
) -> ScriptOutcome {
    let scripts = match listen {
        Listen::Prerequest => &planned.prerequest,
        Listen::Test => &planned.test,
    };
    engine
        .run(ScriptJob {
            listen,
            scripts,
            scopes,
            request,
            response,
            info,
            cookies,
            sender,
        })
        .await
}

fn count_scripts(stats: &mut Stats, listen: Listen, outcome: &ScriptOutcome) {
    let (event, scripts) = match listen {
        Listen::Prerequest => (&mut stats.prerequests, &mut stats.prerequest_scripts),
        Listen::Test => (&mut stats.tests, &mut stats.test_scripts),
    };
    event.total += 1;
    let failed = outcome.runs.iter().filter(|r| r.error.is_some()).count();
    scripts.total += outcome.runs.len();
    scripts.failed += failed;
    stats.scripts.total += outcome.runs.len();
    stats.scripts.failed += failed;
    if failed > 0 {
        event.failed += 1;
    }
    for run in &outcome.runs {
        for assertion in &run.assertions {
            add(
                &mut stats.assertions,
                assertion.skipped,
                assertion.error.is_some(),
            );
        }
    }
}

fn add(counter: &mut Counter, skipped: bool, failed: bool) {
    counter.total += 1;
    if skipped {
        counter.pending += 1;
    }
    if failed {
        counter.failed += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::http::{ClientOptions, CookieJar};
    use crate::runner::{Failure, Reporter};

    /// Records the sequence of reporter events.
    #[derive(Default)]
    struct Recording(Vec<String>);

    impl Reporter for Recording {
        fn start(&mut self, name: &str, items: usize, iterations: usize) {
            self.0.push(format!("start {name} {items}x{iterations}"));
        }
        fn iteration(&mut self, iteration: usize, _count: usize) {
            self.0.push(format!("iteration {iteration}"));
        }
        fn before_item(&mut self, path: &[String]) {
            self.0.push(format!("before {}", path.join("/")));
        }
        fn request(&mut self, execution: &Execution, _masker: &Masker) {
            self.0.push(format!("request {}", execution.name()));
        }
        fn failure(&mut self, failure: &Failure) {
            self.0.push(format!("failure {}", failure.name));
        }
        fn item(&mut self, execution: &Execution, _masker: &Masker) {
            self.0.push(format!(
                "item {} skipped={}",
                execution.name(),
                execution.skipped
            ));
        }
        fn done(&mut self, summary: &RunSummary) {
            self.0
                .push(format!("done failures={}", summary.failures.len()));
        }
    }

    #[test]
    fn events_follow_the_run_and_a_skipped_request_has_no_request_event() {
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "Skipped", "request": "http://h/", "event": [{"listen": "prerequest",
                "script": {"exec": "pm.execution.skipRequest();"}}]},
            {"name": "Broken", "request": "{{nowhere}}/x"}
        ]});
        let collection = collection_from_document(&doc, std::path::Path::new("c.json")).unwrap();
        let planned = plan(&collection, &Default::default()).unwrap();
        let client = HttpClient::new(ClientOptions::default(), Arc::new(CookieJar::new())).unwrap();
        let mut recording = Recording::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let summary = runtime.block_on(run(
            &collection,
            &planned,
            RunScopes::default(),
            &RunOptions::default(),
            &client,
            &mut recording,
            Stop::new(),
        ));
        assert_eq!(
            recording.0,
            [
                "start C 2x1",
                "iteration 0",
                "before Skipped",
                "item Skipped skipped=true",
                "before Broken",
                "request Broken",
                "failure RequestError",
                "item Broken skipped=false",
                "done failures=1",
            ]
        );
        assert_eq!(summary.stats.requests.total, 1);
    }
    use crate::collection::collection_from_document;
    use crate::runner::plan;
    use serde_json::json;

    #[test]
    fn set_next_request_prefers_an_id_then_the_last_item_with_the_name() {
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "Twice", "id": "a", "request": "http://h/1"},
            {"name": "Other", "id": "Twice", "request": "http://h/2"},
            {"name": "Twice", "id": "c", "request": "http://h/3"}
        ]});
        let collection = collection_from_document(&doc, std::path::Path::new("c.json")).unwrap();
        let planned = plan(&collection, &Default::default()).unwrap();
        assert_eq!(
            planned.position(&collection, "Twice"),
            Some(1),
            "an id wins over names"
        );
        assert_eq!(planned.position(&collection, "c"), Some(2));
        let by_name = plan(
            &collection,
            &crate::runner::ItemFilter {
                except: vec!["Other".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            by_name.position(&collection, "Twice"),
            Some(1),
            "the last item with the name"
        );
        assert_eq!(planned.position(&collection, "missing"), None);
    }
}
