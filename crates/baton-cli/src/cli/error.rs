//! Why `baton run` could not start or could not write what it ran: the errors of the command line
//! layer, each rendered the way every failure is (`baton::report::Located`).

use std::path::PathBuf;

use baton::collection::LoadError;
use baton::http::{ClientSetupError, CookieError};
use baton::report::{Located, Paint};
use baton::runner::PlanError;

/// An error before the run: loading inputs, the cookie jar, the client, the overrides, the plan.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// An input could not be read or is not what it should be.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The `--cookie-jar` file holds something that is not a cookie.
    #[error("{}: {reason}", path.display())]
    CookieJar {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its place in the file.
        reason: CookieError,
    },
    /// The HTTP client could not be set up (a certificate or key).
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    /// A `--env-var` or `--global-var` that is not `KEY=VALUE`.
    #[error("{0}")]
    Override(String),
    /// A `--folder` that names nothing.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl SetupError {
    /// The error as shown: one line, and for a JSON syntax error the line it points into with a
    /// caret under the column. `hide` is removed wherever it appears (the Postman API key).
    pub fn render(&self, paint: Paint<'_>, hide: Option<&str>) -> String {
        let hidden = |text: &str| match hide {
            Some(secret) if !secret.is_empty() => text.replace(secret, "********"),
            _ => text.to_string(),
        };
        let excerpt = match self {
            SetupError::Load(error) => error.excerpt(),
            _ => None,
        };
        Located {
            title: hidden(&self.to_string()),
            location: Vec::new(),
            while_running: None,
            source: excerpt.map(|(line, _, text)| (line as u32, hidden(text))),
            caret: excerpt.map(|(_, column, _)| column as u32),
            message: String::new(),
        }
        .render("error:", paint)
    }
}

/// A report or export that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// What the operating system said.
    pub source: std::io::Error,
}

/// Reports or exports that could not be written; the others were.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: "))]
pub struct WriteErrors(pub Vec<WriteError>);

#[cfg(test)]
mod tests {
    use super::*;
    use baton::report::plain;
    use std::path::Path;

    #[test]
    fn a_json_syntax_error_is_shown_with_its_line_and_a_caret() {
        let error =
            baton::collection::document_from_bytes(b"{\n  \"a\": ,\n}", Path::new("c.json"))
                .unwrap_err();
        let text = SetupError::from(error).render(&plain, None);
        assert_eq!(
            text,
            "error: c.json:2:8: invalid JSON: expected value\n   |\n 2 |   \"a\": ,\n   |        ^\n"
        );
    }

    #[test]
    fn other_errors_are_one_line_without_the_hidden_key() {
        let error =
            SetupError::Override("--env-var `k`: expected KEY=VALUE with key PMAK-1".into());
        assert_eq!(
            error.render(&plain, Some("PMAK-1")),
            "error: --env-var `k`: expected KEY=VALUE with key ********\n"
        );
    }
}
