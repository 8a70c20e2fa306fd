//! A hostile server suite: a loopback server that breaks HTTP/1.1 on purpose (stray responses,
//! bad status lines and chunk sizes, resets, endless heads and bodies, compression bombs, cookie
//! floods, redirect loops and redirects to other schemes). In every case Baton must not panic
//! (exit 0 or 1, never 101 or 134), must name the problem in that request's failure, and must
//! go on to the next request of the collection, which gets its own answer. Heads at the edge of
//! HTTP/1.1 (bare LF, folded lines, Latin-1 bytes, a thousand headers) are run through Newman too:
//! Baton must read and refuse the same ones.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::echo::read_request;
use crate::node::newman;
use crate::support::{Run, Scratch, baton, collection, serve_connections};

/// What the server does after reading a request.
enum Step {
    /// Writes these bytes (in one write).
    Send(Vec<u8>),
    /// Writes `piece` again and again, `every` apart, until the client goes away.
    Endless { piece: Vec<u8>, every: Duration },
    /// Waits.
    Pause(Duration),
    /// Closes the connection with a TCP reset.
    Reset,
}

/// A loopback server that answers `/next` properly (kept alive) and every other target as
/// `answer` says; it keeps every request head it reads.
struct Hostile {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    fn start(answer: fn(&str) -> Vec<Step>) -> Self {
        let heads: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = heads.clone();
        let addr = serve_connections(move |socket| serve(socket, answer, log.clone()));
        Hostile { addr, heads }
    }

    fn url(&self, target: &str) -> String {
        format!("http://127.0.0.1:{}{target}", self.addr.port())
    }

    /// The request heads the server read for `target`.
    fn heads_for(&self, target: &str) -> Vec<String> {
        let line = format!("GET {target} HTTP/1.1\r\n");
        let heads = self.heads.lock().unwrap();
        heads
            .iter()
            .filter(|h| h.starts_with(&line))
            .cloned()
            .collect()
    }
}

async fn serve(mut socket: TcpStream, answer: fn(&str) -> Vec<Step>, log: Arc<Mutex<Vec<String>>>) {
    while let Some(raw) = read_request(&mut socket).await {
        let head = String::from_utf8_lossy(&raw).into_owned();
        let target = head.split(' ').nth(1).unwrap_or_default().to_string();
        log.lock().unwrap().push(head);
        let steps = match target.as_str() {
            "/next" => vec![Step::Send(ok("answer to /next"))],
            _ => answer(&target),
        };
        for step in steps {
            match step {
                Step::Send(bytes) => {
                    if socket.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                Step::Endless { piece, every } => loop {
                    if socket.write_all(&piece).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                },
                Step::Pause(time) => tokio::time::sleep(time).await,
                Step::Reset => {
                    let _ = socket.set_zero_linger();
                    return;
                }
            }
        }
    }
}

/// A kept-alive 200 with `body`.
fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn send(text: &str) -> Vec<Step> {
    vec![Step::Send(text.as_bytes().to_vec())]
}

/// Runs a collection of one item per hostile target, then `/next`, whose test checks that it
/// got its own answer; more items go between them.
fn run(server: &Hostile, name: &str, targets: &[&str], args: &[&str]) -> Run {
    run_items(server, name, targets, json!({}), args)
}

/// As [`run`], with `first_test` as the first item's test script.
fn run_items(
    server: &Hostile,
    name: &str,
    targets: &[&str],
    first_test: Value,
    args: &[&str],
) -> Run {
    let s = Scratch::new(&format!("hostile-{name}"));
    let mut items: Vec<Value> = targets
        .iter()
        .map(|target| json!({"name": target, "request": server.url(target)}))
        .collect();
    if let Some(script) = first_test.as_str() {
        items[0]["event"] = json!([{"listen": "test", "script": {"exec": [script]}}]);
    }
    items.push(json!({
        "name": "Next",
        "request": server.url("/next"),
        "event": [{"listen": "test", "script": {"exec": [
            "pm.test('the next request gets its own answer', () => pm.expect(pm.response.text()).to.equal('answer to /next'));"
        ]}}],
    }));
    s.json("c.json", &collection(Value::Array(items)));
    let mut all = vec!["run", "c.json"];
    all.extend_from_slice(args);
    baton_within_memory(&s.dir, &all)
}

/// The most memory a run against a hostile server may take (peak RSS), whatever it sends: a
/// run here takes about 20 MiB; an unbounded read of an endless body would pass this in seconds.
const MAX_PEAK_RSS_KIB: u64 = 150 * 1024;

/// `baton` in `dir`, its peak RSS measured by GNU time (the `time` package, which `.ci/run`
/// installs) and held under [`MAX_PEAK_RSS_KIB`].
fn baton_within_memory(dir: &std::path::Path, args: &[&str]) -> Run {
    let measured = dir.join("peak-rss-kib.txt");
    let output = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&measured)
        .arg(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("GNU time (/usr/bin/time, Debian's `time`) runs baton");
    // A failing command puts a line of its own before the figure.
    let text = std::fs::read_to_string(&measured).expect("GNU time writes the peak RSS");
    let peak: u64 = text
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {text:?}"));
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        peak < MAX_PEAK_RSS_KIB,
        "peak RSS {peak} KiB, over {MAX_PEAK_RSS_KIB} KiB:\n{}",
        run.stdout
    );
    run
}

/// No panic, each of `errors` shown, and the next request answered.
fn assert_survived(run: &Run, errors: &[&str]) {
    let output = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        matches!(run.code, 0 | 1),
        "exit code {}:\n{output}",
        run.code
    );
    assert!(!output.contains("panicked"), "{output}");
    for error in errors {
        assert!(output.contains(error), "no `{error}` in:\n{output}");
    }
    assert!(
        run.stdout
            .contains("✓  the next request gets its own answer"),
        "{output}"
    );
}

#[test]
fn a_stray_second_response_is_not_taken_as_the_next_answer() {
    // The stray comes in the same write as the answer, or after it while the test script runs
    // (the runtime does not look at the socket meanwhile): either way the connection is not
    // used again.
    let server = Hostile::start(|target| {
        let stray = ok("stray");
        match target {
            "/together" => vec![Step::Send([ok("first"), stray].concat())],
            _ => vec![
                Step::Send(ok("first")),
                Step::Pause(Duration::from_millis(50)),
                Step::Send(stray),
            ],
        }
    });
    let busy = "const end = Date.now() + 400; while (Date.now() < end) {}";
    for target in ["/together", "/later"] {
        let run = run_items(&server, "stray", &[target], json!(busy), &[]);
        assert_survived(&run, &[]);
        assert_eq!(run.code, 0, "{}", run.stdout);
    }
}

#[test]
fn status_codes_outside_100_to_599_are_protocol_errors() {
    let server = Hostile::start(|target| {
        let line = match target {
            "/zero" => "HTTP/1.1 0 Zero",
            "/nine" => "HTTP/1.1 999 Nine",
            _ => "HTTP/1.1 65535 Big",
        };
        send(&format!("{line}\r\nContent-Length: 0\r\n\r\n"))
    });
    let run = run(&server, "status", &["/zero", "/nine", "/big"], &[]);
    assert_survived(
        &run,
        &[
            "status line `HTTP/1.1 0 Zero`",
            "status line `HTTP/1.1 999 Nine`",
            "status line `HTTP/1.1 65535 Big`",
        ],
    );
}

#[test]
fn garbage_instead_of_a_status_line_is_a_protocol_error() {
    let server = Hostile::start(|target| match target {
        "/ssh" => send("SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        _ => vec![Step::Send(vec![0xff, 0x00, 0x13, b'\n', b'\n'])],
    });
    let run = run(&server, "garbage", &["/ssh", "/binary"], &[]);
    assert_survived(
        &run,
        &["expected an HTTP/1.1 status line, got `SSH-2.0-OpenSSH_9.6`"],
    );
    assert_eq!(
        run.stdout
            .matches("expected an HTTP/1.1 status line")
            .count(),
        4
    );
}

#[test]
fn chunk_sizes_other_than_plain_hex_are_protocol_errors() {
    let server = Hostile::start(|target| {
        let size = match target {
            "/plus" => "+5",
            "/prefix" => "0x5",
            "/space" => " 5",
            "/minus" => "-1",
            _ => "5;name=value",
        };
        send(&format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
        ))
    });
    let run = run_items(
        &server,
        "chunks",
        &["/extension", "/plus", "/prefix", "/space", "/minus"],
        json!(
            "pm.test('an extension is allowed', () => pm.expect(pm.response.text()).to.equal('hello'));"
        ),
        &[],
    );
    assert_survived(
        &run,
        &[
            "invalid chunk size `+5`",
            "invalid chunk size `0x5`",
            "invalid chunk size ` 5`",
            "invalid chunk size `-1`",
            "✓  an extension is allowed",
        ],
    );
}

/// Newman's HTTP layer (postman-request) resolves the Location and then fails with `Invalid
/// protocol: ftp:`, having no module for the scheme; Baton fails the same way, naming it.
#[test]
fn a_redirect_to_a_scheme_other_than_http_fails_as_newmans_invalid_protocol() {
    let server = Hostile::start(|target| {
        let location = match target {
            "/ftp" => "ftp://127.0.0.1/file",
            "/gopher" => "gopher://127.0.0.1/",
            "/ws" => "ws://127.0.0.1/socket",
            "/file" => "file:///etc/passwd",
            _ => "data:text/plain,hi",
        };
        send(&format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
        ))
    });
    let run = run(
        &server,
        "schemes",
        &["/ftp", "/gopher", "/ws", "/file", "/data"],
        &[],
    );
    let errors: Vec<String> = ["ftp", "gopher", "ws", "file", "data"]
        .iter()
        .map(|s| {
            format!("redirect to unsupported scheme `{s}:` (only http and https are followed)")
        })
        .collect();
    let errors: Vec<&str> = errors.iter().map(String::as_str).collect();
    assert_survived(&run, &errors);
}

#[test]
fn a_redirect_loop_ends_at_the_redirect_limit() {
    let server = Hostile::start(|_| {
        send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
    });
    let run = run(&server, "loop", &["/loop"], &[]);
    assert_survived(&run, &["more than 10 redirects"]);
    assert_eq!(server.heads_for("/loop").len(), 11);
}

#[test]
fn endless_interim_responses_are_a_protocol_error() {
    let server = Hostile::start(|_| {
        vec![Step::Endless {
            piece: b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(),
            every: Duration::ZERO,
        }]
    });
    let run = run(&server, "interim", &["/interim"], &[]);
    assert_survived(&run, &["more than 16 interim (1xx) responses"]);
}

#[test]
fn a_connection_reset_fails_only_that_request() {
    let server = Hostile::start(|target| match target {
        "/before" => vec![Step::Reset],
        _ => vec![
            Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart".to_vec()),
            Step::Pause(Duration::from_millis(20)),
            Step::Reset,
        ],
    });
    let run = run(&server, "reset", &["/before", "/during"], &[]);
    assert_survived(
        &run,
        &[
            "the server closed the connection without a response",
            "reset",
        ],
    );
}

#[test]
fn an_endless_header_ends_at_the_head_cap_even_when_it_comes_slowly() {
    // 8 KiB every 2 ms: the 1 MiB cap is reached in well under a second, and it is the cap, not
    // a timer, that ends the request.
    let server = Hostile::start(|target| {
        let start = match target {
            "/one-line" => "HTTP/1.1 200 OK\r\nX-Endless: ",
            _ => "HTTP/1.1 200 OK\r\n",
        };
        let piece = match target {
            "/one-line" => vec![b'a'; 8192],
            _ => b"X-Again: a\r\n".repeat(700),
        };
        vec![
            Step::Send(start.as_bytes().to_vec()),
            Step::Endless {
                piece,
                every: Duration::from_millis(2),
            },
        ]
    });
    let run = run(&server, "endless-head", &["/one-line", "/many-lines"], &[]);
    assert_survived(&run, &["the response head is larger than 1 MiB"]);
    assert_eq!(
        run.stdout
            .matches("the response head is larger than 1 MiB")
            .count(),
        4
    );
}

#[test]
fn a_header_trickling_one_byte_a_second_ends_at_the_request_timeout() {
    let server = Hostile::start(|_| {
        vec![
            Step::Send(b"HTTP/1.1 200 OK\r\nX-Slow: ".to_vec()),
            Step::Endless {
                piece: b"a".to_vec(),
                every: Duration::from_secs(1),
            },
        ]
    });
    let run = run(
        &server,
        "slowloris",
        &["/slow"],
        &["--timeout-request", "300"],
    );
    assert_survived(&run, &["no response within 300 ms"]);
}

#[test]
fn a_body_over_max_response_size_fails_that_request() {
    let server = Hostile::start(|target| match target {
        "/length" => {
            let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n".to_vec();
            reply.extend(vec![b'x'; 2 * 1024 * 1024]);
            vec![Step::Send(reply)]
        }
        "/chunked" => vec![
            Step::Send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
            Step::Endless {
                piece: [b"10000\r\n".to_vec(), vec![b'x'; 0x10000], b"\r\n".to_vec()].concat(),
                every: Duration::ZERO,
            },
        ],
        _ => vec![
            Step::Send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec()),
            Step::Endless {
                piece: vec![b'x'; 0x10000],
                every: Duration::ZERO,
            },
        ],
    });
    let run = run(
        &server,
        "max-size",
        &["/length", "/chunked", "/to-close"],
        &["--max-response-size", "1MiB"],
    );
    assert_survived(
        &run,
        &["response body exceeds --max-response-size of 1 MiB"],
    );
    assert_eq!(
        run.stdout
            .matches("response body exceeds --max-response-size of 1 MiB")
            .count(),
        6
    );
}

#[test]
fn a_gzip_bomb_stops_at_max_response_size() {
    let server = Hostile::start(|_| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![0u8; 50 * 1000 * 1000]).unwrap();
        let bomb = gz.finish().unwrap();
        let mut reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            bomb.len()
        )
        .into_bytes();
        reply.extend(bomb);
        vec![Step::Send(reply)]
    });
    let run = run(
        &server,
        "bomb",
        &["/bomb"],
        &["--max-response-size", "1MiB"],
    );
    assert_survived(
        &run,
        &["response body exceeds --max-response-size of 1 MiB"],
    );
}

#[test]
fn a_cookie_flood_leaves_the_jar_bounded() {
    let server = Hostile::start(|target| {
        let round = target.trim_start_matches("/cookies/");
        let mut head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n".to_string();
        for i in 0..20_000 {
            head.push_str(&format!("Set-Cookie: c{round}_{i}=v; Path=/\r\n"));
        }
        head.push_str("\r\n");
        send(&head)
    });
    let run = run(
        &server,
        "cookies",
        &["/cookies/1", "/cookies/2", "/cookies/3"],
        &[],
    );
    assert_survived(&run, &[]);
    let sent = |target: &str| -> Vec<String> {
        let heads = server.heads_for(target);
        let cookie = heads[0]
            .lines()
            .find_map(|line| line.strip_prefix("Cookie: "))
            .unwrap_or_default()
            .to_string();
        cookie
            .split("; ")
            .filter(|pair| !pair.is_empty())
            .map(|pair| pair.split('=').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(sent("/cookies/2").len(), 180);
    let last = sent("/next");
    assert_eq!(last.len(), 180, "at most 180 cookies per domain");
    assert_eq!(last.first().map(String::as_str), Some("c3_19820"));
    assert_eq!(last.last().map(String::as_str), Some("c3_19999"));
}

#[test]
fn the_json_report_holds_bodies_as_base64_cut_at_1_mib() {
    let server = Hostile::start(|target| match target {
        "/big" => {
            let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 3145728\r\n\r\n".to_vec();
            reply.extend(vec![b'x'; 3 * 1024 * 1024]);
            vec![Step::Send(reply)]
        }
        _ => vec![Step::Send(ok("small body"))],
    });
    let s = Scratch::new("hostile-report");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "small", "request": server.url("/small")},
            {"name": "big", "request": server.url("/big")},
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-r",
            "json",
            "--reporter-json-export",
            "r.json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = s.read_json("r.json");
    let executions = report["run"]["executions"].as_array().unwrap();
    let stream = |at: usize| executions[at]["response"]["stream"].clone();
    let decode = |data: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap()
    };
    let small = stream(0);
    assert_eq!(small["type"], "Base64");
    assert_eq!(decode(&small["data"]), b"small body");
    assert!(small.get("truncated").is_none());
    let big = stream(1);
    assert_eq!(big["type"], "Base64");
    assert_eq!(decode(&big["data"]).len(), 1024 * 1024);
    assert_eq!(big["truncated"], true);
    assert_eq!(big["size"], 3 * 1024 * 1024);
    assert_eq!(executions[1]["response"]["responseSize"], 3 * 1024 * 1024);
    let size = std::fs::metadata(s.dir.join("r.json")).unwrap().len();
    assert!(size < 2 * 1024 * 1024, "the report is {size} bytes");
}

/// The response head each `/edge/...` target gets: lines at the edge of HTTP/1.1.
fn edge_head(target: &str) -> Vec<u8> {
    let head: Vec<u8> = match target {
        "/edge/latin1" => b"HTTP/1.1 200 OK\r\nX-A: caf\xe9 \xfc\r\n".to_vec(),
        "/edge/utf8" => "HTTP/1.1 200 OK\r\nX-A: caf\u{e9} \u{fc}\r\n".into(),
        "/edge/no-reason" => b"HTTP/1.1 201\r\nX-A: 1\r\n".to_vec(),
        "/edge/many" => {
            let lines: String = (0..1000).map(|n| format!("X-{n}: {n}\r\n")).collect();
            format!("HTTP/1.1 200 OK\r\n{lines}X-A: last\r\n").into()
        }
        "/edge/bare-lf" => b"HTTP/1.1 200 OK\nX-A: 1\n".to_vec(),
        "/edge/obs-fold" => b"HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\n".to_vec(),
        "/edge/space-before-colon" => b"HTTP/1.1 200 OK\r\nX-A : 1\r\n".to_vec(),
        _ => b"HTTP/1.1 200 OK\r\nNo colon here\r\n".to_vec(),
    };
    let end: &[u8] = if target == "/edge/bare-lf" {
        b"Content-Length: 2\n\nhi"
    } else {
        b"Content-Length: 2\r\n\r\nhi"
    };
    [head, end.to_vec()].concat()
}

#[test]
fn edge_heads_are_read_and_refused_as_newman_does() {
    let server = Hostile::start(|target| vec![Step::Send(edge_head(target))]);
    let read = ["latin1", "utf8", "no-reason", "many"];
    let refused = ["bare-lf", "obs-fold", "space-before-colon", "no-colon"];
    // What a test script sees of each response it got, kept in the environment to compare.
    let record = "if (pm.response.code) { pm.environment.set(pm.info.requestName, JSON.stringify([\
        pm.response.code, pm.response.status, pm.response.headers.get('X-A'), pm.response.headers.count(),\
        [...pm.response.headers.get('X-A')].map(c => c.charCodeAt(0))])); }";
    let items: Vec<Value> = read
        .iter()
        .chain(&refused)
        .map(|name| {
            json!({"name": name, "request": server.url(&format!("/edge/{name}")),
                   "event": [{"listen": "test", "script": {"exec": [record]}}]})
        })
        .collect();
    let s = Scratch::new("hostile-edge-heads");
    s.json("c.json", &collection(Value::Array(items)));
    s.json("e.json", &json!({"name": "e", "values": []}));
    let mut seen = Vec::new();
    for (runner, export) in [("newman", "newman.json"), ("baton", "baton.json")] {
        let args = [
            "run",
            "c.json",
            "-e",
            "e.json",
            "--export-environment",
            export,
        ];
        let run = match runner {
            "newman" => newman(&s.dir, &args),
            _ => baton(&s.dir, &args),
        };
        assert_eq!(run.code, 1, "{runner}: {}\n{}", run.stdout, run.stderr);
        let values: Vec<(String, String)> = s.read_json(export)["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["key"].as_str().unwrap().to_string(),
                    v["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        seen.push(values);
    }
    let keys: Vec<&str> = seen[0].iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, read, "Newman read these and refused the rest");
    assert_eq!(seen[1], seen[0], "Baton must see what Newman saw");
    let latin1: Value = serde_json::from_str(&seen[1][0].1).unwrap();
    assert_eq!(
        latin1,
        json!([
            200,
            "OK",
            "caf\u{e9} \u{fc}",
            2,
            [99, 97, 102, 233, 32, 252]
        ])
    );
}
