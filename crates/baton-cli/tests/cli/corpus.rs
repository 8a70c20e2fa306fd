//! The corpus (`tests/fixtures/corpus`, see its SOURCES.md): real collections from public
//! repositories, run unedited by the real Newman (twice, and a third time where Baton differs) and by Baton, each run against a fresh
//! chameleon server (`chameleon.rs`). Every variable that starts a request URL is pointed at the
//! server with `--env-var`, and literal hosts are sent to it with `--connect-to` (Baton) or
//! `tests/node/connect-to.cjs` (Newman). Compared per collection: the requests the server received
//! in order, the assertions per execution in the JSON reports, the exported environment and the
//! exit code. Random values are masked, and whatever differs between the two Newman runs is
//! ignored. The collections that differ today are listed below with their cause, so that the list
//! stays true: one that starts to match, or one that differs without being listed, fails the test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::chameleon::{Chameleon, Received};
use crate::node::node_dir;
use crate::support::{
    Scratch, run_jobs, starts_with_clock_time, starts_with_iso_time, starts_with_uuid,
};

/// Collections (by file stem) that differ from Newman today, each with its cause (none: one that
/// starts to differ must be fixed or listed here with its cause).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn corpus_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/corpus")
}

/// The collections on disk, by stem, in order.
fn discover() -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".postman_collection.json")
                .map(str::to_string)
        })
        .collect();
    stems.sort();
    stems
}

/// Where a collection's requests go: variables that start a URL (and whether a scheme precedes
/// them), and literal hosts with their ports.
#[derive(Default)]
struct Targets {
    url_vars: BTreeMap<String, bool>,
    hosts: Vec<(String, u16)>,
}

fn targets(collection: &Value) -> Targets {
    fn raw_url(request: &Value) -> String {
        let url = match request {
            Value::String(url) => return url.clone(),
            Value::Object(request) => request.get("url").unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
        match url {
            Value::String(raw) => raw.clone(),
            url => url["raw"].as_str().unwrap_or_default().to_string(),
        }
    }
    fn walk(items: &Value, found: &mut Targets) {
        for item in items.as_array().into_iter().flatten() {
            if item.get("item").is_some() {
                walk(&item["item"], found);
                continue;
            }
            let raw = raw_url(&item["request"]);
            let raw = raw.trim();
            let (scheme, rest) = match raw.split_once("://") {
                Some((scheme, rest)) if !scheme.contains('{') => (Some(scheme), rest),
                _ => (None, raw),
            };
            if let Some(var) = rest.strip_prefix("{{") {
                if let Some((name, _)) = var.split_once("}}") {
                    found.url_vars.insert(name.to_string(), scheme.is_some());
                }
                continue;
            }
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            if authority.is_empty() || authority.contains('{') {
                continue;
            }
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, port.parse().ok()),
                None => (authority, None),
            };
            let port = port.unwrap_or(if scheme == Some("https") { 443 } else { 80 });
            let host = host.to_ascii_lowercase();
            let loopback = host == "localhost" || host.starts_with("127.");
            if !loopback && !found.hosts.contains(&(host.clone(), port)) {
                found.hosts.push((host, port));
            }
        }
    }
    // A collection exported through the Postman API sits under a `collection` key.
    let collection = collection.get("collection").unwrap_or(collection);
    let mut found = Targets::default();
    walk(&collection["item"], &mut found);
    found
}

#[derive(Clone, Copy, PartialEq)]
enum Runner {
    Newman,
    Baton,
}

/// One run of one collection, as the server and the runner's own files saw it.
struct Outcome {
    code: i32,
    requests: Vec<Received>,
    report: Value,
    environment: Value,
    stderr: String,
}

fn run(runner: Runner, stem: &str, targets: &Targets, dir: &Path, tag: &str) -> Outcome {
    let server = Chameleon::start();
    let address = server.addr.to_string();
    let collection = corpus_dir().join(format!("{stem}.postman_collection.json"));
    let environment = corpus_dir().join(format!("environments/{stem}.postman_environment.json"));
    let environment = if environment.exists() {
        environment
    } else {
        // One file per run: the three runs of a collection go at once, and a shared file
        // rewritten by one while another reads it would be read empty.
        let empty = dir.join(format!("{stem}.{tag}.empty-environment.json"));
        std::fs::write(&empty, json!({"name": "corpus", "values": []}).to_string()).unwrap();
        empty
    };
    let report = dir.join(format!("{stem}.{tag}.report.json"));
    let exported = dir.join(format!("{stem}.{tag}.environment.json"));
    let mut args: Vec<String> = vec!["run".into(), collection.to_string_lossy().into_owned()];
    args.extend(["-e".into(), environment.to_string_lossy().into_owned()]);
    for (var, has_scheme) in &targets.url_vars {
        let value = if *has_scheme {
            address.clone()
        } else {
            format!("https://{address}/{var}")
        };
        args.extend(["--env-var".into(), format!("{var}={value}")]);
    }
    args.extend(
        [
            "--insecure",
            "-r",
            "json",
            // Generous: six runners share two cores with the rest of the suite, and a request
            // that times out under load would be missing from one side only.
            "--timeout-request",
            "30000",
            "--reporter-json-export",
        ]
        .map(String::from),
    );
    args.push(report.to_string_lossy().into_owned());
    args.push("--export-environment".into());
    args.push(exported.to_string_lossy().into_owned());

    // A runner that never exits fails its collection (coreutils `timeout` answers 124) instead
    // of stalling the whole test.
    let mut command = Command::new("timeout");
    command.arg("300").current_dir(dir).env("NO_COLOR", "1");
    match runner {
        Runner::Newman => {
            let preload = node_dir().join("connect-to.cjs");
            let mappings: Vec<String> = targets
                .hosts
                .iter()
                .map(|(host, port)| format!("{host}:{port}={}", server.addr.port()))
                .collect();
            command
                .arg("node")
                .arg(node_dir().join("node_modules/newman/bin/newman.js"))
                .env("NODE_OPTIONS", format!("--require {}", preload.display()))
                .env("BATON_CONNECT_TO", mappings.join(","));
        }
        Runner::Baton => {
            command.arg(env!("CARGO_BIN_EXE_baton"));
            // Newman masks nothing: the reports are compared as both runners saw the run. Nor
            // does it fetch OAuth 2.0 tokens: an `oauth2` block without a token goes out bare.
            args.push("--show-secrets".into());
            args.push("--oauth2-no-fetch".into());
            for (host, port) in &targets.hosts {
                args.extend(["--connect-to".into(), format!("{host}:{port}:{address}")]);
            }
        }
    }
    let output = command.args(&args).output().expect("run the runner");
    let read = |path: &Path| {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null)
    };
    Outcome {
        code: output.status.code().unwrap_or(-1),
        requests: server.received(),
        report: read(&report),
        environment: read(&exported),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Masks values that are random by nature: UUIDs, ISO timestamps, times of day (in
/// `toUTCString()` dates: two runs in the same second would not tell them apart), and runs of
/// four digits or more (epoch times, ports, random numbers such as lodash's `_.random(100000)`, which has four
/// digits one time in ten).
fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let (is_uuid, is_iso) = (starts_with_uuid, starts_with_iso_time);
    while i < bytes.len() {
        let prev_word = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if !prev_word && is_uuid(&bytes[i..]) {
            out.push_str("<uuid>");
            i += 36;
        } else if !prev_word && is_iso(&bytes[i..]) {
            out.push_str("<iso>");
            i += 19;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".Z".contains(&bytes[i])) {
                i += 1;
            }
        } else if !prev_word && starts_with_clock_time(&bytes[i..]) {
            out.push_str("<time>");
            i += 8;
        } else if bytes[i].is_ascii_digit() && !(i > 0 && bytes[i - 1].is_ascii_hexdigit()) {
            let end = (i..bytes.len())
                .find(|&k| !bytes[k].is_ascii_digit())
                .unwrap_or(bytes.len());
            let hex_follows = end < bytes.len() && bytes[end].is_ascii_hexdigit();
            if end - i >= 4 && !hex_follows {
                out.push_str("<num>");
            } else {
                out.push_str(&text[i..end]);
            }
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// An outcome as comparable values: requests and assertions as lists of labelled fields, the
/// exported environment as a map. Each value is kept masked (what is compared with Baton) and
/// raw: an exported variable is compared only when both Newman runs gave it the very same value,
/// since a short random value can mask alike in two runs by chance (five hex digits that happen
/// to be all digits).
struct Normal {
    requests: Vec<Vec<(&'static str, Masked)>>,
    assertions: Vec<Vec<(&'static str, Masked)>>,
    environment: BTreeMap<String, Masked>,
    code: i32,
}

/// `text` with each run of digits as one `#`.
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match (c.is_ascii_digit(), out.ends_with('#')) {
            (true, true) => {}
            (true, false) => out.push('#'),
            (false, _) => out.push(c),
        }
    }
    out
}

/// A value masked and as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Masked {
    masked: String,
    raw: String,
}

impl Masked {
    fn of(raw: &str) -> Masked {
        Masked {
            masked: mask(raw),
            raw: raw.to_string(),
        }
    }

    /// A value compared as it is (a method, a content type, a verdict).
    fn exact(raw: String) -> Masked {
        Masked {
            masked: raw.clone(),
            raw,
        }
    }
}

fn normal(outcome: &Outcome) -> Normal {
    let requests = outcome
        .requests
        .iter()
        .map(|r| {
            let (mut content_type, mut body) = (r.content_type.clone(), r.body.clone());
            if let Some((_, boundary)) = content_type.split_once("boundary=") {
                let boundary = boundary.trim_matches('"').to_string();
                body = body.replace(&boundary, "<boundary>");
                content_type = content_type.replace(&boundary, "<boundary>");
            }
            vec![
                ("method", Masked::exact(r.method.clone())),
                ("path", Masked::of(&r.path)),
                ("query", Masked::of(&r.query)),
                ("content-type", Masked::exact(content_type)),
                ("authorization", Masked::of(&r.authorization)),
                ("body", Masked::of(&body)),
            ]
        })
        .collect();
    let mut assertions = Vec::new();
    let executions = outcome.report["run"]["executions"].as_array();
    for execution in executions.into_iter().flatten() {
        let item = execution["item"]["name"].as_str().unwrap_or_default();
        for assertion in execution["assertions"].as_array().into_iter().flatten() {
            let passed = assertion["error"].is_null();
            assertions.push(vec![
                ("item", Masked::exact(item.to_string())),
                (
                    "assertion",
                    Masked::of(assertion["assertion"].as_str().unwrap_or_default()),
                ),
                ("passed", Masked::exact(passed.to_string())),
            ]);
        }
    }
    let mut environment = BTreeMap::new();
    for value in outcome.environment["values"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if value["enabled"].as_bool() != Some(false) {
            let text = match &value["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let key = value["key"].as_str().unwrap_or_default().to_string();
            environment.insert(key, Masked::of(&text));
        }
    }
    Normal {
        requests,
        assertions,
        environment,
        code: outcome.code,
    }
}

/// The first way Baton's run differs from Newman's, ignoring what differs between two Newman runs.
fn first_difference(newman: &Normal, again: &Normal, baton: &Normal) -> Option<String> {
    for (part, a, b, c) in [
        (
            "requests",
            &newman.requests,
            &again.requests,
            &baton.requests,
        ),
        (
            "assertions",
            &newman.assertions,
            &again.assertions,
            &baton.assertions,
        ),
    ] {
        for (i, (x, z)) in a.iter().zip(c).enumerate() {
            let y = b.get(i);
            for ((field, xv), (_, zv)) in x.iter().zip(z) {
                // Masked alike in both Newman runs: what is left is compared. Where the runs
                // differ underneath, the value holds something random, and every number in it is
                // left out (a random number can be too short for `mask` in one run).
                let twin = y.and_then(|y| y.iter().find(|(f, _)| f == field).map(|(_, v)| v));
                let stable = twin.is_none_or(|yv| yv.masked == xv.masked);
                let differs = match twin.is_none_or(|yv| yv.raw == xv.raw) {
                    true => xv.masked != zv.masked,
                    false => without_numbers(&xv.masked) != without_numbers(&zv.masked),
                };
                if stable && differs {
                    let clip = |s: &str| s.chars().take(300).collect::<String>();
                    return Some(format!(
                        "{part} #{i} {field}: Newman {:?}, Baton {:?}",
                        clip(&xv.masked),
                        clip(&zv.masked)
                    ));
                }
            }
        }
        if a.len() == b.len() && a.len() != c.len() {
            return Some(format!("{part}: Newman has {}, Baton {}", a.len(), c.len()));
        }
    }
    let (a, b, c) = (&newman.environment, &again.environment, &baton.environment);
    // Some collections name variables after random ids: then only the names both Newman runs
    // share are compared.
    let stable_names = a.keys().eq(b.keys());
    let missing: Vec<&String> = a
        .keys()
        .filter(|k| b.contains_key(*k) && !c.contains_key(*k))
        .collect();
    let extra: Vec<&String> = c
        .keys()
        .filter(|k| stable_names && !a.contains_key(*k))
        .collect();
    let wrong: Vec<&String> = a
        .iter()
        .filter(|(k, v)| {
            b.get(*k).is_some_and(|bv| bv.raw == v.raw)
                && c.get(*k).is_some_and(|cv| cv.masked != v.masked)
        })
        .map(|(k, _)| k)
        .collect();
    if !missing.is_empty() || !extra.is_empty() || !wrong.is_empty() {
        return Some(format!(
            "environment: missing {missing:?}, extra {extra:?}, different {wrong:?}"
        ));
    }
    if newman.code == again.code && newman.code != baton.code {
        return Some(format!(
            "exit code: Newman {}, Baton {}",
            newman.code, baton.code
        ));
    }
    None
}

#[test]
fn corpus_collections_reach_the_wire_as_under_newman() {
    let stems = discover();
    assert!(
        stems.len() >= 89,
        "the corpus holds {} collections",
        stems.len()
    );
    let scratch = Scratch::new("corpus");
    let targets: Vec<Targets> = stems
        .iter()
        .map(|stem| {
            let path = corpus_dir().join(format!("{stem}.postman_collection.json"));
            let text = std::fs::read_to_string(path).unwrap();
            targets(&serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap())
        })
        .collect();
    // Every run is a job of its own: many collections wait on timers (polling, `setTimeout`), so
    // runs overlap well even on two cores.
    let kinds = [
        (Runner::Newman, "newman"),
        (Runner::Newman, "again"),
        (Runner::Baton, "baton"),
    ];
    let jobs: Vec<(usize, usize)> = (0..stems.len())
        .flat_map(|s| (0..kinds.len()).map(move |k| (s, k)))
        .collect();
    let normals = run_jobs(&jobs, 6, |&(s, k)| {
        let (runner, tag) = kinds[k];
        let outcome = run(runner, &stems[s], &targets[s], &scratch.dir, tag);
        assert!(
            runner == Runner::Baton || !outcome.report.is_null(),
            "{}: Newman wrote no report:\n{}",
            stems[s],
            outcome.stderr
        );
        normal(&outcome)
    });
    let outcomes: BTreeMap<(usize, usize), Normal> = jobs.into_iter().zip(normals).collect();
    let first: Vec<Option<String>> = (0..stems.len())
        .map(|s| {
            let run = |k| &outcomes[&(s, k)];
            first_difference(run(0), run(1), run(2))
        })
        .collect();
    // Two Newman runs can draw the same random value by chance (`{{$randomNoun}}` has a few dozen
    // words): a difference stands only if a third Newman run agrees with both on it.
    let differing: Vec<usize> = (0..stems.len()).filter(|&s| first[s].is_some()).collect();
    let thirds = run_jobs(&differing, 6, |&s| {
        normal(&run(
            Runner::Newman,
            &stems[s],
            &targets[s],
            &scratch.dir,
            "third",
        ))
    });
    let thirds: BTreeMap<usize, Normal> = differing.into_iter().zip(thirds).collect();
    let results = first.into_iter().enumerate().map(|(s, difference)| {
        let run = |k| &outcomes[&(s, k)];
        let stands = thirds.get(&s).is_some_and(|third| {
            first_difference(run(0), third, run(2)).is_some()
                && first_difference(run(1), third, run(2)).is_some()
        });
        (s, difference.filter(|_| stands))
    });

    let mut problems = Vec::new();
    let mut identical = 0;
    for (index, difference) in results {
        let stem = &stems[index];
        let known = KNOWN_DIFFERENCES.iter().find(|(s, _)| s == stem);
        match (difference, known) {
            (None, None) => identical += 1,
            (None, Some(_)) => problems.push(format!(
                "{stem}: now matches Newman; remove it from KNOWN_DIFFERENCES"
            )),
            (Some(difference), None) => problems.push(format!("{stem}: {difference}")),
            (Some(_), Some(_)) => {}
        }
    }
    for (stem, _) in KNOWN_DIFFERENCES {
        assert!(
            stems.contains(&stem.to_string()),
            "KNOWN_DIFFERENCES names `{stem}`, which is not in the corpus"
        );
    }
    eprintln!("corpus: {identical}/{} identical to Newman", stems.len());
    assert!(
        problems.is_empty(),
        "{} collections disagree with KNOWN_DIFFERENCES:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn masking_hides_random_values_only() {
    assert_eq!(
        mask("id=3f2b8c1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f&t=1732992000123&p=127.0.0.1:43021"),
        "id=<uuid>&t=<num>&p=127.0.0.1:<num>"
    );
    assert_eq!(
        mask("at 2024-11-30T19:00:00.123Z, 42 of 6040"),
        "at <iso>, 42 of <num>"
    );
    assert_eq!(mask("hash 9f86d081884c7d65"), "hash 9f86d081884c7d65");
    assert_eq!(
        without_numbers("\"schoolId\": \"812\" vs <num>"),
        "\"schoolId\": \"#\" vs <num>"
    );
    assert_eq!(
        mask("Mon, 30 Nov 2026 23:14:05 GMT; 12:30"),
        "Mon, 30 Nov <num> <time> GMT; 12:30"
    );
}
