//! OAuth 2.0 auth blocks whose token Baton fetches: against the real oidc-provider for the four
//! client authentication methods (one fetch per client, tokens that verify, a refusal that names
//! the provider's reason), and against a strict loopback token endpoint for the password grant
//! and `expires_in`. Resource requests go to the recording `TestServer`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::oidc_provider::{Provider, assert_verifies, provider_jwks};
use crate::server::{Recorded, TestServer};
use crate::support::{Scratch, baton, collection};
use crate::workflows::test_private_key;

/// Requests a resource folder sends, each under its folder's auth.
pub(crate) const REQUESTS_PER_FOLDER: usize = 3;

/// An `oauth2` auth block from key/value pairs, as Postman v2.1 writes it.
pub(crate) fn oauth2(pairs: &[(&str, Value)]) -> Value {
    let list: Vec<Value> = pairs
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value, "type": "string"}))
        .collect();
    json!({"type": "oauth2", "oauth2": list})
}

/// A folder of `REQUESTS_PER_FOLDER` GETs to `{{resource}}/<name>/<n>` under `auth`.
pub(crate) fn folder(name: &str, auth: Value) -> Value {
    let items: Vec<Value> = (0..REQUESTS_PER_FOLDER)
        .map(|n| {
            json!({"name": format!("{name} {n}"),
                "request": {"method": "GET", "url": format!("{{{{resource}}}}/{name}/{n}")}})
        })
        .collect();
    json!({"name": name, "item": items, "auth": auth})
}

/// A block for the client_credentials grant with `method`, its id and secret in variables;
/// `extra` adds keys or replaces them.
fn client_credentials(method: &str, extra: &[(&str, Value)]) -> Value {
    let mut pairs = vec![
        ("grant_type", json!("client_credentials")),
        ("accessTokenUrl", json!("{{issuerEndpoint}}")),
        ("clientId", json!(format!("{{{{{method}Id}}}}"))),
        ("clientSecret", json!(format!("{{{{{method}Secret}}}}"))),
        ("client_authentication", json!(method)),
        ("scope", json!("api")),
        ("addTokenTo", json!("header")),
        ("accessToken", json!("")),
    ];
    pairs.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
    pairs.extend(extra.iter().cloned());
    oauth2(&pairs)
}

/// The `Authorization` headers the resource server got under `/<name>/`.
pub(crate) fn authorizations(requests: &[Recorded], name: &str) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.path.starts_with(&format!("/{name}/")))
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn each_client_authentication_method_fetches_one_verifiable_token_for_all_its_requests() {
    let provider = Provider::start();
    let jwks = provider_jwks(&provider);
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-methods");
    let methods = [
        ("body", "client_secret_post"),
        ("header", "client_secret_basic"),
        ("client_secret_jwt", "client_secret_jwt"),
        ("private_key_jwt", "private_key_jwt"),
    ];
    let mut folders: Vec<Value> = methods
        .iter()
        .map(|(method, _)| {
            let extra = match *method {
                "client_secret_jwt" => vec![("clientAssertionAlgorithm", json!("HS256"))],
                "private_key_jwt" => vec![
                    ("clientAssertionAlgorithm", json!("RS256")),
                    ("clientAssertionPrivateKey", json!("{{privateKey}}")),
                ],
                _ => Vec::new(),
            };
            folder(method, client_credentials(method, &extra))
        })
        .collect();
    // A given token is sent as it is; its token URL is never asked.
    folders.push(folder(
        "given",
        client_credentials(
            "body",
            &[
                ("accessToken", json!("given-token-sent-as-is")),
                ("accessTokenUrl", json!(resource.url("/never-fetched"))),
            ],
        ),
    ));
    s.json("c.json", &collection(json!(folders)));
    let mut vars = vec![
        format!("issuerEndpoint={}", provider.text("tokenEndpoint")),
        format!("resource={}", resource.url("")),
        format!("privateKey={}", test_private_key()),
    ];
    let mut secrets = Vec::new();
    for (method, registered) in methods {
        let (id, secret) = provider.client(registered);
        vars.push(format!("{method}Id={id}"));
        vars.push(format!("{method}Secret={secret}"));
        if !secret.is_empty() {
            secrets.push(secret);
        }
    }
    let mut args = vec![
        "run",
        "c.json",
        "--verbose",
        "-r",
        "cli,json",
        "--reporter-json-export",
        "report.json",
    ];
    for pair in &vars {
        args.extend(["--env-var", pair.as_str()]);
    }
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let requests = resource.requests();
    let mut tokens = HashSet::new();
    for (method, registered) in methods {
        let headers = authorizations(&requests, method);
        assert_eq!(headers.len(), REQUESTS_PER_FOLDER, "{method}");
        // oidc-provider mints a new token (a new jti) per token request, so one header for
        // every request of the folder is one fetch for the client.
        assert!(
            headers.iter().all(|h| h == &headers[0]),
            "{method}: {headers:?}"
        );
        let token = headers[0].strip_prefix("Bearer ").expect("a Bearer token");
        let (id, _) = provider.client(registered);
        assert_verifies(token, &jwks, &provider, &id);
        tokens.insert(token.to_owned());
    }
    assert_eq!(tokens.len(), methods.len());
    assert_eq!(
        authorizations(&requests, "given"),
        vec!["Bearer given-token-sent-as-is"; REQUESTS_PER_FOLDER]
    );
    assert!(!requests.iter().any(|r| r.path == "/never-fetched"));

    let report = std::fs::read_to_string(s.dir.join("report.json")).expect("the json report");
    let key_line = test_private_key()
        .lines()
        .nth(1)
        .expect("a PEM body line")
        .to_owned();
    for secret in tokens.iter().chain(&secrets).chain([&key_line]) {
        for (name, text) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("report", &report),
        ] {
            assert!(!text.contains(secret.as_str()), "{name} shows {secret}");
        }
    }
}

#[test]
fn a_refused_token_request_fails_the_item_with_the_providers_reason_and_sends_nothing() {
    let provider = Provider::start();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-refused");
    let (id, _) = provider.client("client_secret_post");
    let wrong = "a-wrong-secret-that-must-stay-masked";
    s.json(
        "c.json",
        &collection(json!([
            folder("body", client_credentials("body", &[])),
            {"name": "after", "request": {"method": "GET", "url": "{{resource}}/after"}},
        ])),
    );
    let token_url = provider.text("tokenEndpoint");
    let pairs = [
        format!("issuerEndpoint={token_url}"),
        format!("resource={}", resource.url("")),
        format!("bodyId={id}"),
        format!("bodySecret={wrong}"),
    ];
    let mut args = vec!["run", "c.json", "--verbose"];
    for pair in &pairs {
        args.extend(["--env-var", pair.as_str()]);
    }
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let reason = format!(
        "the token request to {token_url} was refused with 401: invalid_client (client authentication failed)"
    );
    assert!(run.stdout.contains(&reason), "{}", run.stdout);
    assert!(!run.stdout.contains(wrong) && !run.stderr.contains(wrong));
    // Only the request without OAuth 2.0 reached the resource server.
    let paths: Vec<String> = resource.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/after"]);
}

#[test]
fn oauth2_no_fetch_sends_the_block_as_newman_does() {
    let server = TestServer::start();
    let s = Scratch::new("oauth2-no-fetch");
    s.json(
        "c.json",
        &collection(json!([folder("body", client_credentials("body", &[]))])),
    );
    let pairs = [
        format!("issuerEndpoint={}", server.url("/token")),
        format!("resource={}", server.url("")),
        "bodyId=app".to_owned(),
        "bodySecret=secret".to_owned(),
    ];
    let mut args = vec!["run", "c.json", "--oauth2-no-fetch"];
    for pair in &pairs {
        args.extend(["--env-var", pair.as_str()]);
    }
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = server.requests();
    assert!(!requests.iter().any(|r| r.path == "/token"));
    assert_eq!(
        authorizations(&requests, "body"),
        vec![String::new(); REQUESTS_PER_FOLDER]
    );
}

/// Token requests the strict endpoint accepted: how many, per scope.
type Fetches = Arc<Mutex<Vec<String>>>;

/// A token endpoint on 127.0.0.1 that accepts only the exact password-grant form and Basic
/// client authentication, and answers `expires_in` 3600 for scope `read` and 30 (within
/// Baton's margin, so never reused) for any other.
fn strict_password_endpoint() -> (String, Fetches) {
    async fn token(
        State(fetches): State<Fetches>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, axum::Json<Value>) {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let basic = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let scope = form
            .iter()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let expected: Vec<(String, String)> = [
            ("grant_type", "password"),
            ("username", "ada@example.com"),
            ("password", "pa ss&word"),
            ("scope", scope.as_str()),
            ("tenant", "t1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // base64("web+app:s%26cret"): the id and secret form-urlencoded (RFC 6749 2.3.1).
        if form != expected || basic != "Basic d2ViK2FwcDpzJTI2Y3JldA==" {
            let description = format!("unexpected {form:?} {basic}");
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "invalid_request", "error_description": description})),
            );
        }
        let mut fetches = fetches.lock().unwrap();
        fetches.push(scope.clone());
        let expires_in = if scope == "read" { 3600 } else { 30 };
        let token = format!("pw-token-{}-{}", scope, fetches.len());
        (
            StatusCode::OK,
            axum::Json(
                json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in}),
            ),
        )
    }
    let fetches = Fetches::default();
    let state = fetches.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    // The thread ends with the test process.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let app = axum::Router::new()
                .route("/token", axum::routing::post(token))
                .with_state(state);
            axum::serve(listener, app).await.expect("serve");
        });
    });
    (format!("http://{addr}/token"), fetches)
}

#[test]
fn the_password_grant_sends_its_exact_form_and_honours_expires_in() {
    let (token_url, fetches) = strict_password_endpoint();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-password");
    let block = |scope: &str| {
        oauth2(&[
            ("grant_type", json!("password_credentials")),
            ("accessTokenUrl", json!("{{issuerEndpoint}}")),
            ("clientId", json!("web app")),
            ("clientSecret", json!("s&cret")),
            ("username", json!("{{user}}")),
            ("password", json!("{{userPassword}}")),
            ("scope", json!(scope)),
            ("addTokenTo", json!("queryParams")),
            (
                "tokenRequestParams",
                json!([{"key": "tenant", "value": "t1", "send_as": "request_body"}]),
            ),
        ])
    };
    s.json(
        "c.json",
        &collection(json!([
            folder("read", block("read")),
            folder("brief", block("brief"))
        ])),
    );
    let pairs = [
        format!("issuerEndpoint={token_url}"),
        format!("resource={}", resource.url("")),
        "user=ada@example.com".to_owned(),
        "userPassword=pa ss&word".to_owned(),
    ];
    let mut args = vec!["run", "c.json", "--verbose"];
    for pair in &pairs {
        args.extend(["--env-var", pair.as_str()]);
    }
    let run = baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // One fetch serves every `read` request; a token within 30 s of expiry is fetched again.
    let fetched = fetches.lock().unwrap().clone();
    let reads = fetched.iter().filter(|s| *s == "read").count();
    let briefs = fetched.iter().filter(|s| *s == "brief").count();
    assert_eq!((reads, briefs), (1, REQUESTS_PER_FOLDER));
    let requests = resource.requests();
    let read: Vec<&str> = requests
        .iter()
        .filter(|r| r.path.starts_with("/read/"))
        .map(|r| r.query.as_str())
        .collect();
    assert_eq!(
        read,
        vec!["access_token=pw-token-read-1"; REQUESTS_PER_FOLDER]
    );
    for secret in ["pw-token-", "pa ss&word", "s&cret"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{secret}:\n{}",
            run.stdout
        );
    }
}
