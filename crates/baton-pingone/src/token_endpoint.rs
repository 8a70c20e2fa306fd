//! `POST /{envId}/as/token`: authenticates the client by its registered method, then serves
//! the `client_credentials` and `authorization_code` grants. Codes are single-use (taken out
//! on first presentation, even if the exchange then fails), bound to the client and
//! redirect URI, short-lived, and checked against their PKCE challenge.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::applications::has_grant;
use super::assertion::Audience;
use super::client_auth::authenticate;
use super::clock::unix_now;
use super::pkce::verifier_matches;
use super::request::{Params, base_url};
use super::responses::OAuthError;
use super::state::{Server, State};
use super::tokens::{Issue, issue, issuer};

/// The grant types this endpoint serves, by their OAuth name and PingOne's.
const GRANTS: [(&str, &str); 2] = [
    ("client_credentials", "CLIENT_CREDENTIALS"),
    ("authorization_code", "AUTHORIZATION_CODE"),
];

/// The token endpoint handler.
pub(crate) async fn token(
    AxumState(server): AxumState<Arc<Server>>,
    Path(env_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = base_url(&headers, &server.bound_host);
    let result = Params::from_form(&headers, &body)
        .and_then(|params| exchange(&server, &base, &env_id, uri.path(), &headers, &params));
    match result {
        Ok(tokens) => {
            let mut response = Json(tokens).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => error.into_response(),
    }
}

/// Runs one token request to its response body.
fn exchange(
    server: &Server,
    base: &str,
    env_id: &str,
    path: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Value, OAuthError> {
    let grant_type = params.require("grant_type")?.to_owned();
    let endpoint_url = format!("{base}{path}");
    let issuer = issuer(base, env_id);
    let mut state = server.lock();
    let audience = Audience {
        endpoint_url: &endpoint_url,
        issuer: &issuer,
    };
    let app = authenticate(&mut state, env_id, &audience, headers, params)?;
    let client_id = app["id"].as_str().unwrap_or_default().to_owned();
    let Some((_, pingone_name)) = GRANTS.iter().find(|(name, _)| *name == grant_type) else {
        return Err(OAuthError::unsupported_grant_type(&grant_type));
    };
    if !has_grant(&app, pingone_name) {
        return Err(OAuthError::unauthorized_client(format!(
            "application {client_id} does not have the {pingone_name} grant type"
        )));
    }
    let org_id = state.org_id.clone();
    if grant_type == "client_credentials" {
        if app["tokenEndpointAuthMethod"] == "NONE" {
            return Err(OAuthError::unauthorized_client(
                "a public client (tokenEndpointAuthMethod NONE) cannot use client_credentials",
            ));
        }
        let scope = params.get("scope").unwrap_or_default();
        return Ok(issue(
            &server.signer,
            &Issue {
                base,
                env_id,
                org_id: &org_id,
                client_id: &client_id,
                scope,
                user: None,
                nonce: None,
                lifetime: server.token_seconds,
            },
        ));
    }
    redeem_code(&mut state, server, base, env_id, &org_id, &app, params)
}

/// The `authorization_code` grant.
fn redeem_code(
    state: &mut State,
    server: &Server,
    base: &str,
    env_id: &str,
    org_id: &str,
    app: &Value,
    params: &Params,
) -> Result<Value, OAuthError> {
    let code = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let client_id = app["id"].as_str().unwrap_or_default();
    let Some(grant) = state.codes.remove(code) else {
        return Err(OAuthError::invalid_grant(
            "the authorization code is unknown or was already used",
        ));
    };
    let request = &grant.request;
    if grant.expires_at <= unix_now() {
        return Err(OAuthError::invalid_grant(
            "the authorization code has expired",
        ));
    }
    if request.client_id != client_id || request.env_id != env_id {
        return Err(OAuthError::invalid_grant(format!(
            "the authorization code was issued to another client, not {client_id}"
        )));
    }
    if request.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(format!(
            "redirect_uri {redirect_uri} does not match {} from the authorization request",
            request.redirect_uri
        )));
    }
    if let Some((challenge, method)) = &request.pkce {
        let Some(verifier) = params.get("code_verifier") else {
            return Err(OAuthError::invalid_grant(
                "code_verifier is required: the authorization request carried a code_challenge",
            ));
        };
        if !verifier_matches(verifier, challenge, method) {
            return Err(OAuthError::invalid_grant(format!(
                "code_verifier does not match the {method} code_challenge"
            )));
        }
    }
    let users = format!("environments/{env_id}/users");
    let Some(user) = state.store.get(&users, &grant.user_id) else {
        return Err(OAuthError::invalid_grant(
            "the user who signed on no longer exists",
        ));
    };
    Ok(issue(
        &server.signer,
        &Issue {
            base,
            env_id,
            org_id,
            client_id,
            scope: &request.scope,
            user: Some((user, grant.auth_time)),
            nonce: request.nonce.as_deref(),
            lifetime: server.token_seconds,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::Signer;
    use crate::state::{AuthCode, AuthorizeRequest};
    use serde_json::json;

    fn state_with_code(expires_at: u64) -> State {
        let mut state = State::new(Some(1));
        state.store.insert(
            "environments/e/users",
            json!({"id": "u", "username": "alice"}),
        );
        let request = AuthorizeRequest {
            env_id: "e".into(),
            client_id: "c".into(),
            redirect_uri: "http://cb".into(),
            scope: "openid".into(),
            state: None,
            nonce: None,
            pkce: None,
        };
        state.codes.insert(
            "code".into(),
            AuthCode {
                request,
                user_id: "u".into(),
                auth_time: 1,
                expires_at,
            },
        );
        state
    }

    fn redeem(state: &mut State) -> Result<Value, OAuthError> {
        let server = Server::new(
            State::new(None),
            Signer::generate("k".into()).expect("key"),
            "h".into(),
        );
        let params = Params::parse(b"code=code&redirect_uri=http://cb").expect("params");
        redeem_code(
            state,
            &server,
            "http://h",
            "e",
            "o",
            &json!({"id": "c"}),
            &params,
        )
    }

    #[test]
    fn fresh_code_is_redeemed_once() {
        let mut state = state_with_code(unix_now() + 60);
        assert!(redeem(&mut state).expect("tokens")["id_token"].is_string());
        assert_eq!(
            redeem(&mut state).expect_err("reused").error(),
            "invalid_grant"
        );
    }

    #[test]
    fn expired_code_is_invalid_grant() {
        let mut state = state_with_code(unix_now() - 1);
        let error = redeem(&mut state).expect_err("expired");
        assert_eq!(error.error(), "invalid_grant");
        assert!(error.description().contains("expired"));
    }
}
