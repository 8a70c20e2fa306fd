//! Why a request could not be built or sent. These are recorded on the item as failures; the run
//! goes on.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::connection::ConnectError;

/// What kind of failure a request met, for reports and for the errors Node would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// The request could not be built (URL, header, method, auth, body file).
    Build,
    /// No connection: the name did not resolve, the port refused, the proxy failed.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The connection broke while the request was sent or the response read.
    Connection,
    /// No response within `--timeout-request`.
    Timeout,
    /// The server broke HTTP/1.1.
    Protocol,
    /// The body could not be decompressed.
    Decode,
    /// The body is larger than `--max-response-size`.
    TooLarge,
    /// A redirect that is not followed.
    Redirect,
}

/// A request that could not be built or did not get a response.
#[derive(Debug, Clone)]
pub enum HttpError {
    /// The resolved URL is not a valid URL.
    InvalidUrl {
        /// The URL after variable resolution.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// A header name or value that cannot be sent (e.g. a value holding a line break).
    InvalidHeader {
        /// The header name.
        name: String,
        /// Why it cannot be sent.
        reason: String,
    },
    /// A method that is not an HTTP token (e.g. one holding a space).
    InvalidMethod {
        /// The method as resolved.
        method: String,
    },
    /// An auth type Baton does not implement.
    UnsupportedAuth {
        /// The auth `type`.
        kind: String,
    },
    /// A body or form-data file could not be read.
    File {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: Arc<io::Error>,
    },
    /// A file outside the working directory was refused: by `--no-insecure-file-read`, or
    /// because a script named it.
    FileOutsideWorkingDir {
        /// The file.
        path: PathBuf,
        /// A script named the file (and only scripts are confined).
        by_script: bool,
    },
    /// No connection could be opened (DNS, refused, proxy, TLS).
    Connect {
        /// The URL requested.
        url: String,
        /// What failed.
        error: ConnectError,
    },
    /// The connection broke while the request was sent or the response read.
    Connection {
        /// The URL requested.
        url: String,
        /// What happened, `None` when the server closed the connection without a response.
        source: Option<Arc<io::Error>>,
    },
    /// The body is not valid data for its `Content-Encoding`.
    Decode {
        /// The URL requested.
        url: String,
        /// What the decoder said.
        source: Arc<io::Error>,
    },
    /// No response within `--timeout-request`.
    Timeout {
        /// The URL requested.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// The server broke HTTP/1.1 (a bad status line, header, length or chunk size, or a head
    /// over its cap).
    Protocol {
        /// The URL requested.
        url: String,
        /// What was wrong, quoting the server.
        message: String,
    },
    /// The body, or what it decompresses to, is larger than `--max-response-size`.
    ResponseTooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A redirect to a URL that is neither `http:` nor `https:`.
    UnsupportedRedirect {
        /// The URL that redirected.
        url: String,
        /// The scheme of the `Location`, with its colon (`ftp:`).
        scheme: String,
    },
    /// More redirects than `maxRedirects` allows.
    TooManyRedirects {
        /// The URL requested.
        url: String,
        /// The limit.
        max: u32,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::InvalidUrl { url, reason } => write!(f, "invalid URL `{url}`: {reason}"),
            HttpError::InvalidHeader { name, reason } => {
                write!(f, "header `{name}` cannot be sent: {reason}")
            }
            HttpError::InvalidMethod { method } => {
                write!(f, "`{method}` is not a valid HTTP method")
            }
            HttpError::UnsupportedAuth { kind } => write!(
                f,
                "auth type `{kind}` is not supported; supported: noauth, basic, bearer, apikey, \
                 digest, oauth2 (with a given access token), hawk, awsv4, oauth1, edgegrid, jwt, \
                 asap"
            ),
            HttpError::File { path, source } => {
                write!(f, "cannot read body file {}: {source}", path.display())
            }
            HttpError::FileOutsideWorkingDir {
                path,
                by_script: false,
            } => write!(
                f,
                "{} is outside the working directory and --no-insecure-file-read is set",
                path.display()
            ),
            HttpError::FileOutsideWorkingDir {
                path,
                by_script: true,
            } => write!(
                f,
                "{} is outside the working directory, and a script may only name files inside it \
                 (--insecure-script-file-read lifts this)",
                path.display()
            ),
            HttpError::Connect { url, error } => {
                let message = error.to_string();
                match message.contains(url.as_str()) {
                    true => f.write_str(&message),
                    false => write!(f, "{message} ({url})"),
                }
            }
            HttpError::Connection { url, source: None } => write!(
                f,
                "the server closed the connection without a response ({url})"
            ),
            HttpError::Connection {
                url,
                source: Some(source),
            } => write!(f, "error sending request: {source} ({url})"),
            HttpError::Decode { url, source } => write!(f, "decoding body: {source} ({url})"),
            HttpError::Timeout { url, after } => {
                write!(f, "no response within {} ms ({url})", after.as_millis())
            }
            HttpError::Protocol { url, message } => {
                write!(f, "invalid HTTP response: {message} ({url})")
            }
            HttpError::ResponseTooLarge { url, limit } => write!(
                f,
                "response body exceeds --max-response-size of {} ({url})",
                super::http1::size_text(*limit)
            ),
            HttpError::UnsupportedRedirect { url, scheme } => write!(
                f,
                "redirect to unsupported scheme `{scheme}` (only http and https are followed) ({url})"
            ),
            HttpError::TooManyRedirects { url, max } => {
                write!(f, "more than {max} redirects ({url})")
            }
        }
    }
}

impl std::error::Error for HttpError {}

impl HttpError {
    /// The kind of failure, for reports.
    pub fn kind(&self) -> HttpErrorKind {
        match self {
            HttpError::InvalidUrl { .. }
            | HttpError::InvalidHeader { .. }
            | HttpError::InvalidMethod { .. }
            | HttpError::UnsupportedAuth { .. }
            | HttpError::File { .. }
            | HttpError::FileOutsideWorkingDir { .. } => HttpErrorKind::Build,
            HttpError::Connect {
                error: ConnectError::Tls(_),
                ..
            } => HttpErrorKind::Tls,
            HttpError::Connect { .. } => HttpErrorKind::Connect,
            HttpError::Connection { .. } => HttpErrorKind::Connection,
            HttpError::Timeout { .. } => HttpErrorKind::Timeout,
            HttpError::Protocol { .. } => HttpErrorKind::Protocol,
            HttpError::Decode { .. } => HttpErrorKind::Decode,
            HttpError::ResponseTooLarge { .. } => HttpErrorKind::TooLarge,
            HttpError::UnsupportedRedirect { .. } | HttpError::TooManyRedirects { .. } => {
                HttpErrorKind::Redirect
            }
        }
    }

    /// What the operating system said, when the failure came from it (for Node's error codes).
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            HttpError::Connect { error, .. } => error.io_kind(),
            HttpError::Connection {
                source: Some(source),
                ..
            } => Some(source.kind()),
            _ => None,
        }
    }

    /// The enumerable fields of the error object Node's HTTP layer gives for this failure (its
    /// `message` is not one of them), as Newman's reports and a `pm.sendRequest` callback see
    /// it: only the failures Node names with a code have fields.
    pub fn node_fields(&self) -> serde_json::Value {
        let url = match self {
            HttpError::Connect { url, .. }
            | HttpError::Connection { url, .. }
            | HttpError::Timeout { url, .. } => url::Url::parse(url).ok(),
            _ => None,
        };
        let host = url.as_ref().and_then(|u| u.host_str()).unwrap_or_default();
        let port = url.as_ref().and_then(|u| u.port_or_known_default());
        match (self.io_kind(), self) {
            (Some(io::ErrorKind::ConnectionRefused), _) => serde_json::json!({"errno": -111,
                "code": "ECONNREFUSED", "syscall": "connect", "address": host, "port": port.unwrap_or(0)}),
            (Some(io::ErrorKind::ConnectionReset), _) => {
                serde_json::json!({"errno": -104, "code": "ECONNRESET", "syscall": "read"})
            }
            (_, HttpError::Timeout { .. }) => {
                serde_json::json!({"code": "ESOCKETTIMEDOUT", "connect": false})
            }
            _ if self.is_dns() => serde_json::json!({"errno": -3008, "code": "ENOTFOUND",
                "syscall": "getaddrinfo", "hostname": host}),
            _ => serde_json::json!({}),
        }
    }

    /// Whether the host name did not resolve.
    pub fn is_dns(&self) -> bool {
        matches!(
            self,
            HttpError::Connect {
                error: ConnectError::Dns { .. },
                ..
            }
        )
    }
}
