//! What reaches the server byte for byte: request heads identical to Newman's (header names as
//! written, repeated names together, system headers in order), targets as Postman writes them
//! (`.` segments, `disableUrlEncoding`), response header names as the server sent them, cookies
//! both ways, compressed replies, bodies, kept-alive connections and an HTTP proxy.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::echo::read_request;
use crate::node::newman;
use crate::support::{Scratch, baton, baton_with_env, collection, serve_connections};

/// A loopback server that records each raw request and answers with its request line as the
/// body, a `seen=1` cookie, an `X-Mixed-Case` header, and gzip when the request line holds
/// `gzip`.
pub(crate) struct RawServer {
    pub(crate) addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    pub(crate) fn start() -> Self {
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = requests.clone();
        let addr = serve_connections(move |mut socket| {
            let log = log.clone();
            async move {
                let Some(raw) = read_request(&mut socket).await else {
                    return;
                };
                let text = String::from_utf8_lossy(&raw).into_owned();
                let line = text.lines().next().unwrap_or_default().to_string();
                log.lock().unwrap().push(text);
                let (body, encoding) = if line.contains("gzip") {
                    let mut gz =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    gz.write_all(line.as_bytes()).unwrap();
                    (gz.finish().unwrap(), "Content-Encoding: gzip\r\n")
                } else {
                    (line.into_bytes(), "")
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nSet-Cookie: seen=1; Path=/\r\nX-Mixed-Case: yes\r\n\
                     {encoding}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            }
        });
        RawServer { addr, requests }
    }

    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// An item whose test checks that the server saw `line` as the request line.
fn item(name: &str, url: String, extra: Value) -> Value {
    let mut item = json!({
        "name": name,
        "request": {"url": url, "method": "GET"},
        "event": [{"listen": "test", "script": {"exec": [format!(
            "pm.test('request line', () => pm.expect(pm.response.text()).to.equal({}));",
            serde_json::to_string(&format!("{} HTTP/1.1", extra["line"].as_str().unwrap())).unwrap()
        )]}}],
    });
    if let Some(behavior) = extra.get("protocolProfileBehavior") {
        item["protocolProfileBehavior"] = behavior.clone();
    }
    if let Some(body) = extra.get("body") {
        item["request"]["method"] = json!("POST");
        item["request"]["body"] = json!({"mode": "raw", "raw": body});
    }
    item
}

#[test]
fn exact_targets_reach_the_server_as_written() {
    let server = RawServer::start();
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let s = Scratch::new("exact-target");
    s.json(
        "c.json",
        &collection(json!([
            item(
                "dot segments",
                format!("{base}/a/./b/../c?x=1"),
                json!({"line": "GET /a/./b/../c?x=1"})
            ),
            item(
                "disabled encoding",
                format!("{base}/\"<x>\"/{{y}}/`?q=\"'<>`"),
                json!({"line": "GET /\"<x>\"/{y}/`?q=\"'<>`",
                       "protocolProfileBehavior": {"disableUrlEncoding": true}})
            ),
            item(
                "gzip reply and a body",
                format!("{base}/gzip/./z"),
                json!({"line": "POST /gzip/./z", "body": "hello"})
            ),
            item(
                "ordinary",
                format!("{base}/plain"),
                json!({"line": "GET /plain"})
            ),
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests[0].contains(&format!("\r\nHost: 127.0.0.1:{}\r\n", server.addr.port())),
        "{}",
        requests[0]
    );
    assert!(!requests[0].contains("Cookie:"), "{}", requests[0]);
    for later in &requests[1..] {
        assert!(
            later.contains("\r\nCookie: seen=1\r\n"),
            "the jar's cookie is sent: {later}"
        );
    }
    assert!(
        requests[2].contains("\r\nContent-Length: 5\r\n") && requests[2].ends_with("\r\n\r\nhello"),
        "{}",
        requests[2]
    );
}

#[test]
fn exact_targets_go_through_an_http_proxy_in_absolute_form() {
    let proxy = RawServer::start();
    let s = Scratch::new("exact-target-proxy");
    s.json(
        "c.json",
        &collection(json!([item(
            "via proxy",
            "http://example.test/a/./b".to_string(),
            json!({"line": "GET http://example.test/a/./b"})
        )])),
    );
    let proxy_url = format!("http://{}", proxy.addr);
    let run = baton_with_env(
        &s.dir,
        &["run", "c.json"],
        &[
            ("HTTP_PROXY", proxy_url.as_str()),
            ("http_proxy", proxy_url.as_str()),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].contains("\r\nHost: example.test\r\n"),
        "{}",
        requests[0]
    );
}

/// The request without what is random per request: the `Postman-Token` value, and a multipart
/// boundary (and so the multipart body and its length).
pub(crate) fn without_random_parts(raw: &str) -> String {
    let multipart = raw.contains("multipart/form-data; boundary=");
    let raw = match (multipart, raw.split_once("\r\n\r\n")) {
        (true, Some((head, _))) => head,
        _ => raw,
    };
    raw.lines()
        .map(|line| match line.split_once(": ") {
            Some((name, _)) if name.eq_ignore_ascii_case("postman-token") => {
                "Postman-Token: *".to_string()
            }
            Some((name, value)) if multipart && name.eq_ignore_ascii_case("content-type") => {
                format!(
                    "{name}: {}",
                    value.split("boundary=").next().unwrap_or(value)
                )
            }
            Some((name, _)) if multipart && name.eq_ignore_ascii_case("content-length") => {
                format!("{name}: *")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn request_heads_are_byte_for_byte_newmans() {
    let server = RawServer::start();
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let s = Scratch::new("wire-heads");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Headers as written", "request": {"method": "POST", "url": format!("{base}/form/./x?q=a b"),
                "header": [{"key": "x-lower-case", "value": "1"}, {"key": "X-Dup", "value": "a"},
                           {"key": "Accept-Language", "value": "en"}, {"key": "x-dup", "value": "b"}],
                "body": {"mode": "urlencoded", "urlencoded": [{"key": "k", "value": "v w"}]}},
             "event": [{"listen": "test", "script": {"exec": [
                "pm.test('response header names as sent', () => pm.expect(pm.response.headers.map(h => h.key)).to.include('X-Mixed-Case'));"
             ]}}]},
            {"name": "Basic auth in the URL", "request": format!("http://us%40r:p%40ss@127.0.0.1:{}/auth", server.addr.port())},
            {"name": "Raw JSON", "request": {"method": "POST", "url": format!("{base}/json"),
                "body": {"mode": "raw", "raw": "{}", "options": {"raw": {"language": "json"}}}}},
            {"name": "File body", "request": {"method": "PUT", "url": format!("{base}/file"),
                "body": {"mode": "file", "file": {"src": "upload.txt"}}}},
            {"name": "GraphQL without variables", "request": {"method": "POST", "url": format!("{base}/graphql"),
                "body": {"mode": "graphql", "graphql": {"query": "{a}"}}}},
            {"name": "Form with a cookie", "request": {"method": "POST", "url": format!("{base}/form2"),
                "body": {"mode": "urlencoded", "urlencoded": [{"key": "k", "value": "v"}]}}},
            {"name": "Multipart with a cookie", "request": {"method": "POST", "url": format!("{base}/multipart"),
                "body": {"mode": "formdata", "formdata": [{"key": "k", "value": "v", "type": "text"}]}}},
            {"name": "One name in two spellings", "request": {"url": format!("{base}/dups"),
                "header": [{"key": "X-Dup", "value": "a"}, {"key": "Accept-Language", "value": "en"},
                           {"key": "x-dup", "value": "b"}, {"key": "X-Dup", "value": "c"},
                           {"key": "accept", "value": "text/html"}]}},
            {"name": "Disabled encoding", "request": format!("{base}/\"x\"?q=<y>"),
             "protocolProfileBehavior": {"disableUrlEncoding": true}}
        ])),
    );
    s.write("upload.txt", "file content\n");
    let by_newman = newman(&s.dir, &["run", "c.json"]);
    let served = server.requests().len();
    let by_baton = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(by_newman.code, 0, "{}", by_newman.stdout);
    assert_eq!(by_baton.code, 0, "{}", by_baton.stdout);
    let requests = server.requests();
    let (newman_heads, baton_heads) = requests.split_at(served);
    assert_eq!(newman_heads.len(), 9);
    for (n, b) in newman_heads.iter().zip(baton_heads) {
        assert_eq!(without_random_parts(b), without_random_parts(n));
    }
}

/// A server that keeps connections open (no `Connection: close`) and counts them; with
/// `drop_after_reply`, it closes each connection silently after one reply, as a server whose
/// keep-alive timeout ran out does.
fn keep_alive_server(drop_after_reply: bool) -> (SocketAddr, Arc<Mutex<usize>>) {
    let connections: Arc<Mutex<usize>> = Arc::default();
    let count = connections.clone();
    let addr = serve_connections(move |mut socket| {
        *count.lock().unwrap() += 1;
        async move {
            while let Some(raw) = read_request(&mut socket).await {
                let line = String::from_utf8_lossy(&raw)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{line}",
                    line.len()
                );
                if socket.write_all(reply.as_bytes()).await.is_err() || drop_after_reply {
                    return;
                }
            }
        }
    });
    (addr, connections)
}

fn three_requests(s: &Scratch, addr: SocketAddr) {
    let item = |n: u32| {
        item(
            &format!("Request {n}"),
            format!("http://127.0.0.1:{}/{n}", addr.port()),
            json!({"line": format!("GET /{n}")}),
        )
    };
    s.json("c.json", &collection(json!([item(1), item(2), item(3)])));
}

#[test]
fn one_kept_alive_connection_carries_the_run() {
    let (addr, connections) = keep_alive_server(false);
    let s = Scratch::new("wire-keep-alive");
    three_requests(&s, addr);
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[test]
fn a_connection_the_server_closed_is_replaced_without_a_failure() {
    let (addr, connections) = keep_alive_server(true);
    let s = Scratch::new("wire-stale");
    three_requests(&s, addr);
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(*connections.lock().unwrap() >= 3);
}
