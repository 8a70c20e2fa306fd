//! Pure data: the Postman collection model (v2.0/v2.1), environments, globals and iteration data,
//! and loading them from files with errors that say where and what.

mod data;
mod environment;
mod error;
mod json;
mod model;
mod parse;
mod source;
mod to_json;
mod url;

use std::path::Path;

pub use data::{DataRow, load_data, parse_csv};
pub use environment::{Environment, environment_from_document, load_environment};
pub use error::LoadError;
pub use model::{
    Auth, Body, Collection, Event, Folder, FormContent, FormPart, Item, KeyValue, Listen,
    ProtocolProfileBehavior, Request, RequestItem, Url,
};
pub use source::decode_text;
pub use url::{parse_query, percent_decode};

/// Loads a collection file (v2.0 or v2.1; UTF-8 with or without BOM, or UTF-16LE).
pub fn load_collection(path: &Path) -> Result<Collection, LoadError> {
    let document = source::read_json(path)?;
    collection_from_document(&document, path)
}

/// Builds a collection from an already parsed document; `path` is used in error messages.
pub fn collection_from_document(
    document: &serde_json::Value,
    path: &Path,
) -> Result<Collection, LoadError> {
    parse::parse_collection(&json::Node::root(document, path, ""))
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
