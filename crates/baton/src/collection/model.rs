//! The Postman collection model: items, folders, requests, URLs, bodies, auth and scripts, as one
//! format-neutral tree (v2.0 and v2.1 load into the same types).

use std::sync::Arc;

use serde_json::Value;

use super::document::{Document, RequestSlot};
use crate::vars::Variable;

/// A loaded collection.
#[derive(Debug, Clone)]
pub struct Collection {
    /// `info._postman_id`, or empty.
    pub id: String,
    /// `info.name`.
    pub name: String,
    /// The top-level items, in order.
    pub items: Vec<Item>,
    /// Collection-level scripts.
    pub events: Vec<Event>,
    /// Collection variables.
    pub variables: Vec<Variable>,
    /// Collection-level auth, inherited by items that do not set their own.
    pub auth: Option<Auth>,
    /// Collection-level protocol profile behaviour.
    pub behavior: ProtocolProfileBehavior,
    /// The document as loaded, kept so `--export-collection` writes the user's file back
    /// faithfully and the JSON report can show the collection in the SDK's shape.
    pub document: Document,
    /// The name of the file (or the last segment of the URL) it was loaded from, where a
    /// failure's location starts.
    pub source: String,
}

/// A request item as a loaded collection keeps it: the place of its text, and its scripts, which
/// the plan reads and many items share.
#[derive(Debug, Clone)]
pub struct PlacedRequest {
    /// Where its text is.
    pub slot: RequestSlot,
    /// Its own scripts (`event`), one shared list for all items with the same ones; `None` when it
    /// has none.
    pub events: Option<Arc<Vec<Event>>>,
}

/// A collection entry: a folder of further items or a request.
#[derive(Debug, Clone)]
pub enum Item {
    /// A folder (`item` array), boxed so that an item takes two words in its parent's list.
    Folder(Box<Folder>),
    /// A request, checked at load and built from the document when it runs.
    Request(PlacedRequest),
}

/// A folder of items with its own scripts, auth and behaviour.
#[derive(Debug, Clone)]
pub struct Folder {
    /// Folder id, or empty.
    pub id: String,
    /// Folder name.
    pub name: String,
    /// The folder's items, in order.
    pub items: Vec<Item>,
    /// Folder-level scripts.
    pub events: Vec<Event>,
    /// Folder-level auth; `None` inherits.
    pub auth: Option<Auth>,
    /// Folder-level protocol profile behaviour.
    pub behavior: ProtocolProfileBehavior,
}

/// A request item: the request and its settings. Its scripts are kept apart (see
/// [`PlacedRequest`]).
#[derive(Debug, Clone)]
pub struct RequestItem {
    /// Item id, or empty.
    pub id: String,
    /// Item name.
    pub name: String,
    /// The request to send.
    pub request: Request,
    /// The item's own protocol profile behaviour.
    pub behavior: ProtocolProfileBehavior,
}

/// An HTTP request as written in the collection, before variables are resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// The URL.
    pub url: Url,
    /// The method, upper-cased (`GET` when absent).
    pub method: String,
    /// Headers in order, including disabled ones.
    pub headers: Vec<KeyValue>,
    /// The body, if any.
    pub body: Option<Body>,
    /// Request-level auth; `None` inherits.
    pub auth: Option<Auth>,
    /// The request's description (a string, or the `content` of a description object): legacy
    /// scripts read it as `request.description`.
    pub description: Option<String>,
}

/// A key/value entry (header, query parameter, urlencoded field, path variable).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// The value; `None` for a query parameter written without `=`.
    pub value: Option<String>,
    /// Whether the entry is switched off.
    pub disabled: bool,
}

impl KeyValue {
    /// An enabled entry.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        KeyValue {
            key: key.into(),
            value: Some(value.into()),
            disabled: false,
        }
    }

    /// Whether the entry takes part in the request: enabled and with a non-empty key.
    pub fn is_active(&self) -> bool {
        !self.disabled && !self.key.is_empty()
    }
}

/// A URL in Postman's structured form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Url {
    /// `https`, `http`, ... or `None` when the URL starts with a host or a variable.
    pub protocol: Option<String>,
    /// `user:password` before the host.
    pub auth: Option<String>,
    /// Host labels joined with `.`, possibly holding `{{variables}}`.
    pub host: String,
    /// Port text.
    pub port: Option<String>,
    /// Path segments (without slashes); `:name` segments are path variables.
    pub path: Vec<String>,
    /// Whether the URL had a path part at all (`http://h` vs `http://h/`).
    pub has_path: bool,
    /// Query parameters in order, including disabled ones.
    pub query: Vec<KeyValue>,
    /// Fragment.
    pub hash: Option<String>,
    /// Values for `:name` path segments.
    pub variables: Vec<KeyValue>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Raw text; `language` comes from `options.raw.language` (json, xml, text, javascript, html).
    Raw {
        /// The text.
        raw: String,
        /// The editor language, used for a default Content-Type.
        language: Option<String>,
    },
    /// `application/x-www-form-urlencoded` fields.
    UrlEncoded(Vec<KeyValue>),
    /// `multipart/form-data` parts.
    FormData(Vec<FormPart>),
    /// The contents of a file.
    File {
        /// The file path, relative to the working directory.
        src: Option<String>,
    },
    /// A GraphQL query sent as JSON.
    GraphQl {
        /// The query text.
        query: String,
        /// The variables, as JSON text.
        variables: Option<String>,
    },
}

/// One multipart form part.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    /// Field name.
    pub key: String,
    /// Text value or file source.
    pub content: FormContent,
    /// The part's own Content-Type.
    pub content_type: Option<String>,
    /// Whether the part is switched off.
    pub disabled: bool,
}

/// What a multipart part carries.
#[derive(Debug, Clone, PartialEq)]
pub enum FormContent {
    /// A text value.
    Text(String),
    /// File paths (Postman allows several files under one key).
    Files(Vec<String>),
}

/// An auth helper: its type and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Auth {
    /// `noauth`, `basic`, `bearer`, `apikey`, `digest`, `oauth2`, ...
    pub kind: String,
    /// The helper's parameters in order (v2.0 maps and v2.1 lists load alike).
    pub params: Vec<(String, Value)>,
}

impl Auth {
    /// A parameter as text (strings as-is, other scalars written out).
    pub fn param(&self, key: &str) -> Option<String> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
    }
}

/// A script attached to the collection, a folder or an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// When it runs.
    pub listen: Listen,
    /// The JavaScript source, lines joined with `\n`.
    pub exec: String,
    /// The script id, if any.
    pub id: Option<String>,
    /// Whether the event is switched off.
    pub disabled: bool,
}

/// The two script events Postman runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listen {
    /// Before the request is sent.
    Prerequest,
    /// After the response arrived.
    Test,
}

impl Listen {
    /// Postman's event name.
    pub fn as_str(self) -> &'static str {
        match self {
            Listen::Prerequest => "prerequest",
            Listen::Test => "test",
        }
    }
}

/// `protocolProfileBehavior`: per-request HTTP switches, inherited collection -> folder -> item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtocolProfileBehavior {
    /// Follow redirects (default true unless `--ignore-redirects`).
    pub follow_redirects: Option<bool>,
    /// Keep the original method on 301/302/303 redirects.
    pub follow_original_http_method: Option<bool>,
    /// At most this many redirects.
    pub max_redirects: Option<u32>,
    /// Verify TLS certificates.
    pub strict_ssl: Option<bool>,
    /// Send a body with GET/HEAD/... too.
    pub disable_body_pruning: Option<bool>,
    /// System headers not to add, by lower-case name.
    pub disabled_system_headers: Vec<String>,
    /// Drop the Referer header when following a redirect.
    pub remove_referer_header_on_redirect: Option<bool>,
    /// Do not read or write the cookie jar for this request.
    pub disable_cookies: Option<bool>,
    /// Send the URL's path and query exactly as written, without percent-encoding.
    pub disable_url_encoding: Option<bool>,
}

impl ProtocolProfileBehavior {
    /// This behaviour with `inner`'s settings taking precedence where `inner` sets them.
    pub fn merged_with(&self, inner: &ProtocolProfileBehavior) -> ProtocolProfileBehavior {
        let mut disabled = self.disabled_system_headers.clone();
        for name in &inner.disabled_system_headers {
            if !disabled.contains(name) {
                disabled.push(name.clone());
            }
        }
        ProtocolProfileBehavior {
            follow_redirects: inner.follow_redirects.or(self.follow_redirects),
            follow_original_http_method: inner
                .follow_original_http_method
                .or(self.follow_original_http_method),
            max_redirects: inner.max_redirects.or(self.max_redirects),
            strict_ssl: inner.strict_ssl.or(self.strict_ssl),
            disable_body_pruning: inner.disable_body_pruning.or(self.disable_body_pruning),
            disabled_system_headers: disabled,
            remove_referer_header_on_redirect: inner
                .remove_referer_header_on_redirect
                .or(self.remove_referer_header_on_redirect),
            disable_cookies: inner.disable_cookies.or(self.disable_cookies),
            disable_url_encoding: inner.disable_url_encoding.or(self.disable_url_encoding),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_behavior_overrides_outer() {
        let outer = ProtocolProfileBehavior {
            follow_redirects: Some(false),
            strict_ssl: Some(false),
            ..Default::default()
        };
        let inner = ProtocolProfileBehavior {
            follow_redirects: Some(true),
            ..Default::default()
        };
        let merged = outer.merged_with(&inner);
        assert_eq!(merged.follow_redirects, Some(true));
        assert_eq!(merged.strict_ssl, Some(false));
    }

    #[test]
    fn entries_without_key_are_inactive() {
        assert!(!KeyValue::new("", "x").is_active());
        assert!(KeyValue::new("a", "").is_active());
    }
}
