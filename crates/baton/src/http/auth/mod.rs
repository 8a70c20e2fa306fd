//! Auth helpers: turning a resolved auth definition into what it adds to a request. Basic, Bearer,
//! API key and OAuth 2.0 only add a header or a query parameter. The signers (one file each) read
//! the request as Newman's auth step sees it: method, URL, the request's own headers and body, before
//! Newman adds its system headers or the body's Content-Type. Digest needs the server's challenge
//! and is completed by the client after a 401; so is NTLM, whose handshake the client runs.

mod asap;
mod aws_sigv4;
mod crypto;
mod edgegrid;
mod entropy;
mod hawk;
mod jwt_bearer;
mod ntlm;
mod oauth1;
mod payload;

use base64::Engine;
use serde_json::Value;

use crate::collection::{Auth, Body, KeyValue};

use super::HttpError;
use super::body::FileAccess;
use super::digest::DigestParams;

pub use entropy::{Entropy, SystemEntropy};
pub use ntlm::{NtlmParams, offers_ntlm};

/// The request as a signer sees it: Newman signs after the pre-request scripts and variables, but
/// before its HTTP layer adds system headers, a body's Content-Type or prunes a GET body.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// The parsed URL: scheme, host and port.
    pub url: &'a url::Url,
    /// Path and query as Postman encodes them (Node's `url.path`), whatever `disableUrlEncoding`
    /// says.
    pub target: &'a str,
    /// The request's enabled headers, in order.
    pub headers: &'a [(String, String)],
    /// The body as written (not pruned for GET).
    pub body: Option<&'a Body>,
    /// Where file bodies are read from, for body hashes.
    pub files: &'a FileAccess,
    /// `protocolProfileBehavior.disableUrlEncoding`.
    pub disable_url_encoding: bool,
}

impl SignInput<'_> {
    /// The first header of this name, compared case-insensitively.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The query of the target, without `?`.
    fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }

    /// The host as Node's URL gives it: lower case, with the port when one was written that is
    /// not the scheme's default.
    fn host(&self) -> String {
        super::wire::host_header(self.url).to_ascii_lowercase()
    }

    /// The scheme without `:`.
    fn scheme(&self) -> &str {
        self.url.scheme()
    }
}

/// What an auth helper adds to a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthParts {
    /// Request headers removed (case-insensitively) before `headers` are added: a signer replaces
    /// the `Authorization` header the request has.
    pub remove_headers: Vec<String>,
    /// Headers to add after the request's own (skipped when the request already has a header of
    /// that name).
    pub headers: Vec<(String, String)>,
    /// The request's query replaced by this one (without `?`), as written on the wire.
    pub replace_query: Option<String>,
    /// Query parameters to append.
    pub query: Vec<(String, String)>,
    /// The fields of a urlencoded body, replaced (OAuth 1.0 may sign in the body).
    pub form_fields: Option<Vec<KeyValue>>,
    /// Digest parameters: the request is signed with them, or answers a challenge.
    pub digest: Option<DigestParams>,
    /// NTLM credentials: the client answers a 401 or 403 that offers NTLM with the handshake.
    pub ntlm: Option<NtlmParams>,
    /// Why a signer left the request unsigned; Newman warns on its console and sends it anyway.
    pub warning: Option<String>,
}

impl AuthParts {
    /// Parts that replace the request's `Authorization` header with this one.
    fn authorization(value: String) -> Self {
        AuthParts {
            remove_headers: vec!["Authorization".into()],
            headers: vec![("Authorization".into(), value)],
            ..AuthParts::default()
        }
    }

    /// Replaces the request's header named `name` (names compared by their words) with this one.
    fn replace_header(&mut self, name: &str, value: String) {
        self.remove_headers.push(name.to_string());
        self.headers.push((name.to_string(), value));
    }

    /// An unsigned request, with Newman's console warning.
    fn unsigned(kind: &str, reason: impl std::fmt::Display) -> Self {
        AuthParts {
            warning: Some(format!(
                "runtime~{kind}.auth: could not sign the request: {reason}"
            )),
            ..AuthParts::default()
        }
    }
}

/// Why a signer gave up, in the words of Newman's own warning; the request then goes unsigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SignFailure(String);

impl std::fmt::Display for SignFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SignFailure {
    fn from(reason: &str) -> Self {
        SignFailure(reason.to_string())
    }
}

impl From<String> for SignFailure {
    fn from(reason: String) -> Self {
        SignFailure(reason)
    }
}

/// A helper's parameters, read as postman-runtime reads them.
#[derive(Debug, Clone, Copy)]
struct Params<'a>(&'a Auth);

impl Params<'_> {
    fn value(&self, key: &str) -> Option<&Value> {
        self.0
            .params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// The parameter as text; `None` when missing, null or empty (JavaScript's falsy string).
    fn text(&self, key: &str) -> Option<String> {
        self.0.param(key).filter(|s| !s.is_empty())
    }

    /// The parameter as text, empty when missing.
    fn text_or_empty(&self, key: &str) -> String {
        self.0.param(key).unwrap_or_default()
    }

    /// Whether the parameter is truthy in JavaScript (`false`, `0`, `""` and missing are not; the
    /// string `"false"` is).
    fn truthy(&self, key: &str) -> bool {
        match self.value(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        }
    }
}

/// The headers and parameters a resolved auth helper contributes. Signers read the request from
/// `input`; nonces and clocks come from `entropy`.
pub fn apply_auth(
    auth: Option<&Auth>,
    input: &SignInput<'_>,
    entropy: &mut dyn Entropy,
) -> Result<AuthParts, HttpError> {
    let Some(auth) = auth else {
        return Ok(AuthParts::default());
    };
    let params = Params(auth);
    let param = |key: &str| auth.param(key).unwrap_or_default();
    let mut parts = AuthParts::default();
    match auth.kind.as_str() {
        "noauth" => {}
        // Basic, Bearer, API key and OAuth 2.0 replace the request's own header of their name.
        "basic" => {
            let credentials = format!("{}:{}", param("username"), param("password"));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            parts.replace_header("Authorization", format!("Basic {encoded}"));
        }
        // An empty token sends nothing, as in Newman.
        "bearer" => {
            let token = param("token");
            if !token.is_empty() {
                parts.replace_header("Authorization", format!("Bearer {token}"));
            }
        }
        "apikey" => {
            let key = auth.param("key").unwrap_or_else(|| "x-api-key".into());
            if auth.param("in").as_deref() == Some("query") {
                parts.query.push((key, param("value")));
            } else {
                parts.replace_header(&key, param("value"));
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
                    parts.replace_header("Authorization", format!("{prefix}{token}"));
                }
            }
        }
        "digest" => parts.digest = Some(DigestParams::from_auth(auth)),
        // The first request goes out without an Authorization header; unless
        // `disableRetryRequest`, a challenge starts the handshake.
        "ntlm" => {
            parts.remove_headers.push("Authorization".into());
            if !params.truthy("disableRetryRequest") {
                parts.ntlm = Some(NtlmParams::from_params(params));
            }
        }
        "hawk" => parts = hawk::sign(params, input, entropy),
        "awsv4" => parts = aws_sigv4::sign(params, input, entropy),
        "oauth1" => parts = oauth1::sign(params, input, entropy),
        "edgegrid" => parts = edgegrid::sign(params, input, entropy),
        "jwt" => parts = jwt_bearer::sign(params, input),
        "asap" => parts = asap::sign(params, entropy),
        other => {
            return Err(HttpError::UnsupportedAuth {
                kind: other.to_string(),
            });
        }
    }
    Ok(parts)
}

/// Percent-encodes everything but RFC 3986's unreserved characters (`A-Za-z0-9-._~`), as
/// `encodeURIComponent` followed by escaping `!'()*` does.
fn percent_encode_rfc3986(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` sequences (and `+` as a space when `plus_is_space`); invalid sequences stay as
/// they are and invalid UTF-8 is replaced, where JavaScript would throw.
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_standard(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Signing a request in unit tests, with the clock fixed at 1700000000.123 s (2023-11-14T22:13:20Z)
/// as in the Node script that produced the expected values.
#[cfg(test)]
pub(super) mod testing {
    use super::entropy::FixedEntropy;
    use super::*;

    /// An auth helper of `kind` with `params` (JSON values, as a collection gives them).
    pub(crate) fn auth(kind: &str, params: serde_json::Value) -> Auth {
        Auth {
            kind: kind.into(),
            params: params
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// Signs `method url` with `headers` and `body`.
    pub(crate) fn sign(
        auth: &Auth,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<Body>,
    ) -> AuthParts {
        let parsed = super::super::wire::parse_wire_url(url).unwrap();
        let target = super::super::target::request_target(url, &[], false);
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let input = SignInput {
            method,
            url: &parsed,
            target: &target,
            headers: &headers,
            body: body.as_ref(),
            files: &FileAccess::default(),
            disable_url_encoding: false,
        };
        let mut entropy = FixedEntropy {
            now_millis: 1_700_000_000_123,
            uuid: "00000000-0000-4000-8000-000000000000".into(),
        };
        apply_auth(Some(auth), &input, &mut entropy).unwrap()
    }

    /// The value of the `Authorization` header the parts add.
    pub(crate) fn authorization(parts: &AuthParts) -> &str {
        parts
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.as_str())
            .expect("an Authorization header")
    }

    /// The test-only RSA key the repository ships.
    pub(crate) const RSA_KEY: &str =
        include_str!("../../../../../environments/test-only-private-key-jwt.pem");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Signs `auth` for a GET of `url` without headers or body, with a fixed clock.
    pub(super) fn apply(auth: &Auth) -> Result<AuthParts, HttpError> {
        let url = url::Url::parse("http://example.com/").unwrap();
        let input = SignInput {
            method: "GET",
            url: &url,
            target: "/",
            headers: &[],
            body: None,
            files: &FileAccess::default(),
            disable_url_encoding: false,
        };
        apply_auth(Some(auth), &input, &mut SystemEntropy)
    }

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
        let parts = apply(&auth(
            "basic",
            &[("username", "app"), ("password", "s3cret")],
        ))
        .unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Basic YXBwOnMzY3JldA==".into())]
        );
    }

    #[test]
    fn apikey_can_go_to_the_query() {
        let parts = apply(&auth(
            "apikey",
            &[("key", "k"), ("value", "v"), ("in", "query")],
        ))
        .unwrap();
        assert_eq!(parts.query, vec![("k".into(), "v".into())]);
        assert!(parts.headers.is_empty());
    }

    #[test]
    fn oauth2_injects_the_given_token() {
        let parts = apply(&auth("oauth2", &[("accessToken", "t")])).unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Bearer t".into())]
        );
    }

    #[test]
    fn ntlm_first_removes_the_authorization_header() {
        let parts = apply(&auth("ntlm", &[("username", "CORP\\u"), ("password", "p")])).unwrap();
        assert_eq!(parts.remove_headers, ["Authorization"]);
        assert!(parts.headers.is_empty());
        assert_eq!(parts.ntlm.unwrap().domain, "CORP");
        let parts = apply(&auth(
            "ntlm",
            &[("username", "u"), ("disableRetryRequest", "true")],
        ))
        .unwrap();
        assert_eq!(parts.remove_headers, ["Authorization"]);
        assert_eq!(parts.ntlm, None);
    }

    #[test]
    fn unsupported_auth_types_are_errors() {
        let err = apply(&auth("kerberos", &[])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("auth type `kerberos` is not supported")
        );
    }
}
