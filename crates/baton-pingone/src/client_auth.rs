//! Token-endpoint client authentication, strict about the application's registered
//! `tokenEndpointAuthMethod`: `CLIENT_SECRET_BASIC` (only the Basic header),
//! `CLIENT_SECRET_POST` (only body credentials), `CLIENT_SECRET_JWT` / `PRIVATE_KEY_JWT`
//! (a client assertion, see `assertion.rs`) and `NONE` (a public client naming itself, which
//! must then prove PKCE). Every refusal is `invalid_client` with the specific reason.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::assertion::{Audience, JWT_BEARER, claimed_client_id, verify_assertion};
use super::request::{Params, form_decode};
use super::responses::OAuthError;
use super::state::State;

/// The credentials a request presented.
#[derive(Debug, PartialEq)]
enum Presented {
    Basic { id: String, secret: String },
    Post { id: String, secret: String },
    Assertion { id: String, assertion: String },
    Nothing { id: String },
}

impl Presented {
    fn method(&self) -> &'static str {
        match self {
            Presented::Basic { .. } => "CLIENT_SECRET_BASIC",
            Presented::Post { .. } => "CLIENT_SECRET_POST",
            Presented::Assertion { .. } => {
                "a client_assertion (CLIENT_SECRET_JWT or PRIVATE_KEY_JWT)"
            }
            Presented::Nothing { .. } => "NONE (no client credentials)",
        }
    }

    fn client_id(&self) -> &str {
        match self {
            Presented::Basic { id, .. }
            | Presented::Post { id, .. }
            | Presented::Assertion { id, .. }
            | Presented::Nothing { id } => id,
        }
    }
}

fn basic_credentials(value: &str) -> Result<(String, String), OAuthError> {
    let malformed =
        || OAuthError::invalid_client("the Authorization header is not valid Basic credentials");
    let decoded = STANDARD.decode(value.trim()).map_err(|_| malformed())?;
    let text = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
    Ok((
        form_decode(id).ok_or_else(malformed)?,
        form_decode(secret).ok_or_else(malformed)?,
    ))
}

/// Works out which method the request used; using more than one is refused.
fn presented(headers: &HeaderMap, params: &Params) -> Result<Presented, OAuthError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let basic = match authorization {
        None => None,
        Some(value) => match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("basic") => {
                Some(basic_credentials(rest)?)
            }
            _ => {
                return Err(OAuthError::invalid_client(
                    "the Authorization header must use the Basic scheme at this endpoint",
                ));
            }
        },
    };
    let secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let body_id = params.get("client_id");
    let used: Vec<&str> = [
        basic.as_ref().map(|_| "an Authorization: Basic header"),
        secret.map(|_| "client_secret in the body"),
        assertion.map(|_| "client_assertion in the body"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if used.len() > 1 {
        return Err(OAuthError::invalid_client(format!(
            "the request used more than one client authentication method ({}); use only the application's",
            used.join(" and ")
        )));
    }
    if let Some((id, secret)) = basic {
        if body_id.is_some_and(|b| b != id) {
            return Err(OAuthError::invalid_client(format!(
                "client_id in the body ({}) does not match the Basic credentials ({id})",
                body_id.unwrap_or_default()
            )));
        }
        return Ok(Presented::Basic { id, secret });
    }
    if let Some(assertion) = assertion {
        match params.get("client_assertion_type") {
            Some(JWT_BEARER) => {}
            Some(other) => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion_type {other} is not supported; use {JWT_BEARER}"
                )));
            }
            None => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion was sent without client_assertion_type {JWT_BEARER}"
                )));
            }
        }
        let id = match body_id {
            Some(id) => id.to_owned(),
            None => claimed_client_id(assertion)?,
        };
        return Ok(Presented::Assertion {
            id,
            assertion: assertion.to_owned(),
        });
    }
    let Some(id) = body_id else {
        return Err(OAuthError::invalid_client(
            "no client authentication: send the application's credentials by its tokenEndpointAuthMethod",
        ));
    };
    Ok(match secret {
        Some(secret) => Presented::Post {
            id: id.to_owned(),
            secret: secret.to_owned(),
        },
        None => Presented::Nothing { id: id.to_owned() },
    })
}

fn check_secret(state: &State, app_id: &str, given: &str) -> Result<(), OAuthError> {
    let Some(secret) = state.secrets.get(app_id) else {
        return Err(OAuthError::invalid_client(format!(
            "application {app_id} has no client secret"
        )));
    };
    if secret.current == given {
        return Ok(());
    }
    if secret.previous.as_deref() == Some(given) {
        return Err(OAuthError::invalid_client(format!(
            "the client secret is application {app_id}'s previous secret, which was replaced and is no longer accepted"
        )));
    }
    Err(OAuthError::invalid_client(format!(
        "the client secret is wrong for application {app_id}"
    )))
}

/// Authenticates the client of a token or introspection request made in `env_id` and
/// returns its application object.
pub(crate) fn authenticate(
    state: &mut State,
    env_id: &str,
    audience: &Audience<'_>,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Value, OAuthError> {
    let presented = presented(headers, params)?;
    if state.store.get("environments", env_id).is_none() {
        return Err(OAuthError::invalid_client(format!(
            "environment {env_id} does not exist"
        )));
    }
    let collection = format!("environments/{env_id}/applications");
    let client_id = presented.client_id();
    let Some(app) = state.store.get(&collection, client_id).cloned() else {
        return Err(OAuthError::invalid_client(format!(
            "unknown client_id {client_id}: no such application in environment {env_id}"
        )));
    };
    if app["enabled"] == Value::Bool(false) {
        return Err(OAuthError::invalid_client(format!(
            "application {client_id} is disabled"
        )));
    }
    let method = app["tokenEndpointAuthMethod"]
        .as_str()
        .unwrap_or("CLIENT_SECRET_BASIC");
    let mismatch = || {
        OAuthError::invalid_client(format!(
            "application {client_id} authenticates with {method}, but the request used {}",
            presented.method()
        ))
    };
    match (&presented, method) {
        (Presented::Basic { secret, .. }, "CLIENT_SECRET_BASIC")
        | (Presented::Post { secret, .. }, "CLIENT_SECRET_POST") => {
            check_secret(state, client_id, secret)?
        }
        (Presented::Assertion { assertion, .. }, "CLIENT_SECRET_JWT" | "PRIVATE_KEY_JWT") => {
            verify_assertion(state, method, assertion, &collection, &app, audience)?;
        }
        (Presented::Nothing { .. }, "NONE") => {}
        _ => return Err(mismatch()),
    }
    Ok(app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    const AUDIENCE: Audience<'static> = Audience {
        endpoint_url: "http://h/e/as/token",
        issuer: "http://h/e/as",
    };

    fn state_with(method: &str) -> State {
        let mut state = State::new(Some(9));
        state.store.insert("environments", json!({"id": "e"}));
        state.store.insert(
            "environments/e/applications",
            json!({"id": "app", "tokenEndpointAuthMethod": method, "enabled": true}),
        );
        crate::applications::after_create(&mut state, "", "app");
        state
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).expect("header"),
        );
        headers
    }

    fn reason(result: Result<Value, OAuthError>) -> String {
        result.expect_err("refused").description().to_owned()
    }

    #[test]
    fn basic_app_accepts_basic_and_refuses_post() {
        let mut state = state_with("CLIENT_SECRET_BASIC");
        let secret = state.secrets["app"].current.clone();
        let none = Params::default();
        assert!(authenticate(&mut state, "e", &AUDIENCE, &basic("app", &secret), &none).is_ok());
        let post = Params::parse(format!("client_id=app&client_secret={secret}").as_bytes())
            .expect("params");
        let why = reason(authenticate(
            &mut state,
            "e",
            &AUDIENCE,
            &HeaderMap::new(),
            &post,
        ));
        assert!(
            why.contains("authenticates with CLIENT_SECRET_BASIC"),
            "{why}"
        );
    }

    #[test]
    fn basic_and_body_secret_together_are_refused() {
        let mut state = state_with("CLIENT_SECRET_BASIC");
        let secret = state.secrets["app"].current.clone();
        let post = Params::parse(format!("client_secret={secret}").as_bytes()).expect("params");
        let why = reason(authenticate(
            &mut state,
            "e",
            &AUDIENCE,
            &basic("app", &secret),
            &post,
        ));
        assert!(why.contains("more than one"), "{why}");
    }

    #[test]
    fn wrong_and_previous_secrets_are_told_apart() {
        let mut state = state_with("CLIENT_SECRET_POST");
        let old = state.secrets["app"].current.clone();
        let params = |s: &str| {
            Params::parse(format!("client_id=app&client_secret={s}").as_bytes()).expect("params")
        };
        let why = reason(authenticate(
            &mut state,
            "e",
            &AUDIENCE,
            &HeaderMap::new(),
            &params("nope"),
        ));
        assert!(why.contains("wrong"), "{why}");
        crate::applications::rotate_secret(&mut state, "e", "app");
        let why = reason(authenticate(
            &mut state,
            "e",
            &AUDIENCE,
            &HeaderMap::new(),
            &params(&old),
        ));
        assert!(why.contains("previous"), "{why}");
    }

    #[test]
    fn unknown_client_and_environment_are_named() {
        let mut state = state_with("NONE");
        let params = Params::parse(b"client_id=ghost").expect("params");
        assert!(
            reason(authenticate(
                &mut state,
                "e",
                &AUDIENCE,
                &HeaderMap::new(),
                &params
            ))
            .contains("unknown client_id ghost")
        );
        assert!(
            reason(authenticate(
                &mut state,
                "x",
                &AUDIENCE,
                &HeaderMap::new(),
                &params
            ))
            .contains("environment x")
        );
        let public = Params::parse(b"client_id=app").expect("params");
        assert!(authenticate(&mut state, "e", &AUDIENCE, &HeaderMap::new(), &public).is_ok());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let (id, secret) = basic_credentials(&STANDARD.encode("my+app:a%3Ab")).expect("decoded");
        assert_eq!((id.as_str(), secret.as_str()), ("my app", "a:b"));
        assert!(basic_credentials("!!!").is_err());
    }
}
