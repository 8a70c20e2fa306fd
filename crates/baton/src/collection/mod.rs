//! Pure data: the Postman collection model (v2.0/v2.1), environments, globals and iteration data,
//! and loading them from files with errors that say where and what.

pub(crate) mod data;
mod document;
mod environment;
mod error;
mod json;
mod members;
mod model;
mod parse;
mod source;
mod stream;
mod text_reader;
mod to_json;
mod url;

use std::path::Path;

pub(crate) use data::data_from_text;
pub use data::{DataRow, load_data};
pub use document::{Document, HELD_IN_MEMORY, RequestSlot};
pub use environment::{Environment, environment_from_document, load_environment};
pub use error::LoadError;
pub use model::{
    Auth, Body, Collection, Event, Folder, FormContent, FormPart, Item, KeyValue, Listen,
    PlacedRequest, ProtocolProfileBehavior, Request, RequestItem, Url,
};
pub use source::TextError;
pub(crate) use source::decode_text;
pub(crate) use url::{parse_query, percent_decode};

/// Loads a collection file (v2.0 or v2.1; UTF-8 with or without BOM, or UTF-16LE). A file up to
/// [`HELD_IN_MEMORY`] is held in memory for the run; a larger one is left on disk.
pub fn load_collection(path: &Path) -> Result<Collection, LoadError> {
    load_collection_holding(path, HELD_IN_MEMORY)
}

/// [`load_collection`], holding in memory a file up to `held` bytes.
fn load_collection_holding(path: &Path, held: u64) -> Result<Collection, LoadError> {
    let large = std::fs::metadata(path).is_ok_and(|file| file.is_file() && file.len() > held);
    if large {
        return stream::collection_from_file(path);
    }
    let text = source::read_text(path)?;
    stream::collection_from_text(text, path)
}

/// Builds a collection from an already parsed document; `path` is used in error messages. The
/// Postman API's wrapper, `{"collection": {...}}`, is taken off first, as Newman does for any
/// source.
pub fn collection_from_document(
    document: &serde_json::Value,
    path: &Path,
) -> Result<Collection, LoadError> {
    let (document, at) = match document.get("collection") {
        Some(inner @ serde_json::Value::Object(_))
            if document.get("info").is_none() && document.get("item").is_none() =>
        {
            (inner, "collection")
        }
        _ => (document, ""),
    };
    // Read from its text like a file, so that its requests have their places in the document.
    stream::collection_at(document.to_string(), path, at)
}

/// Decodes (BOM, UTF-16LE) and parses JSON bytes that came from `origin`, a file or a URL, with
/// the same errors as a file.
pub fn document_from_bytes(bytes: &[u8], origin: &Path) -> Result<serde_json::Value, LoadError> {
    let text = text_from_bytes(bytes, origin)?;
    source::parse_json(origin, &text)
}

/// Decodes bytes that came from `origin` as text (UTF-8 with or without a BOM, or UTF-16LE).
pub fn text_from_bytes(bytes: &[u8], origin: &Path) -> Result<String, LoadError> {
    decode_text(bytes.to_vec()).map_err(|detail| LoadError::Encoding {
        path: origin.to_path_buf(),
        detail,
    })
}

/// Parses a request in Postman's JSON shape (a URL string or a request object), as scripts hand
/// back a changed `pm.request`.
pub fn request_from_json(value: &serde_json::Value) -> Result<Request, LoadError> {
    parse::parse_request(&json::Node::root(
        value,
        Path::new("<pm.request>"),
        "request",
    ))
}

/// Reads a JSON document (e.g. a cookie jar file) with the same encoding and error rules as the
/// other inputs.
pub fn load_environment_document(path: &Path) -> Result<serde_json::Value, LoadError> {
    source::read_json(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_postman_apis_collection_wrapper_is_taken_off() {
        let doc = json!({"collection": {"info": {"name": "From the API"}, "item": []}});
        let collection = collection_from_document(&doc, Path::new("c.json")).unwrap();
        assert_eq!(collection.name, "From the API");
        assert_eq!(
            collection.document.value().unwrap()["info"]["name"],
            "From the API"
        );
    }

    #[test]
    fn a_file_larger_than_what_is_held_is_left_on_disk() {
        let dir = std::env::temp_dir().join(format!("baton-held-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        let text = r#"{"item": [{"name": "R", "request": "http://h/r"}]}"#;
        std::fs::write(&path, text).unwrap();
        let size = text.len() as u64;
        let held = load_collection_holding(&path, size).unwrap();
        let on_disk = load_collection_holding(&path, size - 1).unwrap();
        let missing = load_collection_holding(&dir.join("none.json"), 0).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(held.document.held_text(), Some(text));
        assert_eq!(on_disk.document.held_text(), None);
        assert_eq!(held.items.len(), on_disk.items.len());
        assert!(matches!(missing, LoadError::Read { .. }), "{missing}");
    }

    #[test]
    fn fetched_bytes_are_read_like_a_file() {
        let origin = Path::new("https://example.test/c.json");
        let document = document_from_bytes(b"\xEF\xBB\xBF{\"item\": []}", origin).unwrap();
        assert_eq!(document, json!({"item": []}));
        let err = document_from_bytes(b"{\n,", origin).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("https://example.test/c.json:2:1: invalid JSON: "),
            "{err}"
        );
    }
}
