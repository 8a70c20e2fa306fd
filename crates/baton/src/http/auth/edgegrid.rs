//! Akamai EdgeGrid (`edgegrid`): `EG1-HMAC-SHA256` over the method, scheme, host, path and query,
//! the chosen headers and (for POST) the body's SHA-256, keyed by an HMAC of the timestamp.

use super::crypto::{Hash, digest, hmac};
use super::payload::hashed_body;
use super::{AuthParts, Entropy, Params, SignInput, base64_standard};

/// Bodies longer than this (128 KiB) are hashed only up to it, unless `maxBodySize` says otherwise.
const DEFAULT_MAX_BODY: usize = 131_072;

pub(super) fn sign(
    params: Params<'_>,
    input: &SignInput<'_>,
    entropy: &mut dyn Entropy,
) -> AuthParts {
    let (Some(access_token), Some(client_token), Some(client_secret)) = (
        params.text("accessToken"),
        params.text("clientToken"),
        params.text("clientSecret"),
    ) else {
        return AuthParts::default();
    };
    let host = match params.text("baseURL") {
        Some(base) => base_url_host(&base),
        None => input.host(),
    };
    let nonce = params.text("nonce").unwrap_or_else(|| entropy.uuid_v4());
    let timestamp = params
        .text("timestamp")
        .unwrap_or_else(|| timestamp(entropy.now_millis()));
    let max_body = params
        .text("maxBodySize")
        .and_then(|m| m.trim().parse::<f64>().ok())
        .filter(|m| *m != 0.0 && !m.is_nan())
        .map_or(DEFAULT_MAX_BODY, |m| m.max(0.0) as usize);
    let headers_to_sign: Vec<String> = params
        .text("headersToSign")
        .map(|h| h.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let body_hash = if input.method == "POST" {
        hashed_body(input.body, input.files).map(|body| {
            let limited = &body[..body.len().min(max_body)];
            base64_standard(&digest(Hash::Sha256, limited))
        })
    } else {
        None
    };
    let auth_header = format!(
        "EG1-HMAC-SHA256 client_token={client_token};access_token={access_token};timestamp={timestamp};nonce={nonce};"
    );
    let data = [
        input.method.to_string(),
        input.scheme().to_string(),
        host,
        input.target.to_string(),
        canonical_headers(&headers_to_sign, input.headers),
        body_hash.unwrap_or_default(),
        auth_header.clone(),
    ]
    .join("\t");
    let signing_key = base64_standard(&hmac(
        Hash::Sha256,
        client_secret.as_bytes(),
        timestamp.as_bytes(),
    ));
    let signature = base64_standard(&hmac(Hash::Sha256, signing_key.as_bytes(), data.as_bytes()));
    AuthParts::authorization(format!("{auth_header}signature={signature}"))
}

/// The host of `baseURL` as Node's URL gives it (`http://` assumed without a scheme).
fn base_url_host(base: &str) -> String {
    super::super::wire::parse_wire_url(base)
        .map(|url| super::super::wire::host_header(&url).to_ascii_lowercase())
        .unwrap_or_default()
}

/// `YYYYMMDDTHH:MM:SS+0000` in UTC.
fn timestamp(millis: u64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}:{:02}:{:02}+0000",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// `name:value` of each header to sign that the request has once with a non-empty value, the
/// value trimmed and its whitespace runs collapsed, joined by tabs.
fn canonical_headers(names: &[String], headers: &[(String, String)]) -> String {
    names
        .iter()
        .filter_map(|name| {
            let name = name.trim().to_ascii_lowercase();
            let mut values = headers
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(&name));
            let value = values.next()?;
            // Two headers of one name make an array, which is skipped.
            if values.next().is_some() || value.1.is_empty() {
                return None;
            }
            let collapsed = value.1.split_whitespace().collect::<Vec<_>>().join(" ");
            Some(format!("{name}:{collapsed}"))
        })
        .collect::<Vec<_>>()
        .join("\t")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{auth, authorization, sign};
    use crate::collection::Body;
    use serde_json::json;

    // Expected values: what postman-runtime 7.39.1's edgegrid handler produces for these inputs.

    #[test]
    fn post_signs_chosen_headers_and_a_limited_body_hash() {
        let parts = sign(
            &auth(
                "edgegrid",
                json!({"accessToken": "akab-access", "clientToken": "akab-client", "clientSecret": "secret=",
                    "nonce": "nonce-1", "timestamp": "20231114T22:13:20+0000", "headersToSign": "X-A, x-b",
                    "maxBodySize": "4"}),
            ),
            "POST",
            "https://akab.luna.akamaiapis.net/path?x=1",
            &[("x-a", "  v   1 "), ("X-B", "2")],
            Some(Body::Raw {
                raw: "0123456789".into(),
                language: None,
            }),
        );
        assert_eq!(
            authorization(&parts),
            "EG1-HMAC-SHA256 client_token=akab-client;access_token=akab-access;timestamp=20231114T22:13:20+0000;nonce=nonce-1;signature=V1rA3wBy826umEoVQPMP78284gCmbWGJ8a2WWyd6cG8="
        );
    }

    #[test]
    fn base_url_host_and_generated_timestamp() {
        let parts = sign(
            &auth(
                "edgegrid",
                json!({"accessToken": "a", "clientToken": "c", "clientSecret": "s",
                    "baseURL": "https://base.example:8443/x", "nonce": "n"}),
            ),
            "GET",
            "http://localhost/",
            &[],
            None,
        );
        assert_eq!(
            authorization(&parts),
            "EG1-HMAC-SHA256 client_token=c;access_token=a;timestamp=20231114T22:13:20+0000;nonce=n;signature=uhzUaZCFHrMcpaejoAHd8N46U4f4NPy1bezxWBn8y10="
        );
    }
}
