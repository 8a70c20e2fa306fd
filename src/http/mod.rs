//! HTTP: building the wire request from the model (URL, headers, bodies, auth), sending it with one
//! keep-alive client per run, the cookie jar, and responses as data.

mod auth;
mod body;
mod cookies;
mod error;
mod resolve;
mod response;
mod wire;

pub use auth::{apply_auth, digest_authorization, AuthParts, DigestCredentials};
pub use body::{encode_body, urlencode_fields, EncodedBody, FileAccess};
pub use cookies::{CookieJar, CookieRecord};
pub use error::HttpError;
pub use resolve::{resolve_auth, resolve_request};
pub use response::{reason_phrase, Response};
pub use wire::{build_wire_request, parse_wire_url, WireRequest, USER_AGENT};
