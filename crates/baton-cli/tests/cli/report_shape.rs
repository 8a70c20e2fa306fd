//! The JSON report's structure against Newman's: the same collection through both with `-r json`
//! must give the same set of (key path, JSON type) pairs, array elements merged into one `[]`
//! path. Values may differ; readers of Newman's report depend on the structure. Checked on a
//! collection made to hold every Postman concept, and on every fixture of Newman's own suite
//! that Newman passes here.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::echo::{EchoServers, ca_file};
use crate::newman_suite::{Expect, FIXTURES, discover, run_args, suite_root};
use crate::node::{newman, newman_with_env, node_dir};
use crate::server::TestServer;
use crate::support::{Scratch, baton};

/// Every (key path, type) in a JSON document.
fn structure(value: &Value) -> BTreeSet<(String, &'static str)> {
    fn walk(value: &Value, path: &mut String, out: &mut BTreeSet<(String, &'static str)>) {
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        out.insert((path.clone(), kind));
        let len = path.len();
        match value {
            Value::Array(items) => {
                path.push_str("[]");
                for item in items {
                    walk(item, path, out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    path.push('.');
                    path.push_str(key);
                    walk(item, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
        path.truncate(len);
    }
    let mut out = BTreeSet::new();
    walk(value, &mut String::new(), &mut out);
    out
}

/// Newman's structure with Baton's deliberate differences applied: a response body
/// (`...response.stream.data`) is a Base64 string in Baton's report, not a Node Buffer's array of
/// numbers, which made a large body's report many times its size; and each failure has a
/// `location` (file > folder > request > script:line), as every Baton report shows it.
fn with_deliberate_differences(
    mut newman: BTreeSet<(String, &'static str)>,
) -> BTreeSet<(String, &'static str)> {
    let buffers: Vec<String> = newman
        .iter()
        .filter(|(path, kind)| path.ends_with(".stream.data") && *kind == "array")
        .map(|(path, _)| path.clone())
        .collect();
    for path in buffers {
        newman.remove(&(path.clone(), "array"));
        newman.remove(&(format!("{path}[]"), "number"));
        newman.insert((path, "string"));
    }
    if newman.contains(&(".run.failures[]".to_string(), "object")) {
        newman.insert((".run.failures[].location".to_string(), "string"));
    }
    newman
}

/// The structural differences, or an empty string: `-` only Newman's, `+` only Baton's. The
/// script fixtures (`scripts.rs`) check their reports with it too.
pub fn differences(newman: &Value, baton: &Value) -> String {
    let newman = with_deliberate_differences(structure(newman));
    let baton = structure(baton);
    let mut out = String::new();
    for (path, kind) in newman.difference(&baton) {
        out.push_str(&format!("- {path} {kind}\n"));
    }
    for (path, kind) in baton.difference(&newman) {
        out.push_str(&format!("+ {path} {kind}\n"));
    }
    out
}

/// A collection with every body mode, auth at three levels, descriptions in both forms, folders,
/// scripts at every level, collection and path variables, an example response, a v2.0 header
/// string, `pm.sendRequest` in both scripts, a request error, a failed assertion and scripts that
/// throw.
fn everything(server: &TestServer) -> Value {
    let base = server.url("");
    json!({
        "info": {"_postman_id": "0e3c1d4e-0000-4000-8000-000000000001", "name": "Shape", "version": "1.0.0",
                 "description": "Collection docs",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "basic", "basic": [{"key": "username", "value": "u", "type": "string"},
                                             {"key": "password", "value": "{{secretPw}}", "type": "string"}]},
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": ["pm.variables.set('x', 1);"]}}],
        "variable": [{"key": "base", "value": base, "type": "string"}, {"key": "off", "value": "1", "disabled": true},
                     {"id": "v1", "key": "withId", "value": "x"}],
        "item": [
            {"name": "Folder", "description": {"content": "Folder docs", "type": "text/markdown"},
             "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "tok", "type": "string"}]},
             "event": [{"listen": "test", "script": {"exec": ["pm.test('folder', () => {});"], "type": "text/javascript"}}],
             "item": [
                {"name": "Raw json", "request": {
                    "method": "POST",
                    "header": [{"key": "X-A", "value": "1", "description": "hdr"}, {"key": "X-Off", "value": "0", "disabled": true}],
                    "body": {"mode": "raw", "raw": "{\"a\": 1}", "options": {"raw": {"language": "json"}}},
                    "url": {"raw": "{{base}}/post/:id?q=1&r", "host": ["{{base}}"], "path": ["post", ":id"],
                            "query": [{"key": "q", "value": "1"}, {"key": "r", "value": null}, {"key": "d", "value": "x", "disabled": true}],
                            "variable": [{"key": "id", "value": "7"}]},
                    "description": "Item docs"},
                 "response": [{"name": "Example", "originalRequest": {"method": "GET", "url": "{{base}}/get"},
                               "status": "OK", "code": 200, "header": [{"key": "A", "value": "b"}], "body": "{}"}],
                 "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
                     "pm.test('ok', () => pm.response.to.have.status(200));",
                     "pm.test('bad', () => pm.expect(1).to.equal(2));"]}}]},
                {"name": "Urlencoded", "request": {
                    "method": "POST",
                    "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "k"}, {"key": "value", "value": "v"}, {"key": "in", "value": "query"}]},
                    "body": {"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1", "type": "text"}, {"key": "b", "value": "2", "disabled": true}]},
                    "url": "{{base}}/post"}}
             ]},
            {"name": "Form", "request": {"method": "POST", "auth": {"type": "noauth"},
                "body": {"mode": "formdata", "formdata": [{"key": "t", "value": "x", "type": "text"}, {"key": "f", "src": "upload.txt", "type": "file"}]},
                "url": "{{base}}/post"}},
            {"name": "File", "request": {"method": "POST", "body": {"mode": "file", "file": {"src": "upload.txt"}}, "url": "{{base}}/post"}},
            {"name": "Graphql", "request": {"method": "POST", "body": {"mode": "graphql", "graphql": {"query": "{ a }", "variables": "{}"}}, "url": "{{base}}/post"}},
            {"name": "Send", "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": [
                "pm.sendRequest(pm.variables.get('base') + '/get', (e, r) => { console.log(r.code); });"]}}],
             "request": {"method": "GET", "url": "{{base}}/get"}},
            {"name": "Send after", "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
                "pm.sendRequest(pm.variables.get('base') + '/get', () => {});"]}}],
             "request": {"method": "GET", "url": "{{base}}/get"}},
            {"name": "Down", "request": "http://127.0.0.1:1/nothing"},
            {"name": "Throws", "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": ["undefinedFn();"]}}],
             "request": {"method": "GET", "url": "{{base}}/get"}},
            {"name": "Pre throws", "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": ["null.x;"]}}],
             "request": {"method": "DELETE", "url": "{{base}}/delete"}},
            {"name": "Header text", "request": {"url": "{{base}}/get?x=1#part", "method": "GET", "header": "X-B: 2\n"}}
        ]
    })
}

fn report(dir: &Path, name: &str) -> Value {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn json_report_has_newmans_structure_for_every_postman_concept() {
    let server = TestServer::start();
    let s = Scratch::new("report-shape");
    s.write("upload.txt", "ok\n");
    s.json("c.json", &everything(&server));
    s.json(
        "e.json",
        &json!({"id": "e1", "name": "env", "_postman_variable_scope": "environment", "values": [
            {"key": "secretPw", "value": "pw", "type": "secret", "enabled": true},
            {"key": "off", "value": "d", "disabled": true}]}),
    );
    s.json(
        "g.json",
        &json!({"id": "g1", "name": "glob", "_postman_variable_scope": "globals",
                "values": [{"key": "gv", "value": "1", "enabled": true}]}),
    );
    let args = |out: &'static str| {
        [
            "run",
            "c.json",
            "-e",
            "e.json",
            "-g",
            "g.json",
            "-n",
            "2",
            "-r",
            "json",
            "--reporter-json-export",
            out,
        ]
    };
    let by_newman = newman(&s.dir, &args("newman.json"));
    let by_baton = baton(&s.dir, &args("baton.json"));
    assert_eq!(by_newman.code, 1, "{}", by_newman.stderr);
    assert_eq!(by_baton.code, 1, "{}", by_baton.stderr);
    let (newman_report, baton_report) =
        (report(&s.dir, "newman.json"), report(&s.dir, "baton.json"));
    let diff = differences(&newman_report, &baton_report);
    assert!(diff.is_empty(), "structure differs from Newman's:\n{diff}");
    let secret = serde_json::to_string(&baton_report).unwrap();
    assert!(
        !secret.contains("dTpwdw=="),
        "the Basic credentials stay masked"
    );
    assert!(
        !secret.contains("\"pw\""),
        "the secret stays masked in the environment"
    );
}

#[test]
fn json_report_has_newmans_structure_on_newmans_fixtures() {
    let suites = discover();
    let servers = EchoServers::start();
    let scratch = Scratch::new("report-shape-fixtures");
    let empty_environment = scratch.dir.join("empty-environment.json");
    std::fs::write(&empty_environment, r#"{"name": "empty", "values": []}"#).unwrap();
    let root = suite_root();
    let preload = node_dir().join("connect-to.cjs");
    let node_options = format!("--require {}", preload.display());
    let mappings = servers.node_mappings();
    let ca = ca_file().to_string_lossy().into_owned();
    let node_env = [
        ("NODE_OPTIONS", node_options.as_str()),
        ("BATON_CONNECT_TO", mappings.as_str()),
        ("NODE_EXTRA_CA_CERTS", ca.as_str()),
    ];
    // Every fixture Newman passes against the local servers, three at a time.
    let names: Vec<&str> = FIXTURES
        .iter()
        .filter(|(_, expect)| *expect == Expect::Pass)
        .map(|(name, _)| *name)
        .collect();
    let next = Mutex::new(0usize);
    let problems = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(name) = names.get(index) else {
                        return;
                    };
                    let (_, files) = suites
                        .iter()
                        .find(|(n, _)| n == name)
                        .unwrap_or_else(|| panic!("no fixture {name}"));
                    let stem = name.replace('/', "_");
                    let newman_report = scratch.dir.join(format!("newman-{stem}.json"));
                    let exported = scratch.dir.join(format!("newman-{stem}-env.json"));
                    let args = run_args(files, &empty_environment, &newman_report, &exported);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    newman_with_env(&root, &args, &node_env);
                    let baton_report = scratch.dir.join(format!("baton-{stem}.json"));
                    let exported = scratch.dir.join(format!("baton-{stem}-env.json"));
                    let mut args = run_args(files, &empty_environment, &baton_report, &exported);
                    args.extend(servers.baton_args());
                    args.extend(["--ssl-extra-ca-certs".to_string(), ca.clone()]);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    baton(&root, &args);
                    let diff = differences(
                        &report(&scratch.dir, &format!("newman-{stem}.json")),
                        &report(&scratch.dir, &format!("baton-{stem}.json")),
                    );
                    if !diff.is_empty() {
                        // Both reports are kept for a look at the values.
                        let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-shape");
                        std::fs::create_dir_all(&keep).unwrap();
                        for runner in ["newman", "baton"] {
                            let file = format!("{runner}-{stem}.json");
                            std::fs::copy(scratch.dir.join(&file), keep.join(&file)).unwrap();
                        }
                        let problem = format!("{name} (reports in {}):\n{diff}", keep.display());
                        problems.lock().unwrap().push(problem);
                    }
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap().join("\n");
    assert!(
        problems.is_empty(),
        "structure differs from Newman's:\n{problems}"
    );
}
