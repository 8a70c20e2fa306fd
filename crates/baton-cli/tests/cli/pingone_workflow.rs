//! A real PingOne setup collection, run by the binary against the local PingOne stand-in that the
//! binary also serves: captured ids and secrets flow from step to step and into the export.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::node::newman;
use crate::support::{Scratch, baton};
use crate::workflows::request_sequence;

pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn serve(scratch: &Scratch) -> Served {
    serve_with(scratch, &[])
}

/// Like [`serve`], with further `baton pingone serve` flags.
pub fn serve_with(scratch: &Scratch, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["pingone", "serve", "--write-env", "pingone.json"])
        .args(extra)
        .current_dir(&scratch.dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the stand-in");
    let stdout = child.stdout.take().expect("stdout");
    let served = Served(child);
    let mut lines = BufReader::new(stdout).lines();
    // The server prints its address, then the environment line once the file is in place.
    loop {
        let line = lines
            .next()
            .expect("the stand-in exited early")
            .expect("read");
        if line.starts_with("environment written") {
            break;
        }
    }
    served
}

#[test]
fn p1mfa_setup_collection_runs_against_the_local_pingone() {
    let s = Scratch::new("p1mfa");
    let _server = serve(&s);
    let collection = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/p1mfa-setup.postman_collection.json"
    );
    let run = baton(
        &s.dir,
        &[
            "run",
            collection,
            "-e",
            "pingone.json",
            // The last item posts to an internet echo service; tests never leave loopback.
            "--folder",
            "0 Premade demo details",
            "--folder",
            "1 Setup Environment",
            "--folder",
            "2 Create Users",
            "--folder",
            "3 Create Applications",
            "--export-environment",
            "out.json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("✓  Validate secret property exists"),
        "{}",
        run.stdout
    );
    let exported = s.read_json("out.json");
    let value = |key: &str| {
        exported["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == key)
            .map(|v| v["value"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    for key in [
        "accessToken",
        "envID",
        "popID",
        "userID-1",
        "appID-workerapp",
        "appID-workerapp-secret",
    ] {
        assert!(!value(key).is_empty(), "{key} was captured");
    }
    assert!(
        !run.stdout.contains(&value("appID-workerapp-secret")),
        "captured secrets are masked"
    );
}

#[test]
fn p1mfa_setup_collection_runs_the_same_under_newman() {
    let s = Scratch::new("p1mfa-newman");
    let _server = serve(&s);
    let collection = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/p1mfa-setup.postman_collection.json"
    );
    let args = |report: &'static str, export: &'static str| {
        vec![
            "run",
            collection,
            "-e",
            "pingone.json",
            "--folder",
            "0 Premade demo details",
            "--folder",
            "1 Setup Environment",
            "--folder",
            "2 Create Users",
            "--folder",
            "3 Create Applications",
            "-r",
            "json",
            "--reporter-json-export",
            report,
            "--export-environment",
            export,
        ]
    };
    let by_newman = newman(&s.dir, &args("newman.json", "newman-env.json"));
    let by_baton = baton(&s.dir, &args("baton.json", "baton-env.json"));
    assert_eq!(
        (by_newman.code, by_baton.code),
        (0, 0),
        "{}{}",
        by_newman.stdout,
        by_newman.stderr
    );
    let (newman_report, baton_report) = (s.read_json("newman.json"), s.read_json("baton.json"));
    assert_eq!(
        request_sequence(&baton_report),
        request_sequence(&newman_report)
    );
    let stats = |report: &serde_json::Value| report["run"]["stats"]["assertions"].clone();
    assert_eq!(stats(&baton_report), stats(&newman_report));
    let keys = |file: &str| {
        let mut keys: Vec<String> = s.read_json(file)["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| !v["value"].as_str().is_some_and(str::is_empty))
            .map(|v| v["key"].as_str().unwrap().to_string())
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys("baton-env.json"),
        keys("newman-env.json"),
        "the same values were captured"
    );
}
