//! The one listener's routes: PingOne's auth host paths under `/{envId}/...`, the
//! management API under `/v1/...`, and the seeded redirect URI `/callback`. Anything else is
//! a PingOne-shaped 404.

use std::sync::Arc;

use axum::Router;
use axum::http::Uri;
use axum::routing::{any, get, post};

use super::responses::ApiError;
use super::state::Server;
use super::{authorize, flows, management, oidc_endpoints, token_endpoint};

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}

/// All routes of the stand-in, sharing one server state.
pub(crate) fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/{env_id}/as/token", post(token_endpoint::token))
        .route(
            "/{env_id}/as/authorize",
            get(authorize::authorize).post(authorize::authorize),
        )
        .route(
            "/{env_id}/flows/{flow_id}",
            get(flows::show).post(flows::check),
        )
        .route("/{env_id}/as/jwks", get(oidc_endpoints::jwks))
        .route(
            "/{env_id}/as/userinfo",
            get(oidc_endpoints::userinfo).post(oidc_endpoints::userinfo),
        )
        .route("/{env_id}/as/introspect", post(oidc_endpoints::introspect))
        .route(
            "/{env_id}/as/.well-known/openid-configuration",
            get(oidc_endpoints::discovery),
        )
        .route("/callback", get(oidc_endpoints::callback))
        .route("/v1/{*path}", any(management::handle))
        .fallback(not_found)
        .with_state(server)
}
