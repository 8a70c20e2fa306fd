//! The management API under `/v1`: checks the Bearer token, resolves the path through the
//! kinds table (every ancestor must exist), and serves list/create on collections,
//! read/replace/merge/delete on objects, and the few sub-resource actions PingOne has
//! (`users/{id}/password`, `users/{id}/mfaEnabled`, `applications/{id}/secret`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::crud::{create, update};
use super::hal::{render_list, render_object, with_self_link};
use super::kinds::{Kind, find_kind};
use super::request::{base_url, media_type};
use super::responses::ApiError;
use super::state::{Server, State};
use super::{applications, users};

/// Sub-resources that are actions on one object rather than collections: `(owner kind, name)`.
const ACTIONS: [(&str, &str); 3] = [
    ("users", "password"),
    ("users", "mfaEnabled"),
    ("applications", "secret"),
];

/// What a management path names.
enum Target {
    /// A collection of a kind: `.../applications`.
    Collection { path: String, kind: &'static Kind },
    /// One object: `.../applications/{id}`.
    Object {
        collection: String,
        id: String,
        kind: &'static Kind,
    },
    /// An action on one object: `.../applications/{id}/secret`.
    Action {
        collection: String,
        id: String,
        owner: &'static str,
        name: String,
    },
}

/// Resolves path segments (after `/v1/`) to a target, checking that every ancestor exists.
fn resolve(state: &State, segments: &[&str]) -> Result<Target, ApiError> {
    let not_found = || ApiError::not_found(&format!("/v1/{}", segments.join("/")));
    let mut parent: Option<&'static str> = None;
    let mut collection = String::new();
    let mut i = 0;
    loop {
        let segment = *segments.get(i).ok_or_else(not_found)?;
        let Some(kind) = find_kind(segment, parent) else {
            let owner = parent.ok_or_else(not_found)?;
            let is_action = i + 1 == segments.len() && ACTIONS.contains(&(owner, segment));
            let id = collection.rsplit('/').next().unwrap_or_default().to_owned();
            let owner_collection = collection
                .rsplit_once('/')
                .map(|(c, _)| c.to_owned())
                .unwrap_or_default();
            return if is_action {
                Ok(Target::Action {
                    collection: owner_collection,
                    id,
                    owner,
                    name: segment.to_owned(),
                })
            } else {
                Err(not_found())
            };
        };
        if !collection.is_empty() {
            collection.push('/');
        }
        collection.push_str(segment);
        let Some(id) = segments.get(i + 1) else {
            return Ok(Target::Collection {
                path: collection,
                kind,
            });
        };
        if state.store.get(&collection, id).is_none() {
            return Err(not_found());
        }
        if i + 2 == segments.len() {
            return Ok(Target::Object {
                collection,
                id: (*id).to_owned(),
                kind,
            });
        }
        collection.push('/');
        collection.push_str(id);
        parent = Some(kind.segment);
        i += 2;
    }
}

/// Checks the Bearer token: admin-environment workers may do anything; other workers only
/// inside their own environment.
fn authorize(
    state: &State,
    server: &Server,
    headers: &HeaderMap,
    segments: &[&str],
) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::invalid_token("Authorization: Bearer <access token> is required")
        })?;
    let claims = server
        .signer
        .verify(token)
        .map_err(|e| ApiError::invalid_token(e.to_string()))?;
    let env_id = claims
        .get("env")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let client_id = claims
        .get("client_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(app) = state
        .store
        .get(&format!("environments/{env_id}/applications"), client_id)
    else {
        return Err(ApiError::invalid_token(format!(
            "the application {client_id} the token was issued to no longer exists"
        )));
    };
    if app["type"] != "WORKER" {
        return Err(ApiError::access_failed(format!(
            "application {client_id} is not a WORKER application and may not call the management API"
        )));
    }
    let own_environment =
        segments.first() == Some(&"environments") && segments.get(1) == Some(&env_id);
    if env_id == state.admin_env_id || own_environment {
        Ok(())
    } else {
        Err(ApiError::access_failed(format!(
            "a worker of environment {env_id} may only manage that environment"
        )))
    }
}

fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_request(format!("the request body is not JSON: {e}")))
}

/// The `/v1/...` handler.
pub(crate) async fn handle(
    AxumState(server): AxumState<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let api_base = format!("{}/v1", base_url(&headers, &server.bound_host));
    let path = uri.path().trim_start_matches("/v1");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut state = server.lock();
    authorize(&state, &server, &headers, &segments)?;
    let target = resolve(&state, &segments)?;
    let not_allowed = || ApiError::method_not_allowed(method.as_str(), uri.path());
    let (status, shown) = match (target, &method) {
        (Target::Collection { path, kind }, &Method::GET) => (
            StatusCode::OK,
            render_list(&api_base, &path, kind.segment, state.store.list(&path)),
        ),
        (Target::Collection { path, kind }, &Method::POST) => {
            let made = create(&mut state, kind, &path, parse_body(&body)?)?;
            (StatusCode::CREATED, render_object(&api_base, &path, &made))
        }
        (Target::Object { collection, id, .. }, &Method::GET) => {
            let object = state
                .store
                .get(&collection, &id)
                .cloned()
                .unwrap_or_default();
            (
                StatusCode::OK,
                render_object(&api_base, &collection, &object),
            )
        }
        (
            Target::Object {
                collection,
                id,
                kind,
            },
            &Method::PUT | &Method::PATCH,
        ) => {
            let merge = method == Method::PATCH;
            let updated = update(
                &mut state,
                kind,
                &collection,
                &id,
                parse_body(&body)?,
                merge,
            )?;
            (
                StatusCode::OK,
                render_object(&api_base, &collection, &updated),
            )
        }
        (Target::Object { collection, id, .. }, &Method::DELETE) => {
            state.store.remove(&collection, &id);
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        (Target::Object { .. }, _) | (Target::Collection { .. }, _) => return Err(not_allowed()),
        (
            Target::Action {
                collection,
                id,
                owner,
                name,
            },
            _,
        ) => {
            let env_id = segments.get(1).copied().unwrap_or_default();
            let shown = match (owner, name.as_str(), &method) {
                ("users", "password", &Method::PUT) => users::put_password(
                    &mut state,
                    env_id,
                    &id,
                    &media_type(&headers),
                    &parse_body(&body)?,
                )?,
                ("users", "mfaEnabled", &Method::PUT) => {
                    users::put_mfa_enabled(&mut state, &collection, &id, &parse_body(&body)?)?
                }
                ("applications", "secret", &Method::GET) => {
                    applications::read_secret(&mut state, env_id, &id)
                }
                ("applications", "secret", &Method::POST) => {
                    applications::rotate_secret(&mut state, env_id, &id)
                }
                _ => return Err(not_allowed()),
            };
            let href = format!("{api_base}/{collection}/{id}/{name}");
            (StatusCode::OK, with_self_link(shown, &href))
        }
    };
    Ok((status, Json(shown)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::unix_now;
    use crate::signing::Signer;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
        headers.insert(header::AUTHORIZATION, value);
        headers
    }

    #[test]
    fn expired_token_is_invalid_token_and_non_worker_is_access_failed() {
        let mut state = state();
        state.admin_env_id = "e".into();
        state.store.insert(
            "environments/e/applications",
            json!({"id": "w", "type": "WORKER"}),
        );
        state.store.insert(
            "environments/e/applications",
            json!({"id": "web", "type": "WEB_APP"}),
        );
        let server = Server::new(
            State::new(None),
            Signer::generate("k".into()).expect("key"),
            "h".into(),
        );
        let token = |client: &str, exp: u64| {
            server
                .signer
                .sign(&json!({"env": "e", "client_id": client, "exp": exp}))
        };
        let later = unix_now() + 60;
        assert!(authorize(&state, &server, &bearer(&token("w", later)), &["roles"]).is_ok());
        let expired = authorize(
            &state,
            &server,
            &bearer(&token("w", unix_now() - 1)),
            &["roles"],
        );
        assert_eq!(expired.expect_err("expired").code(), "INVALID_TOKEN");
        let web = authorize(&state, &server, &bearer(&token("web", later)), &["roles"]);
        assert_eq!(web.expect_err("web app").code(), "ACCESS_FAILED");
        let deleted = authorize(&state, &server, &bearer(&token("gone", later)), &["roles"]);
        assert_eq!(deleted.expect_err("gone").code(), "INVALID_TOKEN");
    }

    fn state() -> State {
        let mut state = State::new(Some(8));
        state.store.insert("environments", json!({"id": "e"}));
        state
            .store
            .insert("environments/e/applications", json!({"id": "a"}));
        state
    }

    #[test]
    fn paths_resolve_to_collections_objects_and_actions() {
        let state = state();
        assert!(matches!(
            resolve(&state, &["environments"]),
            Ok(Target::Collection { .. })
        ));
        assert!(matches!(
            resolve(&state, &["environments", "e", "applications", "a"]),
            Ok(Target::Object { .. })
        ));
        match resolve(
            &state,
            &["environments", "e", "applications", "a", "secret"],
        ) {
            Ok(Target::Action {
                collection,
                id,
                owner,
                name,
            }) => {
                assert_eq!(
                    (collection.as_str(), id.as_str(), owner, name.as_str()),
                    ("environments/e/applications", "a", "applications", "secret")
                );
            }
            _ => panic!("expected an action"),
        }
        assert!(matches!(
            resolve(
                &state,
                &["environments", "e", "applications", "a", "grants"]
            ),
            Ok(Target::Collection { .. })
        ));
    }

    #[test]
    fn unknown_ancestors_and_segments_are_not_found() {
        let state = state();
        for path in [
            &["environments", "x", "applications"][..],
            &["environments", "e", "applications", "zz", "secret"],
            &["environments", "e", "widgets"],
            &["environments", "e", "users", "u", "secret"],
            &[],
        ] {
            assert!(resolve(&state, path).is_err(), "{path:?}");
        }
    }
}
