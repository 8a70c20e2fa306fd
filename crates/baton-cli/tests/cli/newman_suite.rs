//! Newman's own integration suite (`tests/fixtures/newman`, see its SOURCES.md), run unedited by
//! the real Newman (twice) and by Baton, each run against fresh loopback stand-ins (`echo.rs`),
//! and compared on the wire: the requests the stand-ins received in order (server, method, target,
//! the headers that matter, body), the assertions per execution in the JSON reports, the exported
//! environment (every entry, disabled ones too) and the verdict (exit code, failures). UUIDs,
//! timestamps and multipart boundaries are masked, and so is every token that differs between the
//! two Newman runs (nonces, random values). The fixtures that differ today are listed with their
//! cause, so that the list stays true: one that starts to match, or one that differs without being
//! listed, fails the test. A second table says which fixtures Newman itself cannot pass against the
//! stand-ins, and why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::echo::{EchoServers, Received, ca_file};
use crate::node::{newman_with_env, node_dir};
use crate::support::{Run, Scratch, baton, run_jobs, starts_with_iso_time, starts_with_uuid};

/// What a fixture's own tests do under Newman against the local servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Newman passes it.
    Pass,
    /// Newman fails it here, for the reason given.
    NewmanFails(&'static str),
}

use Expect::{NewmanFails, Pass};

/// Every suite upstream's `npm/test-integration.js` would run: files sharing a name up to
/// `.postman_` form one suite (collection, environment, globals, data, config).
pub const FIXTURES: &[(&str, Expect)] = &[
    ("bom-and-encoding/bom-in-collection-file", Pass),
    ("bom-and-encoding/bom-in-environment-file", Pass),
    ("bom-and-encoding/utf16-le-encoding-in-env", Pass),
    ("case-insen-header-sandbox", Pass),
    ("clear-vars-sandbox", Pass),
    ("comma-test-csv/comma-test-csv", Pass),
    ("cookie-jar", Pass),
    ("crypto-md5", Pass),
    ("csv-with-bom/csv-with-bom", Pass),
    ("custom-http-method/custom-http-method", Pass),
    ("data-file-var-replacement/data-file-var-replacement", Pass),
    (
        "disabled-and-duplicate-variables/disabled-and-duplicates",
        Pass,
    ),
    ("distinct-random-int", Pass),
    ("dynamic-var-replacement", Pass),
    (
        "echo-v2",
        NewmanFails("`/oauth1` (HMAC-SHA1 signature check) is not implemented by the stand-in"),
    ),
    ("esc-formdata/esc-formdata", Pass),
    ("globals-env-data-files/globals-env-data-files", Pass),
    (
        "hawk-auth-test",
        NewmanFails("`/auth/hawk` (Hawk verification) is not implemented by the stand-in"),
    ),
    ("head-requests", Pass),
    ("inherited-entities/inherited-entities", Pass),
    ("multi-level-folders-v2", Pass),
    ("multi-value-data", Pass),
    ("multiple-form-values", Pass),
    ("newman-gzip-test", Pass),
    ("protocol-profile-behavior", Pass),
    ("redirect-test/redirect-test", Pass),
    ("redirect-test/redirect-with-body", Pass),
    ("request-body-with-get", Pass),
    ("request-chaining-test", Pass),
    ("request-name-in-script", Pass),
    ("sandbox-libraries", Pass),
    ("set-next-request", Pass),
    ("slashed-variable-names/slashed-variable-names", Pass),
    ("steph/steph", Pass),
    ("super-sandbox-test", Pass),
    ("tc4/tc4", Pass),
    ("timeout/timeout", Pass),
    ("v2-regression-tests/v2-regression-tests", Pass),
    ("var-replacement", Pass),
    ("whatwg-url", Pass),
];

/// Fixtures whose wire, report or export differs from Newman's today, each with its cause (none:
/// a fixture that starts to differ must be fixed or listed here with its cause).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// The directory the runners start in: upstream's file paths (`test/integration/...`) resolve here.
pub fn suite_root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/newman")
}

/// The suites on disk, by name (`dir/base` under `test/integration`), with their files.
pub fn discover() -> Vec<(String, Vec<(String, String)>)> {
    let base = suite_root().join("test/integration");
    let mut files = Vec::new();
    let mut dirs = vec![base.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(
                    path.strip_prefix(&base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut suites: BTreeMap<String, Vec<(String, String)>> = Default::default();
    for file in files {
        let Some((name, kind)) = file.split_once(".postman_") else {
            continue;
        };
        suites
            .entry(name.to_string())
            .or_default()
            .push((kind.to_string(), format!("test/integration/{file}")));
    }
    suites.into_iter().collect()
}

fn file_of(files: &[(String, String)], kind: &str) -> Option<String> {
    files
        .iter()
        .find(|(k, _)| k == kind)
        .map(|(_, path)| path.clone())
}

/// Reads a fixture's JSON in whichever encoding it has (UTF-8 with or without a BOM, UTF-16 LE).
fn read_fixture(path: &str) -> Value {
    let bytes = std::fs::read(suite_root().join(path)).unwrap();
    let text = match bytes.as_slice() {
        [0xff, 0xfe, rest @ ..] => String::from_utf16_lossy(
            &rest
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect::<Vec<_>>(),
        ),
        _ => String::from_utf8(bytes).unwrap(),
    };
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap()
}

/// `newman run`/`baton run` arguments for one suite, with its config's `run` options as flags.
/// A suite without an environment gets an empty one, so that `--export-environment` applies.
pub fn run_args(
    files: &[(String, String)],
    empty_environment: &Path,
    report: &Path,
    exported: &Path,
) -> Vec<String> {
    let mut args = vec![
        "run".to_string(),
        file_of(files, "collection.json").expect("a collection"),
    ];
    if file_of(files, "environment.json").is_none() {
        args.extend([
            "-e".to_string(),
            empty_environment.to_string_lossy().into_owned(),
        ]);
    }
    for (kind, flag) in [
        ("environment.json", "-e"),
        ("globals.json", "-g"),
        ("data.csv", "-d"),
        ("data.json", "-d"),
    ] {
        if let Some(path) = file_of(files, kind) {
            args.extend([flag.to_string(), path]);
        }
    }
    if let Some(config) = file_of(files, "config.json") {
        let config = read_fixture(&config);
        for (key, value) in config["run"].as_object().expect("a run object") {
            match (key.as_str(), value) {
                ("ignoreRedirects", Value::Bool(true)) => args.push("--ignore-redirects".into()),
                ("insecure", Value::Bool(true)) => args.push("--insecure".into()),
                ("timeout", n) => args.extend(["--timeout".into(), n.to_string()]),
                ("timeoutRequest", n) => args.extend(["--timeout-request".into(), n.to_string()]),
                ("timeoutScript", n) => args.extend(["--timeout-script".into(), n.to_string()]),
                (other, _) => panic!("run option `{other}` has no flag mapping here"),
            }
        }
    }
    let path = |p: &Path| p.to_string_lossy().into_owned();
    args.extend([
        "-r".into(),
        "cli,json".into(),
        "--reporter-json-export".into(),
        path(report),
        "--export-environment".into(),
        path(exported),
    ]);
    args
}

/// The request headers a collection names anywhere (lower case), with Content-Type,
/// Authorization and Cookie: the headers compared on the wire.
fn compared_headers(collection: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(object) => {
                if let Some(headers) = object
                    .get("request")
                    .and_then(|request| request.get("header"))
                    .and_then(Value::as_array)
                {
                    for header in headers {
                        if let Some(key) = header["key"].as_str() {
                            names.insert(key.to_ascii_lowercase());
                        }
                    }
                }
                object.values().for_each(|v| walk(v, names));
            }
            Value::Array(values) => values.iter().for_each(|v| walk(v, names)),
            _ => {}
        }
    }
    let mut names: BTreeSet<String> = ["content-type", "authorization", "cookie"]
        .map(String::from)
        .into();
    walk(collection, &mut names);
    names
}

#[derive(Clone, Copy, PartialEq)]
enum Runner {
    Newman,
    Baton,
}

/// One run of one suite: what the stand-ins received and what the runner wrote.
struct Outcome {
    run: Run,
    requests: Vec<Received>,
    report: Value,
    environment: Value,
}

impl Outcome {
    fn failures(&self) -> Option<usize> {
        self.report["run"]["failures"].as_array().map(Vec::len)
    }
}

/// What the runners need to reach the stand-ins and trust their certificate.
struct Setup {
    scratch: Scratch,
    node_options: String,
    ca: String,
}

fn run(
    setup: &Setup,
    runner: Runner,
    name: &str,
    files: &[(String, String)],
    tag: &str,
) -> Outcome {
    let servers = EchoServers::start();
    let stem = format!("{}.{tag}", name.replace('/', "_"));
    let dir = &setup.scratch.dir;
    let empty = dir.join(format!("{stem}.empty-environment.json"));
    std::fs::write(&empty, json!({"name": "empty", "values": []}).to_string()).unwrap();
    let report = dir.join(format!("{stem}.report.json"));
    let exported = dir.join(format!("{stem}.environment.json"));
    let mut args = run_args(files, &empty, &report, &exported);
    let run = match runner {
        Runner::Newman => {
            let mappings = servers.node_mappings();
            let env = [
                ("NODE_OPTIONS", setup.node_options.as_str()),
                ("BATON_CONNECT_TO", mappings.as_str()),
                ("NODE_EXTRA_CA_CERTS", setup.ca.as_str()),
            ];
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            newman_with_env(&suite_root(), &args, &env)
        }
        Runner::Baton => {
            args.extend(servers.baton_args());
            args.extend(["--ssl-extra-ca-certs".to_string(), setup.ca.clone()]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            baton(&suite_root(), &args)
        }
    };
    let read = |path: &Path| {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null)
    };
    Outcome {
        run,
        requests: servers.take_received(),
        report: read(&report),
        environment: read(&exported),
    }
}

/// One compared thing (a request, an assertion, an exported entry, the verdict): labelled fields.
type Record = Vec<(String, String)>;

/// An outcome as comparable records, with UUIDs, timestamps and multipart boundaries masked.
struct Normal {
    requests: Vec<Record>,
    assertions: Vec<Record>,
    environment: Vec<Record>,
    verdict: Vec<Record>,
}

fn normal(outcome: &Outcome, headers: &BTreeSet<String>) -> Normal {
    let field = |label: &str, value: String| (label.to_string(), value);
    let requests = outcome
        .requests
        .iter()
        .map(|r| {
            let header = |name: &str| {
                let values: Vec<&str> = r
                    .headers
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                if values.is_empty() {
                    "(none)".to_string()
                } else {
                    values.join(", ")
                }
            };
            let content_type = header("content-type");
            let boundary = content_type
                .split_once("boundary=")
                .map(|(_, b)| b.split(';').next().unwrap_or_default().trim_matches('"'))
                .filter(|b| !b.is_empty());
            let unmask = |text: String| match boundary {
                Some(boundary) => mask(&text.replace(boundary, "<boundary>")),
                None => mask(&text),
            };
            let body = match std::str::from_utf8(&r.body) {
                Ok(text) => text.to_string(),
                Err(_) => r.body.escape_ascii().to_string(),
            };
            let mut record = vec![
                field("server", r.server.to_string()),
                field("method", r.method.clone()),
                field("target", mask(&r.target)),
            ];
            for name in headers {
                record.push(field(name, unmask(header(name))));
            }
            record.push(field("body", unmask(body)));
            record
        })
        .collect();
    let mut assertions = Vec::new();
    let executions = outcome.report["run"]["executions"].as_array();
    for execution in executions.into_iter().flatten() {
        let item = execution["item"]["name"].as_str().unwrap_or("(unnamed)");
        for assertion in execution["assertions"].as_array().into_iter().flatten() {
            let result = if assertion["skipped"] == true {
                "skipped"
            } else if assertion["error"].is_null() {
                "passed"
            } else {
                "failed"
            };
            assertions.push(vec![
                field("item", mask(item)),
                field(
                    "assertion",
                    mask(assertion["assertion"].as_str().unwrap_or_default()),
                ),
                field("result", result.to_string()),
            ]);
        }
    }
    let values = outcome.environment["values"].as_array();
    let environment = values
        .into_iter()
        .flatten()
        .map(|entry| {
            let value = match &entry["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let disabled = entry["disabled"] == true || entry["enabled"] == false;
            vec![
                field("key", entry["key"].as_str().unwrap_or_default().to_string()),
                field("value", mask(&value)),
                field("disabled", disabled.to_string()),
            ]
        })
        .collect();
    let failures = outcome
        .failures()
        .map_or("(no report)".to_string(), |n| n.to_string());
    let verdict = vec![vec![
        field("exit code", outcome.run.code.to_string()),
        field("failures", failures),
    ]];
    Normal {
        requests,
        assertions,
        environment,
        verdict,
    }
}

/// Masks values that are random or clock-bound by nature: UUIDs, ISO timestamps and epoch times
/// (ten or thirteen digits starting with 1).
fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let (is_uuid, is_iso) = (starts_with_uuid, starts_with_iso_time);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let word_before = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if !word_before && is_uuid(&bytes[i..]) {
            out.push_str("<uuid>");
            i += 36;
        } else if !word_before && is_iso(&bytes[i..]) {
            out.push_str("<iso>");
            i += 19;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".Z".contains(&bytes[i])) {
                i += 1;
            }
        } else if !word_before && bytes[i].is_ascii_digit() {
            let end = (i..bytes.len())
                .find(|&k| !bytes[k].is_ascii_alphanumeric())
                .unwrap_or(bytes.len());
            let epoch = bytes[i] == b'1'
                && matches!(end - i, 10 | 13)
                && bytes[i..end].iter().all(u8::is_ascii_digit);
            out.push_str(if epoch { "<ts>" } else { &text[i..end] });
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Words (runs of letters, digits and `+/-_.%~`) and single other characters.
fn tokens(text: &str) -> Vec<&str> {
    let word = |c: char| c.is_alphanumeric() || "+/-_.%~".contains(c);
    let mut out = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if !word(c) {
            if start < at {
                out.push(&text[start..at]);
            }
            out.push(&text[at..at + c.len_utf8()]);
            start = at + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Compares Baton's value `z` with Newman's `x`, masking the tokens in which Newman's second run
/// `y` differs from `x`. `None` if they agree; otherwise both, masked, for the report.
fn differs(x: &str, y: Option<&str>, z: &str) -> Option<(String, String)> {
    let (tx, tz) = (tokens(x), tokens(z));
    let varying: Vec<bool> = match y.map(tokens) {
        None => vec![false; tx.len()],
        Some(ty) if ty.len() == tx.len() => tx.iter().zip(&ty).map(|(a, b)| a != b).collect(),
        // Newman's two runs disagree in shape: nothing in this value is stable.
        Some(_) => return None,
    };
    let masked = |t: &[&str]| {
        t.iter()
            .zip(varying.iter().chain(std::iter::repeat(&false)))
            .map(|(token, vary)| if *vary { "<varies>" } else { token })
            .collect::<String>()
    };
    let same = tx.len() == tz.len()
        && tx
            .iter()
            .zip(&tz)
            .zip(&varying)
            .all(|((a, c), vary)| *vary || a == c);
    (!same).then(|| (masked(&tx), masked(&tz)))
}

/// The first way Baton's run differs from Newman's, ignoring what differs between two Newman runs.
fn first_difference(newman: &Normal, again: &Normal, baton: &Normal) -> Option<String> {
    let clip = |s: &str| {
        let clipped: String = s.chars().take(240).collect();
        if clipped.len() < s.len() {
            format!("{clipped}…")
        } else {
            clipped
        }
    };
    // Each part with how many leading fields name one of its records in a report.
    for (part, named_by, a, b, c) in [
        (
            "verdict",
            0,
            &newman.verdict,
            &again.verdict,
            &baton.verdict,
        ),
        (
            "requests",
            3,
            &newman.requests,
            &again.requests,
            &baton.requests,
        ),
        (
            "assertions",
            2,
            &newman.assertions,
            &again.assertions,
            &baton.assertions,
        ),
        (
            "environment",
            1,
            &newman.environment,
            &again.environment,
            &baton.environment,
        ),
    ] {
        let name = |record: &Record| {
            let words: Vec<&str> = record
                .iter()
                .take(named_by)
                .map(|(_, v)| v.as_str())
                .collect();
            clip(&words.join(" "))
        };
        for (i, (x, z)) in a.iter().zip(c).enumerate() {
            let y = b.get(i);
            for (label, xv) in x {
                let value_of = |record: &Record| {
                    record
                        .iter()
                        .find(|(l, _)| l == label)
                        .map_or(String::new(), |(_, v)| v.clone())
                };
                let yv = y.map(value_of);
                if let Some((xm, zm)) = differs(xv, yv.as_deref(), &value_of(z)) {
                    let at = if named_by == 0 {
                        String::new()
                    } else {
                        format!(" #{i} ({})", name(x))
                    };
                    return Some(format!(
                        "{part}{at} {label}: Newman {:?}, Baton {:?}",
                        clip(&xm),
                        clip(&zm)
                    ));
                }
            }
        }
        if a.len() == b.len() && a.len() != c.len() {
            let longer = if a.len() > c.len() { a } else { c };
            return Some(format!(
                "{part}: Newman has {}, Baton {}; the first unmatched is ({})",
                a.len(),
                c.len(),
                name(&longer[a.len().min(c.len())])
            ));
        }
    }
    None
}

/// One fixture's three runs (Newman, Newman again, Baton) held against the two tables.
struct Judged {
    identical: bool,
    /// The two Newman runs disagree on the verdict: the comparison means little.
    newman_unsteady: bool,
    problems: Vec<String>,
    /// The fixture's row in the report table.
    row: String,
}

fn judge(index: usize, runs: &[Outcome], headers: &BTreeSet<String>) -> Judged {
    let (name, expect) = FIXTURES[index];
    let (by_newman, again, baton) = (&runs[0], &runs[1], &runs[2]);
    let verdict = |o: &Outcome| (o.run.code, o.failures());
    let cell = |o: &Outcome| match o.failures() {
        Some(failures) => format!("exit {} ({failures} failures)", o.run.code),
        None => format!("exit {} (no report)", o.run.code),
    };
    let mut problems = Vec::new();
    let newman_passes = verdict(by_newman) == (0, Some(0));
    match expect {
        Pass if !newman_passes => problems.push(format!(
            "{name}: the table says Newman passes, but it did not:\n{}{}",
            by_newman.run.stdout, by_newman.run.stderr
        )),
        NewmanFails(reason) if newman_passes => problems.push(format!(
            "{name}: the table says Newman fails ({reason}), but it passed: mark it Pass"
        )),
        _ => {}
    }
    let newman = normal(by_newman, headers);
    let difference = first_difference(&newman, &normal(again, headers), &normal(baton, headers));
    let known = KNOWN_DIFFERENCES.iter().find(|(n, _)| *n == name);
    match (&difference, known) {
        (None, Some(_)) => problems.push(format!(
            "{name}: now matches Newman on the wire; remove it from KNOWN_DIFFERENCES"
        )),
        (Some(difference), None) => problems.push(format!(
            "{name}: {difference}\n{}{}",
            baton.run.stdout, baton.run.stderr
        )),
        _ => {}
    }
    let row = format!(
        "| {name} | {}; {} requests, {} assertions, {} exported | {} | {} |",
        cell(by_newman),
        newman.requests.len(),
        newman.assertions.len(),
        newman.environment.len(),
        cell(baton),
        difference.as_deref().unwrap_or("identical")
    );
    Judged {
        identical: difference.is_none(),
        newman_unsteady: verdict(by_newman) != verdict(again),
        problems,
        row,
    }
}

#[test]
fn newman_integration_suite_goes_on_the_wire_as_under_newman() {
    let discovered = discover();
    let names: Vec<&str> = discovered.iter().map(|(n, _)| n.as_str()).collect();
    let listed: Vec<&str> = FIXTURES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, listed,
        "the table must list every suite on disk, in order"
    );
    for (name, _) in KNOWN_DIFFERENCES {
        assert!(
            names.contains(name),
            "KNOWN_DIFFERENCES names `{name}`, which is not a suite"
        );
    }
    let headers: Vec<BTreeSet<String>> = discovered
        .iter()
        .map(|(_, files)| {
            compared_headers(&read_fixture(&file_of(files, "collection.json").unwrap()))
        })
        .collect();

    let setup = Setup {
        scratch: Scratch::new("newman-suite"),
        node_options: format!("--require {}", node_dir().join("connect-to.cjs").display()),
        ca: ca_file().to_string_lossy().into_owned(),
    };
    // Every run is a job of its own, each against stand-ins of its own; Newman runs first, so that
    // the slow fixtures (timeouts, delays) start early.
    let kinds = [
        (Runner::Newman, "newman"),
        (Runner::Newman, "again"),
        (Runner::Baton, "baton"),
    ];
    let jobs: Vec<(usize, usize)> = (0..kinds.len())
        .flat_map(|k| (0..discovered.len()).map(move |s| (s, k)))
        .collect();
    let results = run_jobs(&jobs, 4, |&(s, k)| {
        let (runner, tag) = kinds[k];
        let (name, files) = &discovered[s];
        run(&setup, runner, name, files, tag)
    });
    let mut outcomes: BTreeMap<(usize, usize), Outcome> = jobs.into_iter().zip(results).collect();

    let mut problems = Vec::new();
    let mut identical = 0;
    let mut table = String::from("| fixture | Newman | Baton | on the wire |\n|---|---|---|---|\n");
    for (s, ((name, files), headers)) in discovered.iter().zip(&headers).enumerate() {
        let mut runs: Vec<Outcome> = (0..kinds.len())
            .map(|k| outcomes.remove(&(s, k)).unwrap())
            .collect();
        let mut judged = judge(s, &runs, headers);
        // Timing-bound fixtures (`timeout`: a 300 ms busy loop under a 500 ms script timeout) can
        // fail on a loaded machine; one that disagrees with the tables runs once more, alone.
        if !judged.problems.is_empty() || judged.newman_unsteady {
            runs = kinds
                .iter()
                .map(|(runner, tag)| run(&setup, *runner, name, files, &format!("{tag}-retry")))
                .collect();
            judged = judge(s, &runs, headers);
            judged.row.push_str(" (second attempt)");
        }
        identical += usize::from(judged.identical);
        problems.extend(judged.problems);
        table.push_str(&judged.row);
        table.push('\n');
    }
    eprintln!(
        "{table}\nNewman's integration suite: {identical}/{} identical on the wire",
        FIXTURES.len()
    );
    assert!(
        problems.is_empty(),
        "{} fixtures disagree with the tables:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn differences_between_newman_runs_are_masked_token_by_token() {
    let x = r#"Hawk id="dh37", ts="<ts>", nonce="a1B2c3", mac="6R4rV5+N/o="#;
    let y = r#"Hawk id="dh37", ts="<ts>", nonce="Zq9x0w", mac="Qm8/xY+3="#;
    assert_eq!(
        differs(
            x,
            Some(y),
            r#"Hawk id="dh37", ts="<ts>", nonce="k", mac="m="#
        ),
        None
    );
    assert!(
        differs(
            x,
            Some(y),
            r#"Hawk id="other", ts="<ts>", nonce="k", mac="m="#
        )
        .is_some()
    );
    assert!(differs("a=1", None, "a=2").is_some());
    assert_eq!(
        mask(
            "id=3f2b8c1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f&t=1732992000123&n=4041&at=2024-11-30T19:00:00.123Z"
        ),
        "id=<uuid>&t=<ts>&n=4041&at=<iso>"
    );
}
