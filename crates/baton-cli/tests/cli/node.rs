//! The reference tools from npm (`tests/node/package.json`: Newman 6.2.2 and oidc-provider),
//! installed with `npm ci` on first use into `tests/node/node_modules`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::Run;

/// `tests/node`, with its modules installed.
pub fn node_dir() -> &'static Path {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/node");
        let lock = dir.join("package-lock.json");
        let marker = dir.join("node_modules/.package-lock.json");
        // A `node_modules` that is a link to another checkout's install is used as it is: `npm ci`
        // would empty the linked folder, which that checkout still needs.
        let linked = dir
            .join("node_modules")
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        let fresh = linked
            || match (marker.metadata(), lock.metadata()) {
                (Ok(m), Ok(l)) => m.modified().ok() >= l.modified().ok(),
                _ => false,
            };
        if !fresh {
            let status = Command::new("npm")
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .expect("npm must be installed to run the differential tests");
            assert!(status.success(), "npm ci in tests/node failed");
        }
        dir
    })
}

/// Runs the real Newman with `args` in `dir`.
pub fn newman(dir: &Path, args: &[&str]) -> Run {
    newman_with_env(dir, args, &[])
}

/// Runs the real Newman with `args` in `dir` and extra environment variables for node.
pub fn newman_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let script = node_dir().join("node_modules/newman/bin/newman.js");
    // A Newman that never exits fails its test (coreutils `timeout` answers 124) instead of
    // stalling the whole suite.
    let output = Command::new("timeout")
        .args(["180", "node"])
        .arg(script)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run newman");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
