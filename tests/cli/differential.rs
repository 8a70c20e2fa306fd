//! The same collection through the real Newman and through Baton, against the same server: the
//! requests received, the exit codes and the exported environments must agree.

use serde_json::{Value, json};

use crate::node::newman;
use crate::server::{Recorded, TestServer};
use crate::support::{Scratch, baton, collection};

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

    let by_newman = newman(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "--export-environment",
            "newman-env.json",
        ],
    );
    let newman_requests: Vec<Value> = server.requests().iter().map(essentials).collect();
    let served = server.requests().len();
    let by_baton = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "--export-environment",
            "baton-env.json",
        ],
    );
    let baton_requests: Vec<Value> = server.requests()[served..].iter().map(essentials).collect();

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
    let by_newman = newman(
        &s.dir,
        &[
            "run",
            "c.json",
            "-d",
            "d.csv",
            "-g",
            "g.json",
            "--export-globals",
            "ng.json",
        ],
    );
    let served = server.requests().len();
    let by_baton = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-d",
            "d.csv",
            "-g",
            "g.json",
            "--export-globals",
            "bg.json",
        ],
    );
    let requests = server.requests();
    let newman_requests: Vec<Value> = requests[..served].iter().map(essentials).collect();
    let baton_requests: Vec<Value> = requests[served..].iter().map(essentials).collect();
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
