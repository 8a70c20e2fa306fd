//! Running the binary in a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A scratch directory removed on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("baton-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn json(&self, name: &str, value: &Value) -> PathBuf {
        self.write(name, serde_json::to_vec_pretty(value).unwrap())
    }

    pub fn read_json(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.dir.join(name)).unwrap()).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The result of one `baton` invocation.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn baton(dir: &Path, args: &[&str]) -> Run {
    baton_with_env(dir, args, &[])
}

/// `baton` with further environment variables set.
pub fn baton_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run baton");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Accepts connections on 127.0.0.1 on a thread of its own, which ends with the test process,
/// and hands each to `handle` on a task of its own; returns the address.
pub fn serve_connections<F, Fut>(handle: F) -> std::net::SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(handle(stream));
                }
            }
        });
    });
    addr
}

/// A v2.1 collection around the given items.
pub fn collection(items: Value) -> Value {
    serde_json::json!({
        "info": {"name": "Test", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": items,
    })
}

/// Runs `work` on every job with `workers` threads, each taking the next job as it finishes one
/// (runs of real tools overlap well: many wait on timers or the network), and gives the results
/// back in the order of `jobs`.
pub fn run_jobs<J: Sync, T: Send>(
    jobs: &[J],
    workers: usize,
    work: impl Fn(&J) -> T + Sync,
) -> Vec<T> {
    let results: std::sync::Mutex<Vec<Option<T>>> =
        std::sync::Mutex::new(jobs.iter().map(|_| None).collect());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else {
                        return;
                    };
                    let result = work(job);
                    results.lock().unwrap()[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// Whether `s` starts with a UUID (`8-4-4-4-12` hex digits), for masking random values.
pub fn starts_with_uuid(s: &[u8]) -> bool {
    s.len() >= 36
        && s[..36].iter().enumerate().all(|(k, c)| match k {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `s` starts with an ISO 8601 date and time (`2026-11-30T19:41:53`), for masking.
pub fn starts_with_iso_time(s: &[u8]) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    s.len() >= shape.len()
        && shape.iter().zip(s).all(|(p, c)| match p {
            b'd' => c.is_ascii_digit(),
            p => p == c,
        })
}

/// Whether `s` starts with a time of day (`23:14:05`), as `Date.prototype.toUTCString()` and HTTP
/// dates hold it, for masking.
pub fn starts_with_clock_time(s: &[u8]) -> bool {
    let shape = b"dd:dd:dd";
    s.len() >= shape.len()
        && shape.iter().zip(s).all(|(p, c)| match p {
            b'd' => c.is_ascii_digit(),
            p => p == c,
        })
}

/// The value of `key` in a Postman `values` list (an environment, an export, a report's scope).
pub fn value_of(values: &Value, key: &str) -> Option<Value> {
    values
        .as_array()?
        .iter()
        .find(|v| v["key"] == key)
        .map(|v| v["value"].clone())
}
