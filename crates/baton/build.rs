//! Bundles the script sandbox's npm libraries (`js/`) into `OUT_DIR/js` for `include_str!`.
//! `js/node_modules` is installed from the committed lockfile with `npm ci --ignore-scripts` when it
//! is missing or older than the lockfile; node and npm are required at build time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let js = manifest.join("js");
    for input in ["package.json", "package-lock.json", "build.mjs"] {
        println!("cargo:rerun-if-changed=js/{input}");
    }
    println!("cargo:rerun-if-changed=js/node_modules/.package-lock.json");

    if needs_install(&js) {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        run(Command::new(npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&js));
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("js");
    run(Command::new("node")
        .arg(js.join("build.mjs"))
        .arg(&out)
        .current_dir(&js));
}

fn needs_install(js: &Path) -> bool {
    let modified = |p: &Path| {
        p.metadata()
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH)
    };
    let installed = js.join("node_modules/.package-lock.json");
    !installed.exists() || modified(&installed) < modified(&js.join("package-lock.json"))
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} (node and npm are needed to build Baton): {e}",
            command.get_program()
        )
    });
    assert!(status.success(), "{command:?} failed with {status}");
}
