//! Redirect-less sign-on flows (`response_mode=pi.flow`): showing a flow, checking a
//! username and password against the environment's users, completing the flow with an
//! authorization code and an `ST` session cookie.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::clock::{iso8601, unix_now};
use super::request::{base_url, media_type};
use super::responses::{ApiError, Detail};
use super::state::{AuthCode, Flow, FlowStatus, Server, Session, State};
use super::store::id_of;

/// Content type of the `usernamePassword.check` action.
pub(crate) const USERNAME_PASSWORD_CHECK: &str =
    "application/vnd.pingidentity.usernamePassword.check+json";

/// How long a flow waits for credentials.
pub(crate) const FLOW_SECONDS: u64 = 15 * 60;

/// How long an authorization code may wait to be exchanged.
const CODE_SECONDS: u64 = 60;

/// How long a sign-on session lasts.
const SESSION_SECONDS: u64 = 8 * 3600;

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "ST";

/// The flow as the API shows it.
pub(crate) fn render_flow(state: &State, base: &str, flow_id: &str, flow: &Flow) -> Value {
    let env_id = &flow.request.env_id;
    let href = format!("{base}/{env_id}/flows/{flow_id}");
    let app_name = state
        .store
        .get(
            &format!("environments/{env_id}/applications"),
            &flow.request.client_id,
        )
        .map_or(Value::Null, |app| app["name"].clone());
    let mut shown = json!({
        "id": flow_id,
        "environment": {"id": env_id},
        "resumeUrl": format!("{base}/{env_id}/as/resume?flowId={flow_id}"),
        "createdAt": iso8601(flow.created_at),
        "expiresAt": iso8601(flow.expires_at),
        "_links": {"self": {"href": href}},
        "_embedded": {"application": {"name": app_name}},
    });
    match flow.status {
        FlowStatus::UsernamePasswordRequired => {
            shown["status"] = json!("USERNAME_PASSWORD_REQUIRED");
            shown["_links"]["usernamePassword.check"] = json!({"href": href});
        }
        FlowStatus::Completed => {
            shown["status"] = json!("COMPLETED");
            let mut answer = json!({"code": flow.code});
            if let Some(client_state) = &flow.request.state {
                answer["state"] = json!(client_state);
            }
            shown["authorizeResponse"] = answer;
            let user = flow
                .user_id
                .as_deref()
                .and_then(|id| state.store.get(&format!("environments/{env_id}/users"), id));
            if let Some(user) = user {
                shown["_embedded"]["user"] =
                    json!({"id": user["id"], "username": user["username"]});
            }
        }
    }
    shown
}

/// Completes a flow for a signed-on user: issues its authorization code.
pub(crate) fn complete(state: &mut State, flow_id: &str, user_id: &str, auth_time: u64) {
    let code = state.new_secret(43);
    let Some(flow) = state.flows.get_mut(flow_id) else {
        return;
    };
    flow.status = FlowStatus::Completed;
    flow.user_id = Some(user_id.to_owned());
    flow.code = Some(code.clone());
    let grant = AuthCode {
        request: flow.request.clone(),
        user_id: user_id.to_owned(),
        auth_time,
        expires_at: unix_now() + CODE_SECONDS,
    };
    state.codes.insert(code, grant);
}

/// The flow of an environment by id, unless it is unknown or expired.
fn live_flow(state: &State, env_id: &str, flow_id: &str) -> Result<Flow, ApiError> {
    state
        .flows
        .get(flow_id)
        .filter(|f| f.request.env_id == env_id && f.expires_at > unix_now())
        .cloned()
        .ok_or_else(|| ApiError::not_found(&format!("{env_id}/flows/{flow_id}")))
}

/// `GET /{envId}/flows/{flowId}`.
pub(crate) async fn show(
    AxumState(server): AxumState<Arc<Server>>,
    Path((env_id, flow_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let base = base_url(&headers, &server.bound_host);
    let state = server.lock();
    let flow = live_flow(&state, &env_id, &flow_id)?;
    Ok(Json(render_flow(&state, &base, &flow_id, &flow)))
}

/// The user an environment knows by this username with this password.
fn check_credentials(state: &State, env_id: &str, body: &Value) -> Result<String, ApiError> {
    let username = body["username"].as_str().filter(|u| !u.is_empty());
    let password = body["password"].as_str().filter(|p| !p.is_empty());
    let (Some(username), Some(password)) = (username, password) else {
        let missing = [
            ("username", username.is_none()),
            ("password", password.is_none()),
        ];
        let details = missing
            .iter()
            .filter(|(_, m)| *m)
            .map(|(f, _)| Detail::required(f))
            .collect();
        return Err(ApiError::invalid_data(details));
    };
    let user = state
        .store
        .list(&format!("environments/{env_id}/users"))
        .iter()
        .find(|u| u["username"] == username && u["enabled"] != Value::Bool(false));
    let user_id = user.map(id_of).unwrap_or_default();
    if user.is_none() || state.passwords.get(user_id).map(String::as_str) != Some(password) {
        return Err(ApiError::invalid_data(vec![Detail::invalid(
            "password",
            "The provided username or password is incorrect",
        )]));
    }
    Ok(user_id.to_owned())
}

/// `POST /{envId}/flows/{flowId}` with a `usernamePassword.check` body.
pub(crate) async fn check(
    AxumState(server): AxumState<Arc<Server>>,
    Path((env_id, flow_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let base = base_url(&headers, &server.bound_host);
    let mut state = server.lock();
    let flow = live_flow(&state, &env_id, &flow_id)?;
    if !media_type(&headers).eq_ignore_ascii_case(USERNAME_PASSWORD_CHECK) {
        return Err(ApiError::unsupported_media_type(USERNAME_PASSWORD_CHECK));
    }
    if flow.status != FlowStatus::UsernamePasswordRequired {
        return Err(ApiError::invalid_request(format!(
            "flow {flow_id} is already COMPLETED; start a new one at /as/authorize"
        )));
    }
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid_request(format!("the body is not JSON: {e}")))?;
    let user_id = check_credentials(&state, &env_id, &body)?;
    let now = unix_now();
    complete(&mut state, &flow_id, &user_id, now);
    let session_id = state.new_secret(32);
    state.sessions.insert(
        session_id.clone(),
        Session {
            env_id: env_id.clone(),
            user_id,
            auth_time: now,
            expires_at: now + SESSION_SECONDS,
        },
    );
    let flow = live_flow(&state, &env_id, &flow_id)?;
    let mut response = Json(render_flow(&state, &base, &flow_id, &flow)).into_response();
    let cookie = format!("{SESSION_COOKIE}={session_id}; Path=/{env_id}; HttpOnly; SameSite=None");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AuthorizeRequest;

    fn state_with_flow() -> State {
        let mut state = State::new(Some(4));
        state.store.insert(
            "environments/e/users",
            json!({"id": "u", "username": "alice", "enabled": true}),
        );
        state.passwords.insert("u".into(), "pw".into());
        let request = AuthorizeRequest {
            env_id: "e".into(),
            client_id: "c".into(),
            redirect_uri: "http://cb".into(),
            scope: "openid".into(),
            state: Some("xyz".into()),
            nonce: None,
            pkce: None,
        };
        let flow = Flow {
            request,
            status: FlowStatus::UsernamePasswordRequired,
            user_id: None,
            code: None,
            created_at: unix_now(),
            expires_at: unix_now() + 60,
        };
        state.flows.insert("f".into(), flow);
        state
    }

    #[test]
    fn right_password_finds_user_and_wrong_one_is_invalid_data() {
        let state = state_with_flow();
        assert_eq!(
            check_credentials(&state, "e", &json!({"username": "alice", "password": "pw"}))
                .expect("ok"),
            "u"
        );
        let wrong = check_credentials(&state, "e", &json!({"username": "alice", "password": "no"}));
        assert_eq!(wrong.expect_err("wrong").code(), "INVALID_DATA");
        let unknown = check_credentials(&state, "e", &json!({"username": "bob", "password": "pw"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn completed_flow_shows_code_and_state() {
        let mut state = state_with_flow();
        complete(&mut state, "f", "u", 1);
        let flow = state.flows["f"].clone();
        let shown = render_flow(&state, "http://h", "f", &flow);
        assert_eq!(shown["status"], "COMPLETED");
        assert_eq!(shown["authorizeResponse"]["state"], "xyz");
        let code = shown["authorizeResponse"]["code"].as_str().expect("code");
        assert!(state.codes.contains_key(code));
        assert_eq!(shown["_embedded"]["user"]["username"], "alice");
    }

    #[test]
    fn waiting_flow_links_the_check_action() {
        let state = state_with_flow();
        let shown = render_flow(&state, "http://h", "f", &state.flows["f"]);
        assert_eq!(shown["status"], "USERNAME_PASSWORD_REQUIRED");
        assert_eq!(
            shown["_links"]["usernamePassword.check"]["href"],
            "http://h/e/flows/f"
        );
    }
}
