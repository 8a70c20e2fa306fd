//! OAuth 2.0 tokens fetched headlessly for `oauth2` auth blocks that have a grant and no
//! `accessToken`: the token request goes through the run's client (so TLS options,
//! `--connect-to`, proxies and cookies hold for it too), and each token is kept for the run, so
//! the requests that share a client share one fetch. An expired token with a refresh token is
//! refreshed; the browser grants follow the authorization request as far as it goes without a
//! form. Every exchange is recorded for the reports.

mod browser;
mod grant;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::collection::{Auth, Body, KeyValue, ProtocolProfileBehavior, Request, Url};
use crate::http::{FileAccess, HttpClient, HttpError, Response, WireRequest, build_wire_request};

use browser::{Authorized, follow_authorization};
use grant::{AssertionClock, TokenRequest, code_request, refresh_request, token_request};

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
    /// A browser grant's authorization request stopped at a page (a sign-on form, a consent)
    /// instead of redirecting to the `redirect_uri`.
    #[error(
        "`{item}` needs a browser for its OAuth 2.0 grant `{grant}`: the authorization request stopped at {url} with {status} instead of redirecting to the redirect_uri; without a browser Baton runs {}",
        grant::HEADLESS_GRANTS
    )]
    NeedsBrowser {
        /// The item whose auth block it is.
        item: String,
        /// The grant, as Postman names it.
        grant: String,
        /// The URL that answered without a redirect.
        url: String,
        /// Its status code.
        status: u16,
    },
    /// The authorization server redirected to the `redirect_uri` with an `error`, or answered
    /// the authorization request with an error status.
    #[error(
        "the authorization request to {url} was refused{}{}",
        .status.map(|s| format!(" with {s}")).unwrap_or_default(),
        reason_text(.error, .description)
    )]
    AuthorizationRefused {
        /// The authorization URL.
        url: String,
        /// The HTTP status, when the server answered with an error status rather than a redirect.
        status: Option<u16>,
        /// The server's `error` code, when it sent one.
        error: Option<String>,
        /// The server's `error_description`, when it sent one.
        description: Option<String>,
    },
    /// The redirect to the `redirect_uri` carried neither a code (a token for `implicit`) nor an
    /// error, or another `state` than the one sent.
    #[error("the redirect from {url} to the redirect_uri carries {what}")]
    BadRedirect {
        /// The authorization URL.
        url: String,
        /// What is wrong with it.
        what: &'static str,
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

/// A fetched token, until when it may be used (`None`: the server gave no `expires_in`) and the
/// refresh token that renews it.
#[derive(Debug, Clone)]
struct CachedToken {
    token: String,
    usable_until: Option<Instant>,
    refresh_token: Option<String>,
}

/// What a token endpoint (or an implicit grant's redirect) granted.
#[derive(Debug, Clone)]
struct Granted {
    token: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

/// Which step of getting a token an exchange was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStep {
    /// One hop of a browser grant's authorization request.
    Authorize,
    /// A token request for the block's grant (or an authorization code).
    Token,
    /// A refresh token traded for a new token.
    Refresh,
}

impl TokenStep {
    /// How the reports name the step.
    pub fn label(self) -> &'static str {
        match self {
            TokenStep::Authorize => "oauth2 authorize",
            TokenStep::Token => "oauth2 token",
            TokenStep::Refresh => "oauth2 refresh",
        }
    }
}

/// One HTTP exchange Baton made to get an item's token, kept for the reports (which mask it).
#[derive(Debug, Clone)]
pub struct TokenExchange {
    /// Which step it was.
    pub step: TokenStep,
    /// The request as built: URL, headers, form body.
    pub request: Request,
    /// What went on the wire.
    pub wire: WireRequest,
    /// The response, or why none came.
    pub response: Result<Response, HttpError>,
}

/// What getting an item's token did: the HTTP exchanges, for the reports, and the secrets they
/// carried (the block's secret and password, a client assertion, codes and tokens), for the
/// masker, whether a token came of it or not.
#[derive(Debug, Default)]
pub(super) struct TokenLog {
    /// The exchanges in order.
    pub exchanges: Vec<TokenExchange>,
    /// Secrets to mask from here on.
    pub secrets: Vec<String>,
}

/// The tokens fetched during one run.
#[derive(Debug, Default)]
pub(super) struct TokenCache {
    tokens: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl TokenCache {
    /// `auth` with a token, when it is an `oauth2` block that asks Baton for one; `None` leaves
    /// the block as it is. `item` names the request in a browser grant's failure; each HTTP
    /// exchange made is pushed onto `log`.
    pub(super) async fn authorize(
        &self,
        auth: &Auth,
        item: &str,
        client: &HttpClient,
        files: &FileAccess,
        log: &mut TokenLog,
    ) -> Option<Result<Auth, TokenError>> {
        if !grant::wants_token(auth) {
            return None;
        }
        let key = TokenKey::of(auth);
        let cached = self.lock().get(&key).cloned();
        let now = Instant::now();
        log.secrets.extend(known_secrets(auth));
        let refresh = match cached {
            Some(c) if c.usable_until.is_none_or(|until| now < until) => {
                return Some(Ok(with_token(auth, c.token)));
            }
            Some(c) => c.refresh_token,
            None => None,
        };
        // A refresh that fails for any reason falls back to the grant itself.
        let refreshed = match refresh {
            Some(refresh) => {
                let request = refresh_request(auth, &refresh, clock(&uuid()));
                match request {
                    Ok(request) => {
                        log.secrets.extend(request.assertion.clone());
                        let fetched = fetch(&request, TokenStep::Refresh, client, files, log).await;
                        fetched.ok().map(|mut granted| {
                            granted.refresh_token = granted.refresh_token.or(Some(refresh));
                            granted
                        })
                    }
                    Err(_) => None,
                }
            }
            None => None,
        };
        let granted = match refreshed {
            Some(granted) => Ok(granted),
            None => grant_token(auth, item, client, files, log).await,
        };
        Some(granted.map(|granted| {
            let usable_until = granted.expires_in.map(|secs| {
                Instant::now() + Duration::from_secs(secs).saturating_sub(EXPIRY_MARGIN)
            });
            self.lock().insert(
                key,
                CachedToken {
                    token: granted.token.clone(),
                    usable_until,
                    refresh_token: granted.refresh_token.clone(),
                },
            );
            with_token(auth, granted.token)
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, CachedToken>> {
        // A panic while holding the lock leaves a plain map behind, still usable.
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fresh `jti` (or PKCE state).
fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The clock a client assertion made now carries.
fn clock(jti: &str) -> AssertionClock<'_> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    AssertionClock { now, jti }
}

/// Parameters whose values are credentials when a block lists them in `tokenRequestParams` or
/// `refreshRequestParams` (a hand-made client assertion, as Postman users write them).
const CREDENTIAL_PARAMS: [&str; 5] = [
    "client_assertion",
    "client_secret",
    "assertion",
    "refresh_token",
    "code_verifier",
];

/// The block's own secrets, which its token requests carry and the reports must mask even when
/// they were typed into the collection.
fn known_secrets(auth: &Auth) -> Vec<String> {
    let own = ["clientSecret", "password", "clientAssertionPrivateKey"]
        .into_iter()
        .filter_map(|key| grant::given(auth, key));
    let listed = auth
        .params
        .iter()
        .filter(|(key, _)| key == "tokenRequestParams" || key == "refreshRequestParams")
        .filter_map(|(_, value)| value.as_array())
        .flatten()
        .filter(|entry| {
            let key = entry.get("key").and_then(Value::as_str).unwrap_or_default();
            CREDENTIAL_PARAMS.contains(&key)
        })
        .filter_map(|entry| entry.get("value").and_then(Value::as_str))
        .filter(|value| !value.is_empty())
        .map(str::to_string);
    own.chain(listed).collect()
}

/// Gets a token by the block's own grant: one token request, or the authorization request and
/// then (but for `implicit`) the code's exchange.
async fn grant_token(
    auth: &Auth,
    item: &str,
    client: &HttpClient,
    files: &FileAccess,
    log: &mut TokenLog,
) -> Result<Granted, TokenError> {
    let jti = uuid();
    let grant = auth.param("grant_type").unwrap_or_default();
    let request = match grant.as_str() {
        "authorization_code" | "authorization_code_with_pkce" | "implicit" => {
            match follow_authorization(auth, item, client, files, log).await? {
                Authorized::Token(granted) => return Ok(granted),
                Authorized::Code { code, verifier } => {
                    log.secrets.push(code.clone());
                    log.secrets.extend(verifier.clone());
                    code_request(auth, &code, verifier.as_deref(), clock(&jti))?
                }
            }
        }
        _ => token_request(auth, clock(&jti))?,
    };
    log.secrets.extend(request.assertion.clone());
    fetch(&request, TokenStep::Token, client, files, log).await
}

/// `auth` with `token` as its `accessToken`.
fn with_token(auth: &Auth, token: String) -> Auth {
    let mut auth = auth.clone();
    auth.params.retain(|(key, _)| key != "accessToken");
    auth.params
        .push(("accessToken".into(), Value::String(token)));
    auth
}

/// Sends a request the token flow needs, recording the exchange in `log`.
async fn exchange(
    http: Request,
    step: TokenStep,
    behavior: &ProtocolProfileBehavior,
    client: &HttpClient,
    files: &FileAccess,
    log: &mut TokenLog,
) -> Result<Response, HttpError> {
    let wire = build_wire_request(&http, None, behavior, files)?;
    let response = client.send(&wire, behavior).await;
    log.exchanges.push(TokenExchange {
        step,
        request: http,
        wire,
        response: response.clone(),
    });
    response
}

/// A JSON answer's value as text: strings as they are, other values as JSON.
fn text_of(body: &Value, key: &str) -> Option<String> {
    match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

/// Seconds from an `expires_in` written as a number or a string.
fn seconds(text: Option<String>) -> Option<u64> {
    let seconds = text?.trim().parse::<f64>().ok()?;
    Some(seconds.max(0.0) as u64)
}

/// Sends the token request and reads the token, its `expires_in` and refresh token from the
/// answer.
async fn fetch(
    request: &TokenRequest,
    step: TokenStep,
    client: &HttpClient,
    files: &FileAccess,
    log: &mut TokenLog,
) -> Result<Granted, TokenError> {
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
    let response = exchange(http, step, &behavior, client, files, log)
        .await
        .map_err(failed)?;
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    if response.code >= 400 {
        return Err(TokenError::Refused {
            url: request.url.clone(),
            status: response.code,
            error: text_of(&body, "error"),
            description: text_of(&body, "error_description"),
        });
    }
    let token = text_of(&body, "access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::NoToken {
            url: request.url.clone(),
        })?;
    let refresh_token = text_of(&body, "refresh_token").filter(|t| !t.is_empty());
    let secrets = ["access_token", "refresh_token", "id_token"]
        .into_iter()
        .filter_map(|key| text_of(&body, key))
        .filter(|t| !t.is_empty());
    log.secrets.extend(secrets);
    Ok(Granted {
        token,
        expires_in: seconds(text_of(&body, "expires_in")),
        refresh_token,
    })
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
    fn the_blocks_secrets_and_hand_made_credentials_are_known_to_the_masker() {
        let auth = Auth {
            kind: "oauth2".into(),
            params: vec![
                ("clientSecret".into(), Value::String("s".into())),
                ("password".into(), Value::String(String::new())),
                (
                    "tokenRequestParams".into(),
                    serde_json::json!([
                        {"key": "client_assertion", "value": "jwt"},
                        {"key": "tenant", "value": "t1"},
                    ]),
                ),
            ],
        };
        assert_eq!(known_secrets(&auth), ["s", "jwt"]);
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
        let fetched = with_token(&auth, "tok".into());
        assert_eq!(fetched.param("accessToken").as_deref(), Some("tok"));
        assert_eq!(fetched.params.len(), 2);
    }
}
