//! Inputs by URL and from the Postman API: the collection, `-e`, `-g` and `-d` as `http://` URLs;
//! with `--postman-api-key`, a UID, an API URL or a "Run in Postman" link, loaded from a stand-in
//! of the Postman API on 127.0.0.1 that checks `X-Api-Key` (reached over TLS from a test-only CA
//! with `--connect-to`); refusals exit 2 naming the URL and the status, and the key is never
//! printed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::server::TestServer;
use crate::support::{Run, Scratch, baton, collection, serve_connections};

const KEY: &str = "PMAK-0123456789abcdef-not-a-real-key";
const COLLECTION_UID: &str = "12345678-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const ENVIRONMENT_UID: &str = "12345678-aaaabbbb-cccc-dddd-eeee-ffff00001111";
const FORBIDDEN_UID: &str = "12345678-00000000-0000-0000-0000-000000000403";
const MISSING_UID: &str = "12345678-00000000-0000-0000-0000-000000000404";
/// The `host` of tests whose collection never runs.
const UNUSED: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    9,
));

fn tls_fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("tests/fixtures/tls")
        .join(name)
}

/// What the stand-in serves: the collection and environment documents, plus plain files.
#[derive(Clone)]
struct Documents {
    collection: Value,
    environment: Value,
    globals: Value,
    data_csv: String,
}

/// The requests the stand-in got: `path key=<X-Api-Key or ->`.
type Seen = Arc<Mutex<Vec<String>>>;

/// The stand-in: the Postman API's `/collections/<uid>` and `/environments/<uid>` (key required,
/// answers wrapped as the API does), and `/files/...` served as plain files (no key expected).
fn serve_api(documents: Documents, tls: bool) -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let acceptor = tls.then(|| {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(tls_fixture("postman-api.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(tls_fixture("postman-api.key")).unwrap();
        let mut config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    });
    let addr = serve_connections(move |stream| {
        let (documents, log, acceptor) = (documents.clone(), log.clone(), acceptor.clone());
        async move {
            match acceptor {
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        answer(tls, &documents, &log).await;
                    }
                }
                None => answer(stream, &documents, &log).await,
            }
        }
    });
    (addr, seen)
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, documents: &Documents, log: &Seen) {
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match io.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or_default().to_string();
    let key = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-api-key")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| "-".into());
    log.lock().unwrap().push(format!("{path} key={key}"));
    let error = |code: u16, name: &str, message: &str| {
        (
            code,
            json!({"error": {"name": name, "message": message}}).to_string(),
        )
    };
    let (code, body) = if let Some(file) = path.strip_prefix("/files/") {
        match file {
            "collection.json" => (200, documents.collection.to_string()),
            "environment.json" => (200, documents.environment.to_string()),
            "globals.json" => (200, documents.globals.to_string()),
            "data.csv" => (200, documents.data_csv.clone()),
            "moved.json" => (301, String::new()),
            _ => (404, "<html>Not Found</html>".into()),
        }
    } else if key != KEY {
        error(
            401,
            "AuthenticationError",
            "Invalid API Key. Every request requires a valid API Key to be sent.",
        )
    } else if path == format!("/collections/{COLLECTION_UID}") {
        (200, json!({"collection": documents.collection}).to_string())
    } else if path == format!("/environments/{ENVIRONMENT_UID}") {
        (
            200,
            json!({"environment": documents.environment}).to_string(),
        )
    } else if path.ends_with(FORBIDDEN_UID) {
        error(
            403,
            "forbiddenError",
            "You are not permitted to perform the action.",
        )
    } else {
        error(
            404,
            "instanceNotFoundError",
            "We could not find the collection you are looking for",
        )
    };
    let location = if code == 301 {
        "Location: /files/collection.json\r\n"
    } else {
        ""
    };
    let reply = format!(
        "HTTP/1.1 {code} X\r\n{location}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = io.write_all(reply.as_bytes()).await;
    let _ = io.shutdown().await;
}

/// A collection whose one request goes to `{{host}}` with the environment's, the globals' and
/// the data's values in its path, and checks them in its test.
fn documents(host: SocketAddr) -> Documents {
    let test = "pm.test('inputs arrived', () => { \
        pm.expect(pm.environment.get('host')).to.be.a('string'); \
        pm.expect(pm.globals.get('tier')).to.equal('gold'); \
        pm.expect(pm.iterationData.get('user')).to.be.oneOf(['ann', 'bob']); });";
    Documents {
        collection: collection(json!([{
            "name": "Remote",
            "request": "http://{{host}}/remote/{{tier}}/{{user}}",
            "event": [{"listen": "test", "script": {"exec": [test]}}]
        }])),
        environment: json!({"id": "e1", "name": "Remote env", "values": [
            {"key": "host", "value": host.to_string(), "enabled": true}
        ]}),
        globals: json!({"name": "g", "values": [{"key": "tier", "value": "gold", "enabled": true}]}),
        data_csv: "\u{feff}user\nann\nbob\n".into(),
    }
}

/// `--connect-to` both API hosts to the stand-in, trusting the test-only CA.
fn api_flags(addr: SocketAddr) -> Vec<String> {
    let mut flags = Vec::new();
    for host in ["api.postman.com", "api.getpostman.com"] {
        flags.push("--connect-to".to_string());
        flags.push(format!("{host}:443:127.0.0.1:{}", addr.port()));
    }
    flags.push("--ssl-extra-ca-certs".into());
    flags.push(tls_fixture("postman-api-ca.pem").display().to_string());
    flags
}

fn run_baton(dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = baton(dir, &args);
    assert!(
        !run.stdout.contains(KEY) && !run.stderr.contains(KEY),
        "the key was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn paths(target: &TestServer) -> Vec<String> {
    target.requests().iter().map(|r| r.path.clone()).collect()
}

#[test]
fn collection_environment_globals_and_data_by_plain_url_run() {
    let target = TestServer::start();
    let (addr, seen) = serve_api(documents(target.addr), false);
    let s = Scratch::new("remote-plain-urls");
    let url = |file: &str| format!("http://127.0.0.1:{}/files/{file}", addr.port());
    let mut args = strings(&[
        "run",
        &url("collection.json"),
        "-e",
        &url("environment.json"),
    ]);
    args.extend(strings(&[
        "-g",
        &url("globals.json"),
        "-d",
        &url("data.csv"),
    ]));
    args.extend(strings(&["--postman-api-key", KEY]));
    let run = run_baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(paths(&target), ["/remote/gold/ann", "/remote/gold/bob"]);
    // The key is for the Postman API only, never for another host.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen.iter().all(|line| line.ends_with("key=-")), "{seen:?}");
}

#[test]
fn a_redirected_collection_url_is_followed() {
    let target = TestServer::start();
    let (addr, _) = serve_api(documents(target.addr), false);
    let s = Scratch::new("remote-redirect");
    let base = format!("http://127.0.0.1:{}/files", addr.port());
    let args = strings(&[
        "run",
        &format!("{base}/moved.json"),
        "-e",
        &format!("{base}/environment.json"),
        "--global-var",
        "tier=gold",
        "--env-var",
        "user=ann",
    ]);
    let run = run_baton(&s.dir, &args);
    // The data check fails without -d; what matters is that the redirected collection ran.
    assert_eq!(paths(&target), ["/remote/gold/ann"], "{}", run.stderr);
}

#[test]
fn uids_load_from_the_api_with_the_key() {
    let target = TestServer::start();
    let (addr, seen) = serve_api(documents(target.addr), true);
    let s = Scratch::new("remote-uids");
    let mut args = strings(&["run", COLLECTION_UID, "-e", ENVIRONMENT_UID]);
    args.extend(strings(&[
        "--global-var",
        "tier=gold",
        "--postman-api-key",
        KEY,
    ]));
    args.extend(strings(&["--env-var", "unused=1", "-d"]));
    args.push(
        s.write("d.json", r#"[{"user": "ann"}]"#)
            .display()
            .to_string(),
    );
    args.extend(api_flags(addr));
    let run = run_baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(paths(&target), ["/remote/gold/ann"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("/collections/{COLLECTION_UID} key={KEY}"),
            format!("/environments/{ENVIRONMENT_UID} key={KEY}"),
        ]
    );
}

#[test]
fn api_urls_load_with_the_key() {
    let target = TestServer::start();
    let (addr, seen) = serve_api(documents(target.addr), true);
    let s = Scratch::new("remote-api-urls");
    let mut args = strings(&[
        "run",
        &format!("https://api.getpostman.com/collections/{COLLECTION_UID}"),
        "-e",
        // A key in the query (as Newman accepts) is sent as the header instead.
        &format!("https://api.getpostman.com/environments/{ENVIRONMENT_UID}?apikey={KEY}"),
        "--global-var",
        "tier=gold",
        "--env-var",
        "x=1",
        "--postman-api-key",
        KEY,
    ]);
    args.extend(strings(&["-d"]));
    args.push(
        s.write("d.json", r#"[{"user": "bob"}]"#)
            .display()
            .to_string(),
    );
    args.extend(api_flags(addr));
    let run = run_baton(&s.dir, &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(paths(&target), ["/remote/gold/bob"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("/collections/{COLLECTION_UID} key={KEY}"),
            format!("/environments/{ENVIRONMENT_UID} key={KEY}"),
        ]
    );
}

#[test]
fn run_in_postman_link_loads_the_collection_and_its_environment() {
    let target = TestServer::start();
    let (addr, seen) = serve_api(documents(target.addr), true);
    let s = Scratch::new("remote-link");
    let values = json!([
        {"key": "host", "value": target.addr.to_string(), "enabled": true},
        {"key": "user", "value": "ann", "enabled": true}
    ]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(values.to_string());
    let link = format!(
        "https://app.getpostman.com/run-collection/{COLLECTION_UID}#?env%5BLinked%5D={encoded}"
    );
    let mut args = strings(&["run", &link, "--postman-api-key", KEY, "-g"]);
    args.push(
        s.json("g.json", &json!([{"key": "tier", "value": "gold"}]))
            .display()
            .to_string(),
    );
    args.extend(strings(&["--export-environment", "out.json"]));
    args.extend(api_flags(addr));
    let run = run_baton(&s.dir, &args);
    // `user` comes from the link's environment here, not from data: the test's data check fails,
    // but the request shows every value arrived.
    assert_eq!(paths(&target), ["/remote/gold/ann"], "{}", run.stderr);
    assert_eq!(s.read_json("out.json")["name"], "Linked");
    assert_eq!(
        *seen.lock().unwrap(),
        [format!("/collections/{COLLECTION_UID} key={KEY}")]
    );
}

#[test]
fn a_run_in_postman_link_without_a_key_is_explained() {
    let s = Scratch::new("remote-link-no-key");
    let link = format!("https://app.getpostman.com/run-collection/{COLLECTION_UID}");
    let run = run_baton(&s.dir, &strings(&["run", &link]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("give --postman-api-key"),
        "{}",
        run.stderr
    );
}

#[test]
fn refusals_exit_2_naming_the_url_and_status_never_the_key() {
    let (addr, _) = serve_api(documents(UNUSED), true);
    let s = Scratch::new("remote-refusals");
    let api = "https://api.postman.com";
    let cases = [
        (
            vec![
                "run",
                COLLECTION_UID,
                "--postman-api-key",
                "PMAK-wrong-key-0000",
            ],
            format!("{api}/collections/{COLLECTION_UID}: the server answered 401 "),
            "Invalid API Key.",
        ),
        (
            vec!["run", FORBIDDEN_UID, "--postman-api-key", KEY],
            format!("{api}/collections/{FORBIDDEN_UID}: the server answered 403 "),
            "You are not permitted to perform the action.",
        ),
        (
            vec!["run", MISSING_UID, "--postman-api-key", KEY],
            format!("{api}/collections/{MISSING_UID}: the server answered 404 "),
            "We could not find the collection",
        ),
        (
            vec!["run", "c.json", "-e", MISSING_UID, "--postman-api-key", KEY],
            format!("{api}/environments/{MISSING_UID}: the server answered 404 "),
            "check the UID",
        ),
    ];
    s.json("c.json", &collection(json!([])));
    for (args, url_and_status, detail) in cases {
        let mut args = strings(&args);
        args.extend(api_flags(addr));
        let run = run_baton(&s.dir, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!("error: {url_and_status}")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(detail), "{}", run.stderr);
        assert!(!run.stderr.contains("wrong-key"), "{}", run.stderr);
    }
    // Without a key the API refuses, and the error says what is missing.
    let mut args = strings(&[
        "run",
        &format!("https://api.getpostman.com/collections/{COLLECTION_UID}"),
    ]);
    args.extend(api_flags(addr));
    let run = run_baton(&s.dir, &args);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("401") && run.stderr.contains("give --postman-api-key"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_plain_url_that_fails_exits_2_with_the_url_and_status() {
    let (addr, _) = serve_api(documents(UNUSED), false);
    let s = Scratch::new("remote-plain-404");
    s.json("c.json", &collection(json!([])));
    let url = format!("http://127.0.0.1:{}/files/nothing.json", addr.port());
    let run = run_baton(&s.dir, &strings(&["run", &url]));
    assert_eq!(
        (run.code, run.stderr.trim()),
        (
            2,
            format!("error: {url}: the server answered 404 X").as_str()
        )
    );
    // Nothing listens there: the error names the URL too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}/c.json", closed.local_addr().unwrap());
    drop(closed);
    let run = run_baton(&s.dir, &strings(&["run", "c.json", "-e", &gone]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with(&format!("error: {gone}: cannot fetch: ")),
        "{}",
        run.stderr
    );
}

#[test]
fn the_key_stays_out_of_verbose_output_and_reports() {
    let target = TestServer::start();
    let (addr, _) = serve_api(documents(target.addr), true);
    let s = Scratch::new("remote-key-hidden");
    let mut args = strings(&["run", COLLECTION_UID, "-e", ENVIRONMENT_UID]);
    args.extend(strings(&[
        "--postman-api-key",
        KEY,
        "--verbose",
        "--show-secrets",
    ]));
    args.extend(strings(&[
        "--global-var",
        "tier=gold",
        "--env-var",
        "user=x",
    ]));
    args.extend(strings(&["-r", "cli,json,junit"]));
    args.extend(strings(&["--reporter-json-export", "r.json"]));
    args.extend(strings(&["--reporter-junit-export", "r.xml"]));
    args.extend(strings(&["--export-environment", "e.json"]));
    args.extend(api_flags(addr));
    let run = run_baton(&s.dir, &args);
    assert!(run.stdout.contains("/remote/gold/"), "{}", run.stdout);
    for file in ["r.json", "r.xml", "e.json"] {
        let text = std::fs::read_to_string(s.dir.join(file)).unwrap();
        assert!(!text.contains(KEY), "{file} holds the key");
    }
}
