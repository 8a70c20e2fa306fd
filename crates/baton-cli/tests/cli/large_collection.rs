//! A collection file larger than what a run holds in memory (4 MiB) is left on disk and each
//! request is read from it as it runs: the run must be the same as with a small file, and an edit
//! to the file while it runs must stop the run with an error that says so.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection, serve_connections};

/// Above the size a run holds in memory.
const LARGE: usize = 5 << 20;

/// Folders of requests with scripts, non-ASCII text and bodies; `saved` bytes of saved example
/// responses on each request, which a run skips, make the file as large as wanted.
fn workflow(server: &TestServer, saved: usize) -> Value {
    let example = json!([{"name": "saved", "code": 200, "body": "é".repeat(saved / 2)}]);
    let folders: Vec<Value> = (0..4)
        .map(|f| {
            let requests: Vec<Value> = (0..25)
                .map(|r| {
                    json!({
                        "name": format!("Ünï {f}/{r}"),
                        "request": {
                            "method": "POST",
                            "url": server.url(&format!("/f{f}/r{r}?q=日本")),
                            "header": [{"key": "X-Seen", "value": "{{seen}}"}],
                            "body": {"mode": "raw", "raw": format!("{{\"n\": \"{f}-{r} ✓\"}}")}
                        },
                        "event": [{"listen": "test", "script": {"exec": [
                            "pm.test('ok', () => pm.response.to.have.status(200));",
                            "pm.environment.set('seen', pm.info.requestName);"
                        ]}}],
                        "response": example
                    })
                })
                .collect();
            json!({"name": format!("Folder {f}"), "item": requests})
        })
        .collect();
    collection(json!(folders))
}

/// What the server received, as method, target, one header and body.
fn wire(server: &TestServer) -> Vec<(String, String, Option<String>, String)> {
    server
        .requests()
        .into_iter()
        .map(|r| {
            let seen = r.header("x-seen").map(str::to_string);
            (r.method, format!("{}?{}", r.path, r.query), seen, r.body)
        })
        .collect()
}

#[test]
fn a_collection_larger_than_what_is_held_runs_from_its_file_as_a_small_one_does() {
    let s = Scratch::new("large-collection");
    let (small_server, large_server) = (TestServer::start(), TestServer::start());
    let small = workflow(&small_server, 0);
    let large = workflow(&large_server, LARGE / 100);
    s.json("small.json", &small);
    let path = s.json("large.json", &large);
    assert!(std::fs::metadata(&path).unwrap().len() > LARGE as u64);

    let held = baton(
        &s.dir,
        &[
            "run",
            "small.json",
            "-r",
            "json",
            "--reporter-json-export",
            "small-report.json",
        ],
    );
    let streamed = baton(
        &s.dir,
        &[
            "run",
            "large.json",
            "-r",
            "json",
            "--reporter-json-export",
            "large-report.json",
            "--export-collection",
            "exported.json",
        ],
    );
    assert_eq!(held.code, 0, "{}", held.stderr);
    assert_eq!(streamed.code, 0, "{}", streamed.stderr);

    // The same requests, each with what the one before it captured.
    let (held_wire, streamed_wire) = (wire(&small_server), wire(&large_server));
    assert_eq!(streamed_wire.len(), 100);
    assert_eq!(held_wire, streamed_wire);
    assert_eq!(streamed_wire[1].2.as_deref(), Some("Ünï 0/0"));
    assert_eq!(streamed_wire[99].1, "/f3/r24?q=%E6%97%A5%E6%9C%AC");

    // The reports agree, and the collection written back is the file as it was loaded.
    let assertions = |report: &Value| -> Vec<(String, bool)> {
        report["run"]["executions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["assertions"].as_array().cloned().unwrap_or_default())
            .map(|a| {
                (
                    a["assertion"].as_str().unwrap().to_string(),
                    a["error"].is_null(),
                )
            })
            .collect()
    };
    let (held_report, streamed_report) = (
        s.read_json("small-report.json"),
        s.read_json("large-report.json"),
    );
    assert_eq!(assertions(&streamed_report).len(), 100);
    assert_eq!(assertions(&held_report), assertions(&streamed_report));
    let exported = s.read_json("exported.json");
    assert_eq!(exported["item"], large["item"]);
}

/// Answers every request with 200 and an empty body; before answering the first, appends a
/// space to `file`, as an editor saving it would change it.
fn edit_on_first_request(file: PathBuf) -> std::net::SocketAddr {
    let edited = Arc::new(AtomicBool::new(false));
    serve_connections(move |mut socket| {
        let (file, edited) = (file.clone(), edited.clone());
        async move {
            let mut head = Vec::new();
            let mut buffer = [0; 4096];
            loop {
                let Ok(read @ 1..) = socket.read(&mut buffer).await else {
                    return;
                };
                head.extend_from_slice(&buffer[..read]);
                while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    head.drain(..end + 4);
                    if !edited.swap(true, Ordering::SeqCst) {
                        let mut out = std::fs::OpenOptions::new()
                            .append(true)
                            .open(&file)
                            .unwrap();
                        out.write_all(b" ").unwrap();
                    }
                    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            }
        }
    })
}

#[test]
fn an_edit_to_a_large_collection_while_it_runs_stops_the_run_and_says_why() {
    let s = Scratch::new("large-collection-edit");
    let path = s.dir.join("large.json");
    let addr = edit_on_first_request(path.clone());
    let padding = "x".repeat(LARGE);
    let items: Vec<Value> = (0..3)
        .map(|i| json!({"name": format!("r{i}"), "request": format!("http://{addr}/r{i}")}))
        .collect();
    let mut document = collection(json!(items));
    document["info"]["description"] = json!(padding);
    s.json("large.json", &document);

    let run = baton(
        &s.dir,
        &[
            "run",
            "large.json",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "report.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The first request went out; the second is read after the edit.
    assert!(
        run.stdout.contains(
            "The run stopped early: large.json: the file changed while the run was reading \
             requests from it; leave it as it is until the run ends."
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("/r0 [200 OK"), "{}", run.stdout);
    assert!(!run.stdout.contains("/r1"), "{}", run.stdout);
    // What ran is reported, though the collection itself can no longer be read for it.
    let report = s.read_json("report.json");
    let executions = report["run"]["executions"].as_array().unwrap();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0]["item"]["name"], "r0");
    assert_eq!(executions[0]["response"]["code"], 200);
}
