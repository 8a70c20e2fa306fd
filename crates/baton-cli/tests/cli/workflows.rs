//! The shipped workflows (`collections/`) end to end through the binary against the local
//! PingOne stand-in: each passes, each fails at the right step with a clear message when a
//! fault is injected, secrets stay off the screen and out of reports, the exported
//! environment provisions the created application, the real Newman runs them the same way,
//! and `baton demo` (the README's first command) passes.

use base64::Engine;
use serde_json::Value;

use crate::node::newman;
use crate::pingone_workflow::{serve, serve_with};
use crate::support::{Run, Scratch, baton};

/// The four workflows, by file stem.
pub const WORKFLOWS: [&str; 4] = [
    "client-secret-post",
    "client-secret-basic",
    "client-secret-jwt",
    "private-key-jwt",
];

/// The shipped workflow that declares the four methods in `oauth2` auth blocks: Baton fetches
/// its tokens, Newman cannot, so it is not among the workflows compared with Newman.
pub const AUTH_BLOCKS: &str = "oauth2-auth-blocks";

/// The path of a shipped collection.
pub fn collection_path(stem: &str) -> String {
    format!(
        "{}/collections/{stem}.postman_collection.json",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    )
}

/// The committed test-only RSA private key (PKCS#8 PEM).
pub fn test_private_key() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../environments/test-only-private-key-jwt.pem"
    ))
    .expect("the test-only key is committed")
}

/// `baton run <workflow> -e pingone.json --env-var privateKey=...` plus `extra`.
fn run_workflow(s: &Scratch, stem: &str, extra: &[&str]) -> Run {
    let collection = collection_path(stem);
    let key = format!("privateKey={}", test_private_key());
    let mut args = vec!["run", &collection, "-e", "pingone.json", "--env-var", &key];
    args.extend_from_slice(extra);
    baton(&s.dir, &args)
}

/// The failure block (from "N. error:" to the next) that names `step`.
fn failure_block<'a>(stdout: &'a str, step: &str) -> Option<&'a str> {
    let start = stdout.find("1. error:")?;
    stdout[start..]
        .split("\n\n")
        .find(|block| block.contains(&format!("> {step}")))
}

fn exported(s: &Scratch, file: &str, key: &str) -> String {
    s.read_json(file)["values"]
        .as_array()
        .expect("values")
        .iter()
        .rev()
        .find(|v| v["key"] == key)
        .and_then(|v| v["value"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn each_shipped_workflow_passes_against_the_local_pingone() {
    let s = Scratch::new("workflows-pass");
    let _server = serve(&s);
    for stem in WORKFLOWS {
        let report = format!("{stem}.json");
        let run = run_workflow(
            &s,
            stem,
            &["-r", "cli,json", "--reporter-json-export", &report],
        );
        assert_eq!(run.code, 0, "{stem}:\n{}{}", run.stdout, run.stderr);
        let stats = &s.read_json(&report)["run"]["stats"];
        assert_eq!(stats["requests"]["total"], 9, "{stem}: every step ran");
        assert_eq!(stats["assertions"]["failed"], 0, "{stem}");
        assert!(
            stats["assertions"]["total"].as_u64() >= Some(16),
            "{stem}: {stats}"
        );
    }
}

#[test]
fn the_auth_blocks_workflow_fetches_a_token_per_method_and_the_wrong_method_is_refused() {
    let s = Scratch::new("workflows-auth-blocks");
    let _server = serve(&s);
    let report = "auth-blocks.json";
    let run = run_workflow(
        &s,
        AUTH_BLOCKS,
        &[
            "--verbose",
            "-r",
            "cli,json",
            "--reporter-json-export",
            report,
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = s.read_json(report);
    let stats = &json["run"]["stats"];
    assert_eq!(stats["requests"]["total"], 16, "every step ran");
    assert_eq!(stats["assertions"]["failed"], 0);
    // One token request per method, recorded under its request and nowhere else.
    let exchanges: Vec<&Value> = json["run"]["executions"]
        .as_array()
        .expect("executions")
        .iter()
        .filter_map(|e| e.get("oauth2"))
        .collect();
    assert_eq!(exchanges.len(), 4, "{exchanges:?}");
    for exchange in exchanges {
        assert_eq!(exchange[0]["step"], "oauth2 token");
        assert_eq!(exchange[0]["response"]["code"], 200);
        let data = exchange[0]["response"]["stream"]["data"]
            .as_str()
            .expect("a body");
        let body = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("Base64");
        let body: Value = serde_json::from_slice(&body).expect("a JSON body");
        assert_eq!(body["access_token"], "********", "{body}");
    }
    assert_eq!(run.stdout.matches("\n    oauth2 token POST ").count(), 4);
    let key_line = test_private_key()
        .lines()
        .nth(1)
        .expect("a PEM line")
        .to_owned();
    assert!(!run.stdout.contains(&key_line));

    // An application made with another method than its block uses: the stand-in refuses the
    // token request with its reason, and the request is not sent.
    let wrong = run_workflow(
        &s,
        AUTH_BLOCKS,
        &["--env-var", "postMethod=CLIENT_SECRET_BASIC"],
    );
    assert_eq!(wrong.code, 1, "{}{}", wrong.stdout, wrong.stderr);
    let reason = "was refused with 401: invalid_client (application ";
    let method = "authenticates with CLIENT_SECRET_BASIC, but the request used CLIENT_SECRET_POST)";
    assert!(
        wrong.stdout.contains(reason) && wrong.stdout.contains(method),
        "{}",
        wrong.stdout
    );
}

#[test]
fn each_injected_fault_fails_at_its_step_with_the_reason() {
    let s = Scratch::new("workflows-faults");
    let _server = serve(&s);
    let wrong_method = |stem| match stem {
        "client-secret-post" => "CLIENT_SECRET_BASIC",
        _ => "CLIENT_SECRET_POST",
    };
    let used = |stem| match stem {
        "client-secret-post" => "CLIENT_SECRET_POST",
        "client-secret-basic" => "CLIENT_SECRET_BASIC",
        _ => "a client_assertion (CLIENT_SECRET_JWT or PRIVATE_KEY_JWT)",
    };
    for stem in WORKFLOWS {
        let method = format!("authMethod={}", wrong_method(stem));
        let mut faults = vec![
            (
                vec!["--env-var", "adminAppSecret=not-the-secret"],
                "Get admin token",
                "the client secret is wrong for application".to_owned(),
            ),
            (
                vec!["--env-var", method.as_str()],
                "Exchange the code for tokens",
                format!(
                    "authenticates with {}, but the request used {}",
                    wrong_method(stem),
                    used(stem)
                ),
            ),
        ];
        if stem.ends_with("-jwt") {
            faults.push((
                vec!["--env-var", "jwtLifetimeSeconds=-60"],
                "Exchange the code for tokens",
                "client_assertion expired".to_owned(),
            ));
        }
        for (args, step, reason) in faults {
            let run = run_workflow(&s, stem, &args);
            assert_eq!(run.code, 1, "{stem} {args:?}:\n{}", run.stdout);
            let block = failure_block(&run.stdout, step).unwrap_or_else(|| {
                panic!("{stem} {args:?}: no failure at {step}:\n{}", run.stdout)
            });
            assert!(
                block.contains("Assertion failed: status is 200")
                    && block.contains("invalid_client")
                    && block.contains(&reason),
                "{stem} {args:?}: {block}"
            );
            let first = &run.stdout[run.stdout.find("1. error:").expect("failures")..];
            assert!(
                first.split("\n\n").next().is_some_and(|b| b.contains(step)),
                "{stem} {args:?}: the first failure is at {step}:\n{first}"
            );
        }
    }
}

#[test]
fn an_expired_admin_token_fails_at_the_first_management_call() {
    let s = Scratch::new("workflows-expired");
    let _server = serve_with(&s, &["--token-lifetime", "-120"]);
    for stem in WORKFLOWS {
        let run = run_workflow(&s, stem, &[]);
        assert_eq!(run.code, 1, "{stem}:\n{}", run.stdout);
        let first = &run.stdout[run.stdout.find("1. error:").expect("failures")..];
        let block = first.split("\n\n").next().unwrap_or_default();
        assert!(
            block.contains("Create application") && block.contains("Assertion failed"),
            "{stem}: the first failure is at the step that uses the expired token:\n{first}"
        );
        assert!(
            run.stdout.contains("INVALID_TOKEN") || block.contains("401"),
            "{stem}: {block}"
        );
    }
}

#[test]
fn provisioning_export_holds_the_application_and_its_secret() {
    let s = Scratch::new("workflows-provision");
    let _server = serve(&s);
    let run = run_workflow(
        &s,
        "client-secret-post",
        &[
            "--folder",
            "Admin token",
            "--folder",
            "Create application",
            "--export-environment",
            "provisioned.json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (app_id, secret) = (
        exported(&s, "provisioned.json", "appID"),
        exported(&s, "provisioned.json", "appSecret"),
    );
    assert_eq!(app_id.len(), 36, "the created application's id: {app_id}");
    assert_eq!(secret.len(), 64, "its client secret");
    assert!(!run.stdout.contains(&secret), "{}", run.stdout);
    // The provisioned application is real: its credentials get a token.
    let login = baton(
        &s.dir,
        &[
            "run",
            &collection_path("client-secret-post"),
            "-e",
            "provisioned.json",
            "--folder",
            "Client credentials token",
        ],
    );
    assert_eq!(login.code, 0, "{}", login.stdout);
}

#[test]
fn secrets_stay_out_of_verbose_output_and_reports_unless_shown() {
    let s = Scratch::new("workflows-secrets");
    let _server = serve(&s);
    for stem in [
        "client-secret-basic",
        "client-secret-jwt",
        "private-key-jwt",
    ] {
        let args = [
            "--verbose",
            "-r",
            "cli,json",
            "--reporter-json-export",
            "report.json",
            "--export-environment",
            "out.json",
        ];
        let run = run_workflow(&s, stem, &args);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let report = std::fs::read_to_string(s.dir.join("report.json")).expect("report");
        let key_line = test_private_key()
            .lines()
            .nth(5)
            .expect("pem body")
            .to_owned();
        let mut secrets: Vec<String> = [
            "adminAppSecret",
            "password",
            "accessToken",
            "userAccessToken",
            "idToken",
            "appAccessToken",
        ]
        .iter()
        .map(|key| exported(&s, "out.json", key))
        .chain([key_line])
        .collect();
        if stem != "private-key-jwt" {
            secrets.push(exported(&s, "out.json", "appSecret"));
        }
        for secret in &secrets {
            assert!(secret.len() >= 12, "{stem}: exported in full: {secret:?}");
            assert!(
                !run.stdout.contains(secret.as_str()),
                "{stem}: {secret} on screen"
            );
            assert!(
                !report.contains(secret.as_str()),
                "{stem}: {secret} in the report"
            );
        }
        // Client assertions are credentials too: the signed JWTs never show.
        assert!(
            !run.stdout.contains("client_assertion=ey"),
            "{}",
            run.stdout
        );
        assert!(!report.contains("client_assertion=ey"), "{stem}");
        assert!(run.stdout.contains("********"), "{stem}");

        let shown = run_workflow(&s, stem, &["--verbose", "--show-secrets"]);
        assert_eq!(shown.code, 0, "{}", shown.stdout);
        let password = exported(&s, "out.json", "password");
        assert!(
            shown.stdout.contains(&password),
            "{stem}: --show-secrets shows them"
        );
        if stem != "client-secret-basic" {
            assert!(shown.stdout.contains("client_assertion=ey"), "{stem}");
        }
    }
}

/// `(method, path)` of each executed request in a Newman-shaped json report, with ids
/// (which differ from run to run) replaced by `{id}`.
/// Method and path of every request in a JSON report, with generated ids replaced by `{id}`.
pub fn request_sequence(report: &Value) -> Vec<(String, String)> {
    report["run"]["executions"]
        .as_array()
        .expect("executions")
        .iter()
        .map(|execution| {
            let request = &execution["request"];
            let path: Vec<String> = request["url"]["path"]
                .as_array()
                .expect("a structured URL")
                .iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect();
            let path: Vec<&str> = path
                .iter()
                .map(|segment| {
                    let text = segment.as_str();
                    let is_id =
                        text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
                    if is_id { "{id}" } else { text }
                })
                .collect();
            (
                request["method"].as_str().unwrap_or_default().to_owned(),
                path.join("/"),
            )
        })
        .collect()
}

#[test]
fn newman_runs_the_shipped_workflows_like_baton() {
    let s = Scratch::new("workflows-newman");
    let _server = serve(&s);
    let key = format!("privateKey={}", test_private_key());
    for stem in WORKFLOWS {
        let collection = collection_path(stem);
        let args = |report: &'static str| {
            vec![
                "run".to_owned(),
                collection.clone(),
                "-e".into(),
                "pingone.json".into(),
                "--env-var".into(),
                key.clone(),
                "-r".into(),
                "json".into(),
                "--reporter-json-export".into(),
                report.into(),
            ]
        };
        let by_newman = newman(
            &s.dir,
            &args("newman.json")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let by_baton = baton(
            &s.dir,
            &args("baton.json")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(
            (by_newman.code, by_baton.code),
            (0, 0),
            "{stem}: newman {}{}",
            by_newman.stdout,
            by_newman.stderr
        );
        let (newman_report, baton_report) = (s.read_json("newman.json"), s.read_json("baton.json"));
        assert_eq!(
            newman_report["run"]["stats"]["assertions"]["failed"], 0,
            "{stem}"
        );
        let sequence = request_sequence(&newman_report);
        assert_eq!(sequence.len(), 9, "{stem}: {sequence:?}");
        assert_eq!(request_sequence(&baton_report), sequence, "{stem}");
        assert_eq!(
            baton_report["run"]["stats"]["assertions"]["total"],
            newman_report["run"]["stats"]["assertions"]["total"],
            "{stem}: the same assertions ran"
        );
    }
}

#[test]
fn demo_runs_the_shipped_workflows_and_is_the_first_readme_command() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README");
    let first_block = readme.split("```").nth(1).expect("a code block").trim();
    assert_eq!(first_block, "cargo run --release -- demo");

    // The command exactly as written, from the repository root. Its release build goes to a target
    // folder of its own: the one this test runs from is locked by `cargo test`.
    let output = std::process::Command::new("sh")
        .args(["-c", first_block])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env(
            "CARGO_TARGET_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/readme-demo"),
        )
        .env("NO_COLOR", "1")
        .output()
        .expect("run the README's first command");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for stem in WORKFLOWS.into_iter().chain([AUTH_BLOCKS]) {
        assert!(
            run.stdout
                .contains(&format!("passed  {stem}.postman_collection.json")),
            "{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("5 of 5 workflows passed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Delete the application"),
        "{}",
        run.stdout
    );
}
