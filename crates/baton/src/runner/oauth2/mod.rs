//! OAuth 2.0 tokens fetched headlessly for `oauth2` auth blocks that have a grant and no
//! `accessToken`: the token request goes through the run's client (so TLS options,
//! `--connect-to`, proxies and cookies hold for it too), and each token is kept for the run, so
//! the requests that share a client share one fetch.

mod grant;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::collection::{Auth, Body, KeyValue, Request, Url};
use crate::http::{FileAccess, HttpClient, HttpError, build_wire_request};

use grant::{AssertionClock, TokenRequest, token_request};

/// A cached token is fetched again this long before the server says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// Why Baton could not get a token for an `oauth2` auth block; the request it was for is not
/// sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The block lacks a value the grant needs.
    #[error("the OAuth 2.0 auth block has no `{key}`")]
    Missing {
        /// The missing key, as Postman names it.
        key: &'static str,
    },
    /// A grant Baton does not fetch tokens for.
    #[error("Baton does not fetch tokens for the OAuth 2.0 grant `{0}`")]
    UnsupportedGrant(String),
    /// A `client_authentication` Baton does not know.
    #[error(
        "unknown OAuth 2.0 client_authentication `{0}` (header, body, client_secret_jwt or private_key_jwt)"
    )]
    UnsupportedClientAuthentication(String),
    /// A `clientAssertionAlgorithm` that does not fit the method.
    #[error(
        "the client assertion cannot be signed with `{0}` (client_secret_jwt: HS256, HS384, HS512; private_key_jwt: RS256, RS384, RS512, PS256, PS384, PS512, ES256)"
    )]
    UnsupportedAlgorithm(String),
    /// A `clientAssertionLifetime` that is not a whole number of seconds.
    #[error("the client assertion lifetime `{0}` is not a whole number of seconds")]
    BadLifetime(String),
    /// The key would not load or the assertion would not sign.
    #[error("the client assertion could not be signed: {0}")]
    Key(#[source] jsonwebtoken::errors::Error),
    /// The token request could not be built or sent, or its response not read.
    #[error("the token request to {url} failed: {source}")]
    Send {
        /// The token URL.
        url: String,
        /// What went wrong.
        #[source]
        source: HttpError,
    },
    /// The token endpoint answered with an error.
    #[error("the token request to {url} was refused with {status}{}", reason_text(.error, .description))]
    Refused {
        /// The token URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The server's `error` code, when it sent one.
        error: Option<String>,
        /// The server's `error_description`, when it sent one.
        description: Option<String>,
    },
    /// The token endpoint answered 2xx without an `access_token`.
    #[error("the token response from {url} has no access_token")]
    NoToken {
        /// The token URL.
        url: String,
    },
}

/// `: error (description)` as far as the server said.
fn reason_text(error: &Option<String>, description: &Option<String>) -> String {
    match (error, description) {
        (Some(error), Some(description)) => format!(": {error} ({description})"),
        (Some(error), None) => format!(": {error}"),
        (None, Some(description)) => format!(": {description}"),
        (None, None) => String::new(),
    }
}

/// What tells two token requests apart: the same client asking the same server for the same
/// grant, scope and user shares one token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    url: String,
    client_id: String,
    grant: String,
    scope: String,
    username: String,
}

impl TokenKey {
    fn of(auth: &Auth) -> TokenKey {
        let text = |key: &str| auth.param(key).unwrap_or_default();
        TokenKey {
            url: text("accessTokenUrl"),
            client_id: text("clientId"),
            grant: text("grant_type"),
            scope: text("scope"),
            username: text("username"),
        }
    }
}

/// A fetched token and until when it may be used (`None`: the server gave no `expires_in`).
#[derive(Debug, Clone)]
struct CachedToken {
    token: String,
    usable_until: Option<Instant>,
}

/// A token put in place, and the secrets its fetch made (the token, a client assertion) for the
/// masker.
#[derive(Debug, Clone)]
pub(super) struct Fetched {
    /// The block with the token as its `accessToken`, ready for the auth helper.
    pub auth: Auth,
    /// Secrets that never were in the collection or its variables.
    pub secrets: Vec<String>,
}

/// The tokens fetched during one run.
#[derive(Debug, Default)]
pub(super) struct TokenCache {
    tokens: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl TokenCache {
    /// `auth` with a token, when it is an `oauth2` block that asks Baton for one; `None` leaves
    /// the block as it is.
    pub(super) async fn authorize(
        &self,
        auth: &Auth,
        client: &HttpClient,
        files: &FileAccess,
    ) -> Option<Result<Fetched, TokenError>> {
        if !grant::wants_token(auth) {
            return None;
        }
        let key = TokenKey::of(auth);
        let cached = self.lock().get(&key).cloned();
        let now = Instant::now();
        if let Some(cached) = cached.filter(|c| c.usable_until.is_none_or(|until| now < until)) {
            return Some(Ok(with_token(auth, cached.token, Vec::new())));
        }
        let jti = uuid::Uuid::new_v4().to_string();
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let clock = AssertionClock {
            now: unix,
            jti: &jti,
        };
        let fetched = async {
            let request = token_request(auth, clock)?;
            let (token, expires_in) = fetch(&request, client, files).await?;
            Ok::<_, TokenError>((request.assertion, token, expires_in))
        };
        Some(fetched.await.map(|(assertion, token, expires_in)| {
            let usable_until = expires_in.map(|secs| {
                Instant::now() + Duration::from_secs(secs).saturating_sub(EXPIRY_MARGIN)
            });
            self.lock().insert(
                key,
                CachedToken {
                    token: token.clone(),
                    usable_until,
                },
            );
            let secrets = assertion.into_iter().chain([token.clone()]).collect();
            with_token(auth, token, secrets)
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, CachedToken>> {
        // A panic while holding the lock leaves a plain map behind, still usable.
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `auth` with `token` as its `accessToken`.
fn with_token(auth: &Auth, token: String, secrets: Vec<String>) -> Fetched {
    let mut auth = auth.clone();
    auth.params.retain(|(key, _)| key != "accessToken");
    auth.params
        .push(("accessToken".into(), Value::String(token)));
    Fetched { auth, secrets }
}

/// Sends the token request and reads the token and its `expires_in` from the answer.
async fn fetch(
    request: &TokenRequest,
    client: &HttpClient,
    files: &FileAccess,
) -> Result<(String, Option<u64>), TokenError> {
    let failed = |source| TokenError::Send {
        url: request.url.clone(),
        source,
    };
    let mut url = request.url.clone();
    if !request.query.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&request.query)
            .finish();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    let mut headers = vec![KeyValue::new("Accept", "application/json")];
    headers.extend(request.headers.iter().map(|(k, v)| KeyValue::new(k, v)));
    let http = Request {
        url: Url::parse(&url),
        method: "POST".into(),
        headers,
        body: Some(Body::UrlEncoded(
            request
                .form
                .iter()
                .map(|(k, v)| KeyValue::new(k, v))
                .collect(),
        )),
        auth: None,
        description: None,
    };
    let behavior = Default::default();
    let wire = build_wire_request(&http, None, &behavior, files).map_err(failed)?;
    let response = client.send(&wire, &behavior).await.map_err(failed)?;
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let text = |key: &str| match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    if response.code >= 400 {
        return Err(TokenError::Refused {
            url: request.url.clone(),
            status: response.code,
            error: text("error"),
            description: text("error_description"),
        });
    }
    let token = text("access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::NoToken {
            url: request.url.clone(),
        })?;
    let expires_in = text("expires_in").and_then(|e| e.trim().parse::<f64>().ok());
    Ok((token, expires_in.map(|e| e.max(0.0) as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_url_and_the_servers_reason() {
        let refused = TokenError::Refused {
            url: "http://as/token".into(),
            status: 401,
            error: Some("invalid_client".into()),
            description: Some("client authentication failed".into()),
        };
        assert_eq!(
            refused.to_string(),
            "the token request to http://as/token was refused with 401: invalid_client (client authentication failed)"
        );
        let bare = TokenError::Refused {
            url: "http://as/token".into(),
            status: 500,
            error: None,
            description: None,
        };
        assert_eq!(
            bare.to_string(),
            "the token request to http://as/token was refused with 500"
        );
    }

    #[test]
    fn the_fetched_token_replaces_an_empty_access_token() {
        let auth = Auth {
            kind: "oauth2".into(),
            params: vec![
                ("accessToken".into(), Value::String(String::new())),
                ("addTokenTo".into(), Value::String("header".into())),
            ],
        };
        let fetched = with_token(&auth, "tok".into(), vec!["tok".into()]);
        assert_eq!(fetched.auth.param("accessToken").as_deref(), Some("tok"));
        assert_eq!(fetched.auth.params.len(), 2);
    }
}
