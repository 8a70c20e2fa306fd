//! Newman's own integration suite (`tests/fixtures/newman`, see its SOURCES.md), run unedited by
//! the real Newman and by Baton against the loopback echo servers of `echo.rs`. Every fixture
//! Newman passes there must pass under Baton; the table below says which ones Newman itself
//! cannot pass against a local server, and why.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use crate::echo::{EchoServers, ca_file};
use crate::node::{newman_with_env, node_dir};
use crate::support::{Run, Scratch, baton};

/// What a fixture is expected to do against the local servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Newman passes it, so Baton must too.
    Pass,
    /// Newman fails it here, for the reason given; Baton's result is reported, not asserted.
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
    (
        "head-requests",
        NewmanFails("calls google.com and github.com, which the tests do not reach"),
    ),
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
    (
        "v2-regression-tests/v2-regression-tests",
        NewmanFails("calls expired.badssl.com, which the tests do not reach"),
    ),
    ("var-replacement", Pass),
    ("whatwg-url", Pass),
];

/// The directory the runners start in: upstream's file paths (`test/integration/...`) resolve here.
pub fn suite_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/newman")
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
    let mut suites: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
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

/// `newman run`/`baton run` arguments for one suite, with its config's `run` options as flags.
pub fn run_args(files: &[(String, String)], report: &Path) -> Vec<String> {
    let file = |kind: &str| {
        files
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, path)| path.clone())
    };
    let mut args = vec![
        "run".to_string(),
        file("collection.json").expect("a collection"),
    ];
    for (kind, flag) in [
        ("environment.json", "-e"),
        ("globals.json", "-g"),
        ("data.csv", "-d"),
        ("data.json", "-d"),
    ] {
        if let Some(path) = file(kind) {
            args.extend([flag.to_string(), path]);
        }
    }
    if let Some(config) = file("config.json") {
        let config: Value =
            serde_json::from_slice(&std::fs::read(suite_root().join(config)).unwrap()).unwrap();
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
    args.extend([
        "-r".into(),
        "cli,json".into(),
        "--reporter-json-export".into(),
        report.to_string_lossy().into_owned(),
    ]);
    args
}

/// One runner's outcome for one suite.
struct Outcome {
    run: Run,
    /// `(assertions, failures)` from the json report.
    counts: Option<(u64, usize)>,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.run.code == 0 && self.counts.is_some_and(|(_, failures)| failures == 0)
    }

    fn cell(&self) -> String {
        match self.counts {
            Some((assertions, failures)) => {
                format!(
                    "exit {} ({assertions} assertions, {failures} failures)",
                    self.run.code
                )
            }
            None => format!("exit {} (no report)", self.run.code),
        }
    }
}

fn outcome(run: Run, report: &Path) -> Outcome {
    let counts = std::fs::read(report).ok().and_then(|bytes| {
        let report: Value = serde_json::from_slice(&bytes).ok()?;
        let assertions = report["run"]["stats"]["assertions"]["total"].as_u64()?;
        let failures = report["run"]["failures"].as_array()?.len();
        Some((assertions, failures))
    });
    Outcome { run, counts }
}

#[test]
fn newman_integration_suite_passes_under_baton() {
    let discovered = discover();
    let names: Vec<&str> = discovered.iter().map(|(n, _)| n.as_str()).collect();
    let listed: Vec<&str> = FIXTURES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, listed,
        "the table must list every suite on disk, in order"
    );

    let servers = EchoServers::start();
    let scratch = Scratch::new("newman-suite");
    let root = suite_root();
    let preload = node_dir().join("connect-to.cjs");
    let node_options = format!("--require {}", preload.display());
    let mappings = servers.node_mappings();
    let ca = ca_file();
    let ca = ca.to_string_lossy().into_owned();
    let node_env = [
        ("NODE_OPTIONS", node_options.as_str()),
        ("BATON_CONNECT_TO", mappings.as_str()),
        ("NODE_EXTRA_CA_CERTS", ca.as_str()),
    ];
    let mut baton_extra = servers.baton_args();
    baton_extra.extend(["--ssl-extra-ca-certs".to_string(), ca.clone()]);

    let results: Mutex<Vec<(usize, Outcome, Outcome)>> = Mutex::default();
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some((name, files)) = discovered.get(index) else {
                        return;
                    };
                    let stem = name.replace('/', "_");
                    let newman_report = scratch.dir.join(format!("newman-{stem}.json"));
                    let args = run_args(files, &newman_report);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let by_newman =
                        outcome(newman_with_env(&root, &args, &node_env), &newman_report);

                    let baton_report = scratch.dir.join(format!("baton-{stem}.json"));
                    let mut args = run_args(files, &baton_report);
                    args.extend(baton_extra.iter().cloned());
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let by_baton = outcome(baton(&root, &args), &baton_report);
                    results.lock().unwrap().push((index, by_newman, by_baton));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _, _)| *index);

    let mut table = String::from("| fixture | Newman | Baton |\n|---|---|---|\n");
    let mut problems = Vec::new();
    for ((name, expect), (_, by_newman, by_baton)) in FIXTURES.iter().zip(&results) {
        table.push_str(&format!(
            "| {name} | {} | {} |\n",
            by_newman.cell(),
            by_baton.cell()
        ));
        match expect {
            Pass if !by_newman.passed() => problems.push(format!(
                "{name}: the table says Newman passes, but it did not:\n{}{}",
                by_newman.run.stdout, by_newman.run.stderr
            )),
            Pass if !by_baton.passed() => problems.push(format!(
                "{name}: Newman passes, Baton does not:\n{}{}",
                by_baton.run.stdout, by_baton.run.stderr
            )),
            NewmanFails(reason) if by_newman.passed() => problems.push(format!(
                "{name}: the table says Newman fails ({reason}), but it passed: mark it Pass"
            )),
            _ => {}
        }
    }
    eprintln!("{table}");
    assert!(
        problems.is_empty(),
        "{} of {} fixtures disagree with the table:\n\n{}\n\n{table}",
        problems.len(),
        FIXTURES.len(),
        problems.join("\n\n")
    );
}
