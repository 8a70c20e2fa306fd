//! Hawk (`hawk`): a MAC over the timestamp, nonce, method, resource, host and port, with an
//! optional payload hash, as postman-request's Hawk module writes it.

use super::crypto::{Hash, digest, hmac};
use super::payload::hashed_body;
use super::{AuthParts, Entropy, Params, SignInput, base64_standard};

/// The characters of a generated nonce.
const NONCE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

pub(super) fn sign(
    params: Params<'_>,
    input: &SignInput<'_>,
    entropy: &mut dyn Entropy,
) -> AuthParts {
    // The `pre` step: a missing nonce or a timestamp that is not a non-zero integer is generated.
    let nonce = params
        .text("nonce")
        .unwrap_or_else(|| entropy.random_string(NONCE_ALPHABET, 6));
    let timestamp = params
        .text("timestamp")
        .filter(|t| js_parse_int(t).is_some_and(|n| n != 0))
        .unwrap_or_else(|| (entropy.now_millis() / 1000).to_string());
    let (Some(id), Some(key)) = (params.text("authId"), params.text("authKey")) else {
        return AuthParts::default();
    };
    let algorithm = params.text_or_empty("algorithm");
    let hash = if params.truthy("includePayloadHash") && !algorithm.is_empty() {
        let Some(hash_fn) = Hash::from_name(&algorithm) else {
            // Node's createHash throws: the old header is gone and no new one comes.
            return AuthParts {
                remove_headers: vec!["Authorization".into()],
                ..AuthParts::unsigned("hawk", "Digest method not supported")
            };
        };
        hashed_body(input.body, input.files).map(|body| {
            let content_type = input
                .header("content-type")
                .map(|t| {
                    t.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
            let mut text = format!("hawk.1.payload\n{content_type}\n").into_bytes();
            text.extend_from_slice(&body);
            text.push(b'\n');
            base64_standard(&digest(hash_fn, &text))
        })
    } else {
        None
    };
    let header = header(&HawkArtifacts {
        id: &id,
        key: &key,
        algorithm: &algorithm,
        timestamp: &timestamp,
        nonce: &nonce,
        method: input.method,
        resource: input.target,
        host: &input.url.host_str().unwrap_or("").to_ascii_lowercase(),
        port: input
            .url
            .port()
            .unwrap_or(if input.scheme() == "http" { 80 } else { 443 }),
        hash: hash.as_deref(),
        ext: params.text("extraData").as_deref(),
        app: params.text("app").as_deref(),
        dlg: params.text("delegation").as_deref(),
    });
    AuthParts::authorization(header)
}

struct HawkArtifacts<'a> {
    id: &'a str,
    key: &'a str,
    algorithm: &'a str,
    timestamp: &'a str,
    nonce: &'a str,
    method: &'a str,
    resource: &'a str,
    host: &'a str,
    port: u16,
    hash: Option<&'a str>,
    ext: Option<&'a str>,
    app: Option<&'a str>,
    dlg: Option<&'a str>,
}

/// The header value; empty for an algorithm other than `sha1` or `sha256`, as the Hawk module
/// answers then.
fn header(a: &HawkArtifacts<'_>) -> String {
    let hash_fn = match a.algorithm {
        "sha1" => Hash::Sha1,
        "sha256" => Hash::Sha256,
        _ => return String::new(),
    };
    let mut normalized = format!(
        "hawk.1.header\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        a.timestamp,
        a.nonce,
        a.method.to_ascii_uppercase(),
        a.resource,
        a.host,
        a.port,
        a.hash.unwrap_or("")
    );
    if let Some(ext) = a.ext {
        // JavaScript's `replace` with a string pattern: only the first `\` and newline.
        normalized.push_str(&ext.replacen('\\', "\\\\", 1).replacen('\n', "\\n", 1));
    }
    normalized.push('\n');
    if let Some(app) = a.app {
        normalized.push_str(&format!("{app}\n{}\n", a.dlg.unwrap_or("")));
    }
    let mac = base64_standard(&hmac(hash_fn, a.key.as_bytes(), normalized.as_bytes()));
    let mut header = format!(
        "Hawk id=\"{}\", ts=\"{}\", nonce=\"{}",
        a.id, a.timestamp, a.nonce
    );
    if let Some(hash) = a.hash {
        header.push_str(&format!("\", hash=\"{hash}"));
    }
    if let Some(ext) = a.ext {
        let escaped = ext.replace('\\', "\\\\").replace('"', "\\\"");
        header.push_str(&format!("\", ext=\"{escaped}"));
    }
    header.push_str(&format!("\", mac=\"{mac}\""));
    if let Some(app) = a.app {
        header.push_str(&format!(", app=\"{app}"));
        if let Some(dlg) = a.dlg {
            header.push_str(&format!("\", dlg=\"{dlg}"));
        }
        header.push('"');
    }
    header
}

/// JavaScript's `parseInt(text)` for decimal text: leading whitespace, a sign, then digits.
fn js_parse_int(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let value: i64 = digits[..end].parse().ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{auth, authorization, sign};
    use crate::collection::Body;
    use serde_json::json;

    // Expected values: what postman-runtime 7.39.1's hawk handler produces for these inputs.

    #[test]
    fn header_carries_ext_app_and_dlg() {
        let parts = sign(
            &auth(
                "hawk",
                json!({"authId": "dh37fgj492je", "authKey": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
                    "algorithm": "sha256", "nonce": "Ygvqdz", "timestamp": "1700000000",
                    "extraData": "some \"app\" data\\x", "app": "my-app", "delegation": "dlg-1"}),
            ),
            "GET",
            "http://Example.com:8000/resource/1?b=1&a=2",
            &[],
            None,
        );
        assert_eq!(
            authorization(&parts),
            r#"Hawk id="dh37fgj492je", ts="1700000000", nonce="Ygvqdz", ext="some \"app\" data\\x", mac="T/bs51/MGlaL7PiBCaYax+JGcdiea0Y6kwh5ZwmE+DE=", app="my-app", dlg="dlg-1""#
        );
    }

    #[test]
    fn payload_hash_uses_the_request_content_type() {
        let parts = sign(
            &auth(
                "hawk",
                json!({"authId": "id1", "authKey": "key1", "algorithm": "sha1", "nonce": "abc123",
                    "timestamp": "1700000001", "includePayloadHash": true}),
            ),
            "POST",
            "https://api.example.com/items",
            &[("Content-Type", "application/json; charset=utf-8")],
            Some(Body::Raw {
                raw: "{\"a\":1}".into(),
                language: None,
            }),
        );
        assert_eq!(
            authorization(&parts),
            r#"Hawk id="id1", ts="1700000001", nonce="abc123", hash="1Rfk446lhoFmJQTGasZ3HmR8jNM=", mac="/GrKGfDskMpkP9sZrZuALr/vrN8=""#
        );
    }

    #[test]
    fn missing_timestamp_comes_from_the_clock() {
        let parts = sign(
            &auth(
                "hawk",
                json!({"authId": "id1", "authKey": "key1", "algorithm": "sha256"}),
            ),
            "GET",
            "http://localhost/x",
            &[],
            None,
        );
        let header = authorization(&parts);
        assert!(
            header.starts_with(r#"Hawk id="id1", ts="1700000000", nonce="abcdef""#),
            "{header}"
        );
    }
}
