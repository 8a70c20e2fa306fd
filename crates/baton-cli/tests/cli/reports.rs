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
    let url = &report["run"]["executions"][0]["request"]["url"];
    assert_eq!(
        url["path"],
        json!(["status", "201"]),
        "URLs are structured, as Newman writes them"
    );
    assert_eq!(url["host"], json!(["127", "0", "0", "1"]));
    let timings = &report["run"]["timings"];
    assert!(timings["completed"].as_u64().unwrap() >= timings["started"].as_u64().unwrap());
    assert_eq!(report["run"]["failures"][0]["at"], "request");
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
        json!({"type": "any", "value": "env-9", "key": "envID"}),
        "Newman's shape: no `enabled`, `disabled` only when set"
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

/// Installs the `junitparser` package from PyPI (pinned) into the tests' scratch folder once.
fn junitparser_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("junitparser-5.0.3");
        if !dir.join("junitparser").exists() {
            let status = std::process::Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&dir)
                .arg("junitparser==5.0.3")
                .status()
                .expect("python3 with pip is needed to validate JUnit reports");
            assert!(status.success(), "pip install junitparser failed");
        }
        dir
    })
    .clone()
}

/// The JUnit report as a CI system reads it (through the real `junitparser`): per suite its
/// name, counts and error text, per case its name, classname, result kinds and messages.
fn junit_as_read(path: &std::path::Path) -> serde_json::Value {
    let script = r#"
import sys, json, re
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    err = suite._elem.find('system-err')
    out.append({"suite": suite.name, "tests": suite.tests, "failures": suite.failures,
                "errors": suite.errors,
                "system_err": re.sub(r'RequestError: .*?\n\n---', 'RequestError\n\n---', err.text, flags=re.S) if err is not None else None,
                "cases": [{"case": case.name, "classname": case.classname,
                           "results": [type(r).__name__ for r in case.result],
                           "messages": [r.message for r in case.result],
                           "lines": [re.sub(r'Stacktrace: .*', 'Stacktrace:', re.sub(r'ID: .*', 'ID:', r.text or ''), flags=re.S)
                                     for r in case.result]} for case in suite]})
print(json.dumps({"name": xml.name, "suites": out}))
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .env("PYTHONPATH", junitparser_dir())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn junit_report_keeps_newmans_layout() {
    let server = TestServer::start();
    let s = Scratch::new("junit-newman");
    let folder = json!({"name": "Admin token", "item": [
        {"name": "client_credentials", "request": server.url("/status/201"), "event": [{"listen": "test", "script": {"exec": [
            "pm.test('status is 201', () => pm.response.to.have.status(201));",
            "pm.test('status is 200', () => pm.response.to.have.status(200));",
            "pm.test.skip('later', () => {});"]}}]}]});
    s.json(
        "c.json",
        &collection(json!([
            folder,
            {"name": "Down", "request": "http://127.0.0.1:1/", "event": [{"listen": "test", "script": {"exec": [
                "pm.test('no response', () => pm.expect(pm.response.code).to.be.undefined);"]}}]}
        ])),
    );
    let args = |file: &'static str| {
        [
            "run",
            "c.json",
            "-n",
            "2",
            "-r",
            "junit",
            "--reporter-junit-export",
            file,
        ]
    };
    let newman_run = crate::node::newman(&s.dir, &args("newman.xml"));
    let baton_run = baton(&s.dir, &args("baton.xml"));
    assert_eq!(baton_run.code, newman_run.code);
    let newman = junit_as_read(&s.dir.join("newman.xml"));
    let baton = junit_as_read(&s.dir.join("baton.xml"));
    assert_eq!(baton, newman);
    // What a CI system keys a test's history on.
    assert_eq!(
        baton["suites"][0]["cases"][1]["classname"],
        "AdminTokenClientCredentials"
    );
    assert_eq!(
        baton["suites"][0]["cases"][1]["results"],
        json!(["Failure"])
    );
}

#[test]
fn exported_collection_keeps_its_variables_as_loaded_as_newman_does() {
    let server = TestServer::start();
    let s = Scratch::new("export-collection");
    let mut source = collection(
        json!([{"name": "A", "request": server.url("/a"), "event": [{"listen": "test",
        "script": {"exec": ["pm.collectionVariables.set('appID', 'app-1');"]}}]}]),
    );
    source["variable"] =
        json!([{"key": "base", "value": "x"}, {"key": "port", "value": 80, "type": "string"}]);
    s.json("c.json", &source);
    let run = baton(
        &s.dir,
        &["run", "c.json", "--export-collection", "out.json"],
    );
    assert_eq!(run.code, 0);
    let exported = s.read_json("out.json");
    assert_eq!(exported["info"]["name"], "Test");
    assert_eq!(exported["item"][0]["name"], "A");
    let keys: Vec<&str> = exported["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    // Newman 6.2.2 exports what was loaded (a script's `appID` is not in it), typed values
    // converted and every entry typed.
    assert_eq!(keys, ["base", "port"]);
    assert_eq!(
        exported["variable"][0],
        json!({"key": "base", "value": "x", "type": "any"})
    );
    assert_eq!(
        exported["variable"][1],
        json!({"key": "port", "value": "80", "type": "string"})
    );
}

#[test]
fn cookie_jar_file_is_loaded_and_globals_can_be_set_on_the_command_line() {
    let server = TestServer::start();
    let s = Scratch::new("cookie-jar-in");
    s.json("jar.json", &json!({"cookies": [{"key": "ST", "value": "from-file", "domain": "127.0.0.1", "path": "/", "hostOnly": true}]}));
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": server.url("/a?g={{g}}")}])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--cookie-jar",
            "jar.json",
            "--global-var",
            "g=1=2",
            "--export-globals",
            "g.json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(server.requests()[0].header("cookie"), Some("ST=from-file"));
    assert_eq!(server.requests()[0].query, "g=1=2");
    assert_eq!(s.read_json("g.json")["values"][0]["value"], "1=2");
}

#[test]
fn console_output_is_shown_after_the_request_and_masked() {
    let server = TestServer::start();
    let s = Scratch::new("console");
    s.json("c.json", &collection(json!([{"name": "A", "request": server.url("/a"), "event": [
        {"listen": "prerequest", "script": {"exec": ["console.log('before', pm.environment.get('clientSecret'));"]}},
        {"listen": "test", "script": {"exec": ["console.warn('after', {n: 1});"]}}]}])));
    let args = [
        "run",
        "c.json",
        "--env-var",
        "clientSecret=abc-123-xyz",
        "-r",
        "cli,json",
        "--reporter-json-export",
        "r.json",
        "--reporter-cli-no-summary",
    ];
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 0);
    let before = run
        .stdout
        .find("│ before ********")
        .expect("masked pre-request console line");
    let request = run.stdout.find("GET http://").unwrap();
    let after = run.stdout.find("│ after { n: 1 }").unwrap();
    assert!(before < request && request < after, "{}", run.stdout);
    assert!(!run.stdout.contains("abc-123-xyz"));
    // Newman's JSON report has no console output, so Baton's has none either (its structure
    // is Newman's); the secret stays out of the file all the same.
    let report = std::fs::read_to_string(s.dir.join("r.json")).unwrap();
    assert_eq!(
        s.read_json("r.json")["run"]["executions"][0].get("console"),
        None
    );
    assert!(!report.contains("abc-123-xyz"));
    let quiet = baton(&s.dir, &["run", "c.json", "--reporter-cli-no-console"]);
    assert!(!quiet.stdout.contains("│ after"), "{}", quiet.stdout);
}

#[test]
fn licenses_of_the_embedded_libraries_are_printed() {
    let s = Scratch::new("licenses");
    let run = baton(&s.dir, &["licenses"]);
    assert_eq!(run.code, 0);
    for library in [
        "chai 4.4.1",
        "lodash 4.17.21",
        "crypto-js 3.3.0",
        "cheerio 0.22.0",
        "moment 2.30.1",
    ] {
        assert!(run.stdout.contains(library), "{library} is listed");
    }
}

#[test]
fn send_request_calls_are_shown_in_verbose_and_counted_in_the_json_report() {
    let server = TestServer::start();
    let s = Scratch::new("send-request");
    s.json("c.json", &collection(json!([{"name": "A", "request": server.url("/a"), "event": [{"listen": "test", "script": {"exec": [
        "pm.sendRequest(pm.request.url.toString().replace('/a', '/side'), () => {});"]}}]}])));
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--verbose",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "r.json",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(&format!(
            "pm.sendRequest GET {} [200 OK",
            server.url("/side")
        )),
        "{}",
        run.stdout
    );
    // As in Newman, the item's execution is listed once per request event: its own request and
    // the `pm.sendRequest`.
    let executions = &s.read_json("r.json")["run"]["executions"];
    assert_eq!(executions.as_array().unwrap().len(), 2);
    assert_eq!(executions[1]["item"]["name"], "A");
}

#[test]
fn every_report_locates_a_failure_as_the_cli_block_does() {
    let server = TestServer::start();
    let s = Scratch::new("one-renderer");
    s.json(
        "c.json",
        &collection(
            json!([{"name": "Apps", "item": [{"name": "Create", "request": server.url("/apps"),
            "event": [
                {"listen": "prerequest", "script": {"exec": ["const ok = 1;", "x.y = ok;"]}},
                {"listen": "test", "script": {"exec": [
                    "pm.test('created', () => pm.expect(pm.response.code).to.equal(201));"]}}
            ]}]}]),
        ),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-r",
            "cli,json,junit",
            "--reporter-json-export",
            "r.json",
            "--reporter-junit-export",
            "r.xml",
        ],
    );
    assert_eq!(run.code, 1);
    let script_place = "c.json > Apps > Create > prerequest script:2";
    let test_place = "c.json > Apps > Create > test script:1";
    let script_block = [
        format!("  --> {script_place}"),
        "   |".to_string(),
        " 2 | x.y = ok;".to_string(),
        "   |   x is not defined".to_string(),
    ]
    .join("\n");
    assert!(run.stdout.contains(&script_block), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("  --> {test_place}")),
        "{}",
        run.stdout
    );
    let junit = std::fs::read_to_string(s.dir.join("r.xml")).unwrap();
    assert!(junit.contains(&script_block), "{junit}");
    assert!(junit.contains(&format!("  --> {test_place}")), "{junit}");
    let report = s.read_json("r.json");
    let places: Vec<&str> = report["run"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"].as_str().unwrap())
        .collect();
    assert_eq!(places, [script_place, test_place]);
}

#[test]
fn repeated_reporters_write_each_report_once_to_its_default_path() {
    let server = TestServer::start();
    let s = Scratch::new("default-report-paths");
    s.json(
        "c.json",
        &collection(json!([{"name": "Ok", "request": server.url("/status/200")}])),
    );
    let run = baton(
        &s.dir,
        &[
            "run", "c.json", "-r", "junit", "-r", "cli,json", "-r", "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Ok"),
        "the cli reporter shows: {}",
        run.stdout
    );
    let mut written: Vec<String> = std::fs::read_dir(s.dir.join("baton"))
        .expect("reports under baton/")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort_by_key(|name| name.ends_with(".xml"));
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written[0].starts_with("Test-") && written[0].ends_with(".json"),
        "{written:?}"
    );
    assert!(
        written[1].starts_with("Test-") && written[1].ends_with(".xml"),
        "{written:?}"
    );
    let report = s.read_json(&format!("baton/{}", written[0]));
    assert_eq!(report["run"]["executions"][0]["item"]["name"], "Ok");
}
