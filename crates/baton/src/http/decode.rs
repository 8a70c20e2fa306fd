//! Content decoding of response bodies: gzip, deflate and br, as Newman decodes them. The headers
//! stay as received (`Content-Encoding` included), as Newman shows them.

use std::io::{self, Read};

/// Why a body could not be decoded.
#[derive(Debug)]
pub enum DecodeError {
    /// It decompresses to more than the limit; decompression stopped there.
    TooLarge,
    /// It is not valid data for its encoding.
    Invalid(io::Error),
}

/// The body without its `Content-Encoding` (gzip, deflate, br), in at most `limit` bytes: a
/// small compressed body may expand a thousandfold, so the decoder stops one byte past the limit
/// rather than inflating it all. Any other encoding is left as is.
pub fn decode(
    headers: &[(String, String)],
    body: Vec<u8>,
    limit: u64,
) -> Result<Vec<u8>, DecodeError> {
    let encoding = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    let Some(encoding) = encoding else {
        return Ok(body);
    };
    if body.is_empty() {
        return Ok(body);
    }
    let inflate = |decoder: &mut dyn Read| -> Result<Vec<u8>, DecodeError> {
        let mut decoded = Vec::new();
        decoder
            .take(limit.saturating_add(1))
            .read_to_end(&mut decoded)
            .map_err(DecodeError::Invalid)?;
        if decoded.len() as u64 > limit {
            return Err(DecodeError::TooLarge);
        }
        Ok(decoded)
    };
    match encoding.as_str() {
        "gzip" | "x-gzip" => inflate(&mut flate2::read::MultiGzDecoder::new(&body[..])),
        "deflate" => match inflate(&mut flate2::read::ZlibDecoder::new(&body[..])) {
            Err(DecodeError::Invalid(_)) => {
                inflate(&mut flate2::read::DeflateDecoder::new(&body[..]))
            }
            other => other,
        },
        "br" => inflate(&mut brotli_decompressor::Decompressor::new(&body[..], 4096)),
        _ => Ok(body),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const LIMIT: u64 = 1024;

    fn encoded(name: &str) -> Vec<(String, String)> {
        vec![("Content-Encoding".to_string(), name.to_string())]
    }

    #[test]
    fn gzip_deflate_and_br_bodies_are_decoded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello").unwrap();
        assert_eq!(
            decode(&encoded("gzip"), gz.finish().unwrap(), LIMIT).unwrap(),
            b"hello"
        );
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(b"zlib").unwrap();
        assert_eq!(
            decode(&encoded("deflate"), zlib.finish().unwrap(), LIMIT).unwrap(),
            b"zlib"
        );
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(b"raw deflate").unwrap();
        assert_eq!(
            decode(&encoded("deflate"), raw.finish().unwrap(), LIMIT).unwrap(),
            b"raw deflate"
        );
        // "hi" as Node's zlib.brotliCompressSync writes it.
        let br = [0x8b, 0x00, 0x80, 0x68, 0x69, 0x03];
        assert_eq!(decode(&encoded("br"), br.to_vec(), LIMIT).unwrap(), b"hi");
    }

    #[test]
    fn an_unknown_encoding_is_left_alone() {
        assert_eq!(
            decode(&encoded("zstd"), b"raw".to_vec(), LIMIT).unwrap(),
            b"raw"
        );
        assert_eq!(decode(&[], b"plain".to_vec(), LIMIT).unwrap(), b"plain");
    }

    #[test]
    fn a_bomb_stops_one_byte_past_the_limit() {
        let zeros = vec![0u8; 10 * 1024 * 1024];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&zeros).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(matches!(
            decode(&encoded("gzip"), bomb.clone(), LIMIT),
            Err(DecodeError::TooLarge)
        ));
        let whole = decode(&encoded("gzip"), bomb, zeros.len() as u64).unwrap();
        assert_eq!(whole.len(), zeros.len());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&[7u8; 1024]).unwrap();
        let exact = decode(&encoded("gzip"), gz.finish().unwrap(), LIMIT).unwrap();
        assert_eq!(exact.len(), 1024);
    }
}
