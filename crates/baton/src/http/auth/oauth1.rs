//! OAuth 1.0a (`oauth1`), as postman-runtime signs with its `node-oauth1` fork: the signature
//! base string from the method, the base URL, the query, the `oauth_*` parameters and a
//! urlencoded body's fields; the parameters go to the `Authorization` header, the body (POST and
//! PUT with a urlencoded body) or the query.

use crate::collection::{Body, KeyValue};

use super::crypto::{Hash, KeySignature, digest, hmac, sign_with_key};
use super::payload::hashed_body;
use super::{
    AuthParts, Entropy, Params, SignInput, base64_standard, percent_decode, percent_encode_rfc3986,
};

/// The characters of a generated nonce (the library's own alphabet, `X` twice and no `j`).
const NONCE_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXTZabcdefghiklmnopqrstuvwxyz";

/// The protocol parameters, removed from the query and body before signing again.
const OAUTH_PARAMS: [&str; 10] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_signature",
    "oauth_callback",
    "oauth_verifier",
    "oauth_body_hash",
];

/// A parameter as the library sees it: a missing one differs from an empty one.
type Pair = (String, Option<String>);

pub(super) fn sign(
    params: Params<'_>,
    input: &SignInput<'_>,
    entropy: &mut dyn Entropy,
) -> AuthParts {
    let add_empty = params.truthy("addEmptyParamsToSign");
    // Without `addEmptyParamsToSign`, blank text parameters count as missing.
    let get = |key: &str| -> Option<String> {
        let value = params.0.param(key)?;
        if !add_empty && value.trim().is_empty() {
            return None;
        }
        Some(value)
    };
    let signature_method = get("signatureMethod");
    let (algorithm, hash_name) = match signature_method.as_deref() {
        Some(method) => {
            let mut split = method.split('-');
            (
                split.next().unwrap_or("").to_ascii_uppercase(),
                split.next().map(str::to_string),
            )
        }
        None => (String::new(), None),
    };
    let rsa = algorithm == "RSA";
    let nonempty = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if !nonempty(&get("consumerKey"))
        || (!rsa && !nonempty(&get("consumerSecret")))
        || (rsa && !nonempty(&get("privateKey")))
    {
        return AuthParts::default();
    }

    // Remove what an earlier signature left: the header (spelt exactly so), query and body
    // parameters.
    let mut parts = AuthParts {
        remove_headers: vec!["Authorization".into()],
        ..AuthParts::default()
    };
    let query = input.query().map(|query| {
        query
            .split('&')
            .filter(|pair| {
                let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
                !OAUTH_PARAMS.contains(&key)
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    if query.as_deref() != input.query() {
        parts.replace_query = query.clone();
    }
    let form = match input.body {
        Some(Body::UrlEncoded(fields)) => Some(
            fields
                .iter()
                .filter(|f| !OAUTH_PARAMS.contains(&f.key.as_str()))
                .cloned()
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    parts.form_fields = form.clone();

    let nonce = get("nonce")
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| entropy.random_string(NONCE_ALPHABET, 11));
    let timestamp = get("timestamp")
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| (entropy.now_millis() / 1000).to_string());
    let body_hash = match (&form, params.truthy("includeBodyHash"), &hash_name) {
        (None, true, Some(name)) => match Hash::from_name(name) {
            Some(hash) => match input.body {
                None => Some(base64_standard(&digest(hash, b""))),
                Some(Body::FormData(_)) => None,
                Some(Body::File { src }) if src.as_deref().is_some_and(|s| !s.is_empty()) => {
                    hashed_body(input.body, input.files)
                        .map(|bytes| base64_standard(&digest(hash, &bytes)))
                }
                Some(body) => Some(base64_standard(&digest(
                    hash,
                    &hashed_body(Some(body), input.files).unwrap_or_default(),
                ))),
            },
            None => return parts.with_warning("Digest method not supported"),
        },
        _ => None,
    };

    let mut signature_params: Vec<Pair> = vec![
        ("oauth_consumer_key".into(), get("consumerKey")),
        ("oauth_token".into(), get("token")),
        ("oauth_signature_method".into(), signature_method.clone()),
        ("oauth_timestamp".into(), Some(timestamp)),
        ("oauth_nonce".into(), Some(nonce)),
        ("oauth_version".into(), get("version")),
    ];
    // The extensions are signed only when they have a value, whatever addEmptyParamsToSign says.
    for (key, value) in [
        ("oauth_body_hash", body_hash),
        ("oauth_callback", get("callback")),
        ("oauth_verifier", get("verifier")),
    ] {
        if nonempty(&value) {
            signature_params.push((key.into(), value));
        }
    }
    signature_params.retain(|(_, value)| add_empty || nonempty(value));

    // The base string's parameters: the query's, then the protocol's, then the body's fields.
    let mut all: Vec<Pair> = query.as_deref().map(decode_form).unwrap_or_default();
    all.extend(signature_params.iter().cloned());
    if let Some(fields) = &form {
        all.extend(
            fields
                .iter()
                .filter(|f| !f.disabled)
                .map(|f| (f.key.clone(), f.value.clone())),
        );
    }
    let method_name = match signature_method.as_deref() {
        Some("") | None => {
            // The library signs with HMAC-SHA1 then, and signs that choice too.
            all.push(("oauth_signature_method".into(), Some("HMAC-SHA1".into())));
            "HMAC-SHA1".to_string()
        }
        Some(name) => name.to_string(),
    };
    let base = format!(
        "{}&{}&{}",
        percent_encode_rfc3986(&input.method.to_ascii_uppercase()),
        percent_encode_rfc3986(&base_url(input)),
        percent_encode_rfc3986(&normalize_parameters(&all))
    );
    let key = format!(
        "{}&{}",
        percent_encode_rfc3986(&get("consumerSecret").unwrap_or_default()),
        percent_encode_rfc3986(&get("tokenSecret").unwrap_or_default())
    );
    let name = method_name
        .strip_suffix("-Accessor")
        .unwrap_or(&method_name);
    let signature = match name {
        "PLAINTEXT" => key,
        "HMAC-SHA1" => base64_standard(&hmac(Hash::Sha1, key.as_bytes(), base.as_bytes())),
        "HMAC-SHA256" => base64_standard(&hmac(Hash::Sha256, key.as_bytes(), base.as_bytes())),
        "HMAC-SHA512" => base64_standard(&hmac(Hash::Sha512, key.as_bytes(), base.as_bytes())),
        "RSA-SHA1" | "RSA-SHA256" | "RSA-SHA512" => {
            let hash = Hash::from_name(&name[4..]).unwrap_or(Hash::Sha256);
            let pem = get("privateKey").unwrap_or_default();
            match sign_with_key(&pem, KeySignature::RsaPkcs1(hash), base.as_bytes(), false) {
                Ok(bytes) => base64_standard(&bytes),
                Err(reason) => return parts.with_warning(reason),
            }
        }
        _ => return parts.with_warning("Unsupported signature method"),
    };

    // The query is written again with RFC 3986 escaping, as OAuth 1.0a asks.
    if !input.disable_url_encoding {
        if let Some(query) = query.as_deref().filter(|q| !q.is_empty()) {
            parts.replace_query = Some(unparse(
                decode_form(query)
                    .into_iter()
                    .map(|(key, value)| {
                        (
                            percent_encode_rfc3986(&key),
                            value.map(|v| {
                                if v.is_empty() {
                                    v
                                } else {
                                    percent_encode_rfc3986(&v)
                                }
                            }),
                        )
                    })
                    .collect(),
            ));
        }
    }
    signature_params.push(("oauth_signature".into(), Some(signature)));

    let to_body = ["PUT", "POST"].iter().any(|m| input.method.contains(m)) && form.is_some();
    if params.truthy("addParamsToHeader") {
        parts.headers.push((
            "Authorization".into(),
            authorization_header(
                get("realm").as_deref(),
                &signature_params,
                params.truthy("disableHeaderEncoding"),
            ),
        ));
    } else if to_body {
        let mut fields = form.unwrap_or_default();
        fields.extend(signature_params.into_iter().map(|(key, value)| KeyValue {
            key,
            value,
            disabled: false,
        }));
        parts.form_fields = Some(fields);
    } else {
        let encode = |text: String| {
            if input.disable_url_encoding || text.is_empty() {
                text
            } else {
                percent_encode_rfc3986(&text)
            }
        };
        let mut pairs: Vec<Pair> = match parts.replace_query.as_deref().or(query.as_deref()) {
            Some(q) if !q.is_empty() => vec![(q.to_string(), None)],
            _ => Vec::new(),
        };
        pairs.extend(
            signature_params
                .into_iter()
                .map(|(key, value)| (encode(key), value.map(encode))),
        );
        parts.replace_query = Some(unparse(pairs));
    }
    parts
}

impl AuthParts {
    fn with_warning(self, reason: impl std::fmt::Display) -> AuthParts {
        AuthParts {
            warning: AuthParts::unsigned("oauth1", reason).warning,
            ..self
        }
    }
}

/// The base URL: scheme and host in lower case, the port only when it is neither 80 nor 443, and
/// the path.
fn base_url(input: &SignInput<'_>) -> String {
    let host = input.url.host_str().unwrap_or("").to_ascii_lowercase();
    let authority = match input.url.port() {
        Some(port) if port != 80 && port != 443 => format!("{host}:{port}"),
        _ => host,
    };
    let path = input.target.split('?').next().unwrap_or("/");
    let path = if path.is_empty() { "/" } else { path };
    format!(
        "{}://{authority}{path}",
        input.scheme().to_ascii_lowercase()
    )
}

/// The library's `decodeForm`: empty pieces skipped, a piece without `=` has no value.
fn decode_form(query: &str) -> Vec<Pair> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (percent_decode(key, true), Some(percent_decode(value, true))),
            None => (percent_decode(pair, true), None),
        })
        .collect()
}

/// The parameters sorted by their encoded `key value` text and form-encoded, the signature left
/// out.
fn normalize_parameters(params: &[Pair]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .filter(|(key, _)| key != "oauth_signature")
        .map(|(key, value)| {
            (
                percent_encode_rfc3986(key),
                percent_encode_rfc3986(value.as_deref().unwrap_or("")),
            )
        })
        .collect();
    encoded.sort_by(|a, b| format!("{} {}", a.0, a.1).cmp(&format!("{} {}", b.0, b.1)));
    encoded
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Query text from pairs: a pair without a value is its key alone.
fn unparse(pairs: Vec<Pair>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| match value {
            Some(value) => format!("{key}={value}"),
            None => key,
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `OAuth realm="...",oauth_consumer_key="...",...`: parameters without a value are left out,
/// values trimmed and (unless disabled) percent-encoded.
fn authorization_header(realm: Option<&str>, params: &[Pair], disable_encoding: bool) -> String {
    let encode = |text: &str| {
        if disable_encoding {
            text.to_string()
        } else {
            percent_encode_rfc3986(text)
        }
    };
    let mut fields = Vec::new();
    if let Some(realm) = realm.filter(|r| !r.trim().is_empty()) {
        fields.push(format!("realm=\"{}\"", encode(realm)));
    }
    for (key, value) in params {
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
            continue;
        };
        let (key, value) = (encode(key), encode(value.trim()));
        if key.starts_with("oauth_") {
            fields.push(format!("{key}=\"{value}\""));
        }
    }
    format!("OAuth {}", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{RSA_KEY, auth, authorization, sign};
    use crate::collection::{Body, KeyValue};
    use serde_json::json;

    // Expected values: what postman-runtime 7.39.1's oauth1 handler produces for these inputs.

    #[test]
    fn hmac_sha1_in_the_header_with_realm_and_the_query_reencoded() {
        let parts = sign(
            &auth(
                "oauth1",
                json!({"consumerKey": "ck", "consumerSecret": "cs", "token": "tk", "tokenSecret": "ts",
                    "signatureMethod": "HMAC-SHA1", "timestamp": "1700000000", "nonce": "n0nce",
                    "version": "1.0", "realm": "Example Realm", "addParamsToHeader": true,
                    "addEmptyParamsToSign": false}),
            ),
            "GET",
            "http://Example.com:80/path/x?b=2&a=hello%20world&c!='x'&flag",
            &[],
            None,
        );
        assert_eq!(
            authorization(&parts),
            r#"OAuth realm="Example%20Realm",oauth_consumer_key="ck",oauth_token="tk",oauth_signature_method="HMAC-SHA1",oauth_timestamp="1700000000",oauth_nonce="n0nce",oauth_version="1.0",oauth_signature="qa1%2BGwSbUOcnrwJWcPijpMHXh2A%3D""#
        );
        assert_eq!(
            parts.replace_query.as_deref(),
            Some("b=2&a=hello%20world&c%21=%27x%27&flag")
        );
    }

    #[test]
    fn hmac_sha256_in_the_query_with_callback() {
        let parts = sign(
            &auth(
                "oauth1",
                json!({"consumerKey": "ck", "consumerSecret": "cs", "signatureMethod": "HMAC-SHA256",
                    "timestamp": "1700000000", "nonce": "n0nce", "version": "1.0",
                    "callback": "http://cb.example/?x=1", "addParamsToHeader": false}),
            ),
            "GET",
            "http://localhost:3000/q?x=a+b",
            &[],
            None,
        );
        assert_eq!(
            parts.replace_query.as_deref(),
            Some(
                "x=a%20b&oauth_consumer_key=ck&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1700000000&oauth_nonce=n0nce&oauth_version=1.0&oauth_callback=http%3A%2F%2Fcb.example%2F%3Fx%3D1&oauth_signature=rOgnwR6jfmbey1Tajh6sEam%2BxZOUnU85hkbpMHSLFnA%3D"
            )
        );
        assert!(parts.headers.is_empty());
    }

    #[test]
    fn plaintext_goes_to_a_urlencoded_body_replacing_old_parameters() {
        let parts = sign(
            &auth(
                "oauth1",
                json!({"consumerKey": "ck", "consumerSecret": "c&s", "tokenSecret": "t s",
                    "signatureMethod": "PLAINTEXT", "timestamp": "1700000000", "nonce": "n",
                    "version": "1.0", "addParamsToHeader": false}),
            ),
            "POST",
            "http://localhost:3000/form",
            &[],
            Some(Body::UrlEncoded(vec![
                KeyValue::new("name", "a b"),
                KeyValue::new("oauth_nonce", "old"),
            ])),
        );
        let fields: Vec<(String, String)> = parts
            .form_fields
            .unwrap()
            .into_iter()
            .map(|f| (f.key, f.value.unwrap_or_default()))
            .collect();
        let expected = [
            ("name", "a b"),
            ("oauth_consumer_key", "ck"),
            ("oauth_signature_method", "PLAINTEXT"),
            ("oauth_timestamp", "1700000000"),
            ("oauth_nonce", "n"),
            ("oauth_version", "1.0"),
            ("oauth_signature", "c%26s&t%20s"),
        ];
        assert_eq!(
            fields,
            expected
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn rsa_sha1_in_the_header() {
        let parts = sign(
            &auth(
                "oauth1",
                json!({"consumerKey": "ck", "token": "tk", "privateKey": RSA_KEY,
                    "signatureMethod": "RSA-SHA1", "timestamp": "1700000000", "nonce": "n0nce",
                    "version": "1.0", "addParamsToHeader": true}),
            ),
            "GET",
            "http://localhost:3000/rsa1?a=1",
            &[],
            None,
        );
        assert_eq!(parts.warning, None);
        assert_eq!(
            authorization(&parts),
            r#"OAuth oauth_consumer_key="ck",oauth_token="tk",oauth_signature_method="RSA-SHA1",oauth_timestamp="1700000000",oauth_nonce="n0nce",oauth_version="1.0",oauth_signature="GxoWM8UNL6it4qNKCqkRlU%2FwKj5dOH0HHmivwpYFGTrPFrdcsqOtUHfGxqoxaUTfYf6Yz6kx3fCfgXwHT75fD36SoPPaSKS6rWv0EJ4qEulHcub17yoXAz454U5FoBVAndk4866n%2FskkbJqVGvxZS7uk5fMqeMmkuAm46yt%2F23EuFTDwX4U9tiUEMK7wIFRwxI8Dk5QAXLNYYV9PGm3RfrarsvFd%2BkfsC%2BA2VrXiL%2FD2aTPQYmaqMTuWny49AHZ6IYx2VqFeCwLNw6fpTSb1fkX9bo3BsimpYkfAcsYkKVRZ99gAtjQcetkU6vR6kZzwQFSpqUaaREYDdSvcZnP3BQ%3D%3D""#
        );
    }

    #[test]
    fn rsa_sha256_with_body_hash() {
        let parts = sign(
            &auth(
                "oauth1",
                json!({"consumerKey": "ck", "privateKey": RSA_KEY, "signatureMethod": "RSA-SHA256",
                    "timestamp": "1700000000", "nonce": "n", "version": "1.0", "includeBodyHash": true,
                    "addParamsToHeader": true, "addEmptyParamsToSign": true}),
            ),
            "POST",
            "http://localhost:3000/rsa",
            &[],
            Some(Body::Raw {
                raw: "hello".into(),
                language: None,
            }),
        );
        assert_eq!(
            authorization(&parts),
            r#"OAuth oauth_consumer_key="ck",oauth_signature_method="RSA-SHA256",oauth_timestamp="1700000000",oauth_nonce="n",oauth_version="1.0",oauth_body_hash="LPJNul%2Bwow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ%3D",oauth_signature="hIBQcmxzPpMDGveWVlFdqtWXmJTbvtyN%2B2hrouPaD67GsmnTFwxpXYdCrLcrOKhb2GaIXzedqNN%2FR4%2FxEUzmEglxGzfFWuLhOnVThjBU0sK9haFxQUz0hAk%2F2KJ2hFnDEqS9pXgD1dpoVeKPsxJLKevOKQfz77i%2BVCvMkqIKNuR3OJGmzCHR0duqLfUme8bAK0ilWqMgD3zuXhP9QUeeOMNdMIRca%2Bj51vpmti0NijmYkU5%2BJyqBRIM3BtUI2%2B2gEyRRQEWHILOTDwJeRsRJudx%2B1bSTziasknmM5Y6of%2F056XGE52jZbxUqjI2UCTi6iWJaFJJJhfpNTxO%2BbiPrpA%3D%3D""#
        );
    }
}
