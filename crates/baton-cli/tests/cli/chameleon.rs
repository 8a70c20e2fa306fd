//! A "chameleon" server for the corpus: it answers any method and path, over HTTP or HTTPS on one
//! loopback port, with a reply that depends only on the order of requests, rich enough for the
//! scripts of real workflows (ids, tokens, secrets, a HAL `_embedded` list, a `Location` header and
//! a cookie; an HTML form where a scraper expects one). It records every request it receives.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::echo::tls_acceptor;

/// One request as received: what the corpus test compares.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub authorization: String,
    pub body: String,
}

/// A running server; dropping it stops it.
pub struct Chameleon {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Chameleon {
    pub fn start() -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = received.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("chameleon runtime");
            runtime.block_on(async move {
                let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(tcp.local_addr().unwrap()).unwrap();
                let listener = MixedListener {
                    tcp,
                    acceptor: tls_acceptor(),
                };
                let app = axum::Router::new().fallback(answer).with_state(log);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("chameleon address");
        Chameleon {
            addr,
            received,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The requests received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Chameleon {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A stream that is either plain TCP or TLS over it.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Accepts TCP connections and tells HTTPS from HTTP by the first byte (a TLS handshake record
/// starts with 0x16); failed handshakes are skipped.
struct MixedListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for MixedListener {
    type Io = Box<dyn Stream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            let mut first = [0u8; 1];
            if !matches!(stream.peek(&mut first).await, Ok(1)) {
                continue;
            }
            if first[0] != 0x16 {
                return (Box::new(stream), addr);
            }
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (Box::new(tls), addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Hex digest of the request's number and method: the seed of every value in a reply, so that
/// replies depend on the order of requests alone (paths may carry random values).
fn digest(parts: &[&str]) -> String {
    let mut hasher = Md5::new();
    hasher.update(parts.join("|"));
    let first = hasher.finalize();
    let mut hasher = Md5::new();
    hasher.update(first);
    let second = hasher.finalize();
    format!("{first:x}{second:x}")
}

fn uuid_of(parts: &[&str]) -> String {
    let h = digest(parts);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Collection names that a POST creates into (answered 201), as identity APIs do.
const PLURALS: &[&str] = &[
    "applications",
    "users",
    "populations",
    "environments",
    "grants",
    "resources",
    "scopes",
    "actions",
    "devices",
    "keys",
    "register",
    "clients",
];

async fn answer(State(log): State<Arc<Mutex<Vec<Received>>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
    };
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or_default().to_string();
    let n = {
        let mut log = log.lock().unwrap();
        log.push(Received {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            content_type: header("content-type"),
            authorization: header("authorization"),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        log.len()
    };
    let number = n.to_string();
    let seed = [number.as_str(), method.as_str()];
    let hex = digest(&seed);
    let host = match header("host") {
        h if h.is_empty() => "127.0.0.1".to_string(),
        h => h,
    };
    let base = format!("https://{host}");
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let mut status = if method == "POST" && PLURALS.contains(&last) {
        201
    } else {
        200
    };
    if let Some(code) = path.strip_prefix("/status/").and_then(|c| c.parse().ok()) {
        status = code;
    }
    let (content_type, payload) = if path.starts_with("/html/") || path.contains("authorization") {
        let form = format!(
            "<html><body><form method='post' action='{base}/html/submit'>\
             <input type='hidden' name='CSRF_TOKEN' value='csrf-{}'/>\
             <input type='text' name='pf.username' value='user{n}'/>\
             <input type='hidden' name='REF' value='ref-{}'/>\
             <a id='next' href='{base}/html/next'>next</a></form></body></html>",
            &hex[..12],
            &hex[12..20]
        );
        ("text/html; charset=utf-8", form)
    } else {
        let embedded: serde_json::Map<String, Value> = [
            ("organizations", &["Org"][..]),
            ("roles", &["Identity Data Admin", "Environment Admin"][..]),
            ("resources", &["openid", "PingOne API"][..]),
            ("scopes", &["profile", "email", "openid"][..]),
            ("populations", &["Default"][..]),
            ("applications", &["App"][..]),
            ("users", &["user"][..]),
        ]
        .into_iter()
        .map(|(kind, names)| {
            let list = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let i = i.to_string();
                    json!({"id": uuid_of(&[number.as_str(), kind, i.as_str()]), "name": name, "status": "ACTIVE"})
                })
                .collect();
            (kind.to_string(), Value::Array(list))
        })
        .collect();
        let data = json!({
            "id": uuid_of(&seed), "name": format!("thing-{n}"), "status": "COMPLETED", "enabled": true,
            "access_token": format!("at.{}", &hex[..40]), "token_type": "Bearer", "expires_in": 3600,
            "id_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyIn0.",
            "refresh_token": format!("rt-{}", &hex[..16]), "secret": format!("sec-{}", &hex[..32]),
            "code": format!("code-{}", &hex[..10]), "client_id": format!("client-{}", &hex[..8]),
            "client_secret": format!("cs-{}", &hex[..20]), "redirect_uri": format!("{base}/callback"),
            "_embedded": embedded, "_links": {"self": {"href": format!("{base}{path}")}},
            "request": {"method": method, "path": path, "bodyLength": body.len()},
        });
        ("application/json", data.to_string())
    };
    let mut reply = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .header("content-type", content_type)
        .header(
            "location",
            format!("{base}/callback?code=code-{}&state=s{n}", &hex[..10]),
        )
        .header("set-cookie", format!("ST=st-{}; Path=/", &hex[..12]))
        .header("x-request-count", number.as_str());
    if method == "HEAD" {
        reply = reply.header("content-length", payload.len());
        return reply.body(Body::empty()).unwrap();
    }
    reply.body(Body::from(payload)).unwrap()
}
