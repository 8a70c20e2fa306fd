//! Public keys an application registers for `PRIVATE_KEY_JWT`: the application's `jwks`
//! property (a JWK set as a JSON string, as PingOne stores it, or as an object), and keys
//! posted to `.../applications/{id}/keys` as `{"jwk": {...}}`, a bare JWK, or
//! `{"pem": "-----BEGIN PUBLIC KEY-----..."}` (RSA or EC SubjectPublicKeyInfo).

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde_json::{Map, Value, json};

use super::responses::Detail;
use super::state::State;

/// A registered verification key, with its `kid` when it has one.
pub(crate) struct PublicKey {
    /// The key id, matched against an assertion's `kid` header.
    pub kid: Option<String>,
    /// The key itself.
    pub key: DecodingKey,
}

/// Why an application's key is unusable; the text goes into the API's error detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct KeyError(String);

impl From<String> for KeyError {
    fn from(reason: String) -> Self {
        KeyError(reason)
    }
}

impl From<KeyError> for String {
    fn from(error: KeyError) -> Self {
        error.0
    }
}

impl From<&str> for KeyError {
    fn from(reason: &str) -> Self {
        KeyError(reason.to_string())
    }
}

fn from_jwk(value: &Value) -> Result<PublicKey, KeyError> {
    if value.get("d").is_some() {
        return Err(
            "a JWK with a private part (\"d\") was given; register the public key only".into(),
        );
    }
    let jwk: Jwk = serde_json::from_value(value.clone()).map_err(|e| format!("not a JWK: {e}"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable JWK: {e}"))?;
    Ok(PublicKey {
        kid: jwk.common.key_id,
        key,
    })
}

fn from_pem(pem: &str) -> Result<DecodingKey, KeyError> {
    DecodingKey::from_rsa_pem(pem.as_bytes())
        .or_else(|_| DecodingKey::from_ec_pem(pem.as_bytes()))
        .map_err(|_| KeyError::from("pem is not an RSA or EC public key in PEM form"))
}

/// Parses an application's `jwks` property: a JWK set, as a JSON string or an object.
pub(crate) fn parse_jwks(value: &Value) -> Result<Vec<PublicKey>, KeyError> {
    let set = match value {
        Value::String(text) => {
            serde_json::from_str::<Value>(text).map_err(|e| format!("jwks is not JSON: {e}"))?
        }
        other => other.clone(),
    };
    let Some(keys) = set["keys"].as_array() else {
        return Err("jwks must be a JWK set: {\"keys\": [...]}".into());
    };
    // Parse the whole set first so a bad entry is reported, not skipped.
    serde_json::from_value::<JwkSet>(set.clone())
        .map_err(|e| format!("jwks is not a JWK set: {e}"))?;
    keys.iter().map(from_jwk).collect()
}

/// The key of a stored `keys` object.
fn key_of_object(object: &Value) -> Result<PublicKey, KeyError> {
    match (object.get("jwk"), object["pem"].as_str()) {
        (Some(jwk), _) => from_jwk(jwk),
        (None, Some(pem)) => Ok(PublicKey {
            kid: object["kid"].as_str().map(str::to_owned),
            key: from_pem(pem)?,
        }),
        (None, None) => Err("the key has neither jwk nor pem".into()),
    }
}

/// Normalizes a `keys` create body (a bare JWK becomes `{"jwk": ...}`) and checks the key parses.
pub(crate) fn check(fields: &mut Map<String, Value>) -> Vec<Detail> {
    if fields.contains_key("kty") {
        let jwk = Value::Object(std::mem::take(fields));
        fields.insert("jwk".into(), jwk);
    }
    let object = Value::Object(fields.clone());
    match key_of_object(&object) {
        Ok(key) => {
            if let Some(kid) = key.kid {
                fields.entry("kid").or_insert(json!(kid));
            }
            fields.insert("usage".into(), json!("SIGNING"));
            Vec::new()
        }
        Err(reason) => {
            let target = if fields.contains_key("pem") {
                "pem"
            } else {
                "jwk"
            };
            vec![Detail::invalid(target, reason.to_string())]
        }
    }
}

/// Every key an application has registered, from its `jwks` and its `keys` collection.
pub(crate) fn registered_keys(
    state: &State,
    collection: &str,
    app: &Value,
) -> Result<Vec<PublicKey>, KeyError> {
    let mut keys = match app.get("jwks") {
        Some(Value::Null) | None => Vec::new(),
        Some(jwks) => {
            parse_jwks(jwks).map_err(|e| format!("the application's jwks is unusable: {e}"))?
        }
    };
    let app_id = app["id"].as_str().unwrap_or_default();
    for object in state.store.list(&format!("{collection}/{app_id}/keys")) {
        keys.push(key_of_object(object)?);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_JWK: &str = r#"{"kty":"EC","crv":"P-256","kid":"k1",
        "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;

    #[test]
    fn jwks_string_and_object_both_parse_with_kid() {
        let set = format!(r#"{{"keys":[{EC_JWK}]}}"#);
        let from_string = parse_jwks(&json!(set)).expect("string");
        assert_eq!(from_string[0].kid.as_deref(), Some("k1"));
        let object: Value = serde_json::from_str(&set).expect("json");
        assert_eq!(parse_jwks(&object).expect("object").len(), 1);
    }

    #[test]
    fn jwks_without_keys_array_is_refused() {
        assert!(parse_jwks(&json!("{}")).is_err());
        assert!(parse_jwks(&json!("not json")).is_err());
    }

    #[test]
    fn bare_jwk_body_is_wrapped_and_gets_its_kid() {
        let Value::Object(mut fields) = serde_json::from_str(EC_JWK).expect("json") else {
            unreachable!()
        };
        assert!(check(&mut fields).is_empty());
        assert!(fields.contains_key("jwk"));
        assert_eq!(fields["kid"], "k1");
    }

    #[test]
    fn garbage_pem_is_invalid_data_on_pem() {
        let mut fields = Map::new();
        fields.insert(
            "pem".into(),
            json!("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
        );
        let details = check(&mut fields);
        assert_eq!(details[0].target, "pem");
    }

    #[test]
    fn private_jwk_is_refused() {
        let mut jwk: Value = serde_json::from_str(EC_JWK).expect("json");
        jwk["d"] = json!("secret");
        assert!(from_jwk(&jwk).is_err());
    }
}
