//! JUnit XML in Newman's layout, so a CI system keeps a test's history when a team switches:
//! one `<testsuite>` per item (all iterations together) named `Folder / Request`, one
//! `<testcase>` per distinct test name with the classname Newman derives (`F / A` is `FA`),
//! failures of type `AssertionFailure` with Newman's CDATA lines, and request and script errors in
//! the suite's `<system-err>`. Each failure also carries the block every Baton report renders
//! (`render.rs`): after the stack trace of a failed test, after the line of a script error. An
//! item `--retry` ran again has a `<properties>` entry with its attempts per iteration.

use std::fmt::Write;

use crate::collection::Collection;
use crate::runner::{Execution, Failure, FailureKind, Masker, RunSummary};

use super::render::{Located, plain};

/// Whether `failure` happened in `execution` (same iteration, same place in the plan).
fn same_execution(failure: &Failure, execution: &Execution) -> bool {
    failure.iteration == execution.iteration && failure.position == execution.position
}

/// The JUnit XML text of a finished run.
pub fn junit_report(collection: &Collection, summary: &RunSummary) -> String {
    let masker: &Masker = &summary.masker;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let timestamp = iso_time(summary.timings.started_unix_ms);
    let fallback_class = class_name(&collection.name);
    let mut total_time = 0.0;
    let mut suites = String::new();
    for group in item_groups(summary) {
        let first = group[0];
        let name = first.path.join(" / ");
        let id = if first.id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            first.id.clone()
        };
        // Newman walks the item's executions once per request event, so counts and the time of
        // the last one follow that walk.
        let mut tests: Vec<(String, Vec<(String, String)>)> = Vec::new();
        let (mut failures, mut errors, mut last_count) = (0, 0, 0);
        let mut system_err = String::new();
        let mut times = Vec::new();
        for execution in &group {
            let mut message = format!("Iteration: {}\n", execution.iteration);
            let mut errored = false;
            if let Some(error) = &execution.request_error {
                errors += 1;
                errored = true;
                let _ = writeln!(message, "RequestError: {}", masker.mask(&error.to_string()));
            }
            message.push_str("\n---\n");
            for (label, outcome) in [
                ("testScript", &execution.test),
                ("prerequestScript", &execution.prerequest),
            ] {
                for run in &outcome.runs {
                    let Some(error) = &run.error else { continue };
                    errors += 1;
                    errored = true;
                    let _ = writeln!(
                        message,
                        "{label}Error: {}",
                        masker.mask(&format!("{}: {}", error.name, error.message))
                    );
                    // Where it happened, as the cli shows it: after Newman's line, before `---`.
                    let failure = summary.failures.iter().find(|f| {
                        same_execution(f, execution)
                            && matches!(f.kind, FailureKind::Script(_))
                            && f.script_location.as_deref() == Some(run.location.as_str())
                    });
                    if let Some(failure) = failure {
                        let block = Located::failure(failure, &collection.source);
                        message.push_str(&block.render("error:", &plain));
                    }
                    message.push_str("---\n");
                }
            }
            if errored {
                system_err.push_str(&message);
            }
            let runs = execution.prerequest.runs.iter().chain(&execution.test.runs);
            last_count = 0;
            for run in runs {
                for assertion in &run.assertions {
                    last_count += 1;
                    let entry = match tests.iter_mut().find(|(n, _)| *n == assertion.name) {
                        Some(entry) => entry,
                        None => {
                            tests.push((assertion.name.clone(), Vec::new()));
                            tests.last_mut().expect("just pushed")
                        }
                    };
                    match &assertion.error {
                        Some(error) => {
                            failures += 1;
                            let message = masker.mask(&error.message);
                            let line = error.line.map_or(String::new(), |l| format!(":{l}"));
                            let mut stack = format!(
                                "{}: {message}\n   at {}{line}",
                                error.name,
                                masker.mask(&run.location)
                            );
                            let failure = summary.failures.iter().find(|f| {
                                same_execution(f, execution)
                                    && f.kind == FailureKind::Assertion
                                    && f.test_name.as_deref() == Some(assertion.name.as_str())
                            });
                            if let Some(failure) = failure {
                                let block = Located::failure(failure, &collection.source);
                                stack.push_str("\n\n");
                                stack.push_str(&block.render("error:", &plain));
                            }
                            entry.1.push((message, stack));
                        }
                        None => entry.1.clear(),
                    }
                }
            }
            times.push(
                execution
                    .response
                    .as_ref()
                    .map_or(0.0, |r| r.response_time.as_secs_f64()),
            );
        }
        total_time += times.iter().sum::<f64>();
        let attempts = group
            .iter()
            .filter(|e| e.retries > 0)
            .map(|e| (e.iteration, e.retries + 1))
            .collect();
        let suite = Suite {
            name: &name,
            id: &id,
            timestamp: &timestamp,
            tests,
            last_count,
            failures,
            errors,
            system_err: &system_err,
            times: &times,
            attempts,
            fallback_class: &fallback_class,
            collection_id: &collection.id,
            collection_name: &collection.name,
        };
        suite.write(&mut suites, &|text| masker.mask(text));
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" time=\"{total_time:.3}\">",
        escape(&collection.name),
        summary.stats.tests.total
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

/// One `<testsuite>`: an item's executions over the run, counted as Newman's reporter counts
/// them; `junit_report` and `junit_from_json_report` both write through it.
pub(super) struct Suite<'a> {
    /// `Folder / Request`.
    pub(super) name: &'a str,
    pub(super) id: &'a str,
    pub(super) timestamp: &'a str,
    /// Each distinct test name with its failures (message, stack) since it last passed.
    pub(super) tests: Vec<(String, Vec<(String, String)>)>,
    /// Assertions in the item's last execution.
    pub(super) last_count: usize,
    pub(super) failures: usize,
    pub(super) errors: usize,
    pub(super) system_err: &'a str,
    /// Each execution's response time, in seconds.
    pub(super) times: &'a [f64],
    /// `--retry`: the zero-based iterations the item was retried in, with its attempts there.
    pub(super) attempts: Vec<(usize, u32)>,
    /// The classname when the item's name gives none.
    pub(super) fallback_class: &'a str,
    pub(super) collection_id: &'a str,
    pub(super) collection_name: &'a str,
}

impl Suite<'_> {
    /// Appends the suite to `out`; `mask` hides secrets in names and failure lines.
    pub(super) fn write(self, out: &mut String, mask: &dyn Fn(&str) -> String) {
        let name = self.name;
        let last_time = self.times.last().copied().unwrap_or(0.0);
        let mean = self.times.iter().sum::<f64>() / self.times.len().max(1) as f64;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{}\" timestamp=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{mean:.3}\">",
            escape(&mask(name)),
            escape(self.id),
            self.timestamp,
            self.last_count,
            self.failures,
            self.errors,
        );
        // Newman's layout has no place for attempts: a property per retried iteration, first, as
        // JUnit's schema orders a suite's children.
        if !self.attempts.is_empty() {
            out.push_str("    <properties>\n");
            for (iteration, attempts) in &self.attempts {
                let _ = writeln!(
                    out,
                    "      <property name=\"attempts in iteration {}\" value=\"{attempts}\"/>",
                    iteration + 1
                );
            }
            out.push_str("    </properties>\n");
        }
        if !self.system_err.is_empty() {
            let _ = writeln!(
                out,
                "    <system-err>{}</system-err>",
                cdata(self.system_err)
            );
        }
        let class = Some(class_name(name))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.fallback_class.to_string());
        for (test, failed) in ordered(self.tests) {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" time=\"{last_time:.3}\" classname=\"{}\"",
                escape(&mask(&test)),
                escape(&class)
            );
            let Some((message, stack)) = failed.first() else {
                out.push_str("/>\n");
                continue;
            };
            let _ = writeln!(
                out,
                ">\n      <failure type=\"AssertionFailure\" message=\"{}\">",
                escape(message)
            );
            for line in [
                format!("Failed {} times.", failed.len()),
                format!("Collection JSON ID: {}.", self.collection_id),
                format!("Collection name: {}.", self.collection_name),
                format!("Request name: {name}."),
                format!("Test description: {test}."),
                format!("Error message: {message}."),
                format!("Stacktrace: {stack}."),
            ] {
                let _ = writeln!(out, "        {}", cdata(&mask(&line)));
            }
            out.push_str("      </failure>\n    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
}

/// The item executions grouped by item, in order of first appearance; each execution appears
/// once per request event, as in Newman's report (an item with none has no suite).
fn item_groups(summary: &RunSummary) -> Vec<Vec<&Execution>> {
    let mut groups: Vec<(String, Vec<&Execution>)> = Vec::new();
    for execution in &summary.executions {
        let key = match execution.id.is_empty() {
            true => format!("#{}", execution.position),
            false => execution.id.clone(),
        };
        let copies = std::iter::repeat_n(execution, execution.request_events());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.extend(copies),
            None => groups.push((key, copies.collect())),
        }
    }
    groups
        .into_iter()
        .map(|(_, group)| group)
        .filter(|group| !group.is_empty())
        .collect()
}

/// Test names in the order a JavaScript object lists them: array-index names first, in numeric
/// order, then the others as first seen.
fn ordered<T>(tests: Vec<(String, T)>) -> Vec<(String, T)> {
    let index = |name: &str| {
        name.parse::<u32>()
            .ok()
            .filter(|n| n.to_string() == name && *n != u32::MAX)
    };
    let (mut indices, names): (Vec<_>, Vec<_>) = tests
        .into_iter()
        .partition(|(name, _)| index(name).is_some());
    indices.sort_by_key(|(name, _)| index(name));
    indices.into_iter().chain(names).collect()
}

/// Newman's classname: the words of the name in camel case, first letter upper, and only word
/// characters (`Create application` is `CreateApplication`, `F / A` is `FA`).
pub(super) fn class_name(name: &str) -> String {
    let mut out = String::new();
    for (index, word) in crate::lodash::words(name).iter().enumerate() {
        let lower = word.to_lowercase();
        let mut chars = lower.chars();
        if index == 0 {
            out.push_str(&lower);
        } else if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    let word_only: String = out
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut chars = word_only.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Text as one or more CDATA sections (a `]]>` inside is split across two).
fn cdata(text: &str) -> String {
    format!(
        "<![CDATA[{}]]>",
        strip_controls(text).replace("]]>", "]]]]><![CDATA[>")
    )
}

fn strip_controls(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c as u32) >= 0x20)
        .collect()
}

/// Milliseconds since the epoch as `2026-11-30T19:41:53.744Z`.
pub(super) fn iso_time(unix_ms: u64) -> String {
    crate::vars::clock::iso_8601(i64::try_from(unix_ms).unwrap_or(0))
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
pub(super) fn escape(text: &str) -> String {
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
    fn class_names_follow_newman() {
        assert_eq!(class_name("F / A"), "FA");
        assert_eq!(class_name("Create application"), "CreateApplication");
        assert_eq!(
            class_name("Admin token / client_credentials"),
            "AdminTokenClientCredentials"
        );
        assert_eq!(class_name("getUser by ID"), "GetUserById");
        assert_eq!(class_name("***"), "");
    }

    #[test]
    fn cdata_survives_its_own_end_marker() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
    }

    #[test]
    fn index_like_test_names_come_first() {
        let tests = vec![
            ("b".to_string(), ()),
            ("10".to_string(), ()),
            ("2".to_string(), ()),
        ];
        let names: Vec<String> = ordered(tests).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["2", "10", "b"]);
    }

    #[test]
    fn markup_characters_are_escaped_and_control_characters_dropped() {
        assert_eq!(escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
