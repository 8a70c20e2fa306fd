//! The body bytes signers hash. postman-runtime hashes the body as its body builder gives it, not
//! always the bytes that go on the wire: a urlencoded body is grouped by key first.

use crate::collection::Body;

use super::super::body::{EncodedBody, FileAccess, encode_body, urlencode_fields};

/// The bytes of `body` to hash, or `None` where postman-runtime hashes nothing: no body, an empty
/// one, form-data, or a file it cannot read.
pub(super) fn hashed_body(body: Option<&Body>, files: &FileAccess) -> Option<Vec<u8>> {
    match body? {
        Body::Raw { raw, .. } if raw.is_empty() => None,
        Body::Raw { raw, .. } => Some(raw.as_bytes().to_vec()),
        Body::UrlEncoded(fields) if fields.is_empty() => None,
        // The fields as the HTTP layer writes them (grouped by key), which is what is hashed.
        Body::UrlEncoded(fields) => Some(urlencode_fields(fields).into_bytes()),
        Body::FormData(_) => None,
        Body::File { src: None } => None,
        Body::File { src: Some(src) } if src.is_empty() => None,
        body @ (Body::File { .. } | Body::GraphQl { .. }) => {
            encode_body(body, files, None, &mut Vec::new())
                .ok()
                .flatten()
                .map(|EncodedBody { bytes, .. }| bytes)
        }
    }
}
