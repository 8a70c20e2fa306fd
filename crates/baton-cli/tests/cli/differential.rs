//! The same collection through the real Newman and through Baton, against the same server: the
//! requests received, the exit codes and the exported environments must agree.

use std::path::Path;

use serde_json::{Value, json};

use crate::node::newman;
use crate::server::{Recorded, TestServer};
use crate::support::{Run, Scratch, baton, collection};

/// What one collection did under each runner: their results and the requests each sent.
pub struct Both {
    pub newman: Run,
    pub baton: Run,
    pub newman_requests: Vec<Recorded>,
    pub baton_requests: Vec<Recorded>,
}

/// Runs Newman, then Baton, in `dir` against `server`; `args` gets the runner's name
/// (`newman` or `baton`) so each can write its own export or report files.
pub fn newman_then_baton(
    server: &TestServer,
    dir: &Path,
    args: impl Fn(&str) -> Vec<String>,
) -> Both {
    let newman_args = args("newman");
    let newman_run = newman(
        dir,
        &newman_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let served = server.requests().len();
    let baton_args = args("baton");
    let baton_run = baton(
        dir,
        &baton_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let requests = server.requests();
    Both {
        newman: newman_run,
        baton: baton_run,
        newman_requests: requests[..served].to_vec(),
        baton_requests: requests[served..].to_vec(),
    }
}

/// What must match between the two runners for one request.
fn essentials(request: &Recorded) -> Value {
    let header = |name: &str| request.header(name).map(str::to_string);
    json!({
        "method": request.method, "path": request.path, "query": request.query, "body": request.body,
        "content-type": header("content-type"), "authorization": header("authorization"),
        "user-agent": header("user-agent"), "accept": header("accept"), "cookie": header("cookie"),
        "x-custom": header("x-custom"),
    })
}

fn exported_values(s: &Scratch, name: &str) -> Value {
    let document = s.read_json(name);
    let mut values: Vec<Value> = document["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| json!({"key": v["key"], "value": v["value"]}))
        .collect();
    values.sort_by_key(|v| v["key"].as_str().unwrap_or("").to_string());
    Value::Array(values)
}

#[test]
fn basic_workflow_sends_the_same_requests_as_newman() {
    let server = TestServer::start();
    let s = Scratch::new("diff-basic");
    s.json("c.json", &json!({
        "info": {"name": "Diff", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{accessToken}}"}]},
        "item": [
            {"name": "Token", "request": {"method": "POST", "url": "{{base}}/env/as/token",
                "auth": {"type": "basic", "basic": [{"key": "username", "value": "app"}, {"key": "password", "value": "{{secret}}"}]},
                "body": {"mode": "urlencoded", "urlencoded": [{"key": "grant_type", "value": "client_credentials"},
                    {"key": "scope", "value": "openid profile"}, {"key": "off", "value": "x", "disabled": true}]}},
             "event": [{"listen": "test", "script": {"exec": [
                "pm.test('200', () => pm.response.to.have.status(200));",
                "pm.environment.set('accessToken', 'tok-' + pm.response.json().method);"]}}]},
            {"name": "Create", "request": {"method": "POST", "url": "{{base}}/v1/apps?x=1&y",
                "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "X-Custom", "value": "{{$randomInt}}ish", "disabled": true}],
                "body": {"mode": "raw", "raw": "{\"name\": \"{{appName}}\", \"n\": {{count}}}"}},
             "event": [{"listen": "test", "script": {"exec": [
                "const body = JSON.parse(pm.response.json().body);",
                "pm.environment.set('created', body.name);",
                "pm.test('fails on purpose', () => pm.expect(body.n).to.equal(3));"]}}]},
            {"name": "Folder", "item": [{"name": "Path var", "request": {"url": {"raw": "{{base}}/users/:id",
                "host": ["{{base}}"], "path": ["users", ":id"], "variable": [{"key": "id", "value": "{{created}}"}]}}}]}
        ]
    }));
    s.json(
        "e.json",
        &json!({"id": "e", "name": "env", "values": [
        {"key": "base", "value": server.url(""), "enabled": true},
        {"key": "secret", "value": "s3cret", "type": "secret", "enabled": true},
        {"key": "appName", "value": "app {{count}}", "enabled": true},
        {"key": "count", "value": "2", "enabled": true}]}),
    );

    let both = newman_then_baton(&server, &s.dir, |runner| {
        let export = format!("{runner}-env.json");
        [
            "run",
            "c.json",
            "-e",
            "e.json",
            "--export-environment",
            &export,
        ]
        .map(String::from)
        .to_vec()
    });
    let (by_newman, by_baton) = (both.newman, both.baton);
    let newman_requests: Vec<Value> = both.newman_requests.iter().map(essentials).collect();
    let baton_requests: Vec<Value> = both.baton_requests.iter().map(essentials).collect();

    assert_eq!(
        newman_requests.len(),
        3,
        "{}{}",
        by_newman.stdout,
        by_newman.stderr
    );
    assert_eq!(baton_requests, newman_requests);
    assert_eq!(
        (by_baton.code, by_newman.code),
        (1, 1),
        "one assertion fails in both"
    );
    assert_eq!(
        exported_values(&s, "baton-env.json"),
        exported_values(&s, "newman-env.json")
    );
}

#[test]
fn iteration_data_and_globals_agree_with_newman() {
    let server = TestServer::start();
    let s = Scratch::new("diff-data");
    s.json("c.json", &collection(json!([{"name": "U", "request": {"url": "{{base}}/users/{{user}}?n={{n}}&g={{g}}"},
        "event": [{"listen": "test", "script": {"exec": ["pm.globals.set('last', pm.iterationData.get('user'));"]}}]}])));
    s.write("d.csv", "user,n\nalice,1\n\"bob, jr\",2\n");
    s.json(
        "g.json",
        &json!({"name": "globals", "values": [{"key": "g", "value": "G", "enabled": true},
        {"key": "base", "value": server.url(""), "enabled": true}]}),
    );
    let both = newman_then_baton(&server, &s.dir, |runner| {
        let export = format!("{}g.json", &runner[..1]);
        [
            "run",
            "c.json",
            "-d",
            "d.csv",
            "-g",
            "g.json",
            "--export-globals",
            &export,
        ]
        .map(String::from)
        .to_vec()
    });
    let (by_newman, by_baton) = (both.newman, both.baton);
    let newman_requests: Vec<Value> = both.newman_requests.iter().map(essentials).collect();
    let baton_requests: Vec<Value> = both.baton_requests.iter().map(essentials).collect();
    assert_eq!(
        (by_baton.code, by_newman.code),
        (0, 0),
        "{}",
        by_newman.stdout
    );
    assert_eq!(baton_requests, newman_requests);
    assert_eq!(
        exported_values(&s, "bg.json"),
        exported_values(&s, "ng.json")
    );
}

/// Multipart boundaries are random: compare bodies with the boundary replaced.
fn without_boundary(mut request: Value) -> Value {
    let content_type = request["content-type"].as_str().unwrap_or("").to_string();
    if let Some(boundary) = content_type.split("boundary=").nth(1) {
        let body = request["body"]
            .as_str()
            .unwrap_or("")
            .replace(boundary, "BOUNDARY");
        request["body"] = Value::String(body);
        request["content-type"] = Value::String(content_type.replace(boundary, "BOUNDARY"));
    }
    request
}

#[test]
fn bodies_auth_redirects_and_cookies_match_newman() {
    let server = TestServer::start();
    let s = Scratch::new("diff-wide");
    s.write("upload.txt", "file body\n");
    s.json("c.json", &json!({
        "info": {"name": "Wide", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Form data", "request": {"method": "POST", "url": "{{base}}/form", "body": {"mode": "formdata", "formdata": [
                {"key": "text", "value": "a b", "type": "text"}, {"key": "off", "value": "x", "type": "text", "disabled": true},
                {"key": "upload", "src": "upload.txt", "type": "file"}]}}},
            {"name": "File body", "request": {"method": "PUT", "url": "{{base}}/file", "body": {"mode": "file", "file": {"src": "upload.txt"}}}},
            {"name": "GraphQL", "request": {"method": "POST", "url": "{{base}}/graphql", "body": {"mode": "graphql",
                "graphql": {"query": "query { app(id: \"{{id}}\") { name } }", "variables": "{\"n\": 1}"}}}},
            {"name": "Raw text", "request": {"method": "PATCH", "url": "{{base}}/raw", "body": {"mode": "raw", "raw": "plain {{id}}"}}},
            {"name": "Api key", "request": {"url": "{{base}}/apikey", "auth": {"type": "apikey", "apikey": [
                {"key": "key", "value": "X-Api-Key"}, {"key": "value", "value": "k-{{id}}"}, {"key": "in", "value": "query"}]}}},
            {"name": "OAuth2 token", "request": {"url": "{{base}}/oauth2", "auth": {"type": "oauth2", "oauth2": [
                {"key": "accessToken", "value": "at-{{id}}"}, {"key": "addTokenTo", "value": "header"}]}}},
            {"name": "Redirect followed", "request": {"method": "POST", "url": "{{base}}/redirect?to=/landed",
                "body": {"mode": "raw", "raw": "dropped on 302"}}},
            {"name": "Redirect kept", "request": {"url": "{{base}}/redirect?to=/not-followed"},
                "protocolProfileBehavior": {"followRedirects": false}},
            {"name": "Set cookie", "request": {"url": "{{base}}/cookie/set?ST=abc"}},
            {"name": "Cookie sent", "request": {"url": "{{base}}/cookie/check"}},
            {"name": "Cookie withheld", "request": {"url": "{{base}}/cookie/withheld"},
                "protocolProfileBehavior": {"disableCookies": true}},
            {"name": "Cookie not kept", "request": {"url": "{{base}}/cookie/set?NOPE=1"},
                "protocolProfileBehavior": {"disableCookies": true}},
            {"name": "Only the kept cookie sent", "request": {"url": "{{base}}/cookie/check-again"}},
            {"name": "Own cookie and the jar's", "request": {"url": "{{base}}/cookie/own",
                "header": [{"key": "Cookie", "value": "mine=1"}]}},
            {"name": "GET body kept", "request": {"method": "GET", "url": "{{base}}/get-body", "body": {"mode": "raw", "raw": "kept"}},
                "protocolProfileBehavior": {"disableBodyPruning": true}},
            {"name": "GET body pruned", "request": {"method": "GET", "url": "{{base}}/get-pruned", "body": {"mode": "raw", "raw": "pruned"}}}
        ]
    }));
    let args = [
        "run",
        "c.json",
        "--env-var",
        &format!("base={}", server.url("")),
        "--env-var",
        "id=7",
    ];
    let both = newman_then_baton(&server, &s.dir, |_| {
        args.iter().map(|a| a.to_string()).collect()
    });
    let (by_newman, by_baton) = (both.newman, both.baton);
    let newman_requests: Vec<Value> = both
        .newman_requests
        .iter()
        .map(essentials)
        .map(without_boundary)
        .collect();
    let baton_requests: Vec<Value> = both
        .baton_requests
        .iter()
        .map(essentials)
        .map(without_boundary)
        .collect();
    assert_eq!(
        (by_baton.code, by_newman.code),
        (0, 0),
        "{}{}",
        by_newman.stdout,
        by_baton.stdout
    );
    assert_eq!(baton_requests.len(), newman_requests.len());
    for (baton_request, newman_request) in baton_requests.iter().zip(&newman_requests) {
        assert_eq!(baton_request, newman_request);
    }
    let cookie_at = |path: &str| {
        baton_requests
            .iter()
            .find(|r| r["path"] == path)
            .map(|r| r["cookie"].clone())
    };
    // `disableCookies` neither sends the jar's cookies nor keeps the ones a response sets.
    assert_eq!(cookie_at("/cookie/withheld"), Some(Value::Null));
    assert_eq!(cookie_at("/cookie/check-again"), Some(json!("ST=abc")));
    assert_eq!(cookie_at("/cookie/own"), Some(json!("mine=1; ST=abc")));
}

#[test]
fn run_flags_and_digest_match_newman() {
    let server = TestServer::start();
    let s = Scratch::new("diff-flags");
    s.json("c.json", &json!({
        "info": {"name": "Flags", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Outside", "request": "{{base}}/outside"},
            {"name": "Chosen", "item": [
                {"name": "Digest", "request": {"url": "{{base}}/digest?i={{i}}",
                    "auth": {"type": "digest", "digest": [{"key": "username", "value": "u"}, {"key": "password", "value": "p"}]}},
                 "event": [{"listen": "prerequest", "script": {"exec": ["pm.variables.set('i', pm.info.iteration);"]}},
                           {"listen": "test", "script": {"exec": ["pm.test('authorised', () => pm.response.to.have.status(200));"]}}]},
                {"name": "Fails", "request": "{{base}}/status/500",
                 "event": [{"listen": "test", "script": {"exec": ["pm.test('ok', () => pm.response.to.have.status(200));"]}}]},
                {"name": "After the failure", "request": "{{base}}/after"}
            ]}
        ]
    }));
    let base = format!("base={}", server.url(""));
    let plain = |runner: &dyn Fn(&[&str]) -> crate::support::Run, extra: &[&str]| {
        let mut args = vec![
            "run",
            "c.json",
            "--env-var",
            base.as_str(),
            "--folder",
            "Chosen",
            "-n",
            "2",
        ];
        args.extend_from_slice(extra);
        let before = server.requests().len();
        let run = runner(&args);
        let seen: Vec<String> = server.requests()[before..]
            .iter()
            .map(|r| {
                format!(
                    "{} {}?{} auth={}",
                    r.method,
                    r.path,
                    r.query,
                    r.header("authorization").is_some()
                )
            })
            .collect();
        (run.code, seen)
    };
    let newman_run = |args: &[&str]| newman(&s.dir, args);
    let baton_run = |args: &[&str]| baton(&s.dir, args);
    let (newman_code, newman_seen) = plain(&newman_run, &[]);
    let (baton_code, baton_seen) = plain(&baton_run, &[]);
    assert_eq!(
        (baton_code, baton_seen.clone()),
        (newman_code, newman_seen),
        "--folder and -n"
    );
    assert_eq!(baton_code, 1);
    assert_eq!(
        baton_seen.len(),
        8,
        "two iterations of a challenge, an answer and two more requests"
    );
    let (newman_code, newman_seen) = plain(&newman_run, &["--bail"]);
    let (baton_code, baton_seen) = plain(&baton_run, &["--bail"]);
    assert_eq!(
        (baton_code, baton_seen),
        (newman_code, newman_seen),
        "--bail"
    );
}

/// One request of the probe collection below.
fn probe(name: &str, request: Value) -> Value {
    json!({"name": name, "request": request})
}

/// The details of Newman's request preparation that real collections tripped over: empty bodies,
/// forms of unreadable files or files without a source, a form's own Content-Type, repeated form keys, the request's own multipart boundary, comments
/// in JSON bodies (also where a value unbalances the quotes), auth helpers replacing a header,
/// empty tokens and prefixes, `undefined` in variables, `setNextRequest()` without an argument,
/// and a test script reading `pm.response` after a network error.
#[test]
fn request_preparation_details_match_newman() {
    let server = TestServer::start();
    let s = Scratch::new("diff-preparation");
    let post = |path: &str, body: Value| json!({"method": "POST", "url": format!("{{{{base}}}}/{path}"), "body": body});
    let get = |path: &str, auth: Value| json!({"method": "GET", "url": format!("{{{{base}}}}/{path}"), "auth": auth});
    let mut own_type = post(
        "own-type",
        json!({"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1"}]}),
    );
    own_type["header"] = json!([{"key": "content-type", "value": "application/json"}]);
    let mut own_boundary = post(
        "own-boundary",
        json!({"mode": "formdata", "formdata": [{"key": "a", "value": "1", "type": "text"}]}),
    );
    own_boundary["header"] =
        json!([{"key": "Content-Type", "value": "multipart/form-data; boundary=XyZ123"}]);
    let mut unreadable_files = post(
        "unreadable-files",
        json!({"mode": "formdata", "formdata": [{"key": "f", "type": "file", "src": "no-such-file.txt"}]}),
    );
    unreadable_files["header"] = json!([{"key": "Content-Type", "value": "multipart/form-data"}]);
    let mut typed_json = post(
        "typed-json",
        json!({"mode": "raw", "raw": "{\"a\": 1 // c\n}"}),
    );
    typed_json["header"] = json!([{"key": "Content-Type", "value": "application/vnd.api+json"}]);
    let mut own_auth = get(
        "own-auth",
        json!({"type": "bearer", "bearer": [{"key": "token", "value": "helper"}]}),
    );
    own_auth["header"] = json!([{"key": "authorization", "value": "Bearer mine"}]);
    let mut own_key = get(
        "own-key",
        json!({"type": "apikey", "apikey": [{"key": "key", "value": "x-api-key"}, {"key": "value", "value": "helper"}]}),
    );
    own_key["header"] = json!([{"key": "X_API_KEY", "value": "mine"}]);
    s.json("c.json", &json!({
        "info": {"name": "Preparation", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "quoted", "value": "has // slashes \" quote"}],
        "item": [
            probe("Empty raw", post("empty-raw", json!({"mode": "raw", "raw": ""}))),
            probe("Empty JSON", post("empty-json", json!({"mode": "raw", "raw": "", "options": {"raw": {"language": "json"}}}))),
            probe("Form of disabled fields", post("no-fields", json!({"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1", "disabled": true}]}))),
            probe("Multipart of disabled parts", post("no-parts", json!({"mode": "formdata", "formdata": [{"key": "a", "value": "1", "type": "text", "disabled": true}]}))),
            probe("Form with its own type", own_type),
            probe("Repeated keys", post("repeated", json!({"mode": "urlencoded", "urlencoded": [
                {"key": "b", "value": "x!'()*y"}, {"key": "10", "value": "ten"}, {"key": "a", "value": "2"},
                {"key": "b", "value": "3"}, {"key": "2", "value": "two"}, {"key": "", "value": "empty"}, {"key": "novalue"}]}))),
            probe("Own boundary", own_boundary),
            probe("Only unreadable files", unreadable_files),
            probe("Files without a source", post("no-source", json!({"mode": "formdata", "formdata": [
                {"key": "f", "type": "file"}, {"key": "g", "type": "file", "src": ""}, {"key": "t", "value": "v", "type": "text"}]}))),
            probe("JSON comments", post("comments", json!({"mode": "raw", "options": {"raw": {"language": "json"}},
                "raw": "{\n  // a comment\n  \"a\": \"{{quoted}}\", /* block */ \"b\": 2 // tail\n}"}))),
            probe("JSON by its type", typed_json),
            probe("Empty bearer", get("empty-bearer", json!({"type": "bearer", "bearer": [{"key": "token", "value": ""}]}))),
            probe("Helper over own header", own_auth),
            probe("API key over its own spelling", own_key),
            probe("Token without prefix", get("bare-token", json!({"type": "oauth2", "oauth2": [
                {"key": "accessToken", "value": "tok"}, {"key": "headerPrefix", "value": ""}]}))),
            {"name": "Undefined", "request": {"method": "GET", "url": "{{base}}/undefined"}, "event": [{"listen": "test", "script": {"exec": [
                "pm.variables.set('local', undefined); pm.environment.set('env', undefined); pm.environment.set('nil', null);",
                "postman.setNextRequest();"]}}]},
            {"name": "Reads them", "request": {"method": "GET", "url": "{{base}}/read?local={{local}}&env={{env}}&nil={{nil}}"}},
            {"name": "Network error", "request": {"method": "GET", "url": "http://127.0.0.1:1/"}, "event": [{"listen": "test", "script": {"exec": [
                "pm.environment.set('code', typeof pm.response.code); pm.environment.set('text', typeof pm.response.text());"]}}]},
            {"name": "After the error", "request": {"method": "GET", "url": "{{base}}/after?code={{code}}&text={{text}}"}}
        ]
    }));
    let args = [
        "run",
        "c.json",
        "--env-var",
        &format!("base={}", server.url("")),
    ];
    let both = newman_then_baton(&server, &s.dir, |_| {
        args.iter().map(|a| a.to_string()).collect()
    });
    assert_eq!(
        both.baton.code, both.newman.code,
        "{}\n{}",
        both.newman.stdout, both.baton.stdout
    );
    let seen = |requests: &[Recorded]| -> Vec<Value> {
        requests
            .iter()
            .map(|r| {
                let mut essential = without_boundary(essentials(r));
                essential["x-api-key"] = json!(r.header("x-api-key"));
                essential
            })
            .collect()
    };
    let (newman_seen, baton_seen) = (seen(&both.newman_requests), seen(&both.baton_requests));
    assert_eq!(baton_seen.len(), newman_seen.len(), "{baton_seen:#?}");
    for (baton_request, newman_request) in baton_seen.iter().zip(&newman_seen) {
        assert_eq!(baton_request, newman_request);
    }
    // After a network error, test scripts read an empty response rather than throwing.
    let after = both
        .baton_requests
        .iter()
        .find(|r| r.path == "/after")
        .unwrap();
    assert_eq!(after.query, "code=undefined&text=undefined");
    // `undefined` in pm.variables resolves to nothing; the environment holds null.
    let read = both
        .baton_requests
        .iter()
        .find(|r| r.path == "/read")
        .unwrap();
    assert_eq!(read.query, "local=&env=null&nil=null");
}
