//! The HTML report, checked in a real browser: Debian's headless Chromium opens the page Baton
//! wrote and dumps its DOM, which must show the run's figures, every request and test, the
//! failure's message and location, and no secret in any encoding. Every request the browser makes,
//! loopback included, goes to a proxy this test owns, which must see none from the page; the same
//! page with loads planted in it shows that its policy blocks them, and without the policy that
//! the proxy would have seen them.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::secrets::encodings;
use crate::server::TestServer;
use crate::support::{Scratch, baton, collection};

/// A secret with every character HTML escapes, sent in a header the server echoes back.
const SECRET: &str = "Tr0ub4dor&3 'x' <y>\"z\"";

/// The browser: `BATON_CHROMIUM`, else Debian's `chromium`.
fn chromium() -> PathBuf {
    let path = std::env::var_os("BATON_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{} is missing: the HTML report is checked in headless Chromium; install Debian's \
         chromium (`apt-get install chromium`, as .ci/run does) or set BATON_CHROMIUM",
        path.display()
    );
    path
}

/// Whether a request line is Chromium's own: at start-up it connects to Google's services (the
/// sign-in and search preconnects, the network time, the component updater, even with
/// `--disable-component-update`) whatever the page, `about:blank` included, and the set varies
/// between versions. Anything else through the proxy came from the page (web fonts from
/// `fonts.googleapis.com` included).
fn chromium_own(line: &str) -> bool {
    let target = line.split(' ').nth(1).unwrap_or_default();
    let authority = target.strip_prefix("http://").unwrap_or(target);
    let host = authority.split([':', '/']).next().unwrap_or_default();
    host.ends_with(".google.com") || host == "update.googleapis.com"
}

/// A proxy on 127.0.0.1 that answers nothing and records the request line of each connection.
fn recording_proxy() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut head = [0; 512];
            let read = stream.read(&mut head).unwrap_or(0);
            let text = String::from_utf8_lossy(&head[..read]);
            let line = text.lines().next().unwrap_or("(nothing sent)").to_string();
            log.lock().unwrap().push(line);
        }
    });
    (addr, seen)
}

/// The page's DOM after Chromium loaded it, and the requests the page made: every request goes
/// to a proxy the test owns, loopback included.
fn dump_dom(page: &Path, profile: &Path) -> (String, Vec<String>) {
    let (proxy, seen) = recording_proxy();
    // A fresh profile without network prediction (no preconnects to what the page names).
    std::fs::create_dir_all(profile.join("Default")).unwrap();
    std::fs::write(
        profile.join("Default/Preferences"),
        r#"{"net": {"network_prediction_options": 2}}"#,
    )
    .unwrap();
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-features=NetworkTimeServiceQuerying,PreconnectToSearch,OptimizationHints,MediaRouter,Translate",
            "--proxy-bypass-list=<-loopback>",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://{proxy}"))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Chromium has exited; give the proxy's thread a moment to log what it accepted last.
    std::thread::sleep(Duration::from_millis(200));
    let requests = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|line| !chromium_own(line))
        .cloned()
        .collect();
    (String::from_utf8(output.stdout).unwrap(), requests)
}

/// The figure the summary shows under `key` (`data-figure="requests"`), without its markup.
fn figure(dom: &str, key: &str) -> String {
    let start = dom
        .find(&format!("data-figure=\"{key}\""))
        .unwrap_or_else(|| panic!("no figure {key} in\n{dom}"));
    let value = &dom[start..];
    let value = &value[value.find("<dd>").unwrap() + 4..];
    let value = &value[..value.find("</dd>").unwrap()];
    let text = match value.find('<') {
        Some(markup) => &value[..markup],
        None => value,
    };
    text.trim().to_string()
}

fn plant(s: &Scratch, server: &TestServer) {
    let test = |line: &str| json!([{"listen": "test", "script": {"exec": [line]}}]);
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Accounts", "item": [
                {"name": "Read the echo",
                 "request": {"method": "GET", "url": server.url("/echo"),
                             "header": [{"key": "X-Api-Key", "value": "{{secret}}"}]},
                 "event": test("pm.test('echo answers 200', () => pm.response.to.have.status(200)); console.log('echoed', pm.response.json().headers['x-api-key']);")},
                {"name": "Read a missing page",
                 "request": server.url("/status/404"),
                 "event": test("pm.test('page answers 200', () => pm.response.to.have.status(200));")}
            ]}
        ])),
    );
    s.json(
        "e.json",
        &json!({"name": "env", "values": [{"key": "secret", "value": SECRET, "type": "secret"}]}),
    );
}

#[test]
fn the_html_report_shows_the_run_in_a_browser_loads_nothing_and_masks_the_secret() {
    let server = TestServer::start();
    let s = Scratch::new("html-report");
    plant(&s, &server);
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "-r",
            "cli,html",
            "--reporter-html-export",
            "out/report.html",
        ],
    );
    assert_eq!(run.code, 1, "one test fails\n{}", run.stdout);
    let page = s.dir.join("out/report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    for reference in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(reference), "the page refers to {reference}");
    }

    let (dom, requests) = dump_dom(&page, &s.dir.join("profile"));
    assert_eq!(requests, Vec::<String>::new(), "the page made no request");
    assert!(
        dom.contains("Content-Security-Policy"),
        "the policy is in the page"
    );
    assert_eq!(figure(&dom, "iterations"), "1");
    assert_eq!(figure(&dom, "requests"), "2");
    assert_eq!(figure(&dom, "assertions"), "2");
    assert_eq!(figure(&dom, "failures"), "1");
    for name in [
        "Accounts",
        "Read the echo",
        "Read a missing page",
        "echo answers 200",
        "page answers 200",
        "expected response to have status code 200 but got 404",
        // The failure's location and source line, as the cli block shows them.
        "--&gt; c.json &gt; Accounts &gt; Read a missing page &gt; test script:1",
        " 1 | pm.test('page answers 200'",
        // The console line, with the echoed secret masked.
        "echoed ********",
    ] {
        assert!(dom.contains(name), "{name:?} is not on the page:\n{dom}");
    }
    for output in [&dom, &html, &run.stdout] {
        for form in encodings(SECRET) {
            assert!(!output.contains(&form), "the secret shows as {form:?}");
        }
    }
    // The proxy would see a load the page tried: its policy stops one planted in it.
    let planted = html.replacen(
        "<body>",
        "<body><img src=\"http://report.invalid/pixel.png\"><link rel=\"stylesheet\" href=\"http://report.invalid/x.css\">",
        1,
    );
    let probe = s.write("probe.html", &planted);
    let (_, requests) = dump_dom(&probe, &s.dir.join("profile-probe"));
    assert_eq!(requests, Vec::<String>::new(), "the policy blocks loads");
    // And the proxy does see them once the policy is taken out, so the checks above can fail.
    let policy = planted
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = policy + planted[policy..].find('>').unwrap() + 1;
    let unguarded = s.write(
        "unguarded.html",
        format!("{}{}", &planted[..policy], &planted[end..]),
    );
    let (_, requests) = dump_dom(&unguarded, &s.dir.join("profile-unguarded"));
    assert!(
        requests.iter().any(|r| r.contains("report.invalid")),
        "without its policy the page's loads reach the proxy: {requests:?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["report.html"], "no temporary file is left");
}

#[test]
fn show_secrets_puts_the_secret_on_the_page_and_bodies_are_cut_at_the_limit() {
    let server = TestServer::start();
    let s = Scratch::new("html-report-shown");
    plant(&s, &server);
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-e",
            "e.json",
            "-r",
            "html",
            "--reporter-html-export",
            "report.html",
            "--reporter-html-body-limit",
            "10",
            "--show-secrets",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = std::fs::read_to_string(s.dir.join("report.html")).unwrap();
    assert!(html.contains("Tr0ub4dor&amp;3 &#39;x&#39; &lt;y&gt;&quot;z&quot;"));
    assert!(html.contains("Cut at 10 B of"), "bodies are cut");
}

#[test]
fn a_run_ended_by_the_watchdog_still_writes_the_page() {
    let server = TestServer::start();
    let s = Scratch::new("html-report-watchdog");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Finished", "request": server.url("/first")},
            {"name": "Stuck", "request": server.url("/never"), "event": [{"listen": "prerequest",
                "script": {"exec": ["new Array(2 ** 32 - 1).join('');"]}}]}
        ])),
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "-r",
            "html",
            "--reporter-html-export",
            "report.html",
            "--timeout",
            "300",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = std::fs::read_to_string(s.dir.join("report.html")).unwrap();
    assert!(html.contains("Finished"), "{html}");
    assert!(
        html.contains("The run stopped early: the run reached its --timeout."),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"), "the page is complete");
}
