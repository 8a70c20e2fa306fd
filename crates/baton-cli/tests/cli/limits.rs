//! Hostile inputs on the user's side: files that never end, variables that expand without bound,
//! names and scopes large enough to expose quadratic work. Each ends in a clear error or a normal
//! run, and the run goes on where it can.

use serde_json::{Value, json};

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection, value_of};

/// A named pipe in `s`'s directory.
fn fifo(s: &Scratch, name: &str) -> std::path::PathBuf {
    let path = s.dir.join(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    path
}

#[test]
fn a_fifo_or_a_device_given_as_an_input_is_refused_at_once() {
    let s = Scratch::new("fifo-input");
    fifo(&s, "pipe.json");
    s.json("c.json", &collection(json!([])));
    let pipe =
        "pipe.json: cannot read the file: expected a regular file, found a named pipe (FIFO)";
    let device = "/dev/zero: cannot read the file: expected a regular file, found a device";
    for (args, expected) in [
        (["run", "pipe.json", "-e", "c.json"], pipe),
        (["run", "c.json", "-e", "pipe.json"], pipe),
        (["run", "c.json", "-d", "/dev/zero"], device),
    ] {
        let run = baton(&s.dir, &args);
        assert_eq!(
            (run.code, run.stderr.trim()),
            (2, format!("error: {expected}").as_str()),
            "{args:?}"
        );
    }
}

#[test]
fn a_body_file_that_never_ends_is_left_out_with_a_warning() {
    let server = TestServer::start();
    let s = Scratch::new("endless-body");
    fifo(&s, "body.pipe");
    let items = ["/dev/zero", "body.pipe"].map(|src| {
        json!({"name": src, "request": {
            "method": "POST", "url": server.url("/upload"),
            "body": {"mode": "file", "file": {"src": src}}
        }})
    });
    s.json("c.json", &collection(json!(items)));
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "both requests went out");
    assert!(requests.iter().all(|r| r.body.is_empty()));
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(output.contains("found a device"), "{output}");
    assert!(output.contains("found a named pipe (FIFO)"), "{output}");
}

#[test]
fn variables_that_expand_without_bound_fail_the_request_and_keep_the_run() {
    let server = TestServer::start();
    let s = Scratch::new("expansion");
    let grow = "pm.environment.set('v0', 'x'.repeat(16));\
        for (let i = 1; i < 20; i++) pm.environment.set('v' + i, ('{{v' + (i - 1) + '}}').repeat(4));";
    let replace_in = "try { pm.variables.replaceIn('{{v19}}') } \
        catch (e) { pm.environment.set('caught', e.name) }";
    s.json(
        "c.json",
        &collection(json!([
            {"name": "grows",
             "event": [{"listen": "prerequest", "script": {"exec": [grow]}}],
             "request": {"method": "GET", "url": format!("{}?q={{{{v19}}}}", server.url("/grows"))}},
            {"name": "next",
             "event": [{"listen": "prerequest", "script": {"exec": [replace_in]}}],
             "request": {"method": "GET", "url": server.url("/next")}}
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--export-environment",
            "out.json",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "report.json",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/next"], "the first request is not sent");
    assert!(
        run.stdout.contains("expands past 64 MiB"),
        "the failure names the limit: {}",
        run.stdout
    );
    let exported = s.read_json("out.json");
    let caught = value_of(&exported["values"], "caught");
    assert_eq!(caught, Some(json!("RangeError")), "replaceIn throws");
    let report = s.read_json("report.json");
    let error: &Value = &report["run"]["executions"][0]["requestError"];
    assert!(!error.is_null(), "{report}");
}

#[test]
fn a_huge_unknown_name_and_many_variables_take_linear_time() {
    // No server: the URL is too long for one, and the request's fate does not matter here.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let s = Scratch::new("linear");
    let name = "n".repeat(100_000);
    let many = "for (let i = 0; i < 100000; i++) pm.environment.set('k' + i, i);";
    s.json(
        "c.json",
        &collection(json!([
            {"name": "many",
             "event": [{"listen": "prerequest", "script": {"exec": [many]}}],
             "request": {"method": "GET", "url": format!("{url}?{{{{{name}}}}}")}}
        ])),
    );
    s.json(
        "env.json",
        &json!({"values": [{"key": format!("{name}x"), "value": "1"}]}),
    );
    // Quadratic work here took minutes; `--timeout` turns a regression into a failure, not a hang.
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "env.json",
            "--verbose",
            "--timeout",
            "60000",
            "--export-environment",
            "out.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("cannot connect to"),
        "the request was tried"
    );
    let exported = s.read_json("out.json");
    assert_eq!(exported["values"].as_array().unwrap().len(), 100_001);
}
