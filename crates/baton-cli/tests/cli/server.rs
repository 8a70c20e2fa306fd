//! An in-process HTTP server on 127.0.0.1:0 that records every request and answers by path:
//! `/status/N`, `/redirect?to=PATH`, `/cookie/set?NAME=VALUE`, `/slow?ms=N`,
//! `/flaky?fail=N&status=S&after=A` (status S, with `Retry-After: A` when given, to the first N
//! requests with that query, then 200), `/page` (an HTML page, as a server's error pages are),
//! else a JSON echo.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

pub struct TestServer {
    pub addr: SocketAddr,
    log: Log,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server that must receive at least one request before it is dropped.
    pub fn start() -> Self {
        let log: Log = Arc::default();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let state = log.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                let app = axum::Router::new().fallback(answer).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let addr = addr_rx.recv().expect("server address");
        TestServer {
            addr,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if !std::thread::panicking() {
            assert!(
                !self.log.lock().unwrap().is_empty(),
                "the test server was never hit"
            );
        }
    }
}

async fn answer(State(log): State<Log>, request: Request) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = to_bytes(request.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let recorded = Recorded {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let seen = {
        let mut log = log.lock().unwrap();
        log.push(recorded.clone());
        log.iter()
            .filter(|r| r.path == recorded.path && r.query == recorded.query)
            .count()
    };

    let echo = json!({
        "method": recorded.method, "path": recorded.path, "query": recorded.query,
        "headers": recorded.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
        "body": recorded.body,
    });
    let mut status = StatusCode::OK;
    let mut response = Response::builder();
    if let Some(code) = recorded.path.strip_prefix("/status/") {
        status = code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
    } else if recorded.path == "/redirect" {
        status = StatusCode::FOUND;
        let to = recorded
            .query
            .strip_prefix("to=")
            .unwrap_or("/")
            .to_string();
        response = response.header("Location", to);
    } else if recorded.path == "/cookie/set" {
        for pair in recorded.query.split('&').filter(|p| !p.is_empty()) {
            response = response.header("Set-Cookie", format!("{pair}; Path=/"));
        }
    } else if recorded.path == "/digest" && !digest_ok(&recorded) {
        status = StatusCode::UNAUTHORIZED;
        response = response.header(
            "WWW-Authenticate",
            "Digest realm=\"baton\", qop=\"auth\", nonce=\"n0nce\", opaque=\"op\"",
        );
    } else if recorded.path == "/flaky" {
        let param = |name: &str| {
            recorded.query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key == name).then(|| value.to_string())
            })
        };
        let fail: usize = param("fail").and_then(|n| n.parse().ok()).unwrap_or(0);
        if seen <= fail {
            status = param("status")
                .and_then(|s| s.parse::<u16>().ok())
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            if let Some(after) = param("after") {
                response = response.header("Retry-After", after);
            }
        }
    } else if recorded.path == "/slow" {
        let ms = recorded
            .query
            .strip_prefix("ms=")
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    } else if recorded.path == "/page" {
        return response
            .header("Content-Type", HeaderValue::from_static("text/html"))
            .header("Connection", HeaderValue::from_static("close"))
            .body(Body::from(
                "<!DOCTYPE html>\n<html><body>Not JSON</body></html>\n",
            ))
            .expect("response");
    }
    response
        .status(status)
        .header("Content-Type", HeaderValue::from_static("application/json"))
        // Newman (node) sometimes stays alive after its run while a kept-alive socket to this
        // server is open; closing each connection lets it exit.
        .header("Connection", HeaderValue::from_static("close"))
        .body(Body::from(echo.to_string()))
        .expect("response")
}

/// Checks a Digest `Authorization` for user `u`, password `p`, realm `baton`, nonce `n0nce` (RFC 7616).
fn digest_ok(request: &Recorded) -> bool {
    use md5::Digest;
    let Some(header) = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Digest "))
    else {
        return false;
    };
    let field = |name: &str| {
        header.split(", ").find_map(|part| {
            let (key, value) = part.split_once('=')?;
            (key.trim() == name).then(|| value.trim_matches('"').to_string())
        })
    };
    let md5 = |text: String| format!("{:x}", md5::Md5::digest(text.as_bytes()));
    let (Some(uri), Some(nc), Some(cnonce), Some(response)) = (
        field("uri"),
        field("nc"),
        field("cnonce"),
        field("response"),
    ) else {
        return false;
    };
    let ha1 = md5("u:baton:p".to_string());
    let ha2 = md5(format!("{}:{uri}", request.method));
    response == md5(format!("{ha1}:n0nce:{nc}:{cnonce}:auth:{ha2}"))
        && field("opaque").as_deref() == Some("op")
}
