//! The auth host's read-only and token-inspecting endpoints: the discovery document, the
//! JWK set, userinfo (for tokens issued to a signed-on user) and introspection (for an
//! authenticated client), plus the seeded redirect URI, which just echoes what it is sent.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, Uri, header};
use serde_json::{Value, json};

use super::assertion::Audience;
use super::client_auth::authenticate;
use super::request::{Params, base_url};
use super::responses::OAuthError;
use super::state::Server;
use super::tokens::issuer;

/// `GET /{envId}/as/.well-known/openid-configuration`.
pub(crate) async fn discovery(
    AxumState(server): AxumState<Arc<Server>>,
    Path(env_id): Path<String>,
    headers: HeaderMap,
) -> Json<Value> {
    let issuer = issuer(&base_url(&headers, &server.bound_host), &env_id);
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "pi.flow"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["openid", "profile", "email", "address", "phone"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported":
            ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "claims_supported": ["sub", "iss", "auth_time", "acr", "preferred_username", "email", "given_name", "family_name"],
    }))
}

/// `GET /{envId}/as/jwks`.
pub(crate) async fn jwks(AxumState(server): AxumState<Arc<Server>>) -> Json<Value> {
    Json(server.signer.jwks())
}

/// `GET|POST /{envId}/as/userinfo` with a Bearer token issued to a signed-on user.
pub(crate) async fn userinfo(
    AxumState(server): AxumState<Arc<Server>>,
    Path(env_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, OAuthError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            OAuthError::invalid_token("send the access token as Authorization: Bearer")
        })?;
    let claims = server
        .signer
        .verify(token.trim())
        .map_err(|e| OAuthError::invalid_token(e.to_string()))?;
    if claims.get("env").and_then(Value::as_str) != Some(env_id.as_str()) {
        return Err(OAuthError::invalid_token(format!(
            "the access token was not issued in environment {env_id}"
        )));
    }
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let state = server.lock();
    let Some(user) = state
        .store
        .get(&format!("environments/{env_id}/users"), subject)
    else {
        return Err(OAuthError::invalid_token(
            "the access token was not issued to a signed-on user",
        ));
    };
    let mut info = json!({"sub": subject, "preferred_username": user["username"], "env": env_id, "org": state.org_id});
    for (claim, value) in [
        ("email", &user["email"]),
        ("given_name", &user["name"]["given"]),
        ("family_name", &user["name"]["family"]),
    ] {
        if !value.is_null() {
            info[claim] = value.clone();
        }
    }
    Ok(Json(info))
}

/// `POST /{envId}/as/introspect`: the token's claims for an authenticated client.
pub(crate) async fn introspect(
    AxumState(server): AxumState<Arc<Server>>,
    Path(env_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, OAuthError> {
    let base = base_url(&headers, &server.bound_host);
    let params = Params::from_form(&headers, &body)?;
    let token = params.require("token")?.to_owned();
    let endpoint_url = format!("{base}{}", uri.path());
    let issuer = issuer(&base, &env_id);
    {
        let mut state = server.lock();
        let audience = Audience {
            endpoint_url: &endpoint_url,
            issuer: &issuer,
        };
        authenticate(&mut state, &env_id, &audience, &headers, &params)?;
    }
    let answer = match server.signer.verify(&token) {
        Ok(claims) if claims.get("env").and_then(Value::as_str) == Some(env_id.as_str()) => {
            let mut answer = json!({"active": true, "token_type": "Bearer"});
            for (name, value) in claims {
                answer[name] = value;
            }
            answer
        }
        _ => json!({"active": false}),
    };
    Ok(Json(answer))
}

/// `GET /callback`: the seeded redirect URI; shows the parameters it received.
pub(crate) async fn callback(uri: Uri) -> Json<Value> {
    let params: serde_json::Map<String, Value> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
    Json(Value::Object(params))
}
