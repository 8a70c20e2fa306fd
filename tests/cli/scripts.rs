//! Self-checking script collections (`tests/fixtures/scripts/`): each runs through the real Newman
//! and through Baton against the same server; tests, their outcomes and failure messages, the
//! requests received and the exit codes must agree.

use std::path::Path;

use serde_json::{Value, json};

use crate::node::newman;
use crate::server::{Recorded, TestServer};
use crate::support::{Scratch, baton};

/// Every test of a JSON report in order: name, passed, message. Newman adds a second execution
/// entry (with the same tests) for a `pm.sendRequest` made by an item, so entries are taken once
/// per item and iteration.
fn outcomes(report: &Value) -> Vec<Value> {
    let mut per_item: Vec<(Value, &Value)> = Vec::new();
    for execution in report["run"]["executions"].as_array().unwrap() {
        let key = json!([execution["item"]["name"], execution["cursor"]["iteration"]]);
        match per_item.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = execution,
            None => per_item.push((key, execution)),
        }
    }
    per_item
        .into_iter()
        .flat_map(|(_, e)| e["assertions"].as_array().cloned().unwrap_or_default())
        .map(|a| json!({"name": a["assertion"], "passed": a["error"].is_null(), "message": a["error"]["message"]}))
        .collect()
}

fn requests(recorded: &[Recorded]) -> Vec<String> {
    recorded
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect()
}

/// Runs one fixture both ways; returns Baton's exit code and its test outcomes.
fn compare(fixture: &str) -> (i32, Vec<Value>) {
    let server = TestServer::start();
    let s = Scratch::new(&format!("scripts-{fixture}"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scripts")
        .join(format!("{fixture}.postman_collection.json"));
    std::fs::copy(source, s.dir.join("c.json")).unwrap();
    s.json(
        "e.json",
        &json!({"name": "e", "values": [
        {"key": "base", "value": server.url(""), "enabled": true},
        {"key": "shadowed", "value": "env-wins", "enabled": true}]}),
    );
    let by_newman = newman(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "-r",
            "json",
            "--reporter-json-export",
            "newman.json",
        ],
    );
    let newman_requests = requests(&server.requests());
    let served = server.requests().len();
    let by_baton = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "-r",
            "json",
            "--reporter-json-export",
            "baton.json",
        ],
    );
    let baton_requests = requests(&server.requests()[served..]);

    let newman_outcomes = outcomes(&s.read_json("newman.json"));
    let baton_outcomes = outcomes(&s.read_json("baton.json"));
    assert_eq!(
        baton_outcomes, newman_outcomes,
        "{fixture}: tests differ from Newman's"
    );
    assert_eq!(
        baton_requests, newman_requests,
        "{fixture}: requests differ from Newman's"
    );
    assert_eq!(
        by_baton.code, by_newman.code,
        "{fixture}: exit codes differ\n{}",
        by_newman.stdout
    );
    (by_baton.code, baton_outcomes)
}

fn assert_self_check_passes(fixture: &str) {
    let (code, outcomes) = compare(fixture);
    assert_eq!(code, 0, "{fixture}: {outcomes:#?}");
    assert!(!outcomes.is_empty(), "{fixture}: at least one test ran");
    assert!(
        outcomes.iter().all(|o| o["passed"] == true),
        "{fixture}: {outcomes:#?}"
    );
}

#[test]
fn variables_agree_with_newman() {
    assert_self_check_passes("variables");
}

#[test]
fn request_and_response_api_agrees_with_newman() {
    assert_self_check_passes("request-response");
}

#[test]
fn set_next_request_agrees_with_newman() {
    assert_self_check_passes("flow");
}

#[test]
fn async_and_libraries_agree_with_newman() {
    assert_self_check_passes("async-libraries");
}

#[test]
fn failures_and_chai_messages_agree_with_newman() {
    let (code, outcomes) = compare("failures");
    assert_eq!(code, 1);
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["passed"] == false)
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["status is 201", "deep equal", "property"]);
}
