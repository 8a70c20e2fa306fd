//! A loopback stand-in for the three servers Newman's integration fixtures call: postman-echo.com
//! (over HTTPS and HTTP, with a test-only certificate for it), the raw echo server upstream runs on
//! port 4041 and the redirect server on port 4042. Each listens on an ephemeral port; runners
//! reach them through `--connect-to` (Baton) or `tests/node/connect-to.cjs` (Newman), so the
//! fixtures run unedited. Behaviour follows the public service and upstream's test servers.
//! All four append what they receive to one log, in order, so that a test can compare runners on
//! the wire (`EchoServers::take_received`).

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The test-only CA that signed the echo server's certificate (for postman-echo.com, httpbin.org,
/// localhost and 127.0.0.1).
pub fn ca_file() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/tls/ca.pem")
}

/// One request as a stand-in received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Which stand-in: `https` or `http` (postman-echo.com), `raw` (4041) or `redirect` (4042).
    pub server: &'static str,
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    /// Header names in lower case with their values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, with any chunked transfer coding removed.
    pub body: Vec<u8>,
}

/// The log every stand-in appends to.
type Log = Arc<Mutex<Vec<Received>>>;

/// The running servers; dropping this stops them.
pub struct EchoServers {
    https: SocketAddr,
    http: SocketAddr,
    raw: SocketAddr,
    redirect: SocketAddr,
    log: Log,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EchoServers {
    /// Starts all four listeners on 127.0.0.1.
    pub fn start() -> Self {
        let log = Log::default();
        let shared = log.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("echo runtime");
            runtime.block_on(async move {
                let bind = || TcpListener::bind("127.0.0.1:0");
                let (https, http, raw, redirect) = (
                    bind().await.unwrap(),
                    bind().await.unwrap(),
                    bind().await.unwrap(),
                    bind().await.unwrap(),
                );
                let addrs = [&https, &http, &raw, &redirect].map(|l| l.local_addr().unwrap());
                let stand_in = |server: &'static str| StandIn {
                    server,
                    log: shared.clone(),
                };
                let (echo_https, echo_http, redirects) = (
                    axum::Router::new()
                        .fallback(echo)
                        .with_state(stand_in("https")),
                    axum::Router::new()
                        .fallback(echo)
                        .with_state(stand_in("http")),
                    axum::Router::new()
                        .fallback(redirect_server)
                        .with_state(stand_in("redirect")),
                );
                tokio::spawn(async move {
                    let listener = TlsListener {
                        tcp: https,
                        acceptor: tls_acceptor(),
                    };
                    axum::serve(listener, echo_https).await.unwrap();
                });
                tokio::spawn(async move { axum::serve(http, echo_http).await.unwrap() });
                tokio::spawn(async move { axum::serve(redirect, redirects).await.unwrap() });
                tokio::spawn(serve_raw(raw, shared.clone()));
                addr_tx.send(addrs).unwrap();
                let _ = stop.await;
            });
        });
        let [https, http, raw, redirect] = addr_rx.recv().expect("echo server addresses");
        EchoServers {
            https,
            http,
            raw,
            redirect,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The requests received since the last call, in the order they arrived.
    pub fn take_received(&self) -> Vec<Received> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    /// Every host and port the fixtures call, with the local listener that stands in for it.
    pub fn mappings(&self) -> Vec<(&'static str, u16, SocketAddr)> {
        vec![
            ("postman-echo.com", 443, self.https),
            ("postman-echo.com", 80, self.http),
            ("httpbin.org", 443, self.https),
            // `head-requests` sends HEAD to these sites' home pages; `v2-regression-tests` checks
            // `--insecure` against a certificate that is not valid for the host.
            ("google.com", 80, self.http),
            ("github.com", 80, self.http),
            ("expired.badssl.com", 443, self.https),
            ("localhost", 4041, self.raw),
            ("127.0.0.1", 4041, self.raw),
            ("localhost", 4042, self.redirect),
            ("127.0.0.1", 4042, self.redirect),
        ]
    }

    /// Baton's flags for the mappings: `--connect-to HOST:PORT:ADDR:PORT2` each.
    pub fn baton_args(&self) -> Vec<String> {
        self.mappings()
            .into_iter()
            .flat_map(|(host, port, to)| {
                ["--connect-to".to_string(), format!("{host}:{port}:{to}")]
            })
            .collect()
    }

    /// The same mappings for `tests/node/connect-to.cjs`: `HOST:PORT=PORT2` separated by commas.
    pub fn node_mappings(&self) -> String {
        self.mappings()
            .into_iter()
            .map(|(host, port, to)| format!("{host}:{port}={}", to.port()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Drop for EchoServers {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn tls_acceptor() -> TlsAcceptor {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/tls");
    let certs = CertificateDer::pem_file_iter(dir.join("echo.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("echo.key")).unwrap();
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

/// Accepts TCP connections and completes their TLS handshakes (failed handshakes are skipped).
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

// ---- postman-echo.com ------------------------------------------------------------------------

const JSON_TYPE: &str = "application/json; charset=utf-8";
const HTML_TYPE: &str = "text/html; charset=utf-8";
const SESSION_COOKIE: &str = "sails.sid=0123456789; Path=/; HttpOnly";

/// One request, read whole.
struct Echoed {
    method: Method,
    /// `scheme://host` + the request target, with runs of `/` in the path collapsed.
    url: String,
    path: String,
    query: String,
    headers: Value,
    raw_headers: HeaderMap,
    body: Bytes,
}

impl Echoed {
    fn header(&self, name: &str) -> &str {
        self.raw_headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn args(&self) -> Value {
        params(&self.query)
    }
}

/// A stand-in's name and the log it appends to.
#[derive(Clone)]
struct StandIn {
    server: &'static str,
    log: Log,
}

impl StandIn {
    fn record(&self, method: &Method, target: &str, headers: &HeaderMap, body: &[u8]) {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect();
        self.log.lock().unwrap().push(Received {
            server: self.server,
            method: method.as_str().to_string(),
            target: target.to_string(),
            headers,
            body: body.to_vec(),
        });
    }
}

async fn echo(State(stand_in): State<StandIn>, request: Request) -> Response {
    let scheme = stand_in.server;
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (collapse_slashes(path), query.to_string()),
        None => (collapse_slashes(target), String::new()),
    };
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("postman-echo.com");
    // The public service sits behind a proxy that drops the scheme's default port.
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(host);
    let url = match target.split_once('?') {
        Some(_) => format!("{scheme}://{host}{path}?{query}"),
        None => format!("{scheme}://{host}{path}"),
    };
    let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    stand_in.record(&parts.method, target, &parts.headers, &body);
    let request = Echoed {
        method: parts.method,
        url,
        path,
        query,
        headers: header_object(&parts.headers),
        raw_headers: parts.headers,
        body,
    };
    route(&request).await
}

async fn route(r: &Echoed) -> Response {
    let path = r.path.as_str();
    if let Some(code) = path.strip_prefix("/status/") {
        return match code.parse::<u16>().ok().filter(|c| (100..600).contains(c)) {
            Some(code) => json_response(code, &json!({"status": code})),
            None => not_implemented(r),
        };
    }
    if let Some(n) = path
        .strip_prefix("/stream/")
        .and_then(|n| n.parse::<usize>().ok())
    {
        let record = json!({"args": r.args(), "headers": r.headers, "url": r.url});
        let line = serde_json::to_string_pretty(&record).unwrap() + "\n";
        return respond(200, &[("content-type", JSON_TYPE)], line.repeat(n));
    }
    if let Some(seconds) = path
        .strip_prefix("/delay/")
        .filter(|s| s.parse::<u64>().is_ok())
    {
        // The timeout fixtures measure a real delay, so the server really waits.
        tokio::time::sleep(Duration::from_secs(seconds.parse().unwrap())).await;
        return json_response(200, &json!({"delay": seconds}));
    }
    match path {
        "/" => respond(
            200,
            &[("content-type", HTML_TYPE)],
            "<html>Postman Echo</html>",
        ),
        "/get" => json_response(
            200,
            &json!({"args": r.args(), "headers": r.headers, "url": r.url}),
        ),
        "/headers" => json_response(200, &json!({"headers": r.headers})),
        "/post" | "/put" | "/patch" | "/delete" => json_response(200, &body_echo(r)),
        "/type/html" => respond(
            200,
            &[("content-type", HTML_TYPE)],
            "<!DOCTYPE html><html><head><title>Postman Echo</title></head><body><p>Hello</p></body></html>",
        ),
        "/type/xml" => respond(
            200,
            &[("content-type", "application/xml; charset=utf-8")],
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><food><name>Belgian Waffles</name><price>$5.95</price></food>",
        ),
        "/encoding/utf8" => respond(
            200,
            &[("content-type", HTML_TYPE)],
            "<h1>Unicode Demo</h1><p>∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i) — ἔργον ☺ 你好</p>",
        ),
        "/redirect-to" => match first_param(&r.query, "url") {
            Some(to) => respond(
                302,
                &[("content-type", HTML_TYPE), ("location", &to)],
                format!("Found. Redirecting to {to}"),
            ),
            None => json_response(
                400,
                &json!({"error": "a `url` query parameter is required"}),
            ),
        },
        "/cookies" => {
            let cookies: Map<String, Value> = r
                .header("cookie")
                .split(';')
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let k = k.trim();
                    (!k.is_empty()).then(|| (k.to_string(), Value::String(v.trim().to_string())))
                })
                .collect();
            let mut response = json_response(200, &json!({"cookies": cookies}));
            response
                .headers_mut()
                .append("set-cookie", HeaderValue::from_static(SESSION_COOKIE));
            response
        }
        "/cookies/set" | "/cookies/delete" => {
            let delete = path.ends_with("delete");
            let mut response = respond(
                302,
                &[("content-type", HTML_TYPE), ("location", "/cookies")],
                "Found. Redirecting to /cookies",
            );
            for (name, value) in url::form_urlencoded::parse(r.query.as_bytes()) {
                let cookie = if delete {
                    format!("{name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
                } else {
                    format!("{name}={value}; Path=/")
                };
                if let Ok(cookie) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append("set-cookie", cookie);
                }
            }
            response
                .headers_mut()
                .append("set-cookie", HeaderValue::from_static(SESSION_COOKIE));
            response
        }
        "/response-headers" => {
            let args = r.args();
            let mut response = respond(
                200,
                &[("content-type", JSON_TYPE)],
                serde_json::to_string_pretty(&args).unwrap(),
            );
            for (name, value) in url::form_urlencoded::parse(r.query.as_bytes()) {
                let value = if name.eq_ignore_ascii_case("content-type") {
                    let v = value
                        .split(';')
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join("; ");
                    if v.contains("charset=") {
                        v
                    } else {
                        format!("{v}; charset=utf-8")
                    }
                } else {
                    value.into_owned()
                };
                if let (Ok(n), Ok(v)) = (
                    axum::http::HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    response.headers_mut().insert(n, v);
                }
            }
            response
        }
        "/gzip" | "/deflate" => {
            let gzip = path == "/gzip";
            let flag = if gzip { "gzipped" } else { "deflated" };
            let payload = json!({flag: true, "headers": r.headers, "method": r.method.as_str()});
            let raw = serde_json::to_vec_pretty(&payload).unwrap();
            let compressed = if gzip {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(&raw).unwrap();
                e.finish().unwrap()
            } else {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(&raw).unwrap();
                e.finish().unwrap()
            };
            respond(
                200,
                &[
                    ("content-type", JSON_TYPE),
                    ("content-encoding", if gzip { "gzip" } else { "deflate" }),
                ],
                compressed,
            )
        }
        "/basic-auth" => {
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("postman:password")
            );
            if r.header("authorization") == expected {
                json_response(200, &json!({"authenticated": true}))
            } else {
                respond(401, &[("content-type", HTML_TYPE)], "Unauthorized")
            }
        }
        "/digest-auth" => {
            if digest_verified(r) {
                json_response(200, &json!({"authenticated": true}))
            } else {
                respond(
                    401,
                    &[
                        ("content-type", HTML_TYPE),
                        (
                            "www-authenticate",
                            "Digest realm=\"Users\", qop=\"auth\", nonce=\"5d5e6d8e0a8e4f0f9e6c1b2a3c4d5e6f\"",
                        ),
                    ],
                    "Unauthorized",
                )
            }
        }
        "/oauth2/token" => json_response(
            200,
            &json!({"access_token": "vp7jxTwqgczoFHs0uIdOvv4VdBWmvCkbVbNBCuaTQ3JZplPS40BaNV47HD1zt7MztQPILJvqYsOs6PfJpFYBgwbaE3CVEKOj",
                "token_type": "Bearer", "expires_in": 3600}),
        ),
        "/oauth2/user/info" => json_response(200, &json!({"user_id": "631643", "name": "Postman"})),
        "/get." => json_response(404, &json!({"error": "Not Found", "path": path})),
        _ => not_implemented(r),
    }
}

fn not_implemented(r: &Echoed) -> Response {
    json_response(
        501,
        &json!({"error": "Not Implemented", "method": r.method.as_str(), "path": r.path,
            "message": "the test echo server (tests/cli/echo.rs) does not implement this route"}),
    )
}

/// `/post` and friends: the body as `data`, `form` or `files`, and as `json` when it is JSON.
fn body_echo(r: &Echoed) -> Value {
    let content_type = r.header("content-type");
    let mut form = Map::new();
    let mut files = Map::new();
    let mut data = Value::String(String::new());
    let mut parsed_json = Value::Null;
    if content_type.contains("multipart/form-data") {
        if let Some(boundary) = boundary(content_type) {
            multipart(&r.body, &boundary, &mut form, &mut files);
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        if let Value::Object(fields) = params(&String::from_utf8_lossy(&r.body)) {
            form = fields;
        }
    } else {
        let text = String::from_utf8_lossy(&r.body).into_owned();
        data = Value::String(text.clone());
        if content_type.starts_with("application/json") {
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                parsed_json = value.clone();
                data = value;
            }
        }
    }
    json!({"args": r.args(), "data": data, "files": files, "form": form,
        "headers": r.headers, "json": parsed_json, "url": r.url})
}

fn boundary(content_type: &str) -> Option<String> {
    let at = content_type.to_ascii_lowercase().find("boundary=")?;
    let rest = &content_type[at + "boundary=".len()..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split(';').next()?.trim(),
    };
    Some(value.to_string())
}

fn multipart(
    body: &[u8],
    boundary: &str,
    form: &mut Map<String, Value>,
    files: &mut Map<String, Value>,
) {
    let delimiter = format!("--{boundary}");
    for section in split_bytes(body, delimiter.as_bytes()) {
        let section = section.strip_prefix(b"\r\n").unwrap_or(section);
        let section = section.strip_suffix(b"\r\n").unwrap_or(section);
        let Some(split) = find(section, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&section[..split]);
        let content = &section[split + 4..];
        let Some(name) = disposition(&head, "name") else {
            continue;
        };
        match disposition(&head, "filename") {
            Some(filename) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(content);
                files.insert(
                    filename,
                    Value::String(format!("data:application/octet-stream;base64,{encoded}")),
                );
            }
            None => add_value(form, name, String::from_utf8_lossy(content).into_owned()),
        }
    }
}

fn disposition(head: &str, key: &str) -> Option<String> {
    let lower = head.to_ascii_lowercase();
    let needle = format!("{key}=\"");
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let start = from + at;
        let preceded = start == 0 || matches!(lower.as_bytes()[start - 1], b' ' | b';' | b'\t');
        if preceded {
            let value_start = start + needle.len();
            let end = head[value_start..].find('"')? + value_start;
            return Some(head[value_start..end].to_string());
        }
        from = start + needle.len();
    }
    None
}

fn split_bytes<'a>(body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter) {
        parts.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    parts.push(rest);
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Verifies RFC 2617 Digest credentials for user `postman`, password `password`, trusting the
/// realm and nonce the client presents (a fixture sends a fixed nonce without a challenge).
fn digest_verified(r: &Echoed) -> bool {
    let Some(params) = r.header("authorization").strip_prefix("Digest ") else {
        return false;
    };
    let info: BTreeMap<String, String> = params
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().replace('"', "")))
        .collect();
    let get = |k: &str| info.get(k).map(String::as_str).unwrap_or("");
    if get("username") != "postman" {
        return false;
    }
    let md5 = |s: String| format!("{:x}", Md5::digest(s.as_bytes()));
    let realm = if get("realm").is_empty() {
        "Users"
    } else {
        get("realm")
    };
    let secret = format!("postman:{realm}:password");
    let a1 = if get("algorithm") == "MD5-sess" {
        format!("{}:{}:{}", md5(secret), get("nonce"), get("cnonce"))
    } else {
        secret
    };
    let a2 = format!("{}:{}", r.method, get("uri"));
    let expected = match get("qop") {
        "auth" | "auth-int" => md5(format!(
            "{}:{}:{}:{}:{}:{}",
            md5(a1),
            get("nonce"),
            get("nc"),
            get("cnonce"),
            get("qop"),
            md5(a2)
        )),
        _ => md5(format!("{}:{}:{}", md5(a1), get("nonce"), md5(a2))),
    };
    expected == get("response")
}

// ---- helpers ---------------------------------------------------------------------------------

fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// A query or urlencoded body as postman-echo shows it: repeated keys become arrays.
fn params(text: &str) -> Value {
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
        add_value(&mut map, k.into_owned(), v.into_owned());
    }
    Value::Object(map)
}

fn first_param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn add_value(map: &mut Map<String, Value>, key: String, value: String) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, Value::String(value));
        }
        Some(Value::Array(values)) => values.push(Value::String(value)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value)]);
        }
    }
}

/// Request headers with lower-case names, repeated ones joined as Node joins them.
fn header_object(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let separator = if name == "cookie" { "; " } else { ", " };
        map.insert(
            name.as_str().to_string(),
            Value::String(values.join(separator)),
        );
    }
    Value::Object(map)
}

fn json_response(code: u16, body: &Value) -> Response {
    respond(code, &[("content-type", JSON_TYPE)], body.to_string())
}

fn respond(code: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut builder = Response::builder().status(StatusCode::from_u16(code).unwrap());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

// ---- localhost:4042, the redirect server -----------------------------------------------------

/// `/N` redirects N times (relative `Location`), `/status/NNN` answers NNN with `Location: /`,
/// anything else echoes the method, target, headers and body.
async fn redirect_server(State(stand_in): State<StandIn>, request: Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    let data = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    stand_in.record(&parts.method, &target, &parts.headers, &data);
    if let Ok(hops) = target.trim_start_matches('/').parse::<u32>() {
        let to = if hops > 1 {
            format!("/{}", hops - 1)
        } else {
            "/".into()
        };
        return respond(302, &[("location", &to)], Body::empty());
    }
    if let Some(code) = target
        .strip_prefix("/status/")
        .and_then(|c| c.parse::<u16>().ok())
    {
        return respond(code, &[("location", "/")], Body::empty());
    }
    let echo = json!({"url": target, "method": parts.method.as_str(),
        "headers": header_object(&parts.headers), "data": String::from_utf8_lossy(&data)});
    respond(
        200,
        &[
            ("content-type", "application/json"),
            ("connection", "close"),
        ],
        echo.to_string(),
    )
}

// ---- localhost:4041, the raw echo server -----------------------------------------------------

/// Plain TCP, since the fixtures assert on bytes an HTTP parser would normalise or reject (a
/// custom method, a body on GET or HEAD, header case): the request comes back verbatim, in the
/// body and JSON-encoded in a `raw-request` header.
async fn serve_raw(listener: TcpListener, log: Log) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let log = log.clone();
        tokio::spawn(async move {
            let Some(raw) = read_request(&mut socket).await else {
                return;
            };
            log.lock().unwrap().push(parse_raw(&raw));
            let text = String::from_utf8_lossy(&raw);
            let mut reply = format!(
                "HTTP/1.1 200 ok\r\nconnection: close\r\ncontent-type: text/plain\r\nraw-request: {}\r\n\r\n",
                serde_json::to_string(&text).unwrap()
            )
            .into_bytes();
            if !text.starts_with("HEAD / HTTP/1.1") {
                reply.extend_from_slice(&raw);
            }
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        });
    }
}

/// A raw request as the log keeps it: header names in lower case, the body de-chunked.
fn parse_raw(raw: &[u8]) -> Received {
    let end = find(raw, b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let body = raw.get(end + 4..).unwrap_or_default();
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    Received {
        server: "raw",
        method,
        target,
        headers,
        body: if chunked {
            dechunk(body)
        } else {
            body.to_vec()
        },
    }
}

/// The payload of a chunked body.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut payload = Vec::new();
    while let Some(line_end) = find(body, b"\r\n") {
        let size = String::from_utf8_lossy(&body[..line_end]);
        let size = size.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            break;
        };
        let start = line_end + 2;
        if size == 0 || body.len() < start + size {
            break;
        }
        payload.extend_from_slice(&body[start..start + size]);
        body = body.get(start + size + 2..).unwrap_or_default();
    }
    payload
}

/// Reads one whole request as raw bytes; `None` if the peer closes first.
pub async fn read_request(socket: &mut TcpStream) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    while !request_complete(&raw) {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
        }
    }
    Some(raw)
}

/// Whether the whole request (head plus `Content-Length` or chunked body) has arrived.
fn request_complete(raw: &[u8]) -> bool {
    let Some(end) = find(raw, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    for line in head.lines() {
        if let Some(length) = line.strip_prefix("content-length:") {
            return length
                .trim()
                .parse::<usize>()
                .is_ok_and(|n| body.len() >= n);
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            return find(body, b"0\r\n\r\n").is_some();
        }
    }
    true
}
