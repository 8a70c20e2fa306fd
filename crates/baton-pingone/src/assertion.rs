//! Verifying a `client_assertion` (RFC 7523) for `CLIENT_SECRET_JWT` and `PRIVATE_KEY_JWT`:
//! the algorithm must fit the method, the signature must verify with the client secret or a
//! registered public key, and the claims must hold: `iss` = `sub` = client_id, `aud` = the
//! token URL the request was sent to or the issuer, `exp` present, not past and at most an
//! hour ahead, and a `jti` never seen before. Each failure names its reason.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::app_keys::registered_keys;
use super::clock::unix_now;
use super::responses::OAuthError;
use super::state::State;

/// The `client_assertion_type` RFC 7523 defines.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// PingOne refuses assertions whose `exp` is further ahead than this.
const MAX_LIFETIME_SECONDS: u64 = 3600;

/// Where the assertion was presented: the audiences it may name.
pub(crate) struct Audience<'a> {
    /// The token (or introspection) URL exactly as the request reached it.
    pub endpoint_url: &'a str,
    /// The issuer, `{base}/{envId}/as`.
    pub issuer: &'a str,
}

/// The client id an assertion claims to be from (`sub` = `iss`), read without verifying.
pub(crate) fn claimed_client_id(assertion: &str) -> Result<String, OAuthError> {
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
        .map_err(|_| OAuthError::invalid_client("client_assertion is not a well-formed JWT"))?;
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    match (claim("iss"), claim("sub")) {
        (Some(iss), Some(sub)) if iss != sub => Err(OAuthError::invalid_client(format!(
            "client_assertion iss ({iss}) and sub ({sub}) differ; both must be the client_id"
        ))),
        (Some(id), _) | (None, Some(id)) => Ok(id.to_owned()),
        (None, None) => Err(OAuthError::invalid_client(
            "client_assertion has neither iss nor sub, so the client is unknown",
        )),
    }
}

fn check_algorithm(method: &str, alg: Algorithm) -> Result<(), OAuthError> {
    use Algorithm::{ES256, ES384, HS256, HS384, HS512, RS256, RS384, RS512};
    let allowed: &[Algorithm] = if method == "CLIENT_SECRET_JWT" {
        &[HS256, HS384, HS512]
    } else {
        &[RS256, RS384, RS512, ES256, ES384]
    };
    if allowed.contains(&alg) {
        return Ok(());
    }
    let names: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    Err(OAuthError::invalid_client(format!(
        "client_assertion is signed with {alg:?}, which {method} does not allow (use {})",
        names.join(", ")
    )))
}

/// Verifies the signature with each candidate key; `Ok` with the claims of the first that verifies.
fn verify_signature(
    assertion: &str,
    alg: Algorithm,
    keys: &[DecodingKey],
) -> Result<Option<Map<String, Value>>, OAuthError> {
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    for key in keys {
        match jsonwebtoken::decode::<Map<String, Value>>(assertion, key, &validation) {
            Ok(data) => return Ok(Some(data.claims)),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::InvalidSignature
                        | ErrorKind::InvalidAlgorithm
                        | ErrorKind::InvalidKeyFormat
                        | ErrorKind::InvalidEcdsaKey
                        | ErrorKind::InvalidRsaKey(_)
                ) => {}
            Err(e) => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion could not be read: {e}"
                )));
            }
        }
    }
    Ok(None)
}

/// The candidate keys for the method, and what to call them in a failure.
fn candidate_keys(
    state: &State,
    method: &str,
    alg: Algorithm,
    kid: Option<&str>,
    collection: &str,
    app: &Value,
) -> Result<Vec<DecodingKey>, OAuthError> {
    let app_id = app["id"].as_str().unwrap_or_default();
    if method == "CLIENT_SECRET_JWT" {
        let secret = state
            .secrets
            .get(app_id)
            .map(|s| s.current.as_bytes())
            .unwrap_or_default();
        return Ok(vec![DecodingKey::from_secret(secret)]);
    }
    let keys = registered_keys(state, collection, app).map_err(OAuthError::invalid_client)?;
    if keys.is_empty() {
        return Err(OAuthError::invalid_client(format!(
            "application {app_id} has no public key registered: set its jwks or POST a key to .../applications/{app_id}/keys"
        )));
    }
    let family = alg.family();
    let matching: Vec<DecodingKey> = keys
        .into_iter()
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .filter(|k| k.key.family() == family)
        .map(|k| k.key)
        .collect();
    if matching.is_empty() {
        return Err(OAuthError::invalid_client(match kid {
            Some(kid) => format!(
                "no {family:?} public key with kid {kid} is registered on application {app_id}"
            ),
            None => format!(
                "no {family:?} public key for {alg:?} is registered on application {app_id}"
            ),
        }));
    }
    Ok(matching)
}

/// Why the signature failed, for an HMAC assertion signed with a rotated-out secret.
fn bad_signature_reason(
    state: &State,
    method: &str,
    alg: Algorithm,
    assertion: &str,
    app_id: &str,
) -> String {
    if method == "PRIVATE_KEY_JWT" {
        return "client_assertion signature does not verify with any public key registered on the application".into();
    }
    let previous = state
        .secrets
        .get(app_id)
        .and_then(|s| s.previous.as_deref());
    let by_previous = previous
        .map(|p| verify_signature(assertion, alg, &[DecodingKey::from_secret(p.as_bytes())]))
        .is_some_and(|r| matches!(r, Ok(Some(_))));
    if by_previous {
        "client_assertion is signed with the application's previous client secret, which was replaced".into()
    } else {
        "client_assertion signature does not verify with the application's client secret".into()
    }
}

fn audiences(claims: &Map<String, Value>) -> Vec<&str> {
    match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Checks the claims of a signature-verified assertion and records its `jti`.
fn check_claims(
    state: &mut State,
    claims: &Map<String, Value>,
    client_id: &str,
    audience: &Audience<'_>,
) -> Result<(), OAuthError> {
    for name in ["iss", "sub"] {
        match claims.get(name).and_then(Value::as_str) {
            Some(value) if value == client_id => {}
            Some(value) => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion {name} is {value}, but it must be the client_id {client_id}"
                )));
            }
            None => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion has no {name} claim; it must be the client_id {client_id}"
                )));
            }
        }
    }
    let auds = audiences(claims);
    if !auds
        .iter()
        .any(|a| *a == audience.endpoint_url || *a == audience.issuer)
    {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion aud is {auds:?}, but it must be the URL the request was sent to ({}) or the issuer ({})",
            audience.endpoint_url, audience.issuer
        )));
    }
    let now = unix_now();
    let Some(exp) = claims.get("exp").and_then(Value::as_u64) else {
        return Err(OAuthError::invalid_client(
            "client_assertion has no exp claim (a numeric expiry is required)",
        ));
    };
    if exp <= now {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion expired {} seconds ago (exp {exp})",
            now - exp
        )));
    }
    if exp > now + MAX_LIFETIME_SECONDS {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion exp is {} seconds ahead; at most {MAX_LIFETIME_SECONDS} (1 hour) is accepted",
            exp - now
        )));
    }
    if claims
        .get("nbf")
        .and_then(Value::as_u64)
        .is_some_and(|nbf| nbf > now)
    {
        return Err(OAuthError::invalid_client(
            "client_assertion is not valid yet (nbf is in the future)",
        ));
    }
    let Some(jti) = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
    else {
        return Err(OAuthError::invalid_client(
            "client_assertion has no jti claim; each assertion needs a fresh jti",
        ));
    };
    state.used_jtis.retain(|_, expiry| *expiry > now);
    let key = (client_id.to_owned(), jti.to_owned());
    if state.used_jtis.contains_key(&key) {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion jti {jti} was already used; each assertion must have a new jti"
        )));
    }
    state.used_jtis.insert(key, exp);
    Ok(())
}

/// Verifies a client assertion for an application whose method is `CLIENT_SECRET_JWT` or
/// `PRIVATE_KEY_JWT`; `collection` is the application's collection path.
pub(crate) fn verify_assertion(
    state: &mut State,
    method: &str,
    assertion: &str,
    collection: &str,
    app: &Value,
    audience: &Audience<'_>,
) -> Result<(), OAuthError> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| OAuthError::invalid_client("client_assertion is not a well-formed JWT"))?;
    check_algorithm(method, header.alg)?;
    let keys = candidate_keys(
        state,
        method,
        header.alg,
        header.kid.as_deref(),
        collection,
        app,
    )?;
    let app_id = app["id"].as_str().unwrap_or_default();
    let Some(claims) = verify_signature(assertion, header.alg, &keys)? else {
        return Err(OAuthError::invalid_client(bad_signature_reason(
            state, method, header.alg, assertion, app_id,
        )));
    };
    check_claims(state, &claims, app_id, audience)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const URL: &str = "http://h/e/as/token";
    const ISSUER: &str = "http://h/e/as";

    fn state_with_app() -> (State, Value) {
        let mut state = State::new(Some(5));
        let app = json!({"id": "app", "tokenEndpointAuthMethod": "CLIENT_SECRET_JWT"});
        state
            .store
            .insert("environments/e/applications", app.clone());
        crate::applications::after_create(&mut state, "", "app");
        (state, app)
    }

    fn assertion(state: &State, claims: Value) -> String {
        let secret = state.secrets["app"].current.as_bytes();
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("signed")
    }

    fn good_claims() -> Value {
        json!({"iss": "app", "sub": "app", "aud": URL, "exp": unix_now() + 60, "jti": "j1"})
    }

    fn verify(state: &mut State, app: &Value, jwt: &str) -> Result<(), OAuthError> {
        let audience = Audience {
            endpoint_url: URL,
            issuer: ISSUER,
        };
        verify_assertion(
            state,
            "CLIENT_SECRET_JWT",
            jwt,
            "environments/e/applications",
            app,
            &audience,
        )
    }

    #[test]
    fn good_assertion_is_accepted_once() {
        let (mut state, app) = state_with_app();
        let jwt = assertion(&state, good_claims());
        assert_eq!(verify(&mut state, &app, &jwt), Ok(()));
        let replay = verify(&mut state, &app, &jwt).expect_err("replay");
        assert!(
            replay.description().contains("already used"),
            "{}",
            replay.description()
        );
    }

    #[test]
    fn issuer_is_an_accepted_audience() {
        let (mut state, app) = state_with_app();
        let mut claims = good_claims();
        claims["aud"] = json!([ISSUER]);
        let jwt = assertion(&state, claims);
        assert_eq!(verify(&mut state, &app, &jwt), Ok(()));
    }

    #[test]
    fn each_bad_claim_gives_its_reason() {
        let now = unix_now();
        let cases = [
            ("iss", json!("other"), "iss is other"),
            ("sub", json!("other"), "sub is other"),
            ("aud", json!("http://elsewhere"), "aud is"),
            ("exp", json!(now - 5), "expired"),
            ("exp", json!(now + 7200), "at most 3600"),
            ("exp", Value::Null, "no exp"),
            ("jti", Value::Null, "no jti"),
        ];
        for (claim, value, reason) in cases {
            let (mut state, app) = state_with_app();
            let mut claims = good_claims();
            if value.is_null() {
                claims.as_object_mut().expect("object").remove(claim);
            } else {
                claims[claim] = value;
            }
            let jwt = assertion(&state, claims);
            let error = verify(&mut state, &app, &jwt).expect_err(claim);
            assert_eq!(error.error(), "invalid_client");
            assert!(
                error.description().contains(reason),
                "{claim}: {}",
                error.description()
            );
        }
    }

    #[test]
    fn wrong_secret_and_wrong_algorithm_are_named() {
        let (mut state, app) = state_with_app();
        let forged = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &good_claims(),
            &EncodingKey::from_secret(b"not the secret"),
        )
        .expect("signed");
        let error = verify(&mut state, &app, &forged).expect_err("forged");
        assert!(
            error.description().contains("does not verify"),
            "{}",
            error.description()
        );
        let error = verify(&mut state, &app, "a.b").expect_err("malformed");
        assert!(error.description().contains("well-formed"));
    }

    #[test]
    fn claimed_client_needs_iss_and_sub_to_agree() {
        let (state, _) = state_with_app();
        let same = assertion(&state, json!({"iss": "c", "sub": "c"}));
        assert_eq!(claimed_client_id(&same).expect("id"), "c");
        let differ = assertion(&state, json!({"iss": "i", "sub": "s"}));
        let error = claimed_client_id(&differ).expect_err("differ");
        assert!(error.description().contains("iss (i) and sub (s) differ"));
    }
}
