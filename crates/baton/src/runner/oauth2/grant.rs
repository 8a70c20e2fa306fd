//! The token requests an `oauth2` auth block asks for: the grant's form fields (or a refresh
//! token's, or an authorization code's), the client authentication (Basic header, form fields or
//! a signed client assertion) and the extra `tokenRequestParams` / `refreshRequestParams`, built
//! from a resolved block without touching the network.

use std::str::FromStr;

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::Value;

use crate::collection::Auth;

use super::TokenError;

/// The grants Baton fetches tokens for, by Postman's names; the last three follow the
/// authorization request headlessly.
const FETCHED_GRANTS: [&str; 5] = [
    "client_credentials",
    "password_credentials",
    "authorization_code",
    "authorization_code_with_pkce",
    "implicit",
];

/// The grants that run without a browser whatever the server does, for the message of a
/// browser grant that met a sign-on form.
pub(super) const HEADLESS_GRANTS: &str = "client_credentials, password_credentials and refresh_token (authorization_code, authorization_code_with_pkce and implicit only when the authorization server redirects without a form)";

/// RFC 7523's client assertion type.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion lives when the block does not say, in seconds.
const DEFAULT_ASSERTION_LIFETIME: u64 = 300;

/// What a token request is made of, before it becomes an HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TokenRequest {
    /// `accessTokenUrl`, without the parameters sent in the URL.
    pub url: String,
    /// Parameters for the URL's query (`send_as: request_url`).
    pub query: Vec<(String, String)>,
    /// Headers: Basic client authentication and `send_as: request_header` parameters.
    pub headers: Vec<(String, String)>,
    /// The form-urlencoded body, in order.
    pub form: Vec<(String, String)>,
    /// The signed client assertion, if one was made: a secret for the masker.
    pub assertion: Option<String>,
}

/// When and under which id a client assertion is made; the caller supplies them so that tests
/// can pin them.
#[derive(Debug, Clone, Copy)]
pub(super) struct AssertionClock<'a> {
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// The assertion's `jti`.
    pub jti: &'a str,
}

/// The claims of a client assertion (RFC 7523 section 3).
#[derive(Debug, Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: &'a str,
}

/// Whether a resolved auth block asks Baton to fetch its token: an `oauth2` block with a grant
/// Baton fetches and no `accessToken` of its own. Any other block is left as Newman leaves it.
pub(super) fn wants_token(auth: &Auth) -> bool {
    auth.kind == "oauth2"
        && auth.param("accessToken").unwrap_or_default().is_empty()
        && auth
            .param("grant_type")
            .is_some_and(|grant| FETCHED_GRANTS.contains(&grant.as_str()))
}

/// A parameter that is present and not empty.
pub(super) fn given(auth: &Auth, key: &'static str) -> Option<String> {
    auth.param(key).filter(|value| !value.is_empty())
}

/// A parameter the grant cannot do without.
pub(super) fn required(auth: &Auth, key: &'static str) -> Result<String, TokenError> {
    given(auth, key).ok_or(TokenError::Missing { key })
}

/// Form-urlencodes one value, as RFC 6749 section 2.3.1 asks of a Basic client id and secret.
fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Builds the token request a resolved `oauth2` block describes for the client_credentials and
/// password grants.
pub(super) fn token_request(
    auth: &Auth,
    clock: AssertionClock<'_>,
) -> Result<TokenRequest, TokenError> {
    let url = required(auth, "accessTokenUrl")?;
    let grant = auth.param("grant_type").unwrap_or_default();
    let mut form = Vec::new();
    match grant.as_str() {
        "client_credentials" => form.push(("grant_type".into(), grant.clone())),
        "password_credentials" => {
            form.push(("grant_type".into(), "password".into()));
            form.push(("username".into(), required(auth, "username")?));
            form.push((
                "password".into(),
                auth.param("password").unwrap_or_default(),
            ));
        }
        other => return Err(TokenError::UnsupportedGrant(other.to_string())),
    }
    scoped(auth, &mut form);
    authenticated(auth, url, form, "tokenRequestParams", clock)
}

/// The token request that exchanges an authorization `code` (RFC 6749 section 4.1.3), with the
/// PKCE `verifier` when there is one.
pub(super) fn code_request(
    auth: &Auth,
    code: &str,
    verifier: Option<&str>,
    clock: AssertionClock<'_>,
) -> Result<TokenRequest, TokenError> {
    let url = required(auth, "accessTokenUrl")?;
    let mut form = vec![
        ("grant_type".into(), "authorization_code".into()),
        ("code".into(), code.to_string()),
    ];
    if let Some(redirect) = given(auth, "redirect_uri") {
        form.push(("redirect_uri".into(), redirect));
    }
    if let Some(verifier) = verifier {
        form.push(("code_verifier".into(), verifier.to_string()));
    }
    authenticated(auth, url, form, "tokenRequestParams", clock)
}

/// The token request that trades a refresh token for a new access token (RFC 6749 section 6),
/// sent to `refreshTokenUrl`, else `accessTokenUrl`, with `refreshRequestParams`.
pub(super) fn refresh_request(
    auth: &Auth,
    refresh_token: &str,
    clock: AssertionClock<'_>,
) -> Result<TokenRequest, TokenError> {
    let url = match given(auth, "refreshTokenUrl") {
        Some(url) => url,
        None => required(auth, "accessTokenUrl")?,
    };
    let form = vec![
        ("grant_type".into(), "refresh_token".into()),
        ("refresh_token".into(), refresh_token.to_string()),
    ];
    authenticated(auth, url, form, "refreshRequestParams", clock)
}

/// `scope`, `audience` and `resource`, when given.
fn scoped(auth: &Auth, form: &mut Vec<(String, String)>) {
    for key in ["scope", "audience", "resource"] {
        if let Some(value) = given(auth, key) {
            form.push((key.into(), value));
        }
    }
}

/// A token request to `url` with the grant's `form`, the block's client authentication and the
/// extra parameters listed under `params`.
fn authenticated(
    auth: &Auth,
    url: String,
    form: Vec<(String, String)>,
    params: &str,
    clock: AssertionClock<'_>,
) -> Result<TokenRequest, TokenError> {
    let client_id = auth.param("clientId").unwrap_or_default();
    let client_secret = auth.param("clientSecret").unwrap_or_default();
    let mut request = TokenRequest {
        url,
        query: Vec::new(),
        headers: Vec::new(),
        form,
        assertion: None,
    };
    let method = auth
        .param("client_authentication")
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "header".into());
    match method.as_str() {
        "header" => {
            let pair = format!(
                "{}:{}",
                form_encode(&client_id),
                form_encode(&client_secret)
            );
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            request
                .headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        "body" => {
            request.form.push(("client_id".into(), client_id));
            if !client_secret.is_empty() {
                request.form.push(("client_secret".into(), client_secret));
            }
        }
        "client_secret_jwt" | "private_key_jwt" => {
            let assertion = client_assertion(auth, &method, &request.url, clock)?;
            request.form.push(("client_id".into(), client_id));
            request
                .form
                .push(("client_assertion_type".into(), JWT_BEARER.into()));
            request
                .form
                .push(("client_assertion".into(), assertion.clone()));
            request.assertion = Some(assertion);
        }
        other => return Err(TokenError::UnsupportedClientAuthentication(other.into())),
    }
    extra_params(auth, params, &mut request);
    Ok(request)
}

/// `tokenRequestParams` or `refreshRequestParams` (`params`): each enabled entry goes where its
/// `send_as` says (the body by default).
fn extra_params(auth: &Auth, params: &str, request: &mut TokenRequest) {
    let Some((_, Value::Array(entries))) = auth.params.iter().find(|(k, _)| k == params) else {
        return;
    };
    for entry in entries {
        let text = |key: &str| match entry.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let Some(key) = text("key").filter(|k| !k.is_empty()) else {
            continue;
        };
        if entry.get("enabled") == Some(&Value::Bool(false)) {
            continue;
        }
        let pair = (key, text("value").unwrap_or_default());
        match text("send_as").as_deref() {
            Some("request_url") => request.query.push(pair),
            Some("request_header") => request.headers.push(pair),
            _ => request.form.push(pair),
        }
    }
}

/// A client assertion for `client_secret_jwt` (HMAC with the client secret) or
/// `private_key_jwt` (the PEM in `clientAssertionPrivateKey`), audience the token URL.
fn client_assertion(
    auth: &Auth,
    method: &str,
    token_url: &str,
    clock: AssertionClock<'_>,
) -> Result<String, TokenError> {
    let with_secret = method == "client_secret_jwt";
    let name = given(auth, "clientAssertionAlgorithm")
        .unwrap_or_else(|| if with_secret { "HS256" } else { "RS256" }.into());
    let algorithm =
        Algorithm::from_str(&name).map_err(|_| TokenError::UnsupportedAlgorithm(name.clone()))?;
    let key = match (with_secret, algorithm) {
        (true, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            EncodingKey::from_secret(required(auth, "clientSecret")?.as_bytes())
        }
        (
            false,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => EncodingKey::from_rsa_pem(required(auth, "clientAssertionPrivateKey")?.as_bytes())
            .map_err(TokenError::Key)?,
        (false, Algorithm::ES256) => {
            EncodingKey::from_ec_pem(required(auth, "clientAssertionPrivateKey")?.as_bytes())
                .map_err(TokenError::Key)?
        }
        _ => return Err(TokenError::UnsupportedAlgorithm(name)),
    };
    let lifetime = match given(auth, "clientAssertionLifetime") {
        None => DEFAULT_ASSERTION_LIFETIME,
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| TokenError::BadLifetime(text))?,
    };
    let mut header = Header::new(algorithm);
    header.kid = given(auth, "clientAssertionKeyId");
    let client_id = auth.param("clientId").unwrap_or_default();
    let claims = AssertionClaims {
        iss: &client_id,
        sub: &client_id,
        aud: token_url,
        iat: clock.now,
        exp: clock.now + lifetime,
        jti: clock.jti,
    };
    jsonwebtoken::encode(&header, &claims, &key).map_err(TokenError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    use serde_json::{Map, json};

    const CLOCK: AssertionClock<'static> = AssertionClock {
        now: 1_700_000_000,
        jti: "0b6c9a4e-3f1d-4a57-8a0e-1c2d3e4f5a6b",
    };

    fn block(params: Value) -> Auth {
        let Value::Object(map) = params else {
            panic!("an object")
        };
        Auth {
            kind: "oauth2".into(),
            params: map.into_iter().collect(),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn test_key() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../environments/test-only-private-key-jwt.pem"
        ))
        .expect("the test-only key")
    }

    fn claims_of(assertion: &str, key: &DecodingKey, alg: Algorithm) -> Map<String, Value> {
        let mut validation = Validation::new(alg);
        validation.set_audience(&["https://as.example/token"]);
        validation.validate_exp = false;
        jsonwebtoken::decode::<Map<String, Value>>(assertion, key, &validation)
            .expect("the assertion verifies")
            .claims
    }

    #[test]
    fn only_oauth2_blocks_with_a_fetched_grant_and_no_token_want_one() {
        let grant = |g: &str, token: &str| {
            block(json!({"grant_type": g, "accessToken": token, "accessTokenUrl": "u"}))
        };
        assert!(wants_token(&grant("client_credentials", "")));
        assert!(wants_token(&grant("password_credentials", "")));
        assert!(!wants_token(&grant("client_credentials", "given")));
        assert!(wants_token(&grant("authorization_code", "")));
        assert!(!wants_token(&grant("device_code", "")));
        let mut bearer = grant("client_credentials", "");
        bearer.kind = "bearer".into();
        assert!(!wants_token(&bearer));
    }

    #[test]
    fn client_credentials_with_basic_client_authentication() {
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "my app", "clientSecret": "s:cr&t", "scope": "read write",
            "audience": "urn:api", "resource": "https://api.example/",
            "client_authentication": "header",
        }));
        let request = token_request(&auth, CLOCK).unwrap();
        assert_eq!(request.url, "https://as.example/token");
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "client_credentials"),
                ("scope", "read write"),
                ("audience", "urn:api"),
                ("resource", "https://api.example/"),
            ])
        );
        // RFC 6749 2.3.1: the id and secret are form-urlencoded before Base64.
        let basic = base64::engine::general_purpose::STANDARD.encode("my+app:s%3Acr%26t");
        assert_eq!(
            request.headers,
            pairs(&[("Authorization", &format!("Basic {basic}"))])
        );
        assert_eq!(request.assertion, None);
    }

    #[test]
    fn header_is_the_default_client_authentication() {
        let auth = block(json!({"grant_type": "client_credentials",
            "accessTokenUrl": "https://as.example/token", "clientId": "a", "clientSecret": "b"}));
        let request = token_request(&auth, CLOCK).unwrap();
        assert_eq!(request.headers[0].0, "Authorization");
        assert_eq!(request.form, pairs(&[("grant_type", "client_credentials")]));
    }

    #[test]
    fn password_grant_with_credentials_in_the_body() {
        let auth = block(json!({
            "grant_type": "password_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "app", "clientSecret": "sec", "username": "ada", "password": "pw",
            "scope": "", "client_authentication": "body",
        }));
        let request = token_request(&auth, CLOCK).unwrap();
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "password"),
                ("username", "ada"),
                ("password", "pw"),
                ("client_id", "app"),
                ("client_secret", "sec"),
            ])
        );
        assert!(request.headers.is_empty());
    }

    #[test]
    fn a_password_grant_without_a_username_is_an_error() {
        let auth = block(json!({"grant_type": "password_credentials",
            "accessTokenUrl": "https://as.example/token", "clientId": "app"}));
        assert_eq!(
            token_request(&auth, CLOCK).unwrap_err().to_string(),
            "the OAuth 2.0 auth block has no `username`"
        );
    }

    #[test]
    fn token_request_params_go_where_send_as_says() {
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "app", "client_authentication": "body",
            "tokenRequestParams": [
                {"key": "tenant", "value": "t1", "send_as": "request_url"},
                {"key": "X-Trace", "value": "on", "send_as": "request_header"},
                {"key": "extra", "value": "e", "send_as": "request_body"},
                {"key": "plain", "value": "p"},
                {"key": "off", "value": "x", "enabled": false},
            ],
        }));
        let request = token_request(&auth, CLOCK).unwrap();
        assert_eq!(request.query, pairs(&[("tenant", "t1")]));
        assert_eq!(request.headers, pairs(&[("X-Trace", "on")]));
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("extra", "e"),
                ("plain", "p"),
            ])
        );
    }

    #[test]
    fn a_refresh_goes_to_the_refresh_url_with_its_own_params_and_the_same_client_authentication() {
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "refreshTokenUrl": "https://as.example/refresh", "scope": "api",
            "clientId": "app", "clientSecret": "sec", "client_authentication": "body",
            "tokenRequestParams": [{"key": "only", "value": "token"}],
            "refreshRequestParams": [{"key": "tenant", "value": "t1", "send_as": "request_url"}],
        }));
        let request = refresh_request(&auth, "rt-1", CLOCK).unwrap();
        assert_eq!(request.url, "https://as.example/refresh");
        assert_eq!(request.query, pairs(&[("tenant", "t1")]));
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "rt-1"),
                ("client_id", "app"),
                ("client_secret", "sec"),
            ])
        );
        let mut plain = auth.clone();
        plain.params.retain(|(k, _)| k != "refreshTokenUrl");
        let request = refresh_request(&plain, "rt-1", CLOCK).unwrap();
        assert_eq!(request.url, "https://as.example/token");
    }

    #[test]
    fn a_code_is_exchanged_with_the_redirect_uri_and_the_verifier() {
        let auth = block(json!({
            "grant_type": "authorization_code_with_pkce",
            "accessTokenUrl": "https://as.example/token", "redirect_uri": "https://app/cb",
            "clientId": "app", "client_authentication": "body",
        }));
        let request = code_request(&auth, "c1", Some("v1"), CLOCK).unwrap();
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "authorization_code"),
                ("code", "c1"),
                ("redirect_uri", "https://app/cb"),
                ("code_verifier", "v1"),
                ("client_id", "app"),
            ])
        );
    }

    #[test]
    fn client_secret_jwt_signs_an_hmac_assertion_with_the_secret() {
        let secret = "a-client-secret-long-enough-for-hs512-a-client-secret-long-enough";
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "app", "clientSecret": secret,
            "client_authentication": "client_secret_jwt", "clientAssertionAlgorithm": "HS512",
            "clientAssertionLifetime": "60",
        }));
        let request = token_request(&auth, CLOCK).unwrap();
        let assertion = request.assertion.clone().expect("an assertion");
        assert_eq!(
            request.form,
            pairs(&[
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
            ])
        );
        assert!(request.headers.is_empty());
        let header = jsonwebtoken::decode_header(&assertion).unwrap();
        assert_eq!((header.alg, header.kid), (Algorithm::HS512, None));
        let key = DecodingKey::from_secret(secret.as_bytes());
        let claims = claims_of(&assertion, &key, Algorithm::HS512);
        assert_eq!(claims["iss"], "app");
        assert_eq!(claims["sub"], "app");
        assert_eq!(claims["aud"], "https://as.example/token");
        assert_eq!(claims["iat"], CLOCK.now);
        assert_eq!(claims["exp"], CLOCK.now + 60);
        assert_eq!(claims["jti"], CLOCK.jti);
    }

    #[test]
    fn private_key_jwt_signs_with_the_pem_and_names_the_key() {
        let pem = test_key();
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "app", "client_authentication": "private_key_jwt",
            "clientAssertionPrivateKey": pem, "clientAssertionKeyId": "key-1",
        }));
        let request = token_request(&auth, CLOCK).unwrap();
        let assertion = request.assertion.expect("an assertion");
        let header = jsonwebtoken::decode_header(&assertion).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some("key-1"));
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).expect("a PKCS#8 key");
        let b64 = |n: &rsa::BigUint| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n.to_bytes_be())
        };
        let key = DecodingKey::from_rsa_components(&b64(private.n()), &b64(private.e())).unwrap();
        let claims = claims_of(&assertion, &key, Algorithm::RS256);
        assert_eq!(
            (claims["iss"].as_str(), claims["sub"].as_str()),
            (Some("app"), Some("app"))
        );
        assert_eq!(claims["exp"], CLOCK.now + DEFAULT_ASSERTION_LIFETIME);
        assert_eq!(claims["jti"], CLOCK.jti);
    }

    #[test]
    fn an_algorithm_that_does_not_fit_the_method_is_refused() {
        let auth = block(json!({
            "grant_type": "client_credentials", "accessTokenUrl": "https://as.example/token",
            "clientId": "app", "clientSecret": "s", "client_authentication": "client_secret_jwt",
            "clientAssertionAlgorithm": "RS256",
        }));
        assert!(matches!(
            token_request(&auth, CLOCK),
            Err(TokenError::UnsupportedAlgorithm(name)) if name == "RS256"
        ));
    }
}
