//! AWS Signature Version 4 (`awsv4`), as the `aws4` module (1.12.0) signs the request
//! postman-runtime hands it: the request's own headers plus `Host`, the URL's path and query, and
//! the body's SHA-256 in `X-Amz-Content-Sha256` (computed by postman-runtime, never by `aws4`).

use super::super::body::array_index;
use super::SignFailure;
use super::crypto::{Hash, digest, hex, hmac};
use super::payload::hashed_body;
use super::{AuthParts, Entropy, Params, SignInput, percent_decode, percent_encode_rfc3986};

/// Headers `aws4` leaves out of the signature.
const UNSIGNED_HEADERS: [&str; 7] = [
    "authorization",
    "connection",
    "x-amzn-trace-id",
    "user-agent",
    "expect",
    "presigned-expires",
    "range",
];

/// Query parameters postman-runtime removes before signing again.
const REMOVED_QUERY: [&str; 6] = [
    "X-Amz-Security-Token",
    "X-Amz-Date",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// Headers postman-runtime removes before signing again.
const REMOVED_HEADERS: [&str; 4] = [
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
];

/// A JavaScript object of header names (as written) to values, in insertion order.
type HeaderObject = Vec<(String, Vec<String>)>;

pub(super) fn sign(
    params: Params<'_>,
    input: &SignInput<'_>,
    entropy: &mut dyn Entropy,
) -> AuthParts {
    let mut service = params
        .text("service")
        .unwrap_or_else(|| "execute-api".into());
    if service == "email" {
        service = "ses".into();
    }
    let region = params.text("region").unwrap_or_else(|| "us-east-1".into());
    let access_key = params.text_or_empty("accessKey");
    let secret_key = params.text_or_empty("secretKey");
    let session_token = params.text("sessionToken");
    let sign_query = params.truthy("addAuthDataToQuery");

    let mut parts = AuthParts {
        remove_headers: REMOVED_HEADERS.iter().map(|h| h.to_string()).collect(),
        ..AuthParts::default()
    };
    let kept_query = input.query().map(|query| {
        query
            .split('&')
            .filter(|pair| {
                let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
                !REMOVED_QUERY.contains(&key)
            })
            .collect::<Vec<_>>()
            .join("&")
    });

    // The headers object: the request's own, minus those removed above, values of one name
    // (as written) grouped.
    let mut headers: HeaderObject = Vec::new();
    for (name, value) in input.headers {
        if REMOVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            continue;
        }
        match headers.iter_mut().find(|(key, _)| key == name) {
            Some((_, values)) => values.push(value.clone()),
            None => headers.push((name.clone(), vec![value.clone()])),
        }
    }
    let get = |headers: &HeaderObject, name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, values)| values.join(","))
    };
    let body_hash = if sign_query {
        None
    } else {
        hashed_body(input.body, input.files).map(|body| hex(&digest(Hash::Sha256, &body)))
    };
    if let Some(hash) = &body_hash {
        headers.push(("X-Amz-Content-Sha256".into(), vec![hash.clone()]));
    }
    let mut added: Vec<(String, String)> = Vec::new();
    if let Some(hash) = &body_hash {
        added.push(("X-Amz-Content-Sha256".into(), hash.clone()));
    }
    if get(&headers, "Host").is_none() && get(&headers, "host").is_none() {
        headers.push(("Host".into(), vec![input.host()]));
        added.push(("Host".into(), input.host()));
    }

    // `aws4` reads the path postman-runtime computed before removing old X-Amz-* parameters.
    let path = match encode_uri_if_needed(input.target) {
        Ok(path) => path,
        Err(reason) => {
            return AuthParts {
                warning: AuthParts::unsigned("awsv4", reason).warning,
                ..parts
            };
        }
    };
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(parse_query(query))),
        None => (path.clone(), None),
    };

    let date_header = get(&headers, "Date").or_else(|| get(&headers, "date"));
    let datetime;
    let mut query = query;
    let now = entropy.now_millis();
    let make_datetime = |date_header: Option<String>| -> Result<String, SignFailure> {
        match date_header {
            Some(text) => {
                let parsed = time::OffsetDateTime::parse(
                    &text,
                    &time::format_description::well_known::Rfc2822,
                )
                .map_err(|_| "Invalid time value".to_string())?;
                Ok(amz_datetime(parsed.unix_timestamp() as i128 * 1000))
            }
            None => Ok(amz_datetime(now as i128)),
        }
    };
    if sign_query {
        let query = query.get_or_insert_with(Vec::new);
        if let Some(token) = &session_token {
            set(query, "X-Amz-Security-Token", token);
        }
        if service == "s3" && lookup(query, "X-Amz-Expires").is_none() {
            set(query, "X-Amz-Expires", "86400");
        }
        match lookup(query, "X-Amz-Date") {
            Some(date) => datetime = Some(date.join(",")),
            None => {
                let value = match make_datetime(date_header) {
                    Ok(value) => value,
                    Err(reason) => {
                        return AuthParts {
                            warning: AuthParts::unsigned("awsv4", reason).warning,
                            ..parts
                        };
                    }
                };
                set(query, "X-Amz-Date", &value);
                datetime = Some(value);
            }
        }
    } else {
        if let Some(token) = &session_token {
            if get(&headers, "X-Amz-Security-Token").is_none()
                && get(&headers, "x-amz-security-token").is_none()
            {
                headers.push(("X-Amz-Security-Token".into(), vec![token.clone()]));
                added.push(("X-Amz-Security-Token".into(), token.clone()));
            }
        }
        if service == "s3"
            && get(&headers, "X-Amz-Content-Sha256").is_none()
            && get(&headers, "x-amz-content-sha256").is_none()
        {
            let hash = hex(&digest(Hash::Sha256, b""));
            headers.push(("X-Amz-Content-Sha256".into(), vec![hash.clone()]));
            added.push(("X-Amz-Content-Sha256".into(), hash));
        }
        let value = match make_datetime(date_header) {
            Ok(value) => value,
            Err(reason) => {
                return AuthParts {
                    warning: AuthParts::unsigned("awsv4", reason).warning,
                    ..parts
                };
            }
        };
        headers.push(("X-Amz-Date".into(), vec![value.clone()]));
        added.push(("X-Amz-Date".into(), value.clone()));
        datetime = Some(value);
    }
    let datetime = datetime.unwrap_or_default();
    let date = datetime.get(..8).unwrap_or(&datetime).to_string();
    let credential_scope = format!("{date}/{region}/{service}/aws4_request");

    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(key, values)| (key.to_ascii_lowercase(), values.join(",")))
        .filter(|(key, _)| !UNSIGNED_HEADERS.contains(&key.as_str()))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let signed_headers = signed
        .iter()
        .map(|(key, _)| key.as_str())
        .collect::<Vec<_>>()
        .join(";");
    if sign_query {
        let query = query.get_or_insert_with(Vec::new);
        set(query, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        set(
            query,
            "X-Amz-Credential",
            &format!("{access_key}/{credential_scope}"),
        );
        set(query, "X-Amz-SignedHeaders", &signed_headers);
    }

    let payload_hash = if service == "s3" && sign_query {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        get(&headers, "X-Amz-Content-Sha256")
            .or_else(|| get(&headers, "x-amz-content-sha256"))
            .unwrap_or_else(|| hex(&digest(Hash::Sha256, b"")))
    };
    let canonical = [
        input.method.to_string(),
        canonical_path(&path, &service),
        canonical_query(query.as_deref(), service == "s3"),
        signed
            .iter()
            .map(|(key, value)| format!("{key}:{}", collapse_whitespace(value)))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
        signed_headers.clone(),
        payload_hash,
    ]
    .join("\n");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{datetime}\n{credential_scope}\n{}",
        hex(&digest(Hash::Sha256, canonical.as_bytes()))
    );
    let mut key = hmac(
        Hash::Sha256,
        format!("AWS4{secret_key}").as_bytes(),
        date.as_bytes(),
    );
    for part in [region.as_str(), service.as_str(), "aws4_request"] {
        key = hmac(Hash::Sha256, &key, part.as_bytes());
    }
    let signature = hex(&hmac(Hash::Sha256, &key, string_to_sign.as_bytes()));

    if sign_query {
        let query = query.get_or_insert_with(Vec::new);
        set(query, "X-Amz-Signature", &signature);
        // postman-runtime adds the X-Amz-* parameters of the signed path the request lacks.
        let kept_keys: Vec<&str> = kept_query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .map(|pair| pair.split_once('=').map_or(pair, |(k, _)| k))
            .collect();
        for (key, values) in js_object_order(query) {
            if key.starts_with("X-Amz-") && !kept_keys.contains(&key.as_str()) {
                for value in values {
                    parts.query.push((
                        encode_rfc3986_querystring(&key),
                        encode_rfc3986_querystring(&value),
                    ));
                }
            }
        }
    } else {
        added.push((
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{credential_scope}, \
                 SignedHeaders={signed_headers}, Signature={signature}"
            ),
        ));
    }
    parts.replace_query = kept_query.filter(|kept| Some(kept.as_str()) != input.query());
    parts.headers = added;
    parts
}

/// `YYYYMMDDTHHMMSSZ` for a time in milliseconds.
fn amz_datetime(millis: i128) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// `aws4` re-encodes a path holding characters outside its allowed set with
/// `encodeURI(decodeURI(path))`.
fn encode_uri_if_needed(path: &str) -> Result<String, SignFailure> {
    const ALLOWED: &[u8] = b";,/?:@&=+$-_.!~*'()#%";
    if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || ALLOWED.contains(&b))
    {
        return Ok(path.to_string());
    }
    // decodeURI keeps escapes of its reserved characters; encodeURI then leaves `%` of those
    // alone only because they are re-encoded identically.
    const RESERVED: &[u8] = b";/?:@&=+$,#";
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("URI malformed")?;
            if RESERVED.contains(&hex) {
                decoded.extend_from_slice(&bytes[i..i + 3]);
            } else {
                decoded.push(hex);
            }
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(decoded).map_err(|_| "URI malformed")?;
    let mut out = String::new();
    let mut rest = decoded.as_str();
    while let Some(c) = rest.chars().next() {
        // A kept reserved escape stays as it is; encodeURI would encode its `%` but decodeURI
        // kept it, so the pair round-trips to `%25XX`.
        let unreserved = c.is_ascii_alphanumeric() || "-_.!~*'();/?:@&=+$,#".contains(c);
        if unreserved {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// `querystring.parse`: pairs split at the first `=`, `+` as space, percent-decoded, values of a
/// key collected in order.
fn parse_query(query: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key, true), percent_decode(value, true));
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => out.push((key, vec![value])),
        }
    }
    out
}

fn lookup<'a>(query: &'a [(String, Vec<String>)], key: &str) -> Option<&'a Vec<String>> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn set(query: &mut Vec<(String, Vec<String>)>, key: &str, value: &str) {
    match query.iter_mut().find(|(k, _)| k == key) {
        Some((_, values)) => *values = vec![value.to_string()],
        None => query.push((key.to_string(), vec![value.to_string()])),
    }
}

/// A JavaScript object's key order: array-index keys first, in numeric order.
fn js_object_order(query: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    let mut ordered = query.to_vec();
    ordered.sort_by_key(|(key, _)| array_index(key).map_or((1, 0), |i| (0, i)));
    ordered
}

/// `encodeRfc3986(querystring.escape(text))`: everything but RFC 3986's unreserved characters.
fn encode_rfc3986_querystring(text: &str) -> String {
    percent_encode_rfc3986(text)
}

/// The canonical query: keys and values RFC 3986-encoded, sorted by key, a key's values sorted
/// (S3 signs only the first).
fn canonical_query(query: Option<&[(String, Vec<String>)]>, first_only: bool) -> String {
    let Some(query) = query else {
        return String::new();
    };
    let mut encoded: Vec<(String, Vec<String>)> = Vec::new();
    for (key, values) in js_object_order(query) {
        if key.is_empty() {
            continue;
        }
        let key = percent_encode_rfc3986(&key);
        let values = if first_only || values.len() == 1 {
            vec![percent_encode_rfc3986(&values[0])]
        } else {
            let mut values: Vec<String> =
                values.iter().map(|v| percent_encode_rfc3986(v)).collect();
            values.sort();
            values
        };
        match encoded.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) => *old = values,
            None => encoded.push((key, values)),
        }
    }
    encoded.sort_by(|a, b| a.0.cmp(&b.0));
    encoded
        .iter()
        .flat_map(|(key, values)| values.iter().map(move |v| format!("{key}={v}")))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical path: for every service but S3, repeated slashes and dot segments removed and
/// each segment encoded once more; S3 decodes each segment first and keeps slashes.
fn canonical_path(path: &str, service: &str) -> String {
    if path == "/" {
        return path.to_string();
    }
    let s3 = service == "s3";
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !s3 && c == '/' && collapsed.ends_with('/') {
            continue;
        }
        collapsed.push(c);
    }
    let mut segments: Vec<String> = Vec::new();
    for piece in collapsed.split('/') {
        if !s3 && piece == ".." {
            segments.pop();
        } else if s3 || piece != "." {
            let piece = if s3 {
                percent_decode(piece, true)
            } else {
                piece.to_string()
            };
            segments.push(percent_encode_rfc3986(&piece));
        }
    }
    let mut joined = segments.join("/");
    if !joined.starts_with('/') {
        joined.insert(0, '/');
    }
    if s3 {
        joined = joined.replace("%2F", "/");
    }
    joined
}

/// Trims and collapses runs of whitespace to one space, as `aws4` writes header values.
fn collapse_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{auth, sign};
    use crate::collection::{Body, KeyValue};
    use serde_json::json;

    // Expected values: what postman-runtime 7.39.1's awsv4 handler (aws4 1.12.0) produces for
    // these inputs at 2023-11-14T22:13:20Z.

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn header_signature_with_session_token_and_body_hash() {
        let parts = sign(
            &auth(
                "awsv4",
                json!({"accessKey": "AKIDEXAMPLE", "secretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    "region": "eu-west-1", "service": "execute-api", "sessionToken": "tok/en="}),
            ),
            "POST",
            "http://127.0.0.1:3000/a//b/../c d/?z=1&a=x y&a=b&empty",
            &[
                ("X-Custom", "  one   two "),
                ("Content-Type", "application/json"),
            ],
            Some(Body::Raw {
                raw: "{\"k\":\"v\"}".into(),
                language: None,
            }),
        );
        assert_eq!(
            parts.headers,
            pairs(&[
                (
                    "X-Amz-Content-Sha256",
                    "666c1aa02e8068c6d5cc1d3295009432c16790bec28ec8ce119d0d1a18d61319"
                ),
                ("Host", "127.0.0.1:3000"),
                ("X-Amz-Security-Token", "tok/en="),
                ("X-Amz-Date", "20231114T221320Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/execute-api/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom, Signature=b6bdb482c11ab010c62d8ae98318e77086fb33a76c80ef90889cdb218c689e5f"
                ),
            ])
        );
    }

    #[test]
    fn s3_signs_in_the_query() {
        let parts = sign(
            &auth(
                "awsv4",
                json!({"accessKey": "AK", "secretKey": "SK", "region": "us-east-1", "service": "s3",
                    "addAuthDataToQuery": true}),
            ),
            "GET",
            "https://bucket.s3.amazonaws.com/my%20key/a+b.txt?list-type=2",
            &[],
            None,
        );
        assert_eq!(parts.headers, pairs(&[("Host", "bucket.s3.amazonaws.com")]));
        assert_eq!(
            parts.query,
            pairs(&[
                ("X-Amz-Expires", "86400"),
                ("X-Amz-Date", "20231114T221320Z"),
                ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                (
                    "X-Amz-Credential",
                    "AK%2F20231114%2Fus-east-1%2Fs3%2Faws4_request"
                ),
                ("X-Amz-SignedHeaders", "host"),
                (
                    "X-Amz-Signature",
                    "f140871e9040cef6cd3e46f6b0044adaeda29252b1c13e4ff72d22ce81f82330"
                ),
            ])
        );
    }

    #[test]
    fn urlencoded_body_is_hashed_grouped_by_key() {
        let parts = sign(
            &auth("awsv4", json!({"accessKey": "AK", "secretKey": "SK"})),
            "PUT",
            "http://h.example/p",
            &[],
            Some(Body::UrlEncoded(vec![
                KeyValue::new("b", "x y"),
                KeyValue::new("a", "it's"),
                KeyValue::new("b", "2"),
            ])),
        );
        assert_eq!(
            parts.headers,
            pairs(&[
                (
                    "X-Amz-Content-Sha256",
                    "519ac5f932cec987c2cef91aa83f66b84ab328156d2f59a3ab16662a02eab50c"
                ),
                ("Host", "h.example"),
                ("X-Amz-Date", "20231114T221320Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AK/20231114/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=bb90b23d19642c5844ccd20ac47074719f922287b2731de95fb41ce6a47d0e2f"
                ),
            ])
        );
    }
}
