//! Self-checking script collections (`tests/fixtures/scripts/`): each runs through the real Newman
//! and through Baton against the same server; tests, their outcomes and failure messages, the
//! requests received, the exit codes and the JSON report's structure must agree.

use std::path::Path;

use serde_json::{Value, json};

use crate::differential::newman_then_baton;
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

/// Every failure of a JSON report as (item, where): `request`, or `script` for anything a
/// script raised (the two runners word the rest differently, e.g. Newman files a pre-request
/// script's assertion under `test-script`).
fn failures(report: &Value) -> Vec<(String, &'static str)> {
    report["run"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let item = f["source"]["name"].as_str().unwrap_or_default().to_string();
            let kind = if f["at"] == "request" {
                "request"
            } else {
                "script"
            };
            (item, kind)
        })
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
    compare_with(fixture, &[])
}

/// `compare` with further flags for both runners.
fn compare_with(fixture: &str, flags: &[&str]) -> (i32, Vec<Value>) {
    let server = TestServer::start();
    let s = Scratch::new(&format!("scripts-{fixture}"));
    let source = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("tests/fixtures/scripts")
        .join(format!("{fixture}.postman_collection.json"));
    std::fs::copy(source, s.dir.join("c.json")).unwrap();
    s.json(
        "e.json",
        &json!({"name": "e", "values": [
        {"key": "base", "value": server.url(""), "enabled": true},
        {"key": "shadowed", "value": "env-wins", "enabled": true}]}),
    );
    let both = newman_then_baton(&server, &s.dir, |runner| {
        let report = format!("{runner}.json");
        let mut args = [
            "run",
            "c.json",
            "-e",
            "e.json",
            "-r",
            "json",
            "--reporter-json-export",
            &report,
        ]
        .map(String::from)
        .to_vec();
        args.extend(flags.iter().map(|f| f.to_string()));
        args
    });
    let (by_newman, by_baton) = (both.newman, both.baton);
    let newman_requests = requests(&both.newman_requests);
    let baton_requests = requests(&both.baton_requests);

    let (newman_report, baton_report) = (s.read_json("newman.json"), s.read_json("baton.json"));
    let shape = crate::report_shape::differences(&newman_report, &baton_report);
    assert!(
        shape.is_empty(),
        "{fixture}: the json report's structure differs from Newman's:\n{shape}"
    );
    assert_eq!(
        failures(&baton_report),
        failures(&newman_report),
        "{fixture}: failures differ from Newman's"
    );
    let newman_outcomes = outcomes(&newman_report);
    let baton_outcomes = outcomes(&baton_report);
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
fn chai_flags_proxies_and_messages_agree_with_newman() {
    let (code, outcomes) = compare("chai");
    assert_eq!(code, 1, "three tests fail on purpose: {outcomes:#?}");
    let failed: Vec<&Value> = outcomes.iter().filter(|o| o["passed"] == false).collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
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
    assert_eq!(
        failed,
        [
            "status is 201",
            "deep equal",
            "property",
            "reading a property of null",
            "setting a property of undefined",
            "an html page read as json",
            "an html page has no json body"
        ]
    );
}

#[test]
fn cookies_and_legacy_api_agree_with_newman() {
    assert_self_check_passes("cookies-legacy");
}

#[test]
fn collection_helpers_and_the_legacy_request_agree_with_newman() {
    assert_self_check_passes("collection-helpers");
}

#[test]
fn the_postman_collection_module_agrees_with_newman() {
    assert_self_check_passes("postman-collection");
}

#[test]
fn skip_request_agrees_with_newman() {
    assert_self_check_passes("skip-request");
}

#[test]
fn sandbox_limits_and_script_errors_agree_with_newman() {
    let (code, outcomes) = compare_with("safety", &["--timeout-script", "1000"]);
    assert_eq!(
        code, 1,
        "the syntax error and the runaway script are failures"
    );
    assert!(
        outcomes.iter().all(|o| o["passed"] == true),
        "every test after a broken script still runs and passes: {outcomes:#?}"
    );
    assert_eq!(outcomes.len(), 20, "{outcomes:#?}");
}

#[test]
fn failures_of_the_first_item_agree_with_newman() {
    let (code, outcomes) = compare("first-item-error");
    assert_eq!(code, 1, "a script error and a refused request are failures");
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
}

fn run_baton_with_test_script(name: &str, lines: &[&str], extra: &[&str]) -> crate::support::Run {
    let server = TestServer::start();
    let s = Scratch::new(name);
    s.json("c.json", &crate::support::collection(json!([
        {"name": "Scripted", "request": server.url("/scripted"), "event": [{"listen": "test", "script": {"exec": lines}}]},
        {"name": "Next", "request": server.url("/next"), "event": [{"listen": "test", "script": {"exec": [
            "pm.test('the realm still works', () => pm.expect([1, 2].length).to.equal(2));"]}}]}
    ])));
    let mut args = vec!["run", "c.json"];
    args.extend_from_slice(extra);
    baton(&s.dir, &args)
}

#[test]
fn runaway_script_is_interrupted_and_the_run_goes_on() {
    let run = run_baton_with_test_script(
        "timeout-script",
        &["let n = 0;", "while (true) { n++; }"],
        &["--timeout-script", "200"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("script exceeded the 200 ms timeout"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✓  the realm still works"),
        "{}",
        run.stdout
    );
}

#[test]
fn runaway_allocation_is_a_clear_failure() {
    let run = run_baton_with_test_script(
        "memory",
        &[
            "const hog = [];",
            "while (true) { hog.push(new Array(1e6).fill(1)); }",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("exceeded the memory limit"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✓  the realm still works"),
        "{}",
        run.stdout
    );
}

#[test]
fn syntax_error_points_at_its_line_and_column() {
    let run = run_baton_with_test_script(
        "syntax",
        &[
            "const ok = 1;",
            "pm.test('x', () => {",
            "  pm.expect(ok).to.equal(1)",
            ")};",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("SyntaxError in test script"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> c.json > Scripted > test script:4"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" 4 | )};"), "{}", run.stdout);
}

#[test]
fn top_level_await_waits_when_asked_for() {
    let script = [
        "const value = await new Promise(resolve => setTimeout(() => resolve(7), 5));",
        "pm.test('awaited', () => pm.expect(value).to.equal(7));",
    ];
    let run = run_baton_with_test_script("await", &script, &["--top-level-await"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("✓  awaited"));

    // Without the flag it is Newman's syntax error, located at the line of the `await`.
    let run = run_baton_with_test_script("await-refused", &script, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(!run.stdout.contains("awaited"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "SyntaxError: await is only valid in async functions and the top level bodies of modules"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("test script:1"), "{}", run.stdout);
}

#[test]
fn unknown_module_names_itself() {
    let run = run_baton_with_test_script("require", &["const cp = require('child_process');"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("Cannot find module 'child_process'"),
        "{}",
        run.stdout
    );
}
