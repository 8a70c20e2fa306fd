//! HTTP: building the wire request from the model (URL, headers, bodies, auth), sending it with one
//! keep-alive client per run, the cookie jar, and responses as data.

mod cookies;
mod response;

pub use cookies::{CookieJar, CookieRecord};
pub use response::{reason_phrase, Response};
