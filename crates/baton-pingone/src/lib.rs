//! A faithful local, in-memory stand-in for the PingOne APIs, so Baton (and anyone) can run
//! real PingOne collections without a tenant. One loopback listener serves both hosts:
//! the auth host (`/{envId}/as/token`, `/as/authorize`, `/flows/{flowId}`, `/as/jwks`,
//! `/as/userinfo`, `/as/introspect`, `/as/.well-known/openid-configuration`) and the
//! management API (`/v1/environments/...`), so an environment with
//! `authPath=http://127.0.0.1:PORT` and `apiPath=http://127.0.0.1:PORT/v1` drives PingOne
//! collections unchanged.
//!
//! It is strict where a runner's mistakes show: the token endpoint accepts only the
//! application's registered `tokenEndpointAuthMethod` and says exactly why it refused a
//! client. It stands apart from the rest of Baton (no runner or collection code), so it is
//! an independent check of the runner. It never prints.
//!
//! Tokens are ES256 JWTs signed by a P-256 key generated at start (published at
//! `/as/jwks`). Applications register public keys for `PRIVATE_KEY_JWT` through their
//! `jwks` property or `POST .../applications/{id}/keys` with a JWK or a PEM public key.

mod app_keys;
mod applications;
mod assertion;
mod authorize;
mod client_auth;
mod clock;
mod crud;
mod environment_file;
mod environments;
mod flows;
mod hal;
mod kinds;
mod management;
mod oidc_endpoints;
mod pkce;
mod request;
mod responses;
mod router;
mod seed;
mod signing;
mod state;
mod store;
mod token_endpoint;
mod tokens;
mod users;

use std::io;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::signing::Signer;
use self::state::{Server, State};

/// How to start the stand-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PingOneOptions {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one.
    pub port: u16,
    /// Makes every id, secret and password reproducible (the signing key stays random).
    pub seed: Option<u64>,
    /// Lifetime of issued tokens in seconds (default one hour); a negative value issues tokens
    /// that are already expired, to see how a workflow fails on an expired token.
    pub token_lifetime_seconds: Option<i64>,
}

/// A running stand-in. Dropping it stops the server too; [`RunningPingOne::shutdown`]
/// also waits for it to finish.
pub struct RunningPingOne {
    base_url: String,
    environment: Value,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl RunningPingOne {
    /// `http://127.0.0.1:PORT`: the `authPath`; the `apiPath` is this plus `/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Postman environment (template shape) that points collections at this server,
    /// filled with the seeded ids and credentials.
    pub fn environment(&self) -> Value {
        self.environment.clone()
    }

    /// Writes [`RunningPingOne::environment`] to `path` atomically (temporary file + rename).
    pub fn write_environment(&self, path: impl AsRef<Path>) -> io::Result<()> {
        environment_file::write_atomically(path.as_ref(), &self.environment)
    }

    /// Stops accepting requests, lets requests in progress finish, and waits for the server.
    pub async fn shutdown(self) -> io::Result<()> {
        // The server may already have stopped on its own; then there is no one to tell.
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }
}

/// Seeds a new stand-in and serves it on 127.0.0.1 (never other interfaces).
pub async fn start(options: PingOneOptions) -> io::Result<RunningPingOne> {
    let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
    let bound_host = listener.local_addr()?.to_string();
    let base_url = format!("http://{bound_host}");
    let mut state = State::new(options.seed);
    let seeded = seed::seed(&mut state);
    let file_id = state.new_id();
    let environment = environment_file::environment_file(&file_id, &base_url, &seeded);
    let signer = Signer::generate(state.new_id())?;
    let mut server = Server::new(state, signer, bound_host);
    if let Some(seconds) = options.token_lifetime_seconds {
        server.token_seconds = seconds;
    }
    let server = Arc::new(server);
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router::router(server);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender also means stop.
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningPingOne {
        base_url,
        environment,
        stop,
        task,
    })
}
