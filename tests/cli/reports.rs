//! Reports and exports: Newman's JSON shape, JUnit XML, atomic exports after failed runs.

use serde_json::json;

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection};

#[test]
fn json_report_has_newmans_shape() {
    let server = TestServer::start();
    let s = Scratch::new("json-report");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Ok", "request": server.url("/status/201")},
            {"name": "Down", "request": "http://127.0.0.1:1/"}
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-r",
            "json",
            "--reporter-json-export",
            "out/report.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "only the json reporter was chosen");
    let report = s.read_json("out/report.json");
    let stats = &report["run"]["stats"];
    assert_eq!(
        stats["requests"],
        json!({"total": 2, "pending": 0, "failed": 1})
    );
    assert_eq!(stats["iterations"]["total"], 1);
    assert_eq!(report["run"]["executions"][0]["response"]["code"], 201);
    assert_eq!(report["run"]["executions"][0]["item"]["name"], "Ok");
    assert_eq!(report["run"]["failures"].as_array().unwrap().len(), 1);
    assert_eq!(report["collection"]["info"]["name"], "Test");
}

#[test]
fn junit_report_is_well_formed_xml() {
    let server = TestServer::start();
    let s = Scratch::new("junit");
    s.json(
        "c.json",
        &collection(json!([{"name": "A <&>", "request": server.url("/a")}])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-r",
            "cli,junit",
            "--reporter-junit-export",
            "junit.xml",
        ],
    );
    assert_eq!(run.code, 0);
    let xml = std::fs::read_to_string(s.dir.join("junit.xml")).unwrap();
    assert!(xml.contains("<testsuite name=\"A &lt;&amp;&gt;\""), "{xml}");
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

#[test]
fn exported_environment_is_written_even_when_the_run_fails_and_keeps_secrets() {
    let s = Scratch::new("export-env");
    s.json(
        "c.json",
        &collection(json!([{"name": "Down", "request": "http://127.0.0.1:1/"}])),
    );
    s.json(
        "e.json",
        &json!({"id": "e", "name": "dev", "values": [
        {"key": "adminAppSecret", "value": "s3cret", "type": "secret", "enabled": true}]}),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "--env-var",
            "envID=env-9",
            "--export-environment",
            "out/env.json",
        ],
    );
    assert_eq!(run.code, 1);
    let exported = s.read_json("out/env.json");
    assert_eq!(exported["name"], "dev");
    assert_eq!(exported["_postman_variable_scope"], "environment");
    assert_eq!(
        exported["values"][0]["value"], "s3cret",
        "exports keep secrets: the file is the user's"
    );
    assert_eq!(
        exported["values"][1],
        json!({"key": "envID", "value": "env-9", "type": "any", "enabled": true})
    );
    let leftovers = std::fs::read_dir(s.dir.join("out")).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary file is left behind");
}

#[test]
fn help_documents_the_exit_codes() {
    let s = Scratch::new("help");
    let run = baton(&s.dir, &["run", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("2  usage or load error"),
        "{}",
        run.stdout
    );
}
