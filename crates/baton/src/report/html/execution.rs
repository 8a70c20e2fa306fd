//! One execution on the page: its request line (method, URL, status, time, size), its tests, its
//! console output, and, collapsed, the headers and bodies sent and received.

use std::fmt::Write as _;

use crate::runner::{Execution, Masker, RunSummary};
use crate::script::ScriptOutcome;

use super::super::cli::token_line;
use super::{HtmlOptions, escape, shown, size};

/// The element id of the execution of item `position` in `iteration`, for links to it.
pub(super) fn anchor(iteration: usize, position: usize) -> String {
    format!("run-{}-{}", iteration + 1, position + 1)
}

/// Whether the execution has anything failed: a test, a script or the request.
pub(super) fn failed(execution: &Execution) -> bool {
    let runs = || execution.prerequest.runs.iter().chain(&execution.test.runs);
    execution.request_error.is_some()
        || runs().any(|run| run.error.is_some())
        || runs()
            .flat_map(|run| &run.assertions)
            .any(|assertion| assertion.error.is_some())
}

/// Appends the execution's card to `page`.
pub(super) fn write_execution(
    page: &mut String,
    execution: &Execution,
    summary: &RunSummary,
    options: &HtmlOptions,
) {
    let masker = &summary.masker;
    let failed = failed(execution);
    let class = if failed { "failed" } else { "passed" };
    let _ = writeln!(
        page,
        "<article class=\"execution {class}\" id=\"{}\">",
        anchor(execution.iteration, execution.position)
    );
    write_request_line(page, execution, masker);
    write_tests(page, execution, masker);
    write_console(page, execution, masker);
    write_details(page, execution, masker, options);
    page.push_str("</article>\n");
}

/// The item's name, then method, URL, status, time and size (or why there is no response).
fn write_request_line(page: &mut String, execution: &Execution, masker: &Masker) {
    let mark = if failed(execution) { "✗" } else { "✓" };
    let _ = write!(
        page,
        "<h5><span class=\"mark\">{mark}</span> {}</h5>\n<p class=\"request\">",
        shown(masker, execution.name())
    );
    let url = match (&execution.wire, &execution.request) {
        (Some(wire), _) => Some((wire.method.as_str(), wire.sent_url())),
        (None, Some(request)) => {
            Some((request.method.as_str(), request.url.to_unresolved_string()))
        }
        (None, None) => None,
    };
    if let Some((method, url)) = url {
        let _ = write!(
            page,
            "<span class=\"method\">{}</span> <span class=\"url\">{}</span>",
            escape(method),
            shown(masker, &url)
        );
    }
    match (&execution.response, &execution.request_error) {
        _ if execution.skipped => {
            page.push_str(
                " <span class=\"status skipped\">skipped by pm.execution.skipRequest()</span>",
            );
        }
        (Some(response), _) => {
            let band = match response.code {
                200..=299 => "ok",
                300..=399 => "redirect",
                _ => "error",
            };
            let _ = write!(
                page,
                " <span class=\"status {band}\">{} {}</span> <span class=\"time\">{} ms</span> \
                 <span class=\"size\">{}</span>",
                response.code,
                shown(masker, &response.status),
                response.response_time.as_millis(),
                size(response.body.len())
            );
        }
        (None, Some(error)) => {
            let _ = write!(
                page,
                " <span class=\"status error\">{}</span>",
                shown(masker, &error.to_string())
            );
        }
        (None, None) => {}
    }
    // `--retry`: the results above are the last attempt's.
    match execution.retries {
        0 => {}
        1 => page.push_str(" <span class=\"retried\">retried once</span>"),
        n => {
            let _ = write!(page, " <span class=\"retried\">retried {n} times</span>");
        }
    }
    page.push_str("</p>\n");
}

/// The tests of both events, passed, failed with the message, or skipped; and script errors.
fn write_tests(page: &mut String, execution: &Execution, masker: &Masker) {
    let mut list = String::new();
    for (event, outcome) in [
        ("prerequest", &execution.prerequest),
        ("test", &execution.test),
    ] {
        for run in &outcome.runs {
            for assertion in &run.assertions {
                let name = shown(masker, &assertion.name);
                let _ = match (&assertion.error, assertion.skipped) {
                    (_, true) => writeln!(
                        list,
                        "<li class=\"skip\"><span class=\"mark\">–</span> {name} <span class=\"muted\">(skipped)</span></li>"
                    ),
                    (None, false) => writeln!(
                        list,
                        "<li class=\"pass\"><span class=\"mark\">✓</span> {name}</li>"
                    ),
                    (Some(error), false) => writeln!(
                        list,
                        "<li class=\"fail\"><span class=\"mark\">✗</span> {name}\
                         <pre class=\"message\">{}: {}</pre></li>",
                        escape(&error.name),
                        shown(masker, &error.message)
                    ),
                };
            }
            if let Some(error) = &run.error {
                let _ = writeln!(
                    list,
                    "<li class=\"fail\"><span class=\"mark\">✗</span> {} in {event} script\
                     <pre class=\"message\">{}</pre></li>",
                    escape(&error.name),
                    shown(masker, &error.message)
                );
            }
        }
    }
    if !list.is_empty() {
        let _ = write!(page, "<ul class=\"tests\">\n{list}</ul>\n");
    }
}

/// Console output of both events, in order, with its level.
fn write_console(page: &mut String, execution: &Execution, masker: &Masker) {
    let entries: Vec<_> = [&execution.prerequest, &execution.test]
        .into_iter()
        .flat_map(|outcome: &ScriptOutcome| &outcome.runs)
        .flat_map(|run| &run.console)
        .collect();
    if entries.is_empty() {
        return;
    }
    page.push_str("<div class=\"console\"><span class=\"label\">Console</span><pre>");
    for entry in entries {
        let _ = writeln!(
            page,
            "<span class=\"level {0}\">{0}</span> {1}",
            escape(&entry.level),
            shown(masker, &entry.message)
        );
    }
    page.push_str("</pre></div>\n");
}

/// Collapsed: the exchanges made for an OAuth 2.0 token, the headers and bodies sent and
/// received, then what `pm.sendRequest` sent.
fn write_details(page: &mut String, execution: &Execution, masker: &Masker, options: &HtmlOptions) {
    write_token_exchanges(page, execution, masker, options);
    if let Some(wire) = &execution.wire {
        let headers = wire.headers.iter().chain(&wire.after_cookies);
        write_headers(page, "Request headers", headers, masker);
        write_body(page, "Request body", &wire.body, masker, options);
    }
    if let Some(response) = &execution.response {
        write_headers(page, "Response headers", response.headers.iter(), masker);
        write_body(page, "Response body", &response.body, masker, options);
    }
    let sent: Vec<_> = execution.sent().collect();
    if sent.is_empty() {
        return;
    }
    let _ = write!(
        page,
        "<details><summary>pm.sendRequest <span class=\"muted\">({})</span></summary><ul class=\"sent\">",
        sent.len()
    );
    for request in sent {
        let outcome = match &request.response {
            Ok(response) => format!(
                "{} {}, {}",
                response.code,
                response.status,
                size(response.body.len())
            ),
            Err(error) => format!("errored: {error}"),
        };
        let _ = write!(
            page,
            "<li><span class=\"method\">{}</span> <span class=\"url\">{}</span> \
             <span class=\"muted\">[{}]</span></li>",
            escape(&request.request.method),
            shown(masker, &request.request.url.to_unresolved_string()),
            shown(masker, &outcome)
        );
    }
    page.push_str("</ul></details>\n");
}

/// Each exchange made for the item's OAuth 2.0 token, as the cli reporter's line under the
/// request, with its own headers and bodies collapsed under it.
fn write_token_exchanges(
    page: &mut String,
    execution: &Execution,
    masker: &Masker,
    options: &HtmlOptions,
) {
    if execution.token_exchanges.is_empty() {
        return;
    }
    let _ = write!(
        page,
        "<details><summary>OAuth 2.0 token <span class=\"muted\">({})</span></summary>\
         <ul class=\"sent\">",
        execution.token_exchanges.len()
    );
    for exchange in &execution.token_exchanges {
        let _ = write!(
            page,
            "<li><span class=\"url\">{}</span>",
            escape(&token_line(exchange, masker))
        );
        let wire = &exchange.wire;
        let headers = wire.headers.iter().chain(&wire.after_cookies);
        write_headers(page, "Request headers", headers, masker);
        write_body(page, "Request body", &wire.body, masker, options);
        if let Ok(response) = &exchange.response {
            write_headers(page, "Response headers", response.headers.iter(), masker);
            write_body(page, "Response body", &response.body, masker, options);
        }
        page.push_str("</li>");
    }
    page.push_str("</ul></details>\n");
}

fn write_headers<'a>(
    page: &mut String,
    title: &str,
    headers: impl Iterator<Item = &'a (String, String)>,
    masker: &Masker,
) {
    let mut rows = String::new();
    let mut count = 0;
    for (name, value) in headers {
        count += 1;
        let _ = writeln!(
            rows,
            "<tr><th>{}</th><td>{}</td></tr>",
            shown(masker, name),
            escape(&masker.header(name, value))
        );
    }
    if count == 0 {
        return;
    }
    let _ = write!(
        page,
        "<details><summary>{title} <span class=\"muted\">({count})</span></summary>\
         <table class=\"headers\">\n{rows}</table></details>\n"
    );
}

/// A body as text, masked, then cut at the limit; binary bodies are named, not shown.
fn write_body(page: &mut String, title: &str, body: &[u8], masker: &Masker, options: &HtmlOptions) {
    if body.is_empty() {
        return;
    }
    let _ = write!(
        page,
        "<details><summary>{title} <span class=\"muted\">({})</span></summary>",
        size(body.len())
    );
    let text = match std::str::from_utf8(body) {
        Ok(text) if !text.contains('\0') => masker.mask(text),
        _ => {
            page.push_str("<p class=\"muted\">Binary content, not shown.</p></details>\n");
            return;
        }
    };
    let mut cut = text.len().min(options.body_limit);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let _ = write!(page, "<pre class=\"body\">{}</pre>", escape(&text[..cut]));
    if cut < text.len() {
        let _ = write!(
            page,
            "<p class=\"muted\">Cut at {} of {} (--reporter-html-body-limit).</p>",
            size(cut),
            size(text.len())
        );
    }
    page.push_str("</details>\n");
}
