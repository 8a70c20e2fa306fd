//! The one way a failure is shown: a heading, where it happened (file > folder > request >
//! script:line), the source line, and the message under it.
//!
//! Every report renders through here: the cli reporter (with colours), JUnit (the failure's text
//! and the suite's `system-err`), the JSON report (its `location` field) and the binary's load and
//! usage errors (a JSON syntax error with its line and a caret under the column).
//!
//! ```text
//! error: TypeError in prerequest script
//!   --> workflow.json > Apps > prerequest script:2
//!       (while running Apps > Create application)
//!    |
//!  2 | x.y = 1;
//!    |   x is not defined
//! ```

use crate::runner::{Failure, FailureKind};

/// What a rendered part is, so a terminal can colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The heading (`1. error:` or `error:`).
    Heading,
    /// The message under the source line.
    Message,
}

/// How rendered parts are decorated: the cli reporter colours them, files keep them plain.
pub type Paint<'a> = &'a dyn Fn(Part, &str) -> String;

/// Leaves every part as it is.
pub fn plain(_: Part, text: &str) -> String {
    text.to_string()
}

/// A failure, or any error with a place, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// What failed, after `error:`.
    pub title: String,
    /// Where, outermost first (file, folder, request, script).
    pub location: Vec<String>,
    /// The request that ran a script defined elsewhere (a collection or folder script).
    pub while_running: Option<String>,
    /// The one-based line and its text, when known.
    pub source: Option<(u32, String)>,
    /// The one-based column to mark with a caret under the source line.
    pub caret: Option<u32>,
    /// The message, possibly on several lines.
    pub message: String,
}

impl Located {
    /// A run failure, located in the collection file `source_name`.
    pub fn failure(failure: &Failure, source_name: &str) -> Located {
        let event = failure.event.unwrap_or("test");
        let title = match failure.kind {
            FailureKind::Assertion => format!(
                "Assertion failed: {}",
                failure.test_name.as_deref().unwrap_or("")
            ),
            FailureKind::Script(_) => format!("{} in {event} script", failure.name),
            FailureKind::Request(_) => "Request failed".to_string(),
        };
        let mut location = vec![source_name.to_string()];
        let mut while_running = None;
        match (failure.kind, &failure.script_location) {
            (FailureKind::Request(_), _) | (_, None) => {
                location.extend(failure.path.iter().cloned())
            }
            (_, Some(script)) => {
                location.push(script.clone());
                location.push(match failure.line {
                    Some(line) => format!("{event} script:{line}"),
                    None => format!("{event} script"),
                });
                let path = failure.path.join(" > ");
                if *script != path {
                    while_running = Some(path);
                }
            }
        }
        location.retain(|part| !part.is_empty());
        if failure.iteration > 0 {
            if let Some(last) = location.last_mut() {
                last.push_str(&format!(" (iteration {})", failure.iteration + 1));
            }
        }
        Located {
            title,
            location,
            while_running,
            source: failure.line.zip(failure.source_line.clone()),
            caret: None,
            message: failure.message.clone(),
        }
    }

    /// Where, as one line: `file > folder > request > script:line`.
    pub fn place(&self) -> String {
        self.location.join(" > ")
    }

    /// The block, headed by `heading` (`error:` or `3. error:`), with `paint` applied.
    pub fn render(&self, heading: &str, paint: Paint<'_>) -> String {
        let mut out = format!("{} {}\n", paint(Part::Heading, heading), self.title);
        if !self.location.is_empty() {
            out.push_str(&format!("  --> {}\n", self.place()));
        }
        if let Some(path) = &self.while_running {
            out.push_str(&format!("      (while running {path})\n"));
        }
        // An error with nothing to point at is its one line.
        if self.source.is_none() && self.message.is_empty() {
            return out;
        }
        let gutter = self.source.as_ref().map_or(1, |(l, _)| l.to_string().len());
        let pad = " ".repeat(gutter);
        out.push_str(&format!(" {pad} |\n"));
        if let Some((line, text)) = &self.source {
            out.push_str(&format!(" {line} | {}\n", text.trim_end()));
            if let Some(column) = self.caret {
                let before: String = text
                    .chars()
                    .take(column.saturating_sub(1) as usize)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!(" {pad} | {before}^\n"));
            }
        }
        for text in self.message.lines() {
            out.push_str(&format!(" {pad} |   {}\n", paint(Part::Message, text)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::ScriptErrorKind;

    fn script_failure() -> Failure {
        Failure {
            kind: FailureKind::Script(ScriptErrorKind::Runtime),
            iteration: 1,
            position: 0,
            item_id: "i".into(),
            path: vec!["Apps".into(), "Create application".into()],
            assertion_index: None,
            event: Some("prerequest"),
            script_location: Some("Apps".into()),
            test_name: None,
            name: "ReferenceError".into(),
            message: "x is not defined".into(),
            line: Some(12),
            column: Some(1),
            source_line: Some("x.y = 1;".into()),
            sent: None,
        }
    }

    #[test]
    fn a_script_failure_names_file_folder_script_line_and_the_request_it_ran_for() {
        let block = Located::failure(&script_failure(), "w.json").render("error:", &plain);
        assert_eq!(
            block,
            "error: ReferenceError in prerequest script\n\
             \x20 --> w.json > Apps > prerequest script:12 (iteration 2)\n\
             \x20     (while running Apps > Create application)\n\
             \x20   |\n\
             \x2012 | x.y = 1;\n\
             \x20   |   x is not defined\n"
        );
    }

    #[test]
    fn a_caret_marks_the_column_and_paint_decorates_parts() {
        let located = Located {
            title: "invalid JSON".into(),
            location: vec!["c.json:2:5".into()],
            while_running: None,
            source: Some((2, "\t\"a\": ,".into())),
            caret: Some(7),
            message: "expected value".into(),
        };
        let loud = |part: Part, text: &str| match part {
            Part::Heading => text.to_uppercase(),
            Part::Message => format!("<{text}>"),
        };
        assert_eq!(
            located.render("error:", &loud),
            "ERROR: invalid JSON\n  --> c.json:2:5\n   |\n 2 | \t\"a\": ,\n   | \t     ^\n   |   <expected value>\n"
        );
    }
}
