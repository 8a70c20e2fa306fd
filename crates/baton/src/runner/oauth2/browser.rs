//! The browser grants (`authorization_code`, `authorization_code_with_pkce`, `implicit`) run
//! without a browser: the authorization request is sent and its redirects followed one by one
//! through the run's cookie jar. When the server redirects to the `redirect_uri` (it signs on
//! without a form, or a session cookie already holds) the code or token is read from that
//! redirect; a page instead (a sign-on form, a consent) ends the flow with
//! [`TokenError::NeedsBrowser`].

use aws_lc_rs::digest;
use base64::Engine;
use rand::Rng;
use serde_json::Value;

use crate::collection::{Auth, ProtocolProfileBehavior, Request, Url};
use crate::http::{FileAccess, HttpClient};

use super::grant::{given, required};
use super::{Granted, TokenError, TokenLog, TokenStep, exchange, seconds, uuid};

/// At most this many redirects are followed before the flow is taken for one needing a browser.
const MAX_HOPS: usize = 10;

/// PKCE's unreserved characters (RFC 7636 section 4.1).
const VERIFIER_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// What the redirect to the `redirect_uri` brought.
#[derive(Debug, Clone)]
pub(super) enum Authorized {
    /// An authorization code to exchange, with the PKCE verifier that goes with it.
    Code {
        /// The code.
        code: String,
        /// The verifier whose challenge the authorization request carried.
        verifier: Option<String>,
    },
    /// The token itself (`implicit`).
    Token(Granted),
}

/// A fresh PKCE code verifier: 64 unreserved characters.
fn fresh_verifier() -> String {
    let mut rng = rand::rng();
    (0..64)
        .map(|_| char::from(VERIFIER_ALPHABET[rng.random_range(0..VERIFIER_ALPHABET.len())]))
        .collect()
}

/// The `code_challenge` for `verifier`: `S256` (Base64url of its SHA-256) unless the block asks
/// for `plain`.
fn challenge(verifier: &str, method: &str) -> String {
    match method {
        "plain" => verifier.to_string(),
        _ => {
            let hash = digest::digest(&digest::SHA256, verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.as_ref())
        }
    }
}

/// The authorization request's URL (RFC 6749 sections 4.1.1 and 4.2.1; RFC 7636 section 4.3),
/// with the PKCE verifier whose challenge it carries.
fn authorization_url(auth: &Auth, state: &str) -> Result<(String, Option<String>), TokenError> {
    let base = required(auth, "authUrl")?;
    let grant = auth.param("grant_type").unwrap_or_default();
    let response_type = if grant == "implicit" { "token" } else { "code" };
    let mut query = vec![
        ("response_type".to_string(), response_type.to_string()),
        (
            "client_id".into(),
            auth.param("clientId").unwrap_or_default(),
        ),
        ("redirect_uri".into(), required(auth, "redirect_uri")?),
    ];
    for key in ["scope", "audience", "resource"] {
        if let Some(value) = given(auth, key) {
            query.push((key.into(), value));
        }
    }
    query.push(("state".into(), state.to_string()));
    let verifier = (grant == "authorization_code_with_pkce")
        .then(|| given(auth, "code_verifier").unwrap_or_else(fresh_verifier));
    if let Some(verifier) = &verifier {
        let method = given(auth, "challengeAlgorithm").unwrap_or_else(|| "S256".into());
        query.push(("code_challenge".into(), challenge(verifier, &method)));
        query.push(("code_challenge_method".into(), method));
    }
    if let Some((_, Value::Array(entries))) =
        auth.params.iter().find(|(k, _)| k == "authRequestParams")
    {
        for entry in entries {
            let key = entry.get("key").and_then(Value::as_str).unwrap_or_default();
            let value = entry
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !key.is_empty() && entry.get("enabled") != Some(&Value::Bool(false)) {
                query.push((key.into(), value.into()));
            }
        }
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query)
        .finish();
    let join = if base.contains('?') { '&' } else { '?' };
    Ok((format!("{base}{join}{encoded}"), verifier))
}

/// Whether `location` is the `redirect_uri`: same scheme, host, port and path.
fn is_redirect_uri(location: &url::Url, redirect: &url::Url) -> bool {
    location.scheme() == redirect.scheme()
        && location.host_str() == redirect.host_str()
        && location.port_or_known_default() == redirect.port_or_known_default()
        && location.path() == redirect.path()
}

/// Reads the code (or, for `implicit`, the token from the fragment) from the redirect to the
/// `redirect_uri`.
fn read_redirect(
    location: &url::Url,
    implicit: bool,
    state: &str,
    verifier: Option<String>,
    authorization: &str,
    log: &mut TokenLog,
) -> Result<Authorized, TokenError> {
    let params: Vec<(String, String)> = match implicit {
        true => url::form_urlencoded::parse(location.fragment().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        false => location.query_pairs().into_owned().collect(),
    };
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let url = authorization.to_string();
    if let Some(error) = param("error") {
        return Err(TokenError::AuthorizationRefused {
            url,
            status: None,
            error: Some(error),
            description: param("error_description"),
        });
    }
    if param("state").is_some_and(|s| s != state) {
        return Err(TokenError::BadRedirect {
            url,
            what: "another state than the one sent",
        });
    }
    if implicit {
        let token = param("access_token").filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(TokenError::BadRedirect {
                url,
                what: "no access_token",
            });
        };
        log.secrets
            .extend(["access_token", "id_token"].into_iter().filter_map(param));
        return Ok(Authorized::Token(Granted {
            token,
            expires_in: seconds(param("expires_in")),
            refresh_token: None,
        }));
    }
    match param("code").filter(|c| !c.is_empty()) {
        Some(code) => Ok(Authorized::Code { code, verifier }),
        None => Err(TokenError::BadRedirect {
            url,
            what: "no code",
        }),
    }
}

/// Sends the authorization request of a browser grant and follows its redirects until one goes
/// to the `redirect_uri`.
pub(super) async fn follow_authorization(
    auth: &Auth,
    item: &str,
    client: &HttpClient,
    files: &FileAccess,
    log: &mut TokenLog,
) -> Result<Authorized, TokenError> {
    let state = uuid();
    let (start, verifier) = authorization_url(auth, &state)?;
    let authorization = required(auth, "authUrl")?;
    let redirect_text = required(auth, "redirect_uri")?;
    let redirect = url::Url::parse(&redirect_text).map_err(|_| TokenError::BadRedirect {
        url: authorization.clone(),
        what: "a redirect_uri that is not a URL",
    })?;
    let grant = auth.param("grant_type").unwrap_or_default();
    // Each hop is sent on its own, so that the redirect to the redirect_uri is seen and not sent.
    let behavior = ProtocolProfileBehavior {
        follow_redirects: Some(false),
        ..Default::default()
    };
    let mut current = start;
    let mut status = 0;
    for _ in 0..=MAX_HOPS {
        let http = Request {
            url: Url::parse(&current),
            method: "GET".into(),
            headers: Vec::new(),
            body: None,
            auth: None,
            description: None,
        };
        let response = exchange(http, TokenStep::Authorize, &behavior, client, files, log)
            .await
            .map_err(|source| TokenError::Send {
                url: authorization.clone(),
                source,
            })?;
        status = response.code;
        let location = match (response.code, response.header("location")) {
            (300..=399, Some(location)) => location.to_string(),
            // An error answer is the server's refusal, not a page for a browser.
            (400.., _) => {
                let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
                let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
                return Err(TokenError::AuthorizationRefused {
                    url: authorization,
                    status: Some(response.code),
                    error: text("error"),
                    description: text("error_description"),
                });
            }
            _ => break,
        };
        let base = url::Url::parse(&current).ok();
        let next = url::Url::options()
            .base_url(base.as_ref())
            .parse(&location)
            .map_err(|_| TokenError::BadRedirect {
                url: authorization.clone(),
                what: "a Location that is not a URL",
            })?;
        if is_redirect_uri(&next, &redirect) {
            let implicit = grant == "implicit";
            return read_redirect(&next, implicit, &state, verifier, &authorization, log);
        }
        current = next.to_string();
    }
    Err(TokenError::NeedsBrowser {
        item: item.to_string(),
        grant,
        url: strip_query(&current),
        status,
    })
}

/// A URL without its query and fragment, which may hold the state and the PKCE challenge.
fn strip_query(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block(params: Value) -> Auth {
        let Value::Object(map) = params else {
            panic!("an object")
        };
        Auth {
            kind: "oauth2".into(),
            params: map.into_iter().collect(),
        }
    }

    #[test]
    fn s256_challenge_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge(verifier, "S256"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge(verifier, "plain"), verifier);
    }

    #[test]
    fn a_pkce_authorization_request_carries_a_fresh_s256_challenge() {
        let auth = block(json!({
            "grant_type": "authorization_code_with_pkce", "authUrl": "https://as.example/authorize",
            "clientId": "app", "redirect_uri": "https://app.example/cb", "scope": "openid",
        }));
        let (first, verifier) = authorization_url(&auth, "st").unwrap();
        let verifier = verifier.expect("a verifier");
        assert_eq!(verifier.len(), 64);
        let parsed = url::Url::parse(&first).unwrap();
        let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let expected = [
            ("response_type", "code"),
            ("client_id", "app"),
            ("redirect_uri", "https://app.example/cb"),
            ("scope", "openid"),
            ("state", "st"),
            ("code_challenge", &challenge(&verifier, "S256")),
            ("code_challenge_method", "S256"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(query, expected);
        let (_, again) = authorization_url(&auth, "st").unwrap();
        assert_ne!(again.as_deref(), Some(verifier.as_str()));
    }

    #[test]
    fn the_redirect_gives_a_code_or_an_implicit_token_or_the_servers_error() {
        let at = |s: &str| url::Url::parse(s).unwrap();
        let log = &mut TokenLog::default();
        let code = read_redirect(
            &at("https://app/cb?code=c1&state=s"),
            false,
            "s",
            None,
            "a",
            log,
        );
        assert!(matches!(code, Ok(Authorized::Code { code, .. }) if code == "c1"));
        let token = read_redirect(
            &at("https://app/cb#access_token=t1&expires_in=60&state=s"),
            true,
            "s",
            None,
            "a",
            log,
        );
        assert!(
            matches!(token, Ok(Authorized::Token(g)) if g.token == "t1" && g.expires_in == Some(60))
        );
        let refused = read_redirect(
            &at("https://app/cb?error=access_denied&state=s"),
            false,
            "s",
            None,
            "https://as/authorize",
            log,
        );
        assert_eq!(
            refused.unwrap_err().to_string(),
            "the authorization request to https://as/authorize was refused: access_denied"
        );
        let forged = read_redirect(
            &at("https://app/cb?code=c&state=x"),
            false,
            "s",
            None,
            "a",
            log,
        );
        assert!(matches!(forged, Err(TokenError::BadRedirect { .. })));
        assert_eq!(log.secrets, ["t1"]);
    }
}
