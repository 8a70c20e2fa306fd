//! `--parallel N`: up to N iterations in flight at once, on the run's one thread.
//!
//! The script engine's realm is not `Send`, and the point is to overlap waits on the network, not
//! to use more cores: each iteration is a future with a script engine of its own (taken from a
//! pool of N), its own scopes (the run's starting scopes plus its data row) and its own summary,
//! and the futures are polled together on the current thread. An iteration's reporter events are
//! buffered and its results kept until every iteration before it has been delivered; then the
//! events are replayed whole and the results merged into the run's summary, in index order, and
//! settled in the checkpoint. An iteration starts only while fewer than N are in flight or waiting
//! for delivery, so memory is bounded by N, not by the number of iterations.
//!
//! An iteration that ends the run (`--bail`, a stop, `--timeout`) leaves its reason where the
//! others look before each item: they end at their next item, no new one starts, and everything
//! that ran is delivered.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::script::{ScriptEngine, ScriptOptions};
use crate::vars::Scopes;

use super::run::{IterationContext, run_iteration};
use super::{Execution, Failure, Masker, Reporter, RunSummary};

/// Runs the iterations of `range` with up to `context.options.parallel` in flight, delivering
/// them into `summary` and `reporter` in index order.
pub(super) async fn run_parallel(
    context: &IterationContext<'_>,
    range: Range<usize>,
    script_options: ScriptOptions,
    summary: &mut RunSummary,
    reporter: &mut dyn Reporter,
) {
    let width = context.options.parallel.max(1);
    let halted = RefCell::new(None);
    let context = IterationContext {
        halted: Some(&halted),
        ..*context
    };
    let start_scopes = summary.scopes.clone();
    let start_masker = summary.masker.clone();
    // Realms are created on an engine's first script, so idle engines cost nothing; the one
    // that goes first (the last, as they are popped) warms up.
    let mut engines: Vec<ScriptEngine> = (0..width.min(range.len()))
        .map(|_| ScriptEngine::new(script_options.clone()))
        .collect();
    if let Some(first) = engines.last_mut() {
        first.warm_up(context.plan.scripts());
    }
    let mut in_flight = FuturesUnordered::new();
    let mut finished: BTreeMap<usize, Finished> = BTreeMap::new();
    let (mut next, mut deliver) = (range.start, range.start);
    loop {
        while next < range.end && next < deliver + width && halted.borrow().is_none() {
            let Some(engine) = engines.pop() else { break };
            let (scopes, masker) = (start_scopes.clone(), start_masker.clone());
            in_flight.push(run_one(context, next, engine, scopes, masker));
            next += 1;
        }
        let Some((done, engine)) = in_flight.next().await else {
            break;
        };
        engines.push(engine);
        finished.insert(done.iteration, done);
        while let Some(done) = finished.remove(&deliver) {
            done.deliver(summary, reporter);
            context.options.checkpoint.settle(summary);
            deliver += 1;
        }
    }
    summary.stopped = halted.take();
}

/// One iteration's results, waiting for its turn to be delivered.
struct Finished {
    iteration: usize,
    summary: RunSummary,
    events: Buffered,
}

/// Runs iteration `iteration` on its own, from `scopes`; hands the engine back for the next one.
async fn run_one<'a>(
    context: IterationContext<'a>,
    iteration: usize,
    mut engine: ScriptEngine,
    scopes: Scopes,
    masker: Masker,
) -> (Finished, ScriptEngine) {
    let mut summary = RunSummary {
        scopes,
        masker,
        ..RunSummary::default()
    };
    let mut events = Buffered::default();
    let stopped = run_iteration(&context, iteration, &mut engine, &mut summary, &mut events).await;
    if let (Some(reason), Some(halted)) = (stopped, context.halted) {
        halted.borrow_mut().get_or_insert(reason);
    }
    let finished = Finished {
        iteration,
        summary,
        events,
    };
    (finished, engine)
}

impl Finished {
    /// Merges the iteration into the run's summary and replays its events. The events are shown
    /// with the run's masker, which knows at least what the iteration knew when they happened.
    fn deliver(self, run: &mut RunSummary, reporter: &mut dyn Reporter) {
        let part = self.summary;
        run.masker.absorb(&part.masker);
        for event in self.events.0 {
            match event {
                Event::Iteration(iteration, count) => reporter.iteration(iteration, count),
                Event::BeforeItem(path) => reporter.before_item(&path),
                Event::Warning(message) => reporter.warning(&message),
                Event::Failure(failure) => reporter.failure(&failure),
                Event::Request(execution) => reporter.request(&execution, &run.masker),
                Event::Retry(execution, reason, wait) => reporter.retry(&execution, &reason, wait),
                Event::Item(execution) => reporter.item(&execution, &run.masker),
            }
        }
        run.stats.add(&part.stats);
        run.timings.add(&part.timings);
        run.executions.extend(part.executions);
        run.failures.extend(part.failures);
        // The run ends with the scopes of its last iteration by index, as a serial run of
        // independent iterations does.
        run.scopes = part.scopes;
    }
}

/// A reporter event kept for later.
enum Event {
    Iteration(usize, usize),
    BeforeItem(Vec<String>),
    Warning(String),
    Failure(Box<Failure>),
    Request(Box<Execution>),
    Retry(Box<Execution>, String, Duration),
    Item(Box<Execution>),
}

/// Keeps an iteration's events until it is delivered.
#[derive(Default)]
struct Buffered(Vec<Event>);

impl Reporter for Buffered {
    fn iteration(&mut self, iteration: usize, count: usize) {
        self.0.push(Event::Iteration(iteration, count));
    }
    fn before_item(&mut self, path: &[String]) {
        self.0.push(Event::BeforeItem(path.to_vec()));
    }
    fn warning(&mut self, message: &str) {
        self.0.push(Event::Warning(message.to_string()));
    }
    fn failure(&mut self, failure: &Failure) {
        self.0.push(Event::Failure(Box::new(failure.clone())));
    }
    fn request(&mut self, execution: &Execution, _masker: &Masker) {
        self.0.push(Event::Request(Box::new(execution.clone())));
    }
    fn retry(&mut self, execution: &Execution, reason: &str, wait: Duration) {
        let execution = Box::new(execution.clone());
        self.0
            .push(Event::Retry(execution, reason.to_string(), wait));
    }
    fn item(&mut self, execution: &Execution, _masker: &Masker) {
        self.0.push(Event::Item(Box::new(execution.clone())));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use crate::collection::collection_from_document;
    use crate::http::{ClientOptions, CookieJar, HttpClient};
    use crate::runner::{RunOptions, RunScopes, Stop, plan, run};

    use super::*;

    /// Records iterations and items with the iteration of each.
    #[derive(Default)]
    struct Recording(Vec<String>);

    impl Reporter for Recording {
        fn iteration(&mut self, iteration: usize, _count: usize) {
            self.0.push(format!("iteration {iteration}"));
        }
        fn item(&mut self, execution: &Execution, _masker: &Masker) {
            self.0.push(format!(
                "item {} of {}",
                execution.name(),
                execution.iteration
            ));
        }
    }

    #[test]
    fn iterations_that_finish_out_of_order_are_delivered_in_index_order() {
        // Earlier rows wait longer, so later iterations finish first; nothing goes on the wire.
        let script = "setTimeout(() => {\n\
                      pm.environment.set('seen', (pm.environment.get('seen') || '') + pm.iterationData.get('row'));\n\
                      pm.execution.skipRequest();\n\
                      }, (6 - pm.iterationData.get('row')) * 4);";
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "A", "request": "http://h/", "event": [{"listen": "prerequest",
                "script": {"exec": script}}]},
            {"name": "B", "request": "http://h/", "event": [{"listen": "prerequest",
                "script": {"exec": "pm.execution.skipRequest();"}}]}
        ]});
        let collection = collection_from_document(&doc, std::path::Path::new("c.json")).unwrap();
        let planned = plan(&collection, &Default::default()).unwrap();
        let client = HttpClient::new(ClientOptions::default(), Arc::new(CookieJar::new())).unwrap();
        let options = RunOptions {
            data: (0..6)
                .map(|row| json!({"row": row}).as_object().unwrap().clone())
                .collect(),
            parallel: 4,
            keep_executions: true,
            ..RunOptions::default()
        };
        let mut recording = Recording::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let summary = runtime.block_on(run(
            &collection,
            &planned,
            RunScopes::default(),
            &options,
            &client,
            &mut recording,
            Stop::new(),
        ));
        let expected: Vec<String> = (0..6)
            .flat_map(|i| {
                [
                    format!("iteration {i}"),
                    format!("item A of {i}"),
                    format!("item B of {i}"),
                ]
            })
            .collect();
        assert_eq!(recording.0, expected);
        let order: Vec<usize> = summary.executions.iter().map(|e| e.iteration).collect();
        assert_eq!(order, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(summary.stats.iterations.total, 6);
        assert_eq!(summary.stats.items.total, 12);
        // Each iteration starts from the run's starting scopes: the last one saw only itself.
        assert_eq!(summary.scopes.environment.get("seen"), Some(&json!("5")));
        assert!(summary.stopped.is_none());
        // The checkpoint got every iteration, for a watchdog, and gave them back at the end.
        assert!(options.checkpoint.settled().executions.is_empty());
        assert_eq!(options.checkpoint.settled().stats.iterations.total, 6);
    }
}
