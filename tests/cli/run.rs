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
