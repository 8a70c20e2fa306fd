//! Turning what went wrong in an item (script errors, failed tests, a request error) into
//! failures: located, masked, in the order they happened, and passed to the reporters.

use crate::collection::Listen;

use super::plan::PlannedItem;
use super::request_error::RequestError;
use super::summary::{Execution, Failure, FailureKind, SentTarget};
use super::{Reporter, RunSummary};

/// Records the failures of `execution` in `summary` and tells `reporter`.
pub(super) fn record_failures(
    execution: &Execution,
    planned: &PlannedItem,
    summary: &mut RunSummary,
    reporter: &mut dyn Reporter,
) {
    let base = Failure {
        kind: FailureKind::Assertion,
        iteration: execution.iteration,
        position: execution.position,
        item_id: execution.id.clone(),
        path: execution.path.clone(),
        assertion_index: None,
        event: None,
        script_location: None,
        test_name: None,
        name: String::new(),
        message: String::new(),
        line: None,
        column: None,
        source_line: None,
        sent: None,
    };
    let mut found = Vec::new();
    for (listen, outcome, sources) in [
        (
            Listen::Prerequest,
            &execution.prerequest,
            &planned.prerequest,
        ),
        (Listen::Test, &execution.test, &planned.test),
    ] {
        // A request a script sent that got no response fails the run, as in Newman (its
        // callback still gets the error).
        for sent in &outcome.sent {
            if let Err(error) = &sent.response {
                let error = RequestError::from(error.clone());
                found.push(Failure {
                    kind: FailureKind::Request(error.kind()),
                    event: Some(listen.as_str()),
                    name: "RequestError".into(),
                    message: error.to_string(),
                    sent: Some(SentTarget {
                        method: sent.request.method.clone(),
                        url: sent.request.url.to_unresolved_string(),
                    }),
                    ..base.clone()
                });
            }
        }
        for (index, run) in outcome.runs.iter().enumerate() {
            let code = sources.get(index).map(|s| s.code.clone());
            let line_text = |line: Option<u32>| {
                let line = line? as usize;
                code.as_ref()?
                    .lines()
                    .nth(line.checked_sub(1)?)
                    .map(str::to_string)
            };
            if let Some(error) = &run.error {
                found.push(Failure {
                    kind: FailureKind::Script(error.kind),
                    event: Some(listen.as_str()),
                    script_location: Some(run.location.clone()),
                    name: error.name.clone(),
                    message: error.message.clone(),
                    line: error.line,
                    column: error.column,
                    source_line: line_text(error.line),
                    ..base.clone()
                });
            }
            for (index, assertion) in run.assertions.iter().enumerate() {
                if let Some(error) = &assertion.error {
                    found.push(Failure {
                        kind: FailureKind::Assertion,
                        assertion_index: Some(index),
                        event: Some(listen.as_str()),
                        script_location: Some(run.location.clone()),
                        test_name: Some(assertion.name.clone()),
                        name: error.name.clone(),
                        message: error.message.clone(),
                        line: error.line,
                        source_line: line_text(error.line),
                        ..base.clone()
                    });
                }
            }
        }
    }
    if let Some(error) = &execution.request_error {
        found.push(Failure {
            kind: FailureKind::Request(error.kind()),
            name: "RequestError".into(),
            message: error.to_string(),
            ..base
        });
    }
    for mut failure in found {
        failure.message = summary.masker.mask(&failure.message);
        failure.source_line = failure.source_line.map(|l| summary.masker.mask(&l));
        failure.test_name = failure.test_name.map(|t| summary.masker.mask(&t));
        reporter.failure(&failure);
        summary.failures.push(failure);
    }
}
