//! The local HTTP server `benches/run.sh` measures the runners against: loopback only, HTTP/1.1
//! keep-alive, the same small JSON body for every method and path; a path under `/slow/` is
//! answered after 100 ms, as a slow API would (the `--parallel` scenario).
//!
//! It is a `harness = false` bench target rather than a binary so that it ships with no user-facing
//! command, and it is written with axum (already a dependency) because the runners take about a
//! tenth of a millisecond per request: a Python server would be the bottleneck and measure itself.
//! `benches/run.sh` starts it with `--serve`; `cargo bench` alone only points to that script.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;

/// A body shaped like the APIs the capture scripts read: an `id` to save, a few other fields.
const BODY: &str =
    r#"{"id":"5f0c7a52-2d1e-4a5b-9c61-0b8f3e4d2a17","name":"bench","enabled":true,"count":42}"#;

/// How long a path under `/slow/` waits before it is answered.
const SLOW: std::time::Duration = std::time::Duration::from_millis(100);

async fn respond(uri: axum::http::Uri) -> impl IntoResponse {
    if uri.path().starts_with("/slow/") {
        tokio::time::sleep(SLOW).await;
    }
    ([(header::CONTENT_TYPE, "application/json")], BODY)
}

fn main() {
    if !std::env::args().any(|a| a == "--serve") {
        println!("the runner benchmark is a script: bash benches/run.sh (see README, Performance)");
        return;
    }
    // One thread is enough: the clients send little, the slow answers wait on a timer, and a
    // single thread leaves the other core to the client being measured.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        // The script reads the port from the first line of stdout.
        println!("{}", listener.local_addr().expect("local address").port());
        let app = Router::new().fallback(respond);
        axum::serve(listener, app).await.expect("serve");
    });
}
