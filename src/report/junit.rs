//! JUnit XML: one `<testsuite>` per executed item, one `<testcase>` per test, failures and errors
//! with their messages, as CI systems read it.

use std::fmt::Write;

use crate::runner::{Masker, RunSummary};

/// The JUnit XML text of a finished run.
pub fn junit_report(collection_name: &str, summary: &RunSummary) -> String {
    let masker: &Masker = &summary.masker;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = summary.stats.assertions.total;
    let failures = summary.stats.assertions.failed;
    let seconds = summary.timings.total.as_secs_f64();
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" time=\"{seconds:.3}\">",
        escape(collection_name)
    );
    for execution in &summary.executions {
        let assertions: Vec<_> = execution
            .prerequest
            .runs
            .iter()
            .chain(execution.test.runs.iter())
            .flat_map(|r| r.assertions.iter())
            .collect();
        let script_errors: Vec<_> = execution
            .prerequest
            .runs
            .iter()
            .chain(execution.test.runs.iter())
            .filter_map(|r| r.error.as_ref())
            .collect();
        let suite_failures = assertions.iter().filter(|a| a.error.is_some()).count();
        let errors = script_errors.len() + usize::from(execution.request_error.is_some());
        let time = execution
            .response
            .as_ref()
            .map_or(0.0, |r| r.response_time.as_secs_f64());
        let name = execution.path.join(" / ");
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{}\" iteration=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"{errors}\" skipped=\"{}\" time=\"{time:.3}\">",
            escape(&name),
            escape(&execution.id),
            execution.iteration,
            assertions.len(),
            assertions.iter().filter(|a| a.skipped).count(),
        );
        let classname = escape(&execution.path.join("."));
        for assertion in &assertions {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{classname}\" time=\"{time:.3}\"",
                escape(&assertion.name)
            );
            match (&assertion.error, assertion.skipped) {
                (_, true) => out.push_str(">\n      <skipped/>\n    </testcase>\n"),
                (Some(error), false) => {
                    let message = masker.mask(&error.message);
                    let _ = write!(
                        out,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                        escape(&error.name),
                        escape(&message),
                        escape(&message)
                    );
                }
                (None, false) => out.push_str("/>\n"),
            }
        }
        for error in &script_errors {
            let message = masker.mask(&format!("{}: {}", error.name, error.message));
            let _ = writeln!(
                out,
                "    <testcase name=\"script\" classname=\"{classname}\">\n      <error type=\"{}\" message=\"{}\"/>\n    </testcase>",
                escape(&error.name),
                escape(&message)
            );
        }
        if let Some(error) = &execution.request_error {
            let _ = writeln!(
                out,
                "    <testcase name=\"request\" classname=\"{classname}\">\n      <error type=\"RequestError\" message=\"{}\"/>\n    </testcase>",
                escape(&masker.mask(error))
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_control_characters_dropped() {
        assert_eq!(escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
