//! Why a request could not be built or sent. These are recorded on the item as failures; the run
//! goes on.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A request that could not be built or did not get a response.
#[derive(Debug)]
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
        source: std::io::Error,
    },
    /// A file outside the working directory was refused: by `--no-insecure-file-read`, or
    /// because a script named it.
    FileOutsideWorkingDir {
        /// The file.
        path: PathBuf,
        /// A script named the file (and only scripts are confined).
        by_script: bool,
    },
    /// Connection refused, DNS failure, TLS failure, reset.
    Network {
        /// The URL requested.
        url: String,
        /// What went wrong, with its causes.
        message: String,
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
            HttpError::Network { url, message } if message.contains(url.as_str()) => {
                f.write_str(message)
            }
            HttpError::Network { url, message } => write!(f, "{message} ({url})"),
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
