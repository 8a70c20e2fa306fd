//! Atlassian S2S ASAP (`asap`): a JWT with `iss`, `sub`, `aud`, `jti`, `iat` and `exp` over the
//! given claims, signed with an RSA or EC key, sent as a bearer token.

use base64::Engine;
use serde_json::{Map, Value};

use super::SignFailure;
use super::jwt_bearer::{Signer, SigningKey, compact_jws, signature_for};
use super::{AuthParts, Entropy, Params};

/// Seconds a token lives unless `exp` says otherwise.
const DEFAULT_EXPIRY: i64 = 3600;

pub(super) fn sign(params: Params<'_>, entropy: &mut dyn Entropy) -> AuthParts {
    match token(params, entropy) {
        Ok(token) => AuthParts::authorization(format!("Bearer {token}")),
        Err(reason) => AuthParts::unsigned("asap", reason),
    }
}

fn token(params: Params<'_>, entropy: &mut dyn Entropy) -> Result<String, SignFailure> {
    let mut claims = match params.value("claims") {
        None => Map::new(),
        Some(Value::String(text)) => match text.trim() {
            "" => Map::new(),
            trimmed => match serde_json::from_str(trimmed) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err("Failed to sign request with key.".into()),
                Err(_) => return Err("Failed to parse claims".into()),
            },
        },
        Some(Value::Object(map)) => map.clone(),
        Some(_) => Map::new(),
    };
    // A claim wins over the parameter of the same name when it is truthy.
    let claim =
        |claims: &Map<String, Value>, key: &str| claims.get(key).filter(|v| truthy(v)).cloned();
    let param = |key: &str| params.text(key).map(Value::String);
    let issuer = claim(&claims, "iss").or_else(|| param("iss"));
    let subject = claim(&claims, "sub")
        .or_else(|| param("sub"))
        .or_else(|| issuer.clone());
    let audience = claim(&claims, "aud").or_else(|| param("aud"));
    let jti = claim(&claims, "jti").unwrap_or_else(|| Value::String(entropy.uuid_v4()));
    let now = (entropy.now_millis() / 1000) as i64;
    let issued_at = claim(&claims, "iat").unwrap_or_else(|| Value::from(now));
    let expiry = params
        .text("exp")
        .and_then(|e| parse_int(&e))
        .filter(|e| *e != 0)
        .unwrap_or(DEFAULT_EXPIRY);
    let expires = claim(&claims, "exp")
        .and_then(|e| parse_int(&text_of(&e)))
        .filter(|e| *e != 0)
        .unwrap_or(now + expiry);
    let kid = claim(&claims, "kid").or_else(|| param("kid"));
    let alg = params.text("alg").unwrap_or_else(|| "RS256".into());
    let private_key = params.text("privateKey");
    let (Some(kid), Some(issuer), Some(audience), Some(private_key)) =
        (kid, issuer, audience, private_key)
    else {
        return Err("One or more of required claims missing".into());
    };
    let how = match signature_for(&alg) {
        Some(Signer::Key(kind)) => Signer::Key(kind),
        _ => return Err("invalid algorithm".into()),
    };
    let kid_text = text_of(&kid);
    let key = parse_private_key(&kid_text, &private_key.replace('\n', ""))
        .map_err(|_| "Failed to parse private key.".to_string())?;
    // jose's setters: `{ ...payload, iat }` and so on, in this order.
    for (name, value) in [
        ("iat", issued_at),
        ("iss", issuer),
        ("sub", subject.unwrap_or(Value::Null)),
        ("jti", jti),
        ("aud", audience),
        ("exp", Value::from(expires)),
    ] {
        claims.insert(name.into(), value);
    }
    let mut header = Map::new();
    header.insert("alg".into(), Value::String(alg));
    header.insert("kid".into(), kid);
    compact_jws(&Value::Object(header), &Value::Object(claims), how, &key)
        .map_err(|_| SignFailure::from("Failed to sign request with key."))
}

/// The key as PEM, or from a `data:application/pkcs8;kid=...;base64,...` URI whose kid must
/// match.
fn parse_private_key(kid: &str, key: &str) -> Result<SigningKey, SignFailure> {
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key);
    let decoded = super::percent_decode(key, false);
    let Some(rest) = decoded.strip_prefix("data:application/pkcs8;kid=") else {
        return Ok(SigningKey::Pem {
            pem: decoded,
            pkcs8_only: true,
        });
    };
    let (uri_kid, data) = rest.split_once(";base64,").ok_or("Malformed Data URI")?;
    if uri_kid != kid {
        return Err("Supplied key id does not match the one included in data uri.".into());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| e.to_string())?;
    // Either a PKCS#8 or a PKCS#1 RSA key; both are signed as the RSA key they hold.
    let label = if aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).is_ok() {
        "PRIVATE KEY"
    } else {
        "RSA PRIVATE KEY"
    };
    let body = base64::engine::general_purpose::STANDARD.encode(&der);
    Ok(SigningKey::Pem {
        pem: format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"),
        pkcs8_only: false,
    })
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `parseInt(text, 10)`.
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().ok().map(|n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{RSA_KEY, auth, authorization, sign};
    use serde_json::json;

    // Expected value: what postman-runtime 7.39.1's asap handler produces for these inputs at
    // 1700000000.123 s.

    #[test]
    fn rs256_adds_standard_claims_after_the_given_ones() {
        let parts = sign(
            &auth(
                "asap",
                json!({"alg": "RS256", "kid": "key-1", "iss": "issuer", "aud": "audience",
                    "privateKey": RSA_KEY, "claims": "{\"jti\":\"fixed-jti\",\"extra\":true}"}),
            ),
            "GET",
            "http://localhost/",
            &[],
            None,
        );
        assert_eq!(
            authorization(&parts),
            "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJqdGkiOiJmaXhlZC1qdGkiLCJleHRyYSI6dHJ1ZSwiaWF0IjoxNzAwMDAwMDAwLCJpc3MiOiJpc3N1ZXIiLCJzdWIiOiJpc3N1ZXIiLCJhdWQiOiJhdWRpZW5jZSIsImV4cCI6MTcwMDAwMzYwMH0.dDMntOXPH1g9s7pKNAp6u87e9b7u4IYJ5QdTsS85jmNM7W6EwEGqglrwbsrXlgFIgtI4dibNm1NtJ3VaInVFuWUOi9AnFcYNA69t_vBqXUEthkY2O5NOlf-7Atb9LdVET19ZEROxNvGn8AHxATfG52Hs1upWTbgIr48kQAf27wWAef29WEThLfQLnuKOFoUwVjP36gH63hcf7ufnyTiOxXeDMFWEo2f16419K_B_y3wtL4UGlTpNxm4UrCCb4XPSfPxwujlriLh0GAZ7nks5EcYedW83yHvKpKYffne693XojRKZHYVkiD4qGV6F0-JAopichdh6ChHVZqGdhfvT-Q"
        );
    }
}
