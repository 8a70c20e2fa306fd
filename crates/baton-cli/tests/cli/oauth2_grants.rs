//! OAuth 2.0 blocks against a loopback authorization server written here: refresh tokens (a
//! token that expires within Baton's margin is refreshed, a refused refresh falls back to the
//! grant), the browser grants run headlessly when the server signs on without a form (a session
//! cookie set on the way, a PKCE challenge checked against its verifier, an implicit token in
//! the fragment), a clear failure when it shows a sign-on form, and what the reports show of it
//! all: a line per exchange, the detail under `--verbose` and an `oauth2` list in the JSON
//! report, every token, code and secret masked. A 401 from the resource fetches nothing again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection};

/// The only client the server knows, and its secret.
const CLIENT_ID: &str = "grant-app";
const CLIENT_SECRET: &str = "grant-app-secret-7f3a9c";

/// A client whose refresh tokens the server refuses.
const NO_REFRESH_CLIENT: &str = "grant-app-no-refresh";

/// Where the server sends the browser back: nothing listens there, so Baton must read the
/// redirect and never follow it.
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// What the server saw and issued.
#[derive(Default)]
struct Ledger {
    /// `client_id grant_type` per token request it granted or refused, in order.
    grants: Vec<String>,
    /// Codes issued, with the redirect URI and PKCE challenge they were issued for.
    codes: HashMap<String, (String, Option<String>)>,
    /// Refresh tokens issued, by client.
    refresh_tokens: HashMap<String, String>,
    /// A counter making every token distinct.
    issued: usize,
}

type Shared = Arc<Mutex<Ledger>>;

impl Ledger {
    /// A fresh token for `kind`: long enough to be masked wherever it appears.
    fn token(&mut self, kind: &str) -> String {
        self.issued += 1;
        format!("{kind}-{:04}-9d1e4b7c2a", self.issued)
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (status, axum::Json(body)).into_response()
}

/// `POST /token`: client authentication in the body only; client_credentials issues a token
/// that lives 1 s (within Baton's 30 s margin, so it is stale at once) with a refresh token;
/// refresh_token needs the `refreshing=yes` parameter and a refresh token it issued;
/// authorization_code checks the code, its redirect URI and the PKCE verifier.
async fn token(State(ledger): State<Shared>, body: String) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |key: &str| form.get(key).cloned().unwrap_or_default();
    let client = field("client_id");
    let mut ledger = ledger.lock().unwrap();
    ledger
        .grants
        .push(format!("{client} {}", field("grant_type")));
    let known = client == CLIENT_ID || client == NO_REFRESH_CLIENT;
    if !known || field("client_secret") != CLIENT_SECRET {
        let reason = "client authentication failed";
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", reason);
    }
    let (access, expires_in) = match field("grant_type").as_str() {
        "client_credentials" => (ledger.token("atok-cc"), 1),
        "refresh_token" => {
            let issued = ledger.refresh_tokens.get(&client).cloned();
            let fits = issued.as_deref() == Some(field("refresh_token").as_str());
            if client == NO_REFRESH_CLIENT || !fits || field("refreshing") != "yes" {
                let reason = "refresh token refused";
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", reason);
            }
            (ledger.token("atok-refreshed"), 1)
        }
        "authorization_code" => {
            let Some((redirect, challenge)) = ledger.codes.remove(&field("code")) else {
                let reason = "unknown code";
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", reason);
            };
            let verified = match challenge {
                None => true,
                Some(challenge) => {
                    let digest = aws_lc_rs::digest::digest(
                        &aws_lc_rs::digest::SHA256,
                        field("code_verifier").as_bytes(),
                    );
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
                }
            };
            if redirect != field("redirect_uri") || !verified {
                let reason = "redirect_uri or code_verifier mismatch";
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", reason);
            }
            (ledger.token("atok-code"), 3600)
        }
        _ => {
            let reason = "grant not allowed";
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", reason);
        }
    };
    let refresh = ledger.token("rtok");
    ledger.refresh_tokens.insert(client, refresh.clone());
    let body = json!({"access_token": access, "token_type": "Bearer",
        "expires_in": expires_in, "refresh_token": refresh});
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn query_of(uri: &Uri) -> HashMap<String, String> {
    let query = uri.query().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

/// `GET /authorize`: signs on without a form, but only with a session cookie: without one it
/// sets it at `/session`, which sends the browser back here; then it redirects to the
/// registered redirect URI with a code (or, for `response_type=token`, a token in the fragment).
async fn authorize(State(ledger): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let query = query_of(&uri);
    let field = |key: &str| query.get(key).cloned().unwrap_or_default();
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !cookie.contains("session=signed-on") {
        return redirect(&format!("/session?{}", uri.query().unwrap_or_default()));
    }
    if field("client_id") != CLIENT_ID || field("redirect_uri") != REDIRECT_URI {
        let reason = "unknown client or redirect_uri";
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", reason);
    }
    let state = field("state");
    let mut ledger = ledger.lock().unwrap();
    if field("response_type") == "token" {
        let token = ledger.token("atok-implicit");
        let fragment =
            format!("access_token={token}&token_type=Bearer&expires_in=3600&state={state}");
        return redirect(&format!("{REDIRECT_URI}#{fragment}"));
    }
    let challenge = match field("code_challenge_method").as_str() {
        "S256" => Some(field("code_challenge")),
        "" => None,
        _ => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "S256 only"),
    };
    let code = ledger.token("code");
    ledger
        .codes
        .insert(code.clone(), (field("redirect_uri"), challenge));
    redirect(&format!("{REDIRECT_URI}?code={code}&state={state}"))
}

/// `GET /session`: sets the session cookie and goes back to `/authorize`.
async fn session(uri: Uri) -> Response {
    let back = uri.query().unwrap_or_default();
    (
        StatusCode::FOUND,
        [
            (header::SET_COOKIE, "session=signed-on; Path=/".to_string()),
            (header::LOCATION, format!("/authorize?{back}")),
        ],
    )
        .into_response()
}

/// `GET /login/authorize`: what most servers show a browser, a sign-on form.
async fn login_form() -> Response {
    let page = "<html><form method=post><input name=username><input name=password type=password></form></html>";
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// The authorization server on 127.0.0.1: its base URL and its ledger.
fn authorization_server() -> (String, Shared) {
    let ledger = Shared::default();
    let state = ledger.clone();
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
                .route("/authorize", axum::routing::get(authorize))
                .route("/session", axum::routing::get(session))
                .route("/login/authorize", axum::routing::get(login_form))
                .with_state(state);
            axum::serve(listener, app).await.expect("serve");
        });
    });
    (format!("http://{addr}"), ledger)
}

/// An `oauth2` block for `grant` against the server at `{{as}}`, client authentication in the
/// body; `extra` adds keys.
fn block(grant: &str, extra: &[(&str, Value)]) -> Value {
    let mut pairs = vec![
        ("grant_type", json!(grant)),
        ("accessTokenUrl", json!("{{as}}/token")),
        ("authUrl", json!("{{as}}/authorize")),
        ("redirect_uri", json!(REDIRECT_URI)),
        ("clientId", json!(CLIENT_ID)),
        ("clientSecret", json!("{{clientSecret}}")),
        ("client_authentication", json!("body")),
        ("addTokenTo", json!("header")),
    ];
    pairs.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
    pairs.extend(extra.iter().cloned());
    let list: Vec<Value> = pairs
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value, "type": "string"}))
        .collect();
    json!({"type": "oauth2", "oauth2": list})
}

/// A folder of `count` GETs to `{{resource}}/<name>/<n>` under `auth`.
fn folder(name: &str, count: usize, auth: Value) -> Value {
    let items: Vec<Value> = (0..count)
        .map(|n| {
            json!({"name": format!("{name} {n}"),
                "request": {"method": "GET", "url": format!("{{{{resource}}}}/{name}/{n}")}})
        })
        .collect();
    json!({"name": name, "item": items, "auth": auth})
}

/// The bearer tokens the resource server got under `/<name>/`.
fn bearers(resource: &TestServer, name: &str) -> Vec<String> {
    resource
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(&format!("/{name}/")))
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .map(|h| h.strip_prefix("Bearer ").unwrap_or(&h).to_owned())
        .collect()
}

fn run_with(
    s: &Scratch,
    server: &str,
    resource: &TestServer,
    extra: &[&str],
) -> crate::support::Run {
    let vars = [
        format!("as={server}"),
        format!("resource={}", resource.url("")),
        format!("clientSecret={CLIENT_SECRET}"),
    ];
    let mut args = vec!["run", "c.json"];
    for pair in &vars {
        args.extend(["--env-var", pair.as_str()]);
    }
    args.extend(extra);
    baton(&s.dir, &args)
}

#[test]
fn an_expired_token_is_refreshed_and_a_refused_refresh_falls_back_to_the_grant() {
    let (server, ledger) = authorization_server();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-refresh");
    let refreshing = json!([{"key": "refreshing", "value": "yes", "send_as": "request_body"}]);
    s.json(
        "c.json",
        &collection(json!([
            folder(
                "refreshed",
                3,
                block(
                    "client_credentials",
                    &[
                        ("refreshTokenUrl", json!("{{as}}/token")),
                        ("refreshRequestParams", refreshing.clone()),
                    ]
                )
            ),
            folder(
                "fallback",
                2,
                block(
                    "client_credentials",
                    &[
                        ("clientId", json!(NO_REFRESH_CLIENT)),
                        ("refreshRequestParams", refreshing)
                    ]
                )
            ),
        ])),
    );
    let run = run_with(&s, &server, &resource, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let grants = ledger.lock().unwrap().grants.clone();
    let cc = format!("{CLIENT_ID} client_credentials");
    let refresh = format!("{CLIENT_ID} refresh_token");
    let none_cc = format!("{NO_REFRESH_CLIENT} client_credentials");
    let none_refresh = format!("{NO_REFRESH_CLIENT} refresh_token");
    assert_eq!(
        grants,
        [
            cc,
            refresh.clone(),
            refresh,
            none_cc.clone(),
            none_refresh,
            none_cc
        ]
    );
    let refreshed = bearers(&resource, "refreshed");
    assert!(refreshed[0].starts_with("atok-cc-"), "{refreshed:?}");
    assert!(
        refreshed[1..]
            .iter()
            .all(|t| t.starts_with("atok-refreshed-"))
    );
    assert_ne!(refreshed[1], refreshed[2]);
    let fallback = bearers(&resource, "fallback");
    assert!(fallback.iter().all(|t| t.starts_with("atok-cc-")));
    assert_ne!(fallback[0], fallback[1]);
    // Each exchange is its own line under its request, without a token in sight.
    let token_line = format!("oauth2 token POST {server}/token [200 OK, ");
    let refresh_line = format!("oauth2 refresh POST {server}/token [200 OK, ");
    let refused_line = format!("oauth2 refresh POST {server}/token [400 Bad Request, ");
    for line in [&token_line, &refresh_line, &refused_line] {
        assert!(run.stdout.contains(line.as_str()), "{line}\n{}", run.stdout);
    }
    for secret in ["atok-", "rtok-", CLIENT_SECRET] {
        assert!(!run.stdout.contains(secret), "{secret}:\n{}", run.stdout);
    }
}

#[test]
fn browser_grants_run_headlessly_when_the_server_signs_on_without_a_form() {
    let (server, ledger) = authorization_server();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-browser");
    s.json(
        "c.json",
        &collection(json!([
            folder("pkce", 2, block("authorization_code_with_pkce", &[])),
            folder("code", 2, block("authorization_code", &[("scope", json!("read"))])),
            folder("implicit", 2, block("implicit", &[])),
            {"name": "plain", "request": {"method": "GET", "url": "{{resource}}/plain"}},
        ])),
    );
    let args = [
        "--verbose",
        "-r",
        "cli,json,html",
        "--reporter-json-export",
        "report.json",
        "--reporter-html-export",
        "report.html",
    ];
    let run = run_with(&s, &server, &resource, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let grants = ledger.lock().unwrap().grants.clone();
    let code = format!("{CLIENT_ID} authorization_code");
    // One code exchange per block (the implicit token needs none), cached for the second request.
    assert_eq!(grants, [code.clone(), code]);
    for (name, prefix) in [
        ("pkce", "atok-code-"),
        ("code", "atok-code-"),
        ("implicit", "atok-implicit-"),
    ] {
        let tokens = bearers(&resource, name);
        assert_eq!(tokens.len(), 2, "{name}");
        assert!(
            tokens[0].starts_with(prefix) && tokens[0] == tokens[1],
            "{name}: {tokens:?}"
        );
    }
    // The authorization request went through the cookie jar: /authorize, /session, /authorize
    // for the first block, the session's cookie at once for the second. (Under the request
    // line; `--verbose` shows each once more with its detail.)
    let authorize_line =
        format!("\n    oauth2 authorize GET {server}/authorize?response_type=code");
    assert_eq!(
        run.stdout.matches(&authorize_line).count(),
        3,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("oauth2 authorize GET {server}/session?"))
    );

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(s.dir.join("report.json")).unwrap()).unwrap();
    let executions = report["run"]["executions"].as_array().expect("executions");
    let steps = |e: &Value| -> Vec<String> {
        e["oauth2"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|x| x["step"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let first = executions
        .iter()
        .find(|e| e["item"]["name"] == "pkce 0")
        .expect("pkce 0");
    assert_eq!(
        steps(first),
        [
            "oauth2 authorize",
            "oauth2 authorize",
            "oauth2 authorize",
            "oauth2 token"
        ]
    );
    let exchange = &first["oauth2"][3];
    assert_eq!(exchange["request"]["method"], "POST");
    assert_eq!(exchange["response"]["code"], 200);
    let form = exchange["request"]["body"]["urlencoded"]
        .as_array()
        .expect("a form");
    let secret = form
        .iter()
        .find(|p| p["key"] == "client_secret")
        .expect("client_secret");
    assert_ne!(secret["value"], CLIENT_SECRET);
    // A cached token and a request without OAuth 2.0 add nothing to Newman's shape.
    for name in ["pkce 1", "plain"] {
        let e = executions
            .iter()
            .find(|e| e["item"]["name"] == name)
            .expect(name);
        assert!(e.get("oauth2").is_none(), "{name}");
    }
    let text = std::fs::read_to_string(s.dir.join("report.json")).unwrap();
    // The page lists the same exchanges under their requests: the first block's four.
    let page = std::fs::read_to_string(s.dir.join("report.html")).unwrap();
    assert_eq!(
        page.matches("OAuth 2.0 token <span class=\"muted\">(4)</span>")
            .count(),
        1,
        "{page}"
    );
    assert!(
        page.contains(&format!("oauth2 token POST {server}/token")),
        "{page}"
    );
    for secret in ["atok-", "rtok-", "code-0", CLIENT_SECRET] {
        assert!(
            !run.stdout.contains(secret),
            "stdout shows {secret}:\n{}",
            run.stdout
        );
        assert!(!text.contains(secret), "the report shows {secret}");
        assert!(!page.contains(secret), "the page shows {secret}");
    }
}

#[test]
fn a_sign_on_form_or_a_refusal_fails_the_request_with_a_clear_reason() {
    let (server, ledger) = authorization_server();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-form");
    s.json(
        "c.json",
        &collection(json!([
            folder(
                "form",
                1,
                block("authorization_code_with_pkce", &[("authUrl", json!("{{as}}/login/authorize"))])
            ),
            folder(
                "stranger",
                1,
                block("authorization_code", &[("clientId", json!("a-client-it-does-not-know"))])
            ),
            {"name": "after", "request": {"method": "GET", "url": "{{resource}}/after"}},
        ])),
    );
    let run = run_with(&s, &server, &resource, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // An error answer is the server's refusal, with its reason.
    let refused = format!(
        "the authorization request to {server}/authorize was refused with 400: invalid_request (unknown client or redirect_uri)"
    );
    assert!(run.stdout.contains(&refused), "{}", run.stdout);
    let message = format!(
        "`form 0` needs a browser for its OAuth 2.0 grant `authorization_code_with_pkce`: the authorization request stopped at {server}/login/authorize with 200 instead of redirecting to the redirect_uri; without a browser Baton runs client_credentials, password_credentials and refresh_token"
    );
    assert!(run.stdout.contains(&message), "{}", run.stdout);
    assert!(ledger.lock().unwrap().grants.is_empty());
    let paths: Vec<String> = resource.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/after"]);
}

#[test]
fn a_401_from_the_resource_is_its_answer_and_fetches_nothing_again() {
    let (server, ledger) = authorization_server();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-401");
    // A pre-request script sees the block as the collection wrote it, as in Postman.
    let sees_block = json!([{"listen": "prerequest", "script": {"exec": [
        "pm.test('the block is seen', () => {",
        "  pm.expect(pm.request.auth.type).to.equal('oauth2');",
        "  pm.expect(pm.request.auth.parameters().get('grant_type')).to.equal('authorization_code');",
        "});",
    ]}}]);
    let refused = |n: usize| {
        json!({"name": format!("refused {n}"), "event": sees_block,
            "request": {"method": "GET", "url": "{{resource}}/status/401"}})
    };
    s.json(
        "c.json",
        &collection(json!([{
            "name": "refused",
            "item": [refused(0), refused(1)],
            "auth": block("authorization_code", &[]),
        }])),
    );
    let run = run_with(&s, &server, &resource, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.matches("✓  the block is seen").count(),
        2,
        "{}",
        run.stdout
    );
    // One code exchange, one request per item: the 401 is not a reason to fetch and retry.
    let code = format!("{CLIENT_ID} authorization_code");
    assert_eq!(ledger.lock().unwrap().grants, [code]);
    let sent = resource.requests();
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| r.header("authorization") == sent[0].header("authorization"))
    );
}
