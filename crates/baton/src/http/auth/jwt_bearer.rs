//! JWT Bearer (`jwt`): a JWT signed from the given header and payload, sent as a bearer token or
//! a query parameter. Like jose's `SignJWT`, the header is the given one with `alg` set, and both
//! parts are written as `JSON.stringify` writes them, so RS* and HS* tokens match byte for byte.

use base64::Engine;
use serde_json::{Map, Value};

use super::SignFailure;
use super::crypto::{Hash, KeySignature, hmac, sign_with_key};
use super::{AuthParts, Params, SignInput};

pub(super) fn sign(params: Params<'_>, input: &SignInput<'_>) -> AuthParts {
    match token(params) {
        Ok(token) => place_token(params, input, token),
        Err(reason) => AuthParts::unsigned("jwt", reason),
    }
}

fn token(params: Params<'_>) -> Result<String, SignFailure> {
    let algorithm = params.text_or_empty("algorithm");
    let how = signature_for(&algorithm).ok_or("invalid algorithm")?;
    let hs = matches!(how, Signer::Hmac(_));
    let secret = params.text("secret").filter(|_| hs);
    let private_key = params.text("privateKey").filter(|_| !hs);
    if hs && secret.is_none() {
        return Err("Invalid secret key. Enter a valid key.".into());
    }
    if !hs && private_key.is_none() {
        return Err("Invalid private key. Enter a valid key.".into());
    }
    let mut header = match params.value("header") {
        Some(Value::String(text)) if !text.trim().is_empty() => {
            serde_json::from_str(text.trim()).map_err(|e| e.to_string())?
        }
        Some(Value::String(_)) | None => Value::Null,
        Some(other) => other.clone(),
    };
    // `{ ...header, alg }`: the given header's keys, with `alg` in its place or last.
    let mut header_map = match header.take() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    header_map.insert("alg".into(), Value::String(algorithm.clone()));
    let payload = match params.value("payload") {
        Some(Value::String(text)) if !text.trim().is_empty() => {
            serde_json::from_str(text.trim()).map_err(|e| e.to_string())?
        }
        Some(Value::String(_)) | None => Value::Object(Map::new()),
        Some(other) => other.clone(),
    };
    if !payload.is_object() {
        return Err("JWT Claims Set MUST be an object".into());
    }
    let key = match how {
        Signer::Hmac(_) => {
            let secret = secret.unwrap_or_default();
            if params.truthy("isSecretBase64Encoded") {
                SigningKey::Secret(lenient_base64(&secret))
            } else {
                SigningKey::Secret(secret.into_bytes())
            }
        }
        _ => SigningKey::Pem {
            pem: private_key.unwrap_or_default(),
            pkcs8_only: true,
        },
    };
    compact_jws(&Value::Object(header_map), &payload, how, &key)
}

fn place_token(params: Params<'_>, input: &SignInput<'_>, token: String) -> AuthParts {
    let target = params.text("addTokenTo").unwrap_or_else(|| "header".into());
    match target.as_str() {
        "header" => {
            let prefix = match params.value("headerPrefix") {
                None => "Bearer ".to_string(),
                Some(_) => match params.text_or_empty("headerPrefix") {
                    prefix if prefix.is_empty() => prefix,
                    prefix => format!("{prefix} "),
                },
            };
            AuthParts::authorization(format!("{prefix}{token}"))
        }
        "queryParam" => {
            let key = params
                .text("queryParamKey")
                .unwrap_or_else(|| "token".into());
            let mut parts = AuthParts::default();
            if let Some(query) = input.query() {
                let kept = query
                    .split('&')
                    .filter(|pair| pair.split_once('=').map_or(*pair, |(k, _)| k) != key)
                    .collect::<Vec<_>>()
                    .join("&");
                if kept != query {
                    parts.replace_query = Some(kept);
                }
            }
            parts.query.push((key, token));
            parts
        }
        _ => AuthParts::default(),
    }
}

/// How a JWS is signed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Signer {
    Hmac(Hash),
    Key(KeySignature),
}

/// The signer for a JOSE `alg`; `None` for one postman-runtime does not offer.
pub(super) fn signature_for(alg: &str) -> Option<Signer> {
    let hash = match alg.get(2..)? {
        "256" => Hash::Sha256,
        "384" => Hash::Sha384,
        "512" => Hash::Sha512,
        _ => return None,
    };
    Some(match &alg[..2] {
        "HS" => Signer::Hmac(hash),
        "RS" => Signer::Key(KeySignature::RsaPkcs1(hash)),
        "PS" => Signer::Key(KeySignature::RsaPss(hash)),
        "ES" => Signer::Key(KeySignature::Ecdsa(hash)),
        _ => return None,
    })
}

/// The key a JWS is signed with.
pub(super) enum SigningKey {
    Secret(Vec<u8>),
    Pem { pem: String, pkcs8_only: bool },
}

/// `base64url(header).base64url(payload).base64url(signature)`.
pub(super) fn compact_jws(
    header: &Value,
    payload: &Value,
    how: Signer,
    key: &SigningKey,
) -> Result<String, SignFailure> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let signing_input = format!(
        "{}.{}",
        b64(js_stringify(header).as_bytes()),
        b64(js_stringify(payload).as_bytes())
    );
    let signature = match (how, key) {
        (Signer::Hmac(hash), SigningKey::Secret(secret)) => {
            hmac(hash, secret, signing_input.as_bytes())
        }
        (Signer::Key(kind), SigningKey::Pem { pem, pkcs8_only }) => {
            sign_with_key(pem, kind, signing_input.as_bytes(), *pkcs8_only)?
        }
        _ => return Err("the key does not suit the algorithm".into()),
    };
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

/// `Buffer.from(text, 'base64')`: standard or URL-safe alphabet, other characters and padding
/// ignored.
fn lenient_base64(text: &str) -> Vec<u8> {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '-' => Some('+'),
            '_' => Some('/'),
            c if c.is_ascii_alphanumeric() || c == '+' || c == '/' => Some(c),
            _ => None,
        })
        .collect();
    // A lone trailing character carries no whole byte; Node drops it.
    let usable = cleaned.len() - usize::from(cleaned.len() % 4 == 1);
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&cleaned[..usable]).unwrap_or_default()
}

/// `JSON.stringify` of a parsed value: compact, keys in order, numbers as JavaScript writes them.
pub(super) fn js_stringify(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) if i.unsigned_abs() < 1 << 53 => out.push_str(&i.to_string()),
            (_, Some(u), _) if u < 1 << 53 => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&js_number(f)),
            _ => out.push_str("null"),
        },
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_json(out, item);
            }
            out.push('}');
        }
    }
}

/// A double as JavaScript prints it: integers without a fraction, exponents from 1e21 and
/// below 1e-6.
fn js_number(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        return match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        };
    }
    if f.fract() == 0.0 {
        return format!("{f:.0}");
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{RSA_KEY, auth, authorization, sign};
    use serde_json::json;

    // Expected values: what postman-runtime 7.39.1's jwt handler (jose 4.14.4) produces for these
    // inputs.

    #[test]
    fn hs256_with_a_base64_secret_custom_header_and_prefix() {
        let parts = sign(
            &auth(
                "jwt",
                json!({"algorithm": "HS256", "secret": "c2VjcmV0", "isSecretBase64Encoded": true,
                    "header": "{\"typ\":\"JWT\",\"alg\":\"none\",\"kid\":\"k1\"}",
                    "payload": "{\"sub\":\"123\",\"n\":1.0,\"big\":1e21,\"arr\":[1,\"x\"]}",
                    "headerPrefix": "JWT"}),
            ),
            "GET",
            "http://localhost/",
            &[],
            None,
        );
        assert_eq!(
            authorization(&parts),
            "JWT eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMjMiLCJuIjoxLCJiaWciOjFlKzIxLCJhcnIiOlsxLCJ4Il19._eIEl2ZQP_02sQLKVNjlws1pYLuutFb4lZE2dUsHt0c"
        );
    }

    #[test]
    fn rs256_replaces_the_query_parameter() {
        let parts = sign(
            &auth(
                "jwt",
                json!({"algorithm": "RS256", "privateKey": RSA_KEY, "payload": "{\"iss\":\"me\"}",
                    "addTokenTo": "queryParam", "queryParamKey": "jwt"}),
            ),
            "GET",
            "http://localhost/?jwt=old&x=1",
            &[],
            None,
        );
        assert_eq!(parts.replace_query.as_deref(), Some("x=1"));
        assert_eq!(
            parts.query,
            vec![("jwt".to_string(), "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJtZSJ9.TRNZx1oNY3S3MbZyukF7nWjNHnLvLdBlrgTxrri3JRIvhkVnN1xh0ZIh-9_NOI-S4dt2X4LlScmTPG9suHydCgK4_r-gPZkuWoagWBsdKNqGL4wLos26o_PW3E5Czeo48-5w_vofMdvbhhNKJblYelGDweRbRJHOujbaw6pTtCvM02C0jymOSP3ISPYDZ9W7QFS2cpgUvuVlYusctzSyEI3Z22K1Lod19oMCT3eHvyjm79QdMteNExSGBS99Jiquw-FK7ALTWEGYqLgi7akZcL5XkWG_ETOHZXY4CPzWUNo5jmTavieEmv2gBjKoOJ2P6DjCDG7Q3Ncc8SUjIx9u6Q".to_string())]
        );
    }

    #[test]
    fn an_unknown_algorithm_leaves_the_request_unsigned_with_a_warning() {
        let parts = sign(
            &auth("jwt", json!({"algorithm": "none"})),
            "GET",
            "http://localhost/",
            &[],
            None,
        );
        assert!(parts.headers.is_empty());
        assert_eq!(
            parts.warning.as_deref(),
            Some("runtime~jwt.auth: could not sign the request: invalid algorithm")
        );
    }
}
