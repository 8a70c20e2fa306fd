//! The HTML report: one self-contained page, written from the finished run's summary like the
//! JSON and JUnit reports. It loads nothing (its Content-Security-Policy forbids every fetch, and
//! the styles are inline), reads without JavaScript (the details are `<details>` elements, the
//! "failed only" filter is a checkbox styled by CSS), and follows the system's light or dark
//! scheme.
//!
//! The page shows the run's figures, then its failures, each as the block every Baton report
//! renders (`render.rs`), then every execution by iteration and folder (`execution.rs`). Every
//! text goes through the run's [`Masker`] before it is escaped, so a secret is masked exactly as
//! in the cli report, and `--show-secrets` shows it.

mod execution;

use std::fmt::Write as _;
use std::io::Write;

use crate::collection::Collection;
use crate::runner::{Counter, Masker, RunSummary};

use super::render::{Located, plain};

/// The page's styles, inlined into its `<style>`.
const STYLE: &str = include_str!("page.css");

/// What the page may load: nothing but its own inline styles and `data:` images.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// How the HTML report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Request and response bodies are cut after this many bytes (`--reporter-html-body-limit`).
    pub body_limit: usize,
}

impl HtmlOptions {
    /// The default cut for bodies: 64 KiB.
    pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            body_limit: HtmlOptions::DEFAULT_BODY_LIMIT,
        }
    }
}

/// Writes the HTML report of a finished run to `out`, one execution at a time.
pub fn write_html_report(
    out: &mut dyn Write,
    collection: &Collection,
    summary: &RunSummary,
    options: &HtmlOptions,
) -> std::io::Result<()> {
    let masker = &summary.masker;
    let name = masker.mask(&collection.name);
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{} - Baton report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape(&name)
    );
    write_header(&mut page, &name, summary);
    write_figures(&mut page, summary);
    write_failures(&mut page, collection, summary);
    out.write_all(page.as_bytes())?;
    write_requests(out, summary, options)?;
    let footer = format!(
        "<footer>Written by Baton {}</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out.write_all(footer.as_bytes())
}

/// Every execution, by iteration and folder, after the "failed only" filter.
fn write_requests(
    out: &mut dyn Write,
    summary: &RunSummary,
    options: &HtmlOptions,
) -> std::io::Result<()> {
    let masker = &summary.masker;
    let failed = summary
        .executions
        .iter()
        .filter(|e| execution::failed(e))
        .count();
    let mut page = format!(
        "<input type=\"checkbox\" id=\"failed-only\" class=\"filter\">\n\
         <section class=\"run\">\n<div class=\"run-head\"><h2>Requests</h2>\
         <label for=\"failed-only\" class=\"filter-label\">Failed only \
         <span class=\"muted\">({failed} of {})</span></label></div>\n",
        summary.executions.len()
    );
    if summary.executions.is_empty() {
        page.push_str("<p class=\"muted\">No request ran.</p>\n");
    }
    let iterations = summary
        .executions
        .iter()
        .map(|e| e.iteration + 1)
        .max()
        .unwrap_or(0);
    // Each iteration and each run of items in one folder is a group of its own, so that the
    // "failed only" filter can hide a group with nothing failed, heading included.
    let mut folder: Option<&[String]> = None;
    let mut iteration = None;
    for execution in &summary.executions {
        if iteration != Some(execution.iteration) {
            if iteration.is_some() {
                page.push_str("</div>\n</div>\n");
            }
            page.push_str("<div class=\"iteration\">\n");
            if iterations > 1 {
                let _ = writeln!(
                    page,
                    "<h3>Iteration {} of {iterations}</h3>",
                    execution.iteration + 1
                );
            }
            iteration = Some(execution.iteration);
            folder = None;
        }
        let parent = &execution.path[..execution.path.len().saturating_sub(1)];
        if folder != Some(parent) {
            if folder.is_some() {
                page.push_str("</div>\n");
            }
            page.push_str("<div class=\"group\">\n");
            if !parent.is_empty() {
                let _ = writeln!(
                    page,
                    "<h4 class=\"folder\">{}</h4>",
                    shown(masker, &parent.join(" / "))
                );
            }
            folder = Some(parent);
        }
        execution::write_execution(&mut page, execution, summary, options);
        out.write_all(page.as_bytes())?;
        page.clear();
    }
    if iteration.is_some() {
        page.push_str("</div>\n</div>\n");
    }
    page.push_str("</section>\n");
    out.write_all(page.as_bytes())
}

/// The collection's name, when the run started, and its outcome.
fn write_header(page: &mut String, name: &str, summary: &RunSummary) {
    let (class, verdict) = match (&summary.stopped, summary.failed()) {
        (Some(_), _) => ("failed", "Stopped"),
        (None, true) => ("failed", "Failed"),
        (None, false) => ("passed", "Passed"),
    };
    let started =
        crate::vars::clock::iso_8601(i64::try_from(summary.timings.started_unix_ms).unwrap_or(0));
    let _ = writeln!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"verdict {class}\">{verdict}</p>\n\
         <p class=\"muted\">Run started <time datetime=\"{started}\">{}</time></p>",
        escape(name),
        started.replace('T', " ").replace('Z', " UTC")
    );
    if let Some(reason) = &summary.stopped {
        let _ = writeln!(
            page,
            "<p class=\"stopped\">The run stopped early: {}.</p>",
            escape(&summary.masker.mask(reason))
        );
    }
    page.push_str("</header>\n");
}

/// The figures at a glance, then Newman's table of executed and failed counts.
fn write_figures(page: &mut String, summary: &RunSummary) {
    let stats = &summary.stats;
    let timings = &summary.timings;
    let figure = |page: &mut String, key: &str, label: &str, value: String, bad: bool| {
        let class = if bad { " bad" } else { "" };
        let _ = writeln!(
            page,
            "<div class=\"figure{class}\" data-figure=\"{key}\"><dt>{label}</dt><dd>{value}</dd></div>"
        );
    };
    page.push_str("<section class=\"summary\">\n<dl class=\"figures\">\n");
    figure(
        page,
        "iterations",
        "Iterations",
        stats.iterations.total.to_string(),
        false,
    );
    figure(
        page,
        "requests",
        "Requests",
        stats.requests.total.to_string(),
        false,
    );
    figure(
        page,
        "assertions",
        "Assertions",
        stats.assertions.total.to_string(),
        false,
    );
    figure(
        page,
        "failures",
        "Failures",
        summary.failures.len().to_string(),
        summary.failed(),
    );
    figure(page, "duration", "Duration", duration(timings.total), false);
    figure(
        page,
        "average",
        "Average response",
        format!(
            "{} <small>min {} · max {}</small>",
            milliseconds(timings.average()),
            milliseconds(timings.min_response.unwrap_or_default()),
            milliseconds(timings.max_response.unwrap_or_default())
        ),
        false,
    );
    page.push_str("</dl>\n");
    let rows: [(&str, Counter, bool); 6] = [
        ("iterations", stats.iterations, true),
        ("requests", stats.requests, true),
        ("test-scripts", stats.test_scripts, true),
        ("prerequest-scripts", stats.prerequest_scripts, true),
        ("assertions", stats.assertions, true),
        (
            "skipped tests",
            Counter {
                total: stats.assertions.pending,
                ..Counter::default()
            },
            false,
        ),
    ];
    page.push_str(
        "<table class=\"stats\">\n<thead><tr><th></th><th>executed</th><th>failed</th></tr></thead>\n<tbody>\n",
    );
    for (name, counter, counts_failures) in rows {
        let failed = match counts_failures {
            true => counter.failed.to_string(),
            false => String::new(),
        };
        let class = if counter.failed > 0 {
            " class=\"bad\""
        } else {
            ""
        };
        let _ = writeln!(
            page,
            "<tr{class}><th>{name}</th><td>{}</td><td>{failed}</td></tr>",
            counter.total
        );
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// Each failure as the block the cli report shows, linked to its execution.
fn write_failures(page: &mut String, collection: &Collection, summary: &RunSummary) {
    if summary.failures.is_empty() {
        return;
    }
    let _ = writeln!(
        page,
        "<section class=\"failures\">\n<h2>Failures <span class=\"count\">{}</span></h2>\n<ol>",
        summary.failures.len()
    );
    for (index, failure) in summary.failures.iter().enumerate() {
        let located = Located::failure(failure, &collection.source);
        let block = located.render(&format!("{}. error:", index + 1), &plain);
        let _ = writeln!(
            page,
            "<li class=\"failure\"><pre class=\"located\">{}</pre>\
             <a class=\"jump\" href=\"#{}\">Show the request</a></li>",
            escape(summary.masker.mask(&block).trim_end()),
            execution::anchor(failure.iteration, failure.position)
        );
    }
    page.push_str("</ol>\n</section>\n");
}

/// A run's duration: `850 ms`, `12.4 s`, `3 min 5 s`.
fn duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 1.0 {
        milliseconds(duration)
    } else if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        format!(
            "{} min {} s",
            duration.as_secs() / 60,
            duration.as_secs() % 60
        )
    }
}

fn milliseconds(duration: std::time::Duration) -> String {
    format!("{} ms", duration.as_millis())
}

/// A size in bytes as people read it: `512 B`, `1.5 KiB`, `2.0 MiB`.
fn size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// Text made safe for HTML content and quoted attributes; control characters other than tab and
/// newline are dropped (a page cannot show them, and some would end the document for a parser).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The masked and escaped form of `text`.
fn shown(masker: &Masker, text: &str) -> String {
    escape(&masker.mask(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Response;
    use crate::runner::{Execution, Failure, FailureKind};
    use crate::script::{Assertion, AssertionError, ConsoleEntry, ScriptOutcome, ScriptRun};

    const SECRET: &str = "pa<ss>'w0rd";

    /// A run of one request whose test failed, with the secret in its body and console.
    fn written(body_limit: usize) -> String {
        let document = serde_json::json!({
            "info": {"name": "Shop <API>", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "Orders", "item": [{"name": "List", "request": "http://h/orders"}]}]
        });
        let collection =
            crate::collection::collection_from_document(&document, std::path::Path::new("c.json"))
                .expect("a collection");
        let mut summary = RunSummary::default();
        summary.masker.learn_secrets(&[SECRET.to_string()]);
        let mut response = Response::received(
            (200, "OK"),
            vec![("Set-Cookie".into(), format!("s={SECRET}"))],
            format!(
                "{{\"token\": \"{SECRET}\", \"pad\": \"{}\"}}",
                "x".repeat(100)
            )
            .into_bytes(),
            "http://h/orders".into(),
        );
        response.response_time = std::time::Duration::from_millis(12);
        let test = ScriptRun {
            location: "Orders > List".into(),
            assertions: vec![Assertion {
                name: "lists <b>orders</b>".into(),
                skipped: false,
                error: Some(AssertionError {
                    name: "AssertionError".into(),
                    message: "expected 1 to equal 2".into(),
                    line: Some(1),
                }),
            }],
            console: vec![ConsoleEntry {
                level: "log".into(),
                message: format!("<script>alert(1)</script> {SECRET}"),
            }],
            error: None,
        };
        summary.executions.push(Execution {
            path: vec!["Orders".into(), "List".into()],
            response: Some(response),
            test: ScriptOutcome {
                runs: vec![test],
                ..ScriptOutcome::default()
            },
            ..Execution::default()
        });
        summary.failures.push(Failure {
            kind: FailureKind::Assertion,
            iteration: 0,
            position: 0,
            item_id: String::new(),
            path: vec!["Orders".into(), "List".into()],
            assertion_index: Some(0),
            event: Some("test"),
            script_location: Some("Orders > List".into()),
            test_name: Some("lists <b>orders</b>".into()),
            name: "AssertionError".into(),
            message: "expected 1 to equal 2".into(),
            line: Some(1),
            column: None,
            source_line: Some("pm.test('lists', () => {});".into()),
            sent: None,
        });
        let mut out = Vec::new();
        write_html_report(&mut out, &collection, &summary, &HtmlOptions { body_limit })
            .expect("written to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn the_page_escapes_every_text_and_masks_the_secret() {
        let page = written(HtmlOptions::DEFAULT_BODY_LIMIT);
        assert!(page.contains("<title>Shop &lt;API&gt; - Baton report</title>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; ********"));
        assert!(page.contains("lists &lt;b&gt;orders&lt;/b&gt;"));
        assert!(!page.contains("<script"), "no script at all");
        assert!(!page.contains("pa<ss>") && !page.contains("pa&lt;ss&gt;"));
        assert!(page.contains("s=********"), "headers are masked");
    }

    #[test]
    fn a_failure_shows_the_cli_block_and_links_to_its_request() {
        let page = written(HtmlOptions::DEFAULT_BODY_LIMIT);
        let failures = page.find("class=\"failures\"").expect("failures section");
        let requests = page.find("class=\"run\"").expect("requests section");
        assert!(failures < requests, "failures come first");
        assert!(page.contains(
            "1. error: Assertion failed: lists &lt;b&gt;orders&lt;/b&gt;\n  --&gt; c.json &gt; Orders &gt; List &gt; test script:1"
        ));
        assert!(page.contains(" 1 | pm.test(&#39;lists&#39;, () =&gt; {});"));
        assert!(page.contains("href=\"#run-1-1\"") && page.contains("id=\"run-1-1\""));
        assert!(page.contains("<article class=\"execution failed\""));
        // Grouped by folder, so that "failed only" can hide a folder with nothing failed.
        assert!(page.contains("<div class=\"group\">\n<h4 class=\"folder\">Orders</h4>"));
    }

    #[test]
    fn bodies_are_cut_at_the_limit() {
        let page = written(16);
        assert!(page.contains("<pre class=\"body\">{&quot;token&quot;: &quot;*****</pre>"));
        assert!(page.contains("Cut at 16 B of"));
        assert!(!written(HtmlOptions::DEFAULT_BODY_LIMIT).contains("Cut at"));
    }

    #[test]
    fn markup_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("<a href='x'>\"&\"</a>\u{0}\r\n"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;\n"
        );
    }

    #[test]
    fn sizes_and_durations_read_as_people_write_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 * 1_048_576), "3.0 MiB");
        let ms = std::time::Duration::from_millis;
        assert_eq!(duration(ms(850)), "850 ms");
        assert_eq!(duration(ms(12_400)), "12.4 s");
        assert_eq!(duration(ms(185_000)), "3 min 5 s");
    }
}
