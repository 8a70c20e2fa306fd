//! Content decoding of response bodies: gzip, deflate and br, as Newman decodes them. The headers
//! stay as received (`Content-Encoding` included), as Newman shows them.

use std::io::{self, Read};

/// The body without its `Content-Encoding` (gzip, deflate, br); any other encoding is left as is.
pub fn decode(headers: &[(String, String)], body: Vec<u8>) -> io::Result<Vec<u8>> {
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
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn encoded(name: &str) -> Vec<(String, String)> {
        vec![("Content-Encoding".to_string(), name.to_string())]
    }

    #[test]
    fn gzip_deflate_and_br_bodies_are_decoded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello").unwrap();
        assert_eq!(
            decode(&encoded("gzip"), gz.finish().unwrap()).unwrap(),
            b"hello"
        );
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(b"zlib").unwrap();
        assert_eq!(
            decode(&encoded("deflate"), zlib.finish().unwrap()).unwrap(),
            b"zlib"
        );
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(b"raw deflate").unwrap();
        assert_eq!(
            decode(&encoded("deflate"), raw.finish().unwrap()).unwrap(),
            b"raw deflate"
        );
        // "hi" as Node's zlib.brotliCompressSync writes it.
        let br = [0x8b, 0x00, 0x80, 0x68, 0x69, 0x03];
        assert_eq!(decode(&encoded("br"), br.to_vec()).unwrap(), b"hi");
    }

    #[test]
    fn an_unknown_encoding_is_left_alone() {
        assert_eq!(decode(&encoded("zstd"), b"raw".to_vec()).unwrap(), b"raw");
        assert_eq!(decode(&[], b"plain".to_vec()).unwrap(), b"plain");
    }
}
