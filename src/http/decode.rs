//! Content decoding for the responses Baton reads itself (see `exact.rs`): gzip, deflate and br,
//! as reqwest decodes every other response.

use std::io::{self, Read};

use reqwest::header::HeaderMap;

/// The body without its `Content-Encoding` (gzip, deflate, br), which is then removed from the
/// headers with `Content-Length`, as reqwest does for every other request.
pub fn decode(headers: &mut HeaderMap, body: Vec<u8>) -> io::Result<Vec<u8>> {
    let encoding = headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let Some(encoding) = encoding else {
        return Ok(body);
    };
    if body.is_empty() {
        return Ok(body);
    }
    let mut decoded = Vec::new();
    match encoding.as_str() {
        "gzip" | "x-gzip" => {
            flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut decoded)?;
        }
        "deflate" => {
            if flate2::read::ZlibDecoder::new(&body[..])
                .read_to_end(&mut decoded)
                .is_err()
            {
                decoded.clear();
                flate2::read::DeflateDecoder::new(&body[..]).read_to_end(&mut decoded)?;
            }
        }
        "br" => {
            brotli_decompressor::Decompressor::new(&body[..], 4096).read_to_end(&mut decoded)?;
        }
        _ => return Ok(body),
    }
    headers.remove("content-encoding");
    headers.remove("content-length");
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn compressed_bodies_are_decoded_and_their_headers_dropped() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", HeaderValue::from_static("gzip"));
        headers.insert("content-length", HeaderValue::from_static("25"));
        let body = decode(&mut headers, gz.finish().unwrap()).unwrap();
        assert_eq!(body, b"hello");
        assert!(headers.is_empty());
    }

    #[test]
    fn an_unknown_encoding_is_left_alone() {
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", HeaderValue::from_static("zstd"));
        assert_eq!(decode(&mut headers, b"raw".to_vec()).unwrap(), b"raw");
        assert!(headers.contains_key("content-encoding"));
    }
}
