//! The body bytes signers hash. postman-runtime hashes the body as its body builder gives it, not
//! always the bytes that go on the wire: a urlencoded body is grouped by key first.

use crate::collection::{Body, KeyValue};

use super::super::body::{EncodedBody, FileAccess, encode_body};
use super::percent_encode_rfc3986;

/// The bytes of `body` to hash, or `None` where postman-runtime hashes nothing: no body, an empty
/// one, form-data, or a file it cannot read.
pub(super) fn hashed_body(body: Option<&Body>, files: &FileAccess) -> Option<Vec<u8>> {
    match body? {
        Body::Raw { raw, .. } if raw.is_empty() => None,
        Body::Raw { raw, .. } => Some(raw.as_bytes().to_vec()),
        Body::UrlEncoded(fields) if fields.is_empty() => None,
        Body::UrlEncoded(fields) => Some(grouped_form(fields).into_bytes()),
        Body::FormData(_) => None,
        Body::File { src: None } => None,
        Body::File { src: Some(src) } if src.is_empty() => None,
        body @ (Body::File { .. } | Body::GraphQl { .. }) => encode_body(body, files)
            .ok()
            .map(|EncodedBody { bytes, .. }| bytes),
    }
}

/// The urlencoded text postman-runtime hashes: enabled fields collected into a JavaScript object
/// (duplicate keys grouped at their first place, integer-like keys first in numeric order), then
/// `querystring.stringify` with RFC 3986 escaping.
pub(super) fn grouped_form(fields: &[KeyValue]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for field in fields.iter().filter(|f| !f.disabled) {
        let value = field.value.as_deref().unwrap_or("");
        match groups.iter_mut().find(|(key, _)| *key == field.key) {
            Some((_, values)) => values.push(value),
            None => groups.push((&field.key, vec![value])),
        }
    }
    groups.sort_by_key(|(key, _)| array_index(key).map_or((1, 0), |i| (0, i)));
    groups
        .iter()
        .flat_map(|(key, values)| {
            values.iter().map(move |value| {
                format!(
                    "{}={}",
                    percent_encode_rfc3986(key),
                    percent_encode_rfc3986(value)
                )
            })
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The number a JavaScript object key stands for when it is an array index (`0`, `17`, not
/// `017`): such keys come first, in numeric order, whatever the insertion order.
pub(super) fn array_index(key: &str) -> Option<u64> {
    let valid = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    key.parse::<u64>()
        .ok()
        .filter(|&n| valid && n < u64::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_form_keys_are_grouped_and_numeric_keys_come_first() {
        let fields = vec![
            KeyValue::new("b", "x y"),
            KeyValue::new("a", "1"),
            KeyValue::new("b", "it's"),
            KeyValue::new("2", "two"),
        ];
        assert_eq!(grouped_form(&fields), "2=two&b=x%20y&b=it%27s&a=1");
    }
}
