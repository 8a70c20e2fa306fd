//! The run: what reaches the server, inheritance, variables, redirects, cookies, exits.

use serde_json::json;

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection};

#[test]
fn pingone_style_token_request_reaches_the_server_resolved() {
    let server = TestServer::start();
    let s = Scratch::new("token");
    s.json(
        "c.json",
        &json!({
            "info": {"name": "Workflow", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{accessToken}}"}]},
            "item": [{
                "name": "Get admin token",
                "request": {
                    "method": "POST",
                    "url": "{{authPath}}/{{adminEnvID}}/as/token",
                    "auth": {"type": "basic", "basic": [
                        {"key": "username", "value": "{{adminAppID}}"},
                        {"key": "password", "value": "{{adminAppSecret}}"}]},
                    "body": {"mode": "urlencoded", "urlencoded": [
                        {"key": "grant_type", "value": "client_credentials"},
                        {"key": "scope", "value": "unused", "disabled": true}]}
                }
            }, {
                "name": "List applications",
                "request": {"url": "{{apiPath}}/environments/{{envID}}/applications?limit=2&off", "method": "GET"}
            }]
        }),
    );
    s.json(
        "e.json",
        &json!([
            {"key": "tld", "value": server.addr.to_string(), "enabled": true},
            {"key": "authPath", "value": "http://{{tld}}", "enabled": true},
            {"key": "apiPath", "value": "http://{{tld}}/v1", "enabled": true},
            {"key": "adminEnvID", "value": "admin-env", "enabled": true},
            {"key": "adminAppID", "value": "app", "enabled": true},
            {"key": "adminAppSecret", "value": "s3cret", "type": "secret", "enabled": true},
            {"key": "envID", "value": "env-1", "enabled": true},
            {"key": "accessToken", "value": "tok123", "enabled": true}
        ]),
    );
    let run = baton(&s.dir, &["run", "c.json", "-e", "e.json", "--verbose"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/admin-env/as/token");
    assert_eq!(requests[0].body, "grant_type=client_credentials");
    assert_eq!(
        requests[0].header("authorization"),
        Some("Basic YXBwOnMzY3JldA==")
    );
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        requests[0].header("user-agent"),
        Some("PostmanRuntime/7.39.1")
    );
    assert_eq!(requests[1].path, "/v1/environments/env-1/applications");
    assert_eq!(requests[1].query, "limit=2&off");
    assert_eq!(requests[1].header("authorization"), Some("Bearer tok123"));
    assert!(
        !run.stdout.contains("s3cret"),
        "secrets are masked in --verbose"
    );
    assert!(
        !run.stdout.contains("YXBwOnMzY3JldA=="),
        "Authorization is masked in --verbose"
    );
    assert!(
        !run.stdout.contains("tok123"),
        "tokens are masked in --verbose"
    );
}

#[test]
fn show_secrets_reveals_them() {
    let server = TestServer::start();
    let s = Scratch::new("show-secrets");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": {"url": server.url("/a"),
        "header": [{"key": "Authorization", "value": "Bearer {{accessToken}}"}]}}])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--env-var",
            "accessToken=tok123",
            "--verbose",
            "--show-secrets",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("Authorization: Bearer tok123"),
        "{}",
        run.stdout
    );
}

#[test]
fn redirects_are_followed_unless_ignored() {
    let server = TestServer::start();
    let s = Scratch::new("redirects");
    s.json(
        "c.json",
        &collection(json!([{"name": "R", "request": server.url("/redirect?to=/landing")}])),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0);
    assert_eq!(server.requests().last().unwrap().path, "/landing");
    let before = server.requests().len();
    let run = baton(&s.dir, &["run", "c.json", "--ignore-redirects"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("[302 Found"), "{}", run.stdout);
    assert_eq!(server.requests().len(), before + 1);
}

#[test]
fn per_item_protocol_profile_behavior_stops_redirects() {
    let server = TestServer::start();
    let s = Scratch::new("ppb");
    s.json(
        "c.json",
        &collection(
            json!([{"name": "R", "request": server.url("/redirect?to=/landing"),
        "protocolProfileBehavior": {"followRedirects": false}}]),
        ),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn cookies_are_kept_across_the_run_and_exported() {
    let server = TestServer::start();
    let s = Scratch::new("cookies");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Set", "request": server.url("/cookie/set?ST=session1")},
            {"name": "Use", "request": server.url("/flows/1")}
        ])),
    );
    let run = baton(
        &s.dir,
        &["run", "c.json", "--export-cookie-jar", "jar.json"],
    );
    assert_eq!(run.code, 0);
    assert_eq!(server.requests()[1].header("cookie"), Some("ST=session1"));
    let jar = s.read_json("jar.json");
    assert_eq!(jar["cookies"][0]["key"], "ST");
}

#[test]
fn refused_connection_is_a_failure_and_exit_code_is_one_unless_suppressed() {
    let s = Scratch::new("refused");
    s.json(
        "c.json",
        &collection(json!([{"name": "Down", "request": "http://127.0.0.1:1/"}])),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("1. error: Request failed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Connection refused"), "{}", run.stdout);
    assert_eq!(baton(&s.dir, &["run", "c.json", "-x"]).code, 0);
}

#[test]
fn bail_stops_at_the_first_failure() {
    let server = TestServer::start();
    let s = Scratch::new("bail");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Down", "request": "http://127.0.0.1:1/"},
            {"name": "Up", "request": server.url("/up")}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--bail"]);
    assert_eq!(run.code, 1);
    assert!(server.requests().is_empty());
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 1);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn request_timeout_is_a_recorded_failure() {
    let server = TestServer::start();
    let s = Scratch::new("timeout");
    s.json(
        "c.json",
        &collection(json!([{"name": "Slow", "request": server.url("/slow?ms=2000")}])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--timeout-request", "100"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("no response within 100 ms"),
        "{}",
        run.stdout
    );
}

#[test]
fn iteration_data_feeds_each_iteration() {
    let server = TestServer::start();
    let s = Scratch::new("data");
    s.json(
        "c.json",
        &collection(json!([{"name": "U", "request": server.url("/users/{{user}}?n={{n}}")}])),
    );
    s.write("d.csv", "user,n\nalice,1\n\"bob, jr\",2\n");
    let run = baton(&s.dir, &["run", "c.json", "-d", "d.csv"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    assert_eq!(paths, ["/users/alice?n=1", "/users/bob,%20jr?n=2"]);
}

#[test]
fn folder_option_runs_only_the_named_folder() {
    let server = TestServer::start();
    let s = Scratch::new("folder-run");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Skip", "request": server.url("/skip")},
            {"name": "F", "item": [{"name": "Inside", "request": server.url("/inside")}]}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--folder", "F"]);
    assert_eq!(run.code, 0);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/inside"]);
}

#[test]
fn run_in_postman_link_works_as_environment() {
    use base64::Engine;
    let server = TestServer::start();
    let s = Scratch::new("link");
    let values = json!([{"key": "host", "value": server.addr.to_string(), "enabled": true, "type": "default"}]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(values.to_string());
    let link = format!("https://app.getpostman.com/run-collection/x#?env%5BTemplate%5D={encoded}");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": "http://{{host}}/linked"}])),
    );
    let run = baton(&s.dir, &["run", "c.json", "-e", &link]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.requests()[0].path, "/linked");
}

#[test]
fn verbose_warns_about_unresolved_variables_with_a_suggestion() {
    let server = TestServer::start();
    let s = Scratch::new("verbose-warn");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": server.url("/environments/{{envId}}")}])),
    );
    let run = baton(
        &s.dir,
        &["run", "c.json", "--env-var", "envID=e1", "--verbose"],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("`{{envId}}` is not defined in any scope; did you mean `envID`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn whole_run_timeout_stops_the_run_and_fails_it() {
    let server = TestServer::start();
    let s = Scratch::new("run-timeout");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Slow", "request": server.url("/slow?ms=300")},
            {"name": "Never", "request": server.url("/never")}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--timeout", "100"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("The run stopped early: the run exceeded its --timeout of 100 ms."),
        "{}",
        run.stdout
    );
    assert!(server.requests().iter().all(|r| r.path != "/never"));
}

/// A run whose second item's script waits (a timer, a `pm.sendRequest` to a server that never
/// answers) when `--timeout` ends it: the export holds the environment as loaded plus what the
/// first item set, and the JSON report is whole.
#[test]
fn a_stop_while_a_script_waits_keeps_every_variable() {
    let server = TestServer::start();
    for (name, waiting) in [
        ("timer", "setTimeout(() => {}, 60000);"),
        (
            "send-request",
            "pm.sendRequest(pm.environment.get('hang'), () => {});",
        ),
    ] {
        let s = Scratch::new(&format!("stop-waiting-{name}"));
        s.json("c.json", &collection(json!([
            {"name": "Capture", "request": server.url("/first"), "event": [{"listen": "test", "script": {"exec": [
                "pm.environment.set('captured', 'yes');"]}}]},
            {"name": "Wait", "request": server.url("/second"), "event": [{"listen": "prerequest", "script": {"exec": [
                "pm.environment.set('during', 'set before the wait');", waiting]}}]}
        ])));
        s.json(
            "e.json",
            &json!({"name": "env", "values": [
                {"key": "loaded", "value": "from -e"},
                {"key": "hang", "value": server.url("/slow?ms=60000")}]}),
        );
        let run = baton(
            &s.dir,
            &[
                "run",
                "c.json",
                "-e",
                "e.json",
                "--timeout",
                "1500",
                "-r",
                "json",
                "--reporter-json-export",
                "report.json",
                "--export-environment",
                "env.json",
            ],
        );
        assert_eq!(run.code, 1, "{name}: {}", run.stdout);
        let exported = s.read_json("env.json");
        let value = |key: &str| crate::support::value_of(&exported["values"], key);
        assert_eq!(
            value("loaded"),
            Some(json!("from -e")),
            "{name}: {exported}"
        );
        assert_eq!(value("captured"), Some(json!("yes")), "{name}: {exported}");
        assert_eq!(
            value("during"),
            Some(json!("set before the wait")),
            "{name}: {exported}"
        );
        let report = s.read_json("report.json");
        assert!(
            report["run"]["error"]
                .as_str()
                .is_some_and(|e| e.contains("--timeout")),
            "{name}: {}",
            report["run"]["error"]
        );
        assert!(
            server.requests().iter().all(|r| r.path != "/second"),
            "{name}: the stopped item's request is not sent"
        );
        assert_no_temporary_files(&s.dir);
    }
}

/// No `.<name>.<pid>.tmp` is left where the outputs were written atomically.
fn assert_no_temporary_files(dir: &std::path::Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn ctrl_c_stops_the_run_and_still_writes_reports_and_exports() {
    for signal in ["-INT", "-TERM", "-HUP"] {
        stop_by_signal_writes_reports_and_exports(signal);
    }
}

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP while the second item's request hangs.
fn stop_by_signal_writes_reports_and_exports(signal: &str) {
    use std::io::{BufRead, BufReader};
    let server = TestServer::start();
    let s = Scratch::new(&format!("stop{signal}"));
    s.json("c.json", &collection(json!([
        {"name": "Capture", "request": server.url("/first"), "event": [{"listen": "test", "script": {"exec": [
            "pm.environment.set('captured', 'yes');"]}}]},
        {"name": "Hang", "request": server.url("/slow?ms=30000")}
    ])));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args([
            "run",
            "c.json",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "report.json",
            "--export-environment",
            "env.json",
            "--reporter-cli-no-banner",
        ])
        .current_dir(&s.dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the second item is under way: its header line is printed before it is sent.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("baton exited early").unwrap();
        if line.contains("Hang") {
            break;
        }
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(1));
    assert!(
        rest.iter()
            .any(|l| l.contains("The run stopped early: interrupted.")),
        "{rest:?}"
    );
    assert_eq!(
        s.read_json("env.json")["values"][0],
        json!({"type": "any", "value": "yes", "key": "captured"})
    );
    assert_eq!(s.read_json("report.json")["run"]["error"], "interrupted");
    assert_no_temporary_files(&s.dir);
}

/// A collection whose second item's script is stuck in QuickJS native code, where the interrupt
/// handler is never called, after the first item set a variable.
fn stuck_in_native_code(s: &Scratch, server: &TestServer) {
    s.json("c.json", &collection(json!([
        {"name": "Capture", "request": server.url("/first"), "event": [{"listen": "test", "script": {"exec": [
            "pm.environment.set('before', 'kept');"]}}]},
        {"name": "Stuck", "request": server.url("/never"), "event": [{"listen": "prerequest", "script": {"exec": [
            "pm.environment.set('during', 'lost');",
            "new Array(2 ** 32 - 1).join('');"]}}]}
    ])));
    s.json(
        "env.json",
        &json!({"values": [{"key": "loaded", "value": "yes"}]}),
    );
}

const STUCK_RUN: [&str; 10] = [
    "run",
    "c.json",
    "-e",
    "env.json",
    "-r",
    "cli,json",
    "--reporter-json-export",
    "report.json",
    "--export-environment",
    "out.json",
];

/// The outputs a watchdog wrote: the loaded and the settled variables, not the stuck script's,
/// valid reports, no temporary file left.
fn assert_written_by_the_watchdog(s: &Scratch, reason: &str) {
    let values = s.read_json("out.json")["values"].clone();
    let keys: Vec<&str> = values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["loaded", "before"]);
    let report = s.read_json("report.json");
    assert_eq!(report["run"]["error"], reason);
    assert_eq!(report["run"]["executions"].as_array().unwrap().len(), 1);
    let mut names: Vec<String> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["c.json", "env.json", "out.json", "report.json"]);
}

#[test]
fn a_script_stuck_in_native_code_is_ended_by_the_watchdog_after_the_timeout() {
    let server = TestServer::start();
    let s = Scratch::new("watchdog-timeout");
    stuck_in_native_code(&s, &server);
    let mut args = STUCK_RUN.to_vec();
    args.extend(["--timeout", "500"]);
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: the run reached its --timeout and did not end within 1 s (a script is stuck)"
        ),
        "{}",
        run.stderr
    );
    assert_written_by_the_watchdog(&s, "the run reached its --timeout");
}

#[test]
fn a_second_ctrl_c_ends_a_stuck_run_at_once_with_valid_outputs() {
    use std::io::{BufRead, BufReader};
    let server = TestServer::start();
    let s = Scratch::new("watchdog-twice");
    stuck_in_native_code(&s, &server);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(STUCK_RUN)
        .current_dir(&s.dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    while !stdout
        .next()
        .expect("baton exited early")
        .unwrap()
        .contains("Stuck")
    {}
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let interrupt = || {
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    interrupt();
    let first = stderr
        .next()
        .expect("a line after the first Ctrl-C")
        .unwrap();
    assert_eq!(
        first,
        "stopping after the current step (stop again to end at once)"
    );
    interrupt();
    let rest: Vec<String> = stderr.map_while(Result::ok).collect();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    assert!(
        rest.iter()
            .any(|l| l.starts_with("error: the run was interrupted twice")),
        "{rest:?}"
    );
    assert_written_by_the_watchdog(&s, "the run was interrupted twice");
}

#[test]
fn silent_prints_nothing_and_progress_reporter_is_accepted() {
    let server = TestServer::start();
    let s = Scratch::new("silent");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": server.url("/a")}])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--silent"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    let run = baton(&s.dir, &["run", "c.json", "-r", "progress"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.is_empty(),
        "the progress bar draws on stderr only"
    );
}

#[test]
fn delay_request_waits_between_items() {
    let server = TestServer::start();
    let s = Scratch::new("delay");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "A", "request": server.url("/a")},
            {"name": "B", "request": server.url("/b")}
        ])),
    );
    let started = std::time::Instant::now();
    let run = baton(&s.dir, &["run", "c.json", "--delay-request", "300"]);
    assert_eq!(run.code, 0);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "one delay between two items"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn proxies_come_from_the_usual_environment_variables() {
    let proxy = TestServer::start();
    let s = Scratch::new("proxy");
    s.json(
        "c.json",
        &collection(json!([{"name": "Via proxy", "request": "http://api.example.test/v1/things"}])),
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "c.json"])
        .current_dir(&s.dir)
        .env("HTTP_PROXY", proxy.url(""))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let seen = &proxy.requests()[0];
    assert_eq!(seen.path, "/v1/things");
    assert_eq!(seen.header("host"), Some("api.example.test"));
}

#[test]
fn file_bodies_and_form_files_are_read_from_the_working_dir() {
    let server = TestServer::start();
    let s = Scratch::new("files");
    std::fs::create_dir_all(s.dir.join("wd")).unwrap();
    s.write("wd/body.json", "{\"from\":\"file\"}");
    s.write("wd/upload.csv", "a,b\n1,2\n");
    s.write("outside.txt", "secret");
    s.json("c.json", &collection(json!([
        {"name": "File", "request": {"method": "POST", "url": server.url("/file"), "body": {"mode": "file", "file": {"src": "body.json"}}}},
        {"name": "Form", "request": {"method": "POST", "url": server.url("/form"), "body": {"mode": "formdata", "formdata": [
            {"key": "note", "value": "hi", "type": "text"},
            {"key": "off", "value": "x", "type": "text", "disabled": true},
            {"key": "sheet", "src": "upload.csv", "type": "file"}]}}},
        {"name": "Outside", "request": {"method": "POST", "url": server.url("/outside"), "body": {"mode": "file", "file": {"src": "../outside.txt"}}}}
    ])));
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--working-dir",
            "wd",
            "--no-insecure-file-read",
        ],
    );
    // As in Newman: the file outside the working dir is refused with a warning and the request
    // goes out without it.
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("is outside the working directory and --no-insecure-file-read is set"),
        "{}",
        run.stdout
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].body, "", "nothing of the refused file is sent");
    assert_eq!(requests[0].body, "{\"from\":\"file\"}");
    let form = &requests[1];
    assert!(
        form.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert!(
        form.body.contains("name=\"note\"\r\n\r\nhi\r\n"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(
            "name=\"sheet\"; filename=\"upload.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\n"
        ),
        "{}",
        form.body
    );
    assert!(!form.body.contains("name=\"off\""));
}

#[test]
fn scripts_name_files_only_inside_the_working_dir_unless_allowed() {
    let server = TestServer::start();
    let s = Scratch::new("script-files");
    std::fs::create_dir_all(s.dir.join("wd")).unwrap();
    s.write("wd/inside.txt", "inside");
    s.write("outside.txt", "outside");
    let send = |name: &str| {
        format!(
            "pm.sendRequest({{url: '{}', method: 'POST', body: {{mode: 'file', file: {{src: '{name}'}}}}}}, () => {{}});",
            server.url(&format!("/sent-{name}"))
        )
    };
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Declared", "request": {"method": "POST", "url": server.url("/declared"),
                "body": {"mode": "file", "file": {"src": "../outside.txt"}}}},
            {"name": "Changed", "request": {"method": "POST", "url": server.url("/changed"),
                "body": {"mode": "raw", "raw": "replaced"}},
                "event": [{"listen": "prerequest", "script": {"exec": [
                    "pm.request.body.update({mode: 'file', file: {src: '../outside.txt'}});",
                    send("inside.txt"),
                    send("../outside.txt")]}}]}
        ])),
    );
    let bodies = |run: &crate::support::Run| -> Vec<(String, String)> {
        assert_eq!(run.code, 0, "{}", run.stdout);
        let mut bodies: Vec<(String, String)> = server
            .requests()
            .into_iter()
            .map(|r| (r.path, r.body))
            .collect();
        bodies.sort();
        bodies
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(p, b)| (p.to_string(), b.to_string()))
            .collect()
    };
    let run = baton(&s.dir, &["run", "c.json", "--working-dir", "wd"]);
    // The collection's own file is read as Newman reads it; what scripts named outside is not.
    assert_eq!(
        bodies(&run),
        pairs(&[
            ("/changed", ""),
            ("/declared", "outside"),
            ("/sent-../outside.txt", ""),
            ("/sent-inside.txt", "inside"),
        ])
    );
    assert!(
        run.stdout.contains(
            "a script may only name files inside it (--insecure-script-file-read lifts this)"
        ),
        "{}",
        run.stdout
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--working-dir",
            "wd",
            "--insecure-script-file-read",
        ],
    );
    // The server keeps both runs' requests; the first run's empty bodies are left out.
    let sent: Vec<(String, String)> = bodies(&run)
        .into_iter()
        .filter(|(_, body)| !body.is_empty())
        .collect();
    assert_eq!(
        sent,
        pairs(&[
            ("/changed", "outside"),
            ("/declared", "outside"),
            ("/declared", "outside"),
            ("/sent-../outside.txt", "outside"),
            ("/sent-inside.txt", "inside"),
            ("/sent-inside.txt", "inside"),
        ]),
        "the second run reads what scripts named outside too"
    );
}

#[test]
fn digest_auth_answers_the_servers_challenge() {
    let server = TestServer::start();
    let s = Scratch::new("digest");
    s.json("c.json", &collection(json!([{"name": "Digest", "request": {"url": server.url("/digest?x=1"),
        "auth": {"type": "digest", "digest": [{"key": "username", "value": "u"}, {"key": "password", "value": "{{pw}}"}]}},
        "event": [{"listen": "test", "script": {"exec": ["pm.test('authorised', () => pm.response.to.have.status(200));"]}}]}])));
    let run = baton(&s.dir, &["run", "c.json", "--env-var", "pw=p"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "a challenge, then the answer");
    let run = baton(&s.dir, &["run", "c.json", "--env-var", "pw=wrong"]);
    assert_eq!(run.code, 1, "a wrong password stays unauthorised");
}

#[test]
fn iteration_count_repeats_the_collection() {
    let server = TestServer::start();
    let s = Scratch::new("iterations");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": server.url("/a?i={{$randomInt}}")}])),
    );
    let run = baton(&s.dir, &["run", "c.json", "-n", "3"]);
    assert_eq!(run.code, 0);
    assert_eq!(server.requests().len(), 3);
    assert!(run.stdout.contains("Iteration 3/3"), "{}", run.stdout);
}

#[test]
fn disable_unicode_and_color_switches() {
    let server = TestServer::start();
    let s = Scratch::new("ascii");
    s.json(
        "c.json",
        &collection(json!([{"name": "A", "request": server.url("/a"),
        "event": [{"listen": "test", "script": {"exec": ["pm.test('ok', () => {});"]}}]}])),
    );
    let ascii = baton(
        &s.dir,
        &["run", "c.json", "--disable-unicode", "--color", "off"],
    );
    assert_eq!(ascii.code, 0);
    assert!(ascii.stdout.is_ascii(), "{}", ascii.stdout);
    assert!(ascii.stdout.contains("OK  ok"));
    let colored = baton(&s.dir, &["run", "c.json", "--color", "on"]);
    assert!(
        colored.stdout.contains("\u{1b}[32m✓\u{1b}[0m  ok"),
        "{}",
        colored.stdout
    );
}

#[test]
fn resolve_and_connect_to_send_a_host_to_another_address_keeping_its_name() {
    let server = TestServer::start();
    let s = Scratch::new("connect-to");
    let port = server.addr.port();
    s.json(
        "c.json",
        &collection(json!([
            {"name": "resolve", "request": format!("http://api.example.test:{port}/a")},
            {"name": "connect-to", "request": "http://other.example.test:4041/b"}
        ])),
    );
    let resolve = format!("api.example.test:{port}:127.0.0.1");
    let connect_to = format!("other.example.test:4041:127.0.0.1:{port}");
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--resolve",
            &resolve,
            "--connect-to",
            &connect_to,
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let hosts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.header("host").unwrap_or(""), r.path))
        .collect();
    assert_eq!(
        hosts,
        [
            format!("api.example.test:{port} /a"),
            "other.example.test:4041 /b".to_string()
        ]
    );
    let bad = baton(&s.dir, &["run", "c.json", "--connect-to", "h:80:127.0.0.1"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("HOST:PORT:ADDR:PORT2"),
        "{}",
        bad.stderr
    );
}

#[test]
fn whole_run_timeout_interrupts_a_runaway_script() {
    let server = TestServer::start();
    let s = Scratch::new("run-timeout-script");
    s.json(
        "c.json",
        &collection(json!([{"name": "Loop", "request": server.url("/loop"),
        "event": [{"listen": "test", "script": {"exec": ["while (true) {}"]}}]}])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--timeout",
            "300",
            "--export-environment",
            "env.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("the run was stopped while this script was running"),
        "{}",
        run.stdout
    );
    assert!(
        s.dir.join("env.json").exists(),
        "exports are written after a timed-out run"
    );
}

#[test]
fn ctrl_c_interrupts_a_script_stuck_in_a_loop() {
    use std::io::{BufRead, BufReader};
    let server = TestServer::start();
    let s = Scratch::new("ctrl-c-loop");
    s.json("c.json", &collection(json!([{"name": "Loop", "request": server.url("/loop"),
        "event": [{"listen": "test", "script": {"exec": ["console.log('looping');", "while (true) {}"]}},
                  {"listen": "prerequest", "script": {"exec": ["pm.environment.set('before', 'loop');"]}}]}])));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args([
            "run",
            "c.json",
            "--export-environment",
            "env.json",
            "--reporter-cli-no-banner",
        ])
        .current_dir(&s.dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The request has been answered once the server has seen it; the test script then loops.
    while server.requests().is_empty() {
        std::thread::yield_now();
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("The run stopped early: interrupted.")),
        "{lines:?}"
    );
    assert_eq!(s.read_json("env.json")["values"][0]["value"], "loop");
}

#[test]
fn a_header_value_with_a_line_break_fails_that_request_clearly() {
    let server = TestServer::start();
    let s = Scratch::new("bad-header");
    s.json("c.json", &collection(json!([
        {"name": "Bad", "request": {"url": server.url("/bad"), "header": [{"key": "X-Key", "value": "{{pem}}"}]}},
        {"name": "Good", "request": server.url("/good")}
    ])));
    let run = baton(&s.dir, &["run", "c.json", "--env-var", "pem=line1\nline2"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("header `X-Key` cannot be sent: the value holds a line break"),
        "{}",
        run.stdout
    );
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/good"]);
}

#[test]
fn bail_folder_alone_does_not_stop_at_failures() {
    let server = TestServer::start();
    let s = Scratch::new("bail-folder");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Down", "request": "http://127.0.0.1:1/"},
            {"name": "Up", "request": server.url("/up")}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--bail", "folder"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        server.requests().len(),
        1,
        "the run went on past the failure"
    );
}
