//! Load errors: every way an input file can be unusable, each naming the file, the place in it and what
//! was expected, so a user can fix the file without guessing.

use std::fmt;
use std::path::PathBuf;

use super::source::TextError;

/// Why a collection, environment, globals or data file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be opened or read (missing, unreadable).
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A directory was given where a file was expected.
    IsDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// The file holds nothing but whitespace.
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not UTF-8 or UTF-16LE text.
    Encoding {
        /// The file.
        path: PathBuf,
        /// What is wrong with the bytes.
        detail: TextError,
    },
    /// The text is not valid JSON.
    Syntax {
        /// The file.
        path: PathBuf,
        /// One-based line of the error.
        line: usize,
        /// One-based column of the error.
        column: usize,
        /// The parser's description.
        message: String,
        /// The text of that line, to show with a caret under the column.
        source_line: String,
    },
    /// A collection file read again as its requests run (a large one) was changed since it was
    /// loaded.
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// The JSON is valid but a value has the wrong shape.
    Shape {
        /// The file.
        path: PathBuf,
        /// The JSON path of the value, e.g. `item[2].request.url`.
        at: String,
        /// What the place should hold.
        expected: String,
        /// What it holds instead.
        found: String,
    },
    /// A Postman collection format Baton does not read (v1).
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// What was recognised.
        detail: String,
    },
    /// A CSV data file could not be parsed.
    Csv {
        /// The file.
        path: PathBuf,
        /// One-based line of the error, when known.
        line: Option<u64>,
        /// What went wrong.
        message: String,
    },
    /// A "Run in Postman" link or `env[...]` value could not be decoded.
    Link {
        /// What the user passed (truncated for display).
        input: String,
        /// What went wrong.
        message: String,
    },
    /// A "Run in Postman" link given as the collection could not be used.
    CollectionLink {
        /// What the user passed (truncated for display).
        input: String,
        /// What went wrong.
        message: String,
    },
    /// An input given as a URL (or a Postman API UID) got no response: refused connection, DNS
    /// or TLS failure, time limit.
    Fetch {
        /// The URL, without any API key.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// An input given as a URL was answered with a status other than success.
    Status {
        /// The URL, without any API key.
        url: String,
        /// The status code, e.g. 404.
        code: u16,
        /// The reason phrase, e.g. `Not Found`.
        reason: String,
        /// The server's own explanation (the Postman API's `error.message`) and advice.
        detail: Option<String>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { path, source } => {
                write!(f, "{}: cannot read the file: {source}", path.display())
            }
            LoadError::IsDirectory { path } => {
                write!(f, "{}: expected a file, found a directory", path.display())
            }
            LoadError::Empty { path } => {
                write!(f, "{}: the file is empty, expected JSON", path.display())
            }
            LoadError::Encoding { path, detail } => write!(
                f,
                "{}: expected UTF-8 or UTF-16LE text: {detail}",
                path.display()
            ),
            LoadError::Syntax {
                path,
                line,
                column,
                message,
                ..
            } => write!(
                f,
                "{}:{line}:{column}: invalid JSON: {message}",
                path.display()
            ),
            LoadError::Changed { path } => write!(
                f,
                "{}: the file changed while the run was reading requests from it; leave it as \
                 it is until the run ends",
                path.display()
            ),
            LoadError::Shape {
                path,
                at,
                expected,
                found,
            } if at.is_empty() => {
                write!(f, "{}: expected {expected}, found {found}", path.display())
            }
            LoadError::Shape {
                path,
                at,
                expected,
                found,
            } => write!(
                f,
                "{}: {at}: expected {expected}, found {found}",
                path.display()
            ),
            LoadError::UnsupportedFormat { path, detail } => {
                write!(f, "{}: {detail}", path.display())
            }
            LoadError::Csv {
                path,
                line: Some(line),
                message,
            } => write!(f, "{}:{line}: invalid CSV: {message}", path.display()),
            LoadError::Csv {
                path,
                line: None,
                message,
            } => write!(f, "{}: invalid CSV: {message}", path.display()),
            LoadError::Link { input, message } => {
                write!(f, "environment link `{input}`: {message}")
            }
            LoadError::CollectionLink { input, message } => {
                write!(f, "collection link `{input}`: {message}")
            }
            LoadError::Fetch { url, message } => write!(f, "{url}: cannot fetch: {message}"),
            LoadError::Status {
                url,
                code,
                reason,
                detail: Some(detail),
            } => write!(f, "{url}: the server answered {code} {reason}: {detail}"),
            LoadError::Status {
                url,
                code,
                reason,
                detail: None,
            } => write!(f, "{url}: the server answered {code} {reason}"),
        }
    }
}

impl LoadError {
    /// The line an error points into and the one-based column in it, when the error has a
    /// place in the text (a JSON syntax error), so it can be shown with a caret.
    pub fn excerpt(&self) -> Option<(usize, usize, &str)> {
        match self {
            LoadError::Syntax {
                line,
                column,
                source_line,
                ..
            } => Some((*line, *column, source_line.as_str())),
            _ => None,
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Read { source, .. } => Some(source),
            LoadError::IsDirectory { .. }
            | LoadError::Empty { .. }
            | LoadError::Encoding { .. }
            | LoadError::Syntax { .. }
            | LoadError::Changed { .. }
            | LoadError::Shape { .. }
            | LoadError::UnsupportedFormat { .. }
            | LoadError::Csv { .. }
            | LoadError::Link { .. }
            | LoadError::CollectionLink { .. }
            | LoadError::Fetch { .. }
            | LoadError::Status { .. } => None,
        }
    }
}
