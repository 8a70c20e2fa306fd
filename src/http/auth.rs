//! Auth helpers: turning a resolved auth definition into headers or query parameters. Digest needs
//! the server's challenge and is completed by the client after a 401.

use base64::Engine;

use crate::collection::Auth;

use super::HttpError;
use super::digest::DigestParams;

/// What an auth helper adds to a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthParts {
    /// Headers to add; each replaces the request's own header of that name.
    pub headers: Vec<(String, String)>,
    /// Query parameters to append.
    pub query: Vec<(String, String)>,
    /// Digest parameters: the request is signed with them, or answers a challenge.
    pub digest: Option<DigestParams>,
}

/// The headers and parameters a resolved auth helper contributes.
pub fn apply_auth(auth: Option<&Auth>) -> Result<AuthParts, HttpError> {
    let Some(auth) = auth else {
        return Ok(AuthParts::default());
    };
    let param = |key: &str| auth.param(key).unwrap_or_default();
    let mut parts = AuthParts::default();
    match auth.kind.as_str() {
        "noauth" => {}
        "basic" => {
            let credentials = format!("{}:{}", param("username"), param("password"));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            parts
                .headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        // An empty token sends nothing, as in Newman.
        "bearer" => {
            let token = param("token");
            if !token.is_empty() {
                parts
                    .headers
                    .push(("Authorization".into(), format!("Bearer {token}")));
            }
        }
        "apikey" => {
            let key = auth.param("key").unwrap_or_else(|| "x-api-key".into());
            if auth.param("in").as_deref() == Some("query") {
                parts.query.push((key, param("value")));
            } else {
                parts.headers.push((key, param("value")));
            }
        }
        "oauth2" => {
            let token = param("accessToken");
            if !token.is_empty() {
                if auth.param("addTokenTo").as_deref() == Some("queryParams") {
                    parts.query.push(("access_token".into(), token));
                } else {
                    // A prefix given as empty text means none at all (not even a space).
                    let prefix = match auth.param("headerPrefix") {
                        None => "Bearer ".to_string(),
                        Some(prefix) if prefix.trim().is_empty() => String::new(),
                        Some(prefix) => format!("{} ", prefix.trim()),
                    };
                    parts
                        .headers
                        .push(("Authorization".into(), format!("{prefix}{token}")));
                }
            }
        }
        "digest" => parts.digest = Some(DigestParams::from_auth(auth)),
        other => {
            return Err(HttpError::UnsupportedAuth {
                kind: other.to_string(),
            });
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth(kind: &str, params: &[(&str, &str)]) -> Auth {
        Auth {
            kind: kind.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        }
    }

    #[test]
    fn basic_encodes_username_and_password() {
        let parts = apply_auth(Some(&auth(
            "basic",
            &[("username", "app"), ("password", "s3cret")],
        )))
        .unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Basic YXBwOnMzY3JldA==".into())]
        );
    }

    #[test]
    fn apikey_can_go_to_the_query() {
        let parts = apply_auth(Some(&auth(
            "apikey",
            &[("key", "k"), ("value", "v"), ("in", "query")],
        )))
        .unwrap();
        assert_eq!(parts.query, vec![("k".into(), "v".into())]);
        assert!(parts.headers.is_empty());
    }

    #[test]
    fn oauth2_injects_the_given_token() {
        let parts = apply_auth(Some(&auth("oauth2", &[("accessToken", "t")]))).unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Bearer t".into())]
        );
    }

    #[test]
    fn unsupported_auth_types_are_errors() {
        let err = apply_auth(Some(&auth("hawk", &[]))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("auth type `hawk` is not supported")
        );
    }
}
