//! `--retry` against a server that is busy for a moment, and `--exclude-folder`.

use serde_json::{Value, json};

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection, value_of};

/// A test that the flaky endpoint passes once it answers 200.
fn ok_test() -> Value {
    json!([{"listen": "test", "script": {"exec": [
        "pm.test('answered 200', () => pm.response.to.have.status(200));"
    ]}}])
}

#[test]
fn a_busy_service_passes_with_retries_and_the_reports_show_the_item_once() {
    let server = TestServer::start();
    let s = Scratch::new("retry-busy");
    // Each attempt counts in a variable: only the last attempt's count may survive.
    let count = json!([{"listen": "prerequest", "script": {"exec": [
        "pm.environment.set('attempts', (Number(pm.environment.get('attempts')) || 0) + 1);"
    ]}}]);
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Busy", "request": server.url("/flaky?fail=2&status=503"),
             "event": [count[0].clone(), ok_test()[0].clone()]},
            {"name": "Fine", "request": server.url("/fine"), "event": ok_test()}
        ])),
    );
    s.json("e.json", &json!({"name": "e", "values": []}));
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "--retry",
            "2",
            "--retry-interval",
            "50",
            "-r",
            "cli,json,junit,html",
            "--reporter-json-export",
            "report.json",
            "--reporter-html-export",
            "report.html",
            "--reporter-junit-export",
            "report.xml",
            "--export-environment",
            "out.json",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let flaky = server
        .requests()
        .iter()
        .filter(|r| r.path == "/flaky")
        .count();
    assert_eq!(flaky, 3, "two 503s, then the 200");
    assert_eq!(
        run.stdout
            .matches("503 Service Unavailable: trying again in 50ms")
            .count(),
        2,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("retried 2 times"), "{}", run.stdout);

    let report = s.read_json("report.json");
    let executions = report["run"]["executions"].as_array().unwrap();
    let names: Vec<&str> = executions
        .iter()
        .map(|e| e["item"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Busy", "Fine"], "one execution per item");
    assert_eq!(executions[0]["attempts"], json!(3));
    assert_eq!(executions[0]["response"]["code"], json!(200));
    assert!(executions[1].get("attempts").is_none(), "not retried");
    let stats = &report["run"]["stats"];
    assert_eq!(
        stats["requests"],
        json!({"total": 2, "pending": 0, "failed": 0})
    );
    assert_eq!(
        stats["assertions"],
        json!({"total": 2, "pending": 0, "failed": 0})
    );
    assert_eq!(report["run"]["failures"], json!([]));

    let junit = std::fs::read_to_string(s.dir.join("report.xml")).unwrap();
    assert!(
        junit.contains("<property name=\"attempts in iteration 1\" value=\"3\"/>"),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");

    let html = std::fs::read_to_string(s.dir.join("report.html")).unwrap();
    assert_eq!(html.matches("retried 2 times").count(), 1, "{html}");

    // The two failed attempts' counts were rolled back.
    let exported = s.read_json("out.json");
    assert_eq!(value_of(&exported["values"], "attempts"), Some(json!(1)));
}

#[test]
fn failed_tests_are_retried_and_the_last_attempt_decides() {
    let server = TestServer::start();
    let s = Scratch::new("retry-tests");
    // The server answers 500 three times: a test fails, and a retry does not mend 500 by itself.
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Never", "request": server.url("/flaky?fail=3&status=500"), "event": ok_test()}
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--retry",
            "1",
            "--retry-interval",
            "0",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "report.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        server.requests().len(),
        2,
        "one retry, then the failure stands"
    );
    assert!(
        run.stdout.contains("1 test failed: trying again in 0ms"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("retried once"), "{}", run.stdout);
    let report = s.read_json("report.json");
    assert_eq!(report["run"]["failures"].as_array().unwrap().len(), 1);
    assert_eq!(report["run"]["executions"][0]["attempts"], json!(2));
}

#[test]
fn a_post_is_retried_only_with_retry_unsafe() {
    let server = TestServer::start();
    let s = Scratch::new("retry-unsafe");
    let post = |query: &str| {
        json!({"name": "Create", "request": {"method": "POST", "url": server.url(&format!("/flaky?{query}"))},
               "event": ok_test()})
    };
    s.json("safe.json", &collection(json!([post("fail=1&key=safe")])));
    s.json(
        "unsafe.json",
        &collection(json!([post("fail=1&key=unsafe")])),
    );
    let args = ["--retry", "3", "--retry-interval", "0"];
    let safe = baton(&s.dir, &[&["run", "safe.json"][..], &args].concat());
    assert_eq!(safe.code, 1, "{}", safe.stdout);
    let unsafe_run = baton(
        &s.dir,
        &[&["run", "unsafe.json", "--retry-unsafe"][..], &args].concat(),
    );
    assert_eq!(unsafe_run.code, 0, "{}", unsafe_run.stdout);
    let queries: Vec<String> = server.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(
        queries,
        ["fail=1&key=safe", "fail=1&key=unsafe", "fail=1&key=unsafe"],
        "nothing is created twice by surprise"
    );
}

#[test]
fn retry_after_is_honoured_up_to_the_cap() {
    let server = TestServer::start();
    let s = Scratch::new("retry-after");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Now", "request": server.url("/flaky?fail=1&status=429&after=0"), "event": ok_test()},
            {"name": "Later", "request": server.url("/flaky?fail=1&status=503&after=3600"), "event": ok_test()}
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--retry",
            "1",
            "--retry-interval",
            "5000",
            "--retry-max-wait",
            "20",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("429 Too Many Requests: trying again in 0ms"),
        "the server's Retry-After wins over the interval: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("503 Service Unavailable: trying again in 20ms"),
        "and is capped by --retry-max-wait: {}",
        run.stdout
    );
}

#[test]
fn exclude_folder_leaves_out_folders_and_requests_by_name() {
    let server = TestServer::start();
    let s = Scratch::new("exclude-folder");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Setup", "item": [{"name": "Create", "request": server.url("/create")}]},
            {"name": "Use", "item": [
                {"name": "Read", "request": server.url("/read")},
                {"name": "Cleanup", "request": server.url("/inner-cleanup")}
            ]},
            {"name": "Cleanup", "item": [{"name": "Delete", "request": server.url("/delete")}]}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--exclude-folder", "Cleanup"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/create", "/read"]);

    let unknown = baton(&s.dir, &["run", "c.json", "--exclude-folder", "Cleanpu"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("--exclude-folder `Cleanpu`: no folder or request has this name; did you mean `Cleanup`?"),
        "{}",
        unknown.stderr
    );
    assert_eq!(server.requests().len(), 2, "nothing ran on an unknown name");
}

#[test]
fn parallel_iterations_retry_each_on_its_own() {
    let server = TestServer::start();
    let s = Scratch::new("retry-parallel");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Busy", "request": server.url("/flaky?fail=1&key={{row}}"), "event": ok_test()}
        ])),
    );
    s.json(
        "rows.json",
        &json!([{"row": "a"}, {"row": "b"}, {"row": "c"}]),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-d",
            "rows.json",
            "--parallel",
            "3",
            "--retry",
            "1",
            "--retry-interval",
            "0",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(server.requests().len(), 6, "each row: a 503, then the 200");
    assert_eq!(
        run.stdout
            .matches("503 Service Unavailable: trying again in 0ms")
            .count(),
        3,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("retried once").count(),
        3,
        "{}",
        run.stdout
    );
    let order: Vec<usize> = ["Iteration 1/3", "Iteration 2/3", "Iteration 3/3"]
        .iter()
        .map(|heading| run.stdout.find(heading).expect(heading))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", run.stdout);
}
