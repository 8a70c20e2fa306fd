//! The terminal reporter: a line per request with its tests as they finish, console output, an end
//! table in Newman's layout, and one failure block per failure showing where it happened.

use std::io::{BufWriter, Write};
use std::time::Duration;

use crate::http::{Response, WireRequest};
use crate::runner::{Counter, Execution, Failure, Masker, Reporter, RunSummary, TokenExchange};
use crate::script::ScriptOutcome;

use super::render::{Located, Part};

/// What the cli reporter shows.
#[derive(Debug, Clone, Default)]
pub struct CliOptions {
    /// Colour output.
    pub color: bool,
    /// ASCII symbols and borders only.
    pub ascii: bool,
    /// Request and response details.
    pub verbose: bool,
    /// `--reporter-cli-no-summary`.
    pub no_summary: bool,
    /// `--reporter-cli-no-failures`.
    pub no_failures: bool,
    /// `--reporter-cli-no-assertions`.
    pub no_assertions: bool,
    /// `--reporter-cli-no-success-assertions`.
    pub no_success_assertions: bool,
    /// `--reporter-cli-no-console`.
    pub no_console: bool,
    /// `--reporter-cli-no-banner`.
    pub no_banner: bool,
    /// The collection file's name, shown in failure locations.
    pub source_name: String,
}

/// Writes the run to a terminal or any writer.
pub struct CliReporter<W: Write> {
    /// Buffered, and flushed when a step of the run is shown whole (an item begins or ends, a
    /// warning, the end): one write per step instead of one per line.
    out: BufWriter<W>,
    options: CliOptions,
}

impl<W: Write> CliReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: CliOptions) -> Self {
        CliReporter {
            out: BufWriter::new(out),
            options,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.options.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn symbol(&self, ok: bool) -> &'static str {
        match (ok, self.options.ascii) {
            (true, false) => "✓",
            (false, false) => "✗",
            (true, true) => "OK",
            (false, true) => "FAIL",
        }
    }

    fn write_table(&mut self, summary: &RunSummary) -> std::io::Result<()> {
        let stats = &summary.stats;
        let rows: [(&str, Counter); 6] = [
            ("iterations", stats.iterations),
            ("requests", stats.requests),
            ("test-scripts", stats.test_scripts),
            ("prerequest-scripts", stats.prerequest_scripts),
            ("assertions", stats.assertions),
            (
                "skipped tests",
                Counter {
                    total: stats.assertions.pending,
                    ..Default::default()
                },
            ),
        ];
        let (h, v, tl, tm, tr, ml, mm, mr, bl, bm, br) = if self.options.ascii {
            ('-', '|', '+', '+', '+', '+', '+', '+', '+', '+', '+')
        } else {
            ('─', '│', '┌', '┬', '┐', '├', '┼', '┤', '└', '┴', '┘')
        };
        let line = |l: char, m: char, r: char| {
            let h = h.to_string();
            format!(
                "{l}{}{m}{}{m}{}{r}",
                h.repeat(26),
                h.repeat(18),
                h.repeat(18)
            )
        };
        writeln!(self.out, "{}", line(tl, tm, tr))?;
        writeln!(
            self.out,
            "{v}{:>25} {v}{:>17} {v}{:>17} {v}",
            "", "executed", "failed"
        )?;
        writeln!(self.out, "{}", line(ml, mm, mr))?;
        for (name, counter) in rows {
            let failed = if name == "skipped tests" {
                String::new()
            } else {
                counter.failed.to_string()
            };
            writeln!(
                self.out,
                "{v}{name:>25} {v}{:>17} {v}{failed:>17} {v}",
                counter.total
            )?;
        }
        writeln!(self.out, "{}", line(ml, mm, mr))?;
        let timings = &summary.timings;
        let ms = |d: std::time::Duration| format!("{}ms", d.as_millis());
        let duration = format!("total run duration: {:.1}s", timings.total.as_secs_f64());
        writeln!(self.out, "{v} {duration:<63}{v}")?;
        let average = format!(
            "average response time: {} [min: {}, max: {}]",
            ms(timings.average()),
            ms(timings.min_response.unwrap_or_default()),
            ms(timings.max_response.unwrap_or_default())
        );
        writeln!(self.out, "{v} {average:<63}{v}")?;
        writeln!(self.out, "{}", line(bl, bm, br))
    }

    /// Request and response detail for `--verbose`, printed once the test scripts ran so that
    /// values they captured (tokens, secrets) are masked too.
    fn write_verbose(&mut self, execution: &Execution, masker: &Masker) {
        let (Some(wire), Some(response)) = (&execution.wire, &execution.response) else {
            return;
        };
        self.write_exchange(wire, response, masker);
    }

    /// One request's headers and body, then its response's, masked.
    fn write_exchange(&mut self, wire: &WireRequest, response: &Response, masker: &Masker) {
        for (name, value) in &wire.headers {
            let _ = writeln!(self.out, "    > {name}: {}", masker.header(name, value));
        }
        for (name, value) in &response.headers {
            let _ = writeln!(self.out, "    < {name}: {}", masker.header(name, value));
        }
        if !wire.body.is_empty() {
            let sent = masker.mask(&String::from_utf8_lossy(&wire.body));
            let _ = writeln!(
                self.out,
                "    > {}",
                sent.chars().take(2000).collect::<String>()
            );
        }
        let body = masker.mask(&response.text());
        if !body.is_empty() {
            let _ = writeln!(
                self.out,
                "    {}",
                body.chars().take(2000).collect::<String>()
            );
        }
    }

    fn write_console(&mut self, outcome: &ScriptOutcome, masker: &Masker) {
        if self.options.no_console {
            return;
        }
        let bar = if self.options.ascii { "|" } else { "│" };
        for entry in outcome.runs.iter().flat_map(|run| run.console.iter()) {
            for line in masker.mask(&entry.message).lines() {
                let _ = writeln!(self.out, "  {} {line}", self.paint("2", bar));
            }
        }
    }

    fn write_failure(&mut self, number: usize, failure: &Failure) -> std::io::Result<()> {
        let located = Located::failure(failure, &self.options.source_name);
        let paint = |part: Part, text: &str| match part {
            Part::Heading => self.paint("1;31", text),
            Part::Message => self.paint("31", text),
        };
        let block = located.render(&format!("{number}. error:"), &paint);
        writeln!(self.out, "{block}")
    }
}

/// An exchange made for an OAuth 2.0 token on one line: step, method, URL, and the status, size
/// and time of its answer (or why none came).
pub(super) fn token_line(exchange: &TokenExchange, masker: &Masker) -> String {
    let outcome = match &exchange.response {
        Ok(response) => format!(
            "[{} {}, {}B, {}ms]",
            response.code,
            response.status,
            response.body.len(),
            response.response_time.as_millis()
        ),
        Err(error) => format!("[errored: {error}]"),
    };
    let line = format!(
        "{} {} {} {outcome}",
        exchange.step.label(),
        exchange.wire.method,
        exchange.wire.sent_url()
    );
    masker.mask(&line)
}

impl<W: Write> Reporter for CliReporter<W> {
    fn start(&mut self, collection_name: &str, _items: usize, _iterations: usize) {
        if !self.options.no_banner {
            let _ = writeln!(self.out, "baton\n\n{collection_name}");
        }
        let _ = self.out.flush();
    }

    fn iteration(&mut self, iteration: usize, count: usize) {
        if count > 1 {
            let _ = writeln!(self.out, "\nIteration {}/{count}", iteration + 1);
        }
        let _ = self.out.flush();
    }

    fn before_item(&mut self, path: &[String]) {
        let arrow = if self.options.ascii { "->" } else { "→" };
        let _ = writeln!(self.out, "\n{arrow} {}", path.join(" / "));
        let _ = self.out.flush();
    }

    fn warning(&mut self, message: &str) {
        let _ = writeln!(self.out, "  {} {message}", self.paint("33", "warning:"));
        let _ = self.out.flush();
    }

    fn request(&mut self, execution: &Execution, masker: &Masker) {
        // The pre-request console, then the request; shown with the item's tests (`item`).
        self.write_console(&execution.prerequest, masker);
        if let Some(wire) = &execution.wire {
            let masked_url = masker.mask(&wire.sent_url());
            match (&execution.response, &execution.request_error) {
                (Some(response), _) => {
                    let text = format!(
                        "  {} {} [{} {}, {}B, {}ms]",
                        wire.method,
                        masked_url,
                        response.code,
                        response.status,
                        response.body.len(),
                        response.response_time.as_millis()
                    );
                    let _ = writeln!(self.out, "{}", self.paint("2", &text));
                }
                (None, Some(error)) => {
                    let error = masker.mask(&error.to_string());
                    let _ = writeln!(
                        self.out,
                        "  {} {} [errored]\n    {}",
                        wire.method,
                        masked_url,
                        self.paint("31", &error)
                    );
                }
                (None, None) => {}
            }
        } else if let Some(error) = &execution.request_error {
            let _ = writeln!(
                self.out,
                "  {}",
                self.paint("31", &masker.mask(&error.to_string()))
            );
        }
        for exchange in &execution.token_exchanges {
            let text = format!("    {}", token_line(exchange, masker));
            let _ = writeln!(self.out, "{}", self.paint("2", &text));
        }
    }

    fn retry(&mut self, _execution: &Execution, reason: &str, wait: Duration) {
        let arrow = if self.options.ascii { "<>" } else { "↻" };
        let text = format!("  {arrow} {reason}: trying again in {}ms", wait.as_millis());
        let _ = writeln!(self.out, "{}", self.paint("33", &text));
        let _ = self.out.flush();
    }

    fn item(&mut self, execution: &Execution, masker: &Masker) {
        self.write_item(execution, masker);
        let _ = self.out.flush();
    }

    fn done(&mut self, summary: &RunSummary) {
        let _ = writeln!(self.out);
        if !self.options.no_summary {
            let _ = self.write_table(summary);
        }
        if let Some(reason) = &summary.stopped {
            let _ = writeln!(self.out, "\nThe run stopped early: {reason}.");
        }
        if !self.options.no_failures && !summary.failures.is_empty() {
            let _ = writeln!(self.out);
            for (index, failure) in summary.failures.iter().enumerate() {
                let _ = self.write_failure(index + 1, failure);
            }
        }
        let _ = self.out.flush();
    }
}

impl<W: Write> CliReporter<W> {
    /// An item's retries, console output, tests and script errors.
    fn write_item(&mut self, execution: &Execution, masker: &Masker) {
        if execution.retries > 0 {
            let times = match execution.retries {
                1 => "once".to_string(),
                n => format!("{n} times"),
            };
            let _ = writeln!(
                self.out,
                "  {}",
                self.paint("33", &format!("retried {times}"))
            );
        }
        if execution.skipped {
            self.write_console(&execution.prerequest, masker);
            let _ = writeln!(
                self.out,
                "  (request skipped by pm.execution.skipRequest())"
            );
        }
        if self.options.verbose {
            for exchange in &execution.token_exchanges {
                let _ = writeln!(self.out, "  {}", token_line(exchange, masker));
                if let Ok(response) = &exchange.response {
                    self.write_exchange(&exchange.wire, response, masker);
                }
            }
            self.write_verbose(execution, masker);
            for sent in execution.sent() {
                let outcome = match &sent.response {
                    Ok(response) => format!(
                        "[{} {}, {}B]",
                        response.code,
                        response.status,
                        response.body.len()
                    ),
                    Err(error) => format!("[errored: {error}]"),
                };
                let url = masker.mask(&sent.request.url.to_unresolved_string());
                let _ = writeln!(
                    self.out,
                    "  pm.sendRequest {} {url} {}",
                    sent.request.method,
                    masker.mask(&outcome)
                );
            }
        }
        self.write_console(&execution.test, masker);
        if self.options.no_assertions {
            return;
        }
        for run in execution
            .prerequest
            .runs
            .iter()
            .chain(execution.test.runs.iter())
        {
            for assertion in &run.assertions {
                let ok = assertion.error.is_none();
                if ok && self.options.no_success_assertions {
                    continue;
                }
                let mark = if assertion.skipped {
                    self.paint("36", "-")
                } else if ok {
                    self.paint("32", self.symbol(true))
                } else {
                    self.paint("31", self.symbol(false))
                };
                let _ = writeln!(self.out, "  {mark}  {}", masker.mask(&assertion.name));
            }
            if let Some(error) = &run.error {
                let message = masker.mask(&error.message);
                let _ = writeln!(
                    self.out,
                    "  {}  {}: {message}",
                    self.paint("31", self.symbol(false)),
                    error.name
                );
            }
        }
    }
}
