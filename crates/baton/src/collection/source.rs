//! Reading input files as text and JSON: BOMs, UTF-16LE, and syntax errors with line:column.

use std::path::Path;

use serde_json::Value;

use super::LoadError;

/// Reads a file as text, accepting UTF-8 (with or without a BOM) and UTF-16LE (with a BOM, as some
/// Windows tools write), which Newman accepts too.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    if path.is_dir() {
        return Err(LoadError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let bytes = crate::input_file::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode_text(bytes).map_err(|detail| LoadError::Encoding {
        path: path.to_path_buf(),
        detail,
    })
}

/// Why bytes are not text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// UTF-16LE (by its BOM) with half a code unit at the end.
    #[error("UTF-16LE text with an odd number of bytes")]
    OddUtf16,
    /// UTF-16LE with an unpaired surrogate.
    #[error("invalid UTF-16LE: an unpaired surrogate")]
    Utf16,
    /// UTF-8 that breaks at this byte offset.
    #[error("invalid UTF-8 at byte {0}")]
    Utf8(usize),
}

/// Decodes bytes as UTF-8 (BOM stripped) or, when they start with the UTF-16LE BOM, as UTF-16LE.
/// UTF-8 keeps the bytes' buffer: a large file is not held twice.
pub fn decode_text(mut bytes: Vec<u8>) -> Result<String, TextError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if rest.len() % 2 != 0 {
            return Err(TextError::OddUtf16);
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| TextError::Utf16);
    }
    let offset = match bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        true => bytes.drain(..3).len(),
        false => 0,
    };
    String::from_utf8(bytes).map_err(|e| TextError::Utf8(offset + e.utf8_error().valid_up_to()))
}

/// Reads and parses a JSON file, reporting syntax errors with line and column.
pub fn read_json(path: &Path) -> Result<Value, LoadError> {
    let text = read_text(path)?;
    parse_json(path, &text)
}

/// Parses JSON text that came from `path`.
pub fn parse_json(path: &Path, text: &str) -> Result<Value, LoadError> {
    if is_blank(text) {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    serde_json::from_str(text).map_err(|e| syntax_error(path, text, &e))
}

/// Whether `text` holds nothing to parse: an empty file is an error of its own.
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// A JSON syntax error in `text`, with its line and column and the line it is on.
pub fn syntax_error(path: &Path, text: &str, error: &serde_json::Error) -> LoadError {
    let line = text
        .lines()
        .nth(error.line().saturating_sub(1))
        .unwrap_or_default();
    syntax_error_on(path, error, line)
}

/// A JSON syntax error on `line`, the text of the line it is on.
pub fn syntax_error_on(path: &Path, error: &serde_json::Error, line: &str) -> LoadError {
    LoadError::Syntax {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: syntax_message(error),
        source_line: line.chars().take(200).collect(),
    }
}

/// serde_json appends " at line L column C" to its messages; the location is reported separately.
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
    }

    #[test]
    fn utf16le_with_bom_is_decoded() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"a\":1}".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode_text(bytes).unwrap(), "{\"a\":1}");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(decode_text(b"{\"a\":\"\xC3\x28\"}".to_vec()).is_err());
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = parse_json(Path::new("c.json"), "{\n  \"a\": 1,\n}").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("c.json:3:1: invalid JSON: "), "{text}");
        assert_eq!(
            err.excerpt(),
            Some((3, 1, "}")),
            "the line to show with a caret"
        );
    }

    #[test]
    fn whitespace_only_is_empty() {
        let err = parse_json(Path::new("e.json"), " \n ").unwrap_err();
        assert_eq!(err.to_string(), "e.json: the file is empty, expected JSON");
    }
}
