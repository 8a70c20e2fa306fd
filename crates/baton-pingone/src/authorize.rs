//! `GET|POST /{envId}/as/authorize`: validates the client, its registered redirect URI,
//! the response type and PKCE, then starts a sign-on flow. With `response_mode=pi.flow` the
//! flow object comes back as JSON; otherwise a 302 carries the flow id to the sign-on page.
//! A live `ST` session for the environment completes the flow at once.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::applications::has_grant;
use super::clock::unix_now;
use super::flows::{FLOW_SECONDS, SESSION_COOKIE, complete, render_flow};
use super::pkce::is_supported_method;
use super::request::{Params, base_url, cookie, media_type};
use super::responses::OAuthError;
use super::state::{AuthorizeRequest, Flow, FlowStatus, Server, State};

/// Checks an authorize request against the application it names.
fn validate(state: &State, env_id: &str, params: &Params) -> Result<AuthorizeRequest, OAuthError> {
    if state.store.get("environments", env_id).is_none() {
        return Err(OAuthError::invalid_request(format!(
            "environment {env_id} does not exist"
        )));
    }
    let client_id = params.require("client_id")?;
    let Some(app) = state
        .store
        .get(&format!("environments/{env_id}/applications"), client_id)
    else {
        return Err(OAuthError::invalid_request(format!(
            "unknown client_id {client_id}: no such application in environment {env_id}"
        )));
    };
    let redirect_uri = params.require("redirect_uri")?;
    let registered = app["redirectUris"]
        .as_array()
        .is_some_and(|uris| uris.iter().any(|u| u == redirect_uri));
    if !registered {
        return Err(OAuthError::invalid_request(format!(
            "redirect_uri {redirect_uri} is not registered on application {client_id}"
        )));
    }
    let response_type = params.require("response_type")?;
    if response_type != "code" {
        return Err(OAuthError::unsupported_response_type(format!(
            "response_type {response_type} is not supported; use code"
        )));
    }
    if !has_grant(app, "AUTHORIZATION_CODE") {
        return Err(OAuthError::unauthorized_client(format!(
            "application {client_id} does not have the AUTHORIZATION_CODE grant type"
        )));
    }
    let pkce = match params.get("code_challenge") {
        Some(challenge) => {
            let method = params.get("code_challenge_method").unwrap_or("plain");
            if !is_supported_method(method) {
                return Err(OAuthError::invalid_request(format!(
                    "code_challenge_method {method} is not supported; use S256 or plain"
                )));
            }
            Some((challenge.to_owned(), method.to_owned()))
        }
        None => None,
    };
    let enforcement = app["pkceEnforcement"].as_str().unwrap_or("OPTIONAL");
    let public = app["tokenEndpointAuthMethod"] == "NONE";
    match (&pkce, enforcement) {
        (None, _) if public || enforcement != "OPTIONAL" => {
            return Err(OAuthError::invalid_request(format!(
                "application {client_id} requires PKCE: send code_challenge and code_challenge_method"
            )));
        }
        (Some((_, method)), "S256_REQUIRED") if method != "S256" => {
            return Err(OAuthError::invalid_request(format!(
                "application {client_id} requires code_challenge_method S256"
            )));
        }
        _ => {}
    }
    Ok(AuthorizeRequest {
        env_id: env_id.to_owned(),
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: params.get("scope").unwrap_or("openid").to_owned(),
        state: params.get("state").map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        pkce,
    })
}

/// The query string plus, for a form POST, the body: both carry authorize parameters.
fn authorize_params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let mut encoded = uri.query().unwrap_or_default().as_bytes().to_vec();
    if !body.is_empty() && media_type(headers) == "application/x-www-form-urlencoded" {
        encoded.push(b'&');
        encoded.extend_from_slice(body);
    }
    Params::parse(&encoded)
}

/// The authorize handler, for both GET and POST.
pub(crate) async fn authorize(
    AxumState(server): AxumState<Arc<Server>>,
    Path(env_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let base = base_url(&headers, &server.bound_host);
    let params = authorize_params(&uri, &headers, &body)?;
    let mut state = server.lock();
    let request = validate(&state, &env_id, &params)?;
    let now = unix_now();
    let flow_id = state.new_id();
    let flow = Flow {
        request,
        status: FlowStatus::UsernamePasswordRequired,
        user_id: None,
        code: None,
        created_at: now,
        expires_at: now + FLOW_SECONDS,
    };
    state.flows.insert(flow_id.clone(), flow);
    let session = cookie(&headers, SESSION_COOKIE)
        .and_then(|id| state.sessions.get(&id).cloned())
        .filter(|s| s.env_id == env_id && s.expires_at > now);
    if let Some(session) = session {
        complete(&mut state, &flow_id, &session.user_id, session.auth_time);
    }
    let flow = state.flows[&flow_id].clone();
    if params.get("response_mode") == Some("pi.flow") {
        return Ok(Json(render_flow(&state, &base, &flow_id, &flow)).into_response());
    }
    let location = match &flow.code {
        Some(code) => {
            let mut answer = url::form_urlencoded::Serializer::new(String::new());
            answer.append_pair("code", code);
            if let Some(client_state) = &flow.request.state {
                answer.append_pair("state", client_state);
            }
            let separator = if flow.request.redirect_uri.contains('?') {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{separator}{}",
                flow.request.redirect_uri,
                answer.finish()
            )
        }
        None => format!("{base}/{env_id}/signon/?flowId={flow_id}"),
    };
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state_with_app(app: serde_json::Value) -> State {
        let mut state = State::new(Some(6));
        state.store.insert("environments", json!({"id": "e"}));
        state.store.insert("environments/e/applications", app);
        state
    }

    fn web_app() -> serde_json::Value {
        json!({"id": "c", "redirectUris": ["http://cb"], "grantTypes": ["AUTHORIZATION_CODE"],
               "tokenEndpointAuthMethod": "CLIENT_SECRET_POST", "pkceEnforcement": "OPTIONAL"})
    }

    fn params(text: &str) -> Params {
        Params::parse(text.as_bytes()).expect("params")
    }

    #[test]
    fn registered_redirect_uri_is_accepted_and_others_are_not() {
        let state = state_with_app(web_app());
        let ok = validate(
            &state,
            "e",
            &params("client_id=c&redirect_uri=http://cb&response_type=code&state=s"),
        );
        assert_eq!(ok.expect("valid").state.as_deref(), Some("s"));
        let bad = validate(
            &state,
            "e",
            &params("client_id=c&redirect_uri=http://evil&response_type=code"),
        );
        assert!(
            bad.expect_err("refused")
                .description()
                .contains("not registered")
        );
    }

    #[test]
    fn public_client_must_send_pkce() {
        let mut app = web_app();
        app["tokenEndpointAuthMethod"] = json!("NONE");
        let state = state_with_app(app);
        let without = validate(
            &state,
            "e",
            &params("client_id=c&redirect_uri=http://cb&response_type=code"),
        );
        assert!(without.expect_err("refused").description().contains("PKCE"));
        let with = validate(
            &state,
            "e",
            &params(
                "client_id=c&redirect_uri=http://cb&response_type=code&code_challenge=x&code_challenge_method=S256",
            ),
        );
        assert!(with.is_ok());
    }

    #[test]
    fn token_response_type_is_unsupported() {
        let state = state_with_app(web_app());
        let error = validate(
            &state,
            "e",
            &params("client_id=c&redirect_uri=http://cb&response_type=token"),
        );
        assert_eq!(
            error.expect_err("refused").error(),
            "unsupported_response_type"
        );
    }
}
