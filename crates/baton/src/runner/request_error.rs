//! Why an item's request got no response, kept as a value in the summary and the reports.

use std::io::ErrorKind;

use crate::http::{HttpError, HttpErrorKind};
use crate::vars::ExpansionTooLong;

use super::oauth2::TokenError;

/// Why an item's request got no response.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RequestError {
    /// The request could not be built or sent, or the response not read.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Its variables expand without bound; it was not sent.
    #[error(transparent)]
    Expansion(#[from] ExpansionTooLong),
    /// The OAuth 2.0 token it needs could not be fetched; it was not sent.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The run stopped before the request went out.
    #[error("the request was not sent: {0}")]
    NotSent(String),
    /// The run stopped while the request was in flight.
    #[error("the request was not completed: {0}")]
    Interrupted(String),
}

/// The kinds of request failure a user can meet, for reports and for the error codes Node gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestErrorKind {
    /// The request could not be built (URL, header, method, auth, body file).
    Build,
    /// The host name did not resolve (Node: `ENOTFOUND`).
    Dns,
    /// The port refused the connection (Node: `ECONNREFUSED`).
    Refused,
    /// No connection for another reason (unreachable, a proxy).
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The connection was reset (Node: `ECONNRESET`).
    Reset,
    /// The connection broke otherwise, or closed without a response.
    Connection,
    /// No response within `--timeout-request` (Node: `ESOCKETTIMEDOUT`).
    Timeout,
    /// The server broke HTTP/1.1.
    Protocol,
    /// The body could not be decompressed.
    Decode,
    /// The body is larger than `--max-response-size`.
    TooLarge,
    /// A redirect that is not followed.
    Redirect,
    /// Variables that expand without bound.
    Expansion,
    /// No OAuth 2.0 token for the request's auth block.
    Token,
    /// The run stopped before or during the request.
    Stopped,
}

impl RequestError {
    /// The fields of Node's error object for this failure (see [`HttpError::node_fields`]);
    /// failures of Baton's own (expansion, token, stop) have none.
    pub fn node_fields(&self) -> serde_json::Value {
        match self {
            RequestError::Http(error) => error.node_fields(),
            _ => serde_json::json!({}),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> RequestErrorKind {
        match self {
            RequestError::Http(error) => match (error.kind(), error.io_kind()) {
                (_, Some(ErrorKind::ConnectionRefused)) => RequestErrorKind::Refused,
                (_, Some(ErrorKind::ConnectionReset)) => RequestErrorKind::Reset,
                (HttpErrorKind::Connect, _) if error.is_dns() => RequestErrorKind::Dns,
                (HttpErrorKind::Build, _) => RequestErrorKind::Build,
                (HttpErrorKind::Connect, _) => RequestErrorKind::Connect,
                (HttpErrorKind::Tls, _) => RequestErrorKind::Tls,
                (HttpErrorKind::Connection, _) => RequestErrorKind::Connection,
                (HttpErrorKind::Timeout, _) => RequestErrorKind::Timeout,
                (HttpErrorKind::Protocol, _) => RequestErrorKind::Protocol,
                (HttpErrorKind::Decode, _) => RequestErrorKind::Decode,
                (HttpErrorKind::TooLarge, _) => RequestErrorKind::TooLarge,
                (HttpErrorKind::Redirect, _) => RequestErrorKind::Redirect,
            },
            RequestError::Expansion(_) => RequestErrorKind::Expansion,
            RequestError::Token(_) => RequestErrorKind::Token,
            RequestError::NotSent(_) | RequestError::Interrupted(_) => RequestErrorKind::Stopped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_refusal_and_a_reset_are_told_apart_from_other_failures() {
        let connection = |kind: ErrorKind| {
            RequestError::from(HttpError::Connection {
                url: "http://h/".into(),
                source: Some(Arc::new(std::io::Error::from(kind))),
            })
        };
        assert_eq!(
            connection(ErrorKind::ConnectionReset).kind(),
            RequestErrorKind::Reset
        );
        assert_eq!(
            connection(ErrorKind::BrokenPipe).kind(),
            RequestErrorKind::Connection
        );
        let timeout = RequestError::from(HttpError::Timeout {
            url: "http://h/".into(),
            after: std::time::Duration::from_millis(5),
        });
        assert_eq!(timeout.kind(), RequestErrorKind::Timeout);
        assert_eq!(timeout.to_string(), "no response within 5 ms (http://h/)");
        assert_eq!(
            RequestError::NotSent("interrupted".into()).to_string(),
            "the request was not sent: interrupted"
        );
    }
}
