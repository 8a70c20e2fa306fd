//! The secrets audit: a collection that plants one secret of each kind (a secret-typed variable, a
//! credential-named one, a URL password, Basic and Bearer credentials, a value captured from a
//! response and copied into neutral names, a short secret, a secret percent-encoded in a query
//! and form-encoded in a body, JSON-escaped in the console, in a test name, echoed by the server),
//! run with every reporter (the HTML page too) and `--verbose`; then stdout, stderr and every report are searched for
//! every encoding of every secret.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::support::{Run, Scratch, baton, collection};

const VAULT_KEY: &str = "vault \"Key\" <7>";
const ADMIN_PASSWORD: &str = "adm1n&pw 'q'";
const URL_PASSWORD: &str = "urlPa55 w0rd";
const BASIC_PASSWORD: &str = "b4sic/pw+x";
const BEARER_TOKEN: &str = "bearer-TOKEN.z9/Q";
const CAPTURED: &str = "cs_Captured-77 x/y";
const SHORT: &str = "q7";
const QUERY_TOKEN: &str = "qv=1&2 3/4";
const JSON_SECRET: &str = "js\"on\\sec'ret";
const USERS: [&str; 2] = ["basicuser", "urluser"];

/// Every secret the collection plants.
const SECRETS: [&str; 9] = [
    VAULT_KEY,
    ADMIN_PASSWORD,
    URL_PASSWORD,
    BASIC_PASSWORD,
    BEARER_TOKEN,
    CAPTURED,
    SHORT,
    QUERY_TOKEN,
    JSON_SECRET,
];

/// Answers `/issue` with a client secret, anything else with a JSON echo of the request.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(answer);
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

async fn answer(request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.to_string(), Value::String(value))
        })
        .collect();
    let body = to_bytes(request.into_body(), 1 << 20).await.unwrap();
    let answer = if path == "/issue" {
        json!({"client_secret": CAPTURED})
    } else {
        json!({"path": path, "query": query, "headers": headers,
               "body": String::from_utf8_lossy(&body)})
    };
    Response::builder()
        .header("Content-Type", "application/json")
        .body(Body::from(answer.to_string()))
        .unwrap()
}

fn script(listen: &str, lines: &[&str]) -> Value {
    json!({"listen": listen, "script": {"type": "text/javascript", "exec": lines}})
}

/// Writes the collection and the environment into `s`.
fn plant(s: &Scratch, addr: SocketAddr) {
    let base = format!("http://{addr}");
    let items = json!([
        {"name": "Captures a secret", "request": {"method": "GET", "url": format!("{base}/issue")},
         "event": [script("test", &[
            "const secret = pm.response.json().client_secret;",
            "pm.environment.set('clientSecret', secret);",
            "pm.environment.set('sessionCopy', secret);",
            "pm.environment.set('authHeader', 'Bearer ' + secret);",
            "pm.test('captured ' + secret, () => pm.expect(secret).to.eql('nope'));",
         ])]},
        {"name": "Basic", "request": {"method": "POST", "url": format!("{base}/basic"),
            "auth": {"type": "basic", "basic": [
                {"key": "username", "value": USERS[0]},
                {"key": "password", "value": BASIC_PASSWORD}]},
            "header": [{"key": "X-Vault", "value": "{{vaultKey}}"},
                       {"key": "X-Pin", "value": "{{pinToken}}"},
                       {"key": "X-Session", "value": "{{authHeader}}"}],
            "body": {"mode": "raw", "raw": "{\"password\": \"{{adminPassword}}\"}"}}},
        {"name": "Bearer", "request": {"method": "GET", "url": format!("{base}/bearer?pin={{{{pinToken}}}}"),
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": BEARER_TOKEN}]}}},
        {"name": "URL password",
         "request": format!("http://{}:{}@{addr}/url", USERS[1], URL_PASSWORD.replace(' ', "%20"))},
        {"name": "Encoded", "event": [script("prerequest", &[
            "pm.variables.set('encoded', encodeURIComponent(pm.environment.get('queryToken')));",
            "console.log({json: pm.environment.get('jsonSecret')});",
            "console.log(JSON.stringify({json: pm.environment.get('jsonSecret')}));",
         ])],
         "request": {"method": "POST", "url": format!("{base}/encoded?access={{{{encoded}}}}"),
            "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "field", "value": "{{queryToken}}"},
                {"key": "copy", "value": "{{sessionCopy}}"}]}}},
        {"name": "Forgets nothing", "event": [script("prerequest", &[
            "pm.environment.unset('clientSecret');",
            "pm.environment.unset('authHeader');",
         ]), script("test", &[
            "console.log('issued again:', pm.response.json().client_secret);",
         ])],
         "request": format!("{base}/issue")},
    ]);
    s.json("c.json", &collection(items));
    s.json(
        "e.json",
        &json!({"id": "e1", "name": "env", "values": [
            {"key": "vaultKey", "value": VAULT_KEY, "type": "secret", "enabled": true},
            {"key": "adminPassword", "value": ADMIN_PASSWORD, "enabled": true},
            {"key": "pinToken", "value": SHORT, "enabled": true},
            {"key": "queryToken", "value": QUERY_TOKEN, "enabled": true},
            {"key": "jsonSecret", "value": JSON_SECRET, "enabled": true}]}),
    );
}

/// Every encoding of `secret` the audit looks for.
pub fn encodings(secret: &str) -> Vec<String> {
    let percent = |plus: bool, upper: bool| {
        let mut out = String::new();
        for byte in secret.bytes() {
            match byte {
                b' ' if plus => out.push('+'),
                b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => out.push(b as char),
                b if upper => out.push_str(&format!("%{b:02X}")),
                b => out.push_str(&format!("%{b:02x}")),
            }
        }
        out
    };
    let json = serde_json::to_string(secret).unwrap();
    let html = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    let mut out = vec![
        secret.to_string(),
        percent(false, true),
        percent(false, false),
        percent(true, true),
        percent(true, false),
        json[1..json.len() - 1].to_string(),
        html,
        STANDARD.encode(secret).trim_end_matches('=').to_string(),
    ];
    for user in USERS {
        let basic = STANDARD.encode(format!("{user}:{secret}"));
        out.push(basic.trim_end_matches('=').to_string());
    }
    out
}

/// Whether `text` holds `form`; a short secret's forms count as whole tokens only.
fn holds(text: &str, form: &str, whole_token: bool) -> bool {
    text.match_indices(form).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + form.len()..].chars().next();
        !whole_token
            || !(before.is_some_and(char::is_alphanumeric)
                || after.is_some_and(char::is_alphanumeric))
    })
}

/// The secrets' forms found in the outputs, as `output: secret as form`.
fn leaks(outputs: &[(&str, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for secret in SECRETS {
        let short = secret.chars().count() < 4;
        for form in encodings(secret) {
            for (name, text) in outputs {
                if holds(text, &form, short) {
                    found.push(format!("{name}: {secret:?} as {form:?}"));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Runs the audit collection with `extra` arguments; the outputs are stdout, stderr and each
/// report file named in `reports`.
fn audit_run(s: &Scratch, extra: &[&str], reports: &[&str]) -> (Run, Vec<(String, String)>) {
    let mut args = vec!["run", "c.json", "-e", "e.json", "--verbose"];
    args.extend(extra);
    let run = baton(&s.dir, &args);
    let mut outputs = vec![
        ("stdout".to_string(), run.stdout.clone()),
        ("stderr".to_string(), run.stderr.clone()),
    ];
    for report in reports {
        let text = std::fs::read_to_string(s.dir.join(report)).unwrap();
        outputs.push((report.to_string(), text));
    }
    (run, outputs)
}

fn as_refs(outputs: &[(String, String)]) -> Vec<(&str, String)> {
    outputs
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone()))
        .collect()
}

const ALL_REPORTERS: [&str; 8] = [
    "-r",
    "cli,json,junit,html",
    "--reporter-json-export",
    "report.json",
    "--reporter-junit-export",
    "report.xml",
    "--reporter-html-export",
    "report.html",
];

#[test]
fn no_secret_leaks_in_any_form_into_any_output() {
    let addr = start_server();
    let s = Scratch::new("secrets-audit");
    plant(&s, addr);
    let mut extra = ALL_REPORTERS.to_vec();
    extra.extend(["--export-environment", "exported.json"]);
    let (run, outputs) = audit_run(&s, &extra, &["report.json", "report.xml", "report.html"]);
    assert_eq!(
        run.code, 1,
        "the test on the captured secret fails\n{}",
        run.stdout
    );
    let leaks = leaks(&as_refs(&outputs));
    assert!(
        leaks.is_empty(),
        "secrets leaked:\n{}\n\n{}",
        leaks.join("\n"),
        run.stdout
    );
    assert!(run.stdout.contains("captured ********"), "{}", run.stdout);
    let report = s.read_json("report.json");
    let environment = &report["environment"]["values"];
    let value_of = |key: &str| crate::support::value_of(environment, key);
    assert_eq!(
        value_of("sessionCopy"),
        Some(json!("********")),
        "a copy is masked"
    );

    // Exports are the user's own files: they keep the real values.
    let exported = s.read_json("exported.json");
    let values: Vec<(&str, &str)> = exported["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap(),
                v["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for (key, value) in [
        ("vaultKey", VAULT_KEY),
        ("adminPassword", ADMIN_PASSWORD),
        ("sessionCopy", CAPTURED),
    ] {
        assert!(values.contains(&(key, value)), "{key} in {values:?}");
    }
}

#[test]
fn a_cli_only_run_keeps_a_secret_masked_after_it_is_unset() {
    let addr = start_server();
    let s = Scratch::new("secrets-cli-only");
    plant(&s, addr);
    let (run, outputs) = audit_run(&s, &["-r", "cli"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let leaks = leaks(&as_refs(&outputs));
    assert!(
        leaks.is_empty(),
        "secrets leaked:\n{}\n\n{}",
        leaks.join("\n"),
        run.stdout
    );
    assert!(
        run.stdout.contains("issued again: ********"),
        "{}",
        run.stdout
    );
}

#[test]
fn show_secrets_shows_every_secret_so_the_audit_can_fail() {
    let addr = start_server();
    let s = Scratch::new("secrets-shown");
    plant(&s, addr);
    let mut extra = ALL_REPORTERS.to_vec();
    extra.push("--show-secrets");
    let (_, outputs) = audit_run(&s, &extra, &["report.json", "report.xml", "report.html"]);
    let leaks = leaks(&as_refs(&outputs));
    for secret in SECRETS {
        assert!(
            leaks.iter().any(|l| l.contains(&format!("{secret:?} as "))),
            "{secret:?} is planted in some output:\n{}",
            leaks.join("\n")
        );
    }
}

#[test]
fn a_mistyped_env_var_is_not_echoed() {
    let s = Scratch::new("secrets-env-var");
    s.json("c.json", &collection(json!([])));
    for pair in ["password:hunter2", "=hunter2"] {
        let run = baton(&s.dir, &["run", "c.json", "--env-var", pair]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("--env-var #1"), "{}", run.stderr);
        assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    }
}
