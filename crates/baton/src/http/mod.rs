//! HTTP: building the wire request from the model (URL, headers, bodies, auth), sending it as
//! HTTP/1.1 over kept-alive connections, the cookie jar, and responses as data.

mod auth;
mod body;
mod client;
mod connect_to;
mod connection;
mod cookies;
mod decode;
mod digest;
mod error;
mod fetch;
mod http1;
#[cfg(test)]
mod http1_fuzz;
mod identity;
mod json_comments;
mod pool;
mod resolve;
pub(crate) mod response;
mod target;
mod tls_config;
mod wire;

pub use auth::{AuthParts, Entropy, NtlmParams, SignInput, SystemEntropy};
pub use body::{EncodedBody, FileAccess};
pub use client::{ClientOptions, ClientSetupError, HttpClient};
pub use connect_to::{ConnectTo, ConnectToError};
pub use connection::{ConnectError, TlsSetupError};
pub use cookies::{CookieError, CookieJar, CookieRecord};
pub use digest::{Digest, DigestMemory, DigestParams};
pub use error::{HttpError, HttpErrorKind};
pub(crate) use resolve::resolve_request;
pub use response::Response;
pub(crate) use wire::build_wire_request;
pub use wire::{USER_AGENT, WireRequest};
