//! The JSON report in Newman's shape (`run.stats`, `run.executions`, `run.failures`, ...), so tools
//! that parse Newman's report keep working; and the environment/globals export shape.

use serde_json::{Map, Value, json};

use crate::collection::{Collection, Environment, Url};
use crate::runner::{Counter, Execution, Failure, FailureKind, Masker, RunSummary};
use crate::vars::VariableScope;

/// Writes the report to `out`, one execution at a time: the executions are by far its largest
/// part, and building them all as one JSON tree first would take many times the file's size.
pub fn write_json_report(
    out: &mut dyn std::io::Write,
    collection: &Collection,
    environment: &Environment,
    globals: &Environment,
    summary: &RunSummary,
) -> std::io::Result<()> {
    let head = json_report(collection, environment, globals, summary).to_string();
    // `run` is the report's last member and `executions` its first array, so the last occurrence
    // of the key is the run's (a key inside the user's collection comes earlier).
    const SLOT: &str = "\"executions\":[";
    let split = head.rfind(SLOT).map_or(head.len(), |at| at + SLOT.len());
    out.write_all(&head.as_bytes()[..split])?;
    // Newman pushes an item's one execution record once per request event (its request, an auth
    // replay, each `pm.sendRequest`), so readers of its report see it that many times.
    let mut first = true;
    for execution in &summary.executions {
        let copies = execution.request_events();
        if copies == 0 {
            continue;
        }
        let text = serde_json::to_string(&execution_json(execution, &summary.masker))?;
        for _ in 0..copies {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(text.as_bytes())?;
        }
    }
    out.write_all(&head.as_bytes()[split..])
}

/// The report without its executions (written by [`write_json_report`]).
fn json_report(
    collection: &Collection,
    environment: &Environment,
    globals: &Environment,
    summary: &RunSummary,
) -> Value {
    let masker = &summary.masker;
    let stats = &summary.stats;
    let timings = &summary.timings;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    json!({
        "collection": mask_value(&collection.document, masker),
        "environment": scope_json(&environment.id, &environment.name, &summary.scopes.environment, "environment", Some(masker)),
        "globals": scope_json(&globals.id, &globals.name, &summary.scopes.globals, "globals", Some(masker)),
        "run": {
            "stats": {
                "iterations": counter(stats.iterations),
                "items": counter(stats.items),
                "scripts": counter(stats.scripts),
                "prerequests": counter(stats.prerequests),
                "requests": counter(stats.requests),
                "tests": counter(stats.tests),
                "assertions": counter(stats.assertions),
                "testScripts": counter(stats.test_scripts),
                "prerequestScripts": counter(stats.prerequest_scripts),
            },
            "timings": {
                "responseAverage": ms(timings.average()),
                "responseMin": timings.min_response.map(ms).unwrap_or(0.0),
                "responseMax": timings.max_response.map(ms).unwrap_or(0.0),
                "started": timings.started_unix_ms,
                "completed": timings.started_unix_ms + timings.total.as_millis() as u64,
                "total": ms(timings.total),
            },
            "executions": [],
            "transfers": {
                "responseTotal": summary.executions.iter().filter_map(|e| e.response.as_ref()).map(|r| r.body.len()).sum::<usize>(),
            },
            "failures": summary.failures.iter().map(failure_json).collect::<Vec<_>>(),
            "error": summary.stopped.clone(),
        }
    })
}

/// A scope as Newman exports it (`--export-environment`, `--export-globals`); secrets are kept in
/// exports (the file is the user's own), masked in reports.
pub fn scope_json(
    id: &str,
    name: &str,
    scope: &VariableScope,
    kind: &str,
    masker: Option<&Masker>,
) -> Value {
    let values: Vec<Value> = scope
        .values
        .iter()
        .map(|v| {
            let value = match (masker, crate::runner::is_masked(v)) {
                (Some(_), true) => Value::String(crate::runner::MASK.into()),
                _ => v.value.clone(),
            };
            // Newman's shape: `disabled` first when set, then type, value and key; a type
            // Postman's variables do not know (`text`, `default`) is written as `any`. `secret`
            // is kept, so a run that loads the export still masks the value.
            let mut entry = Map::new();
            if !v.enabled {
                entry.insert("disabled".into(), Value::Bool(true));
            }
            let known = [
                "string", "boolean", "number", "array", "object", "any", "secret",
            ];
            let kind = v
                .kind
                .as_deref()
                .filter(|kind| known.contains(kind))
                .unwrap_or("any");
            entry.insert("type".into(), Value::String(kind.into()));
            if !v.undefined {
                entry.insert("value".into(), value);
            }
            entry.insert("key".into(), Value::String(v.key.clone()));
            Value::Object(entry)
        })
        .collect();
    json!({
        "id": id,
        "name": name,
        "values": values,
        "_postman_variable_scope": kind,
        "_postman_exported_at": exported_at(),
        "_postman_exported_using": concat!("Baton/", env!("CARGO_PKG_VERSION")),
    })
}

/// Now, as `2026-11-30T18:53:59.162Z`.
fn exported_at() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&format).unwrap_or_default()
}

fn counter(counter: Counter) -> Value {
    json!({"total": counter.total, "pending": counter.pending, "failed": counter.failed})
}

fn execution_json(execution: &Execution, masker: &Masker) -> Value {
    let mut out = Map::new();
    out.insert(
        "cursor".into(),
        json!({"position": execution.position, "iteration": execution.iteration, "ref": execution.id,
               "length": execution.plan_length, "cycles": execution.iterations}),
    );
    // An item without a name has none in Newman's report.
    let mut item = json!({"id": execution.id});
    if !execution.name().is_empty() {
        item["name"] = json!(execution.name());
    }
    out.insert("item".into(), item);
    if let Some(wire) = &execution.wire {
        let headers: Vec<Value> = wire
            .headers
            .iter()
            .map(|(k, v)| json!({"key": k, "value": masker.header(k, v)}))
            .collect();
        // Newman writes the URL in its structured form; `raw` is added for readers that want text.
        let url = Url::parse(&masker.mask(&wire.sent_url())).to_json();
        let mut request = json!({
            "url": url,
            "method": wire.method,
            "header": headers,
        });
        if !wire.body.is_empty() {
            request["body"] =
                json!({"mode": "raw", "raw": masker.mask(&String::from_utf8_lossy(&wire.body))});
        }
        out.insert("request".into(), request);
    }
    if let Some(response) = &execution.response {
        let headers: Vec<Value> = response
            .headers
            .iter()
            .map(|(k, v)| json!({"key": k, "value": masker.header(k, v)}))
            .collect();
        out.insert(
            "response".into(),
            json!({
                "status": response.status,
                "code": response.code,
                "header": headers,
                "stream": {"type": "Buffer", "data": masker.mask(&response.text()).into_bytes()},
                "responseTime": response.response_time.as_millis() as u64,
                "responseSize": response.body.len(),
            }),
        );
    }
    if let Some(error) = &execution.request_error {
        out.insert(
            "requestError".into(),
            json!({"message": masker.mask(error)}),
        );
    }
    let assertions: Vec<Value> = execution
        .prerequest
        .runs
        .iter()
        .chain(execution.test.runs.iter())
        .flat_map(|run| run.assertions.iter())
        .enumerate()
        .map(|(index, a)| {
            let mut entry = json!({"assertion": a.name, "skipped": a.skipped});
            if let Some(error) = &a.error {
                entry["error"] = json!({"name": error.name, "index": index, "test": a.name, "message": masker.mask(&error.message)});
            }
            entry
        })
        .collect();
    out.insert("assertions".into(), Value::Array(assertions));
    let console: Vec<Value> = execution
        .prerequest
        .runs
        .iter()
        .chain(execution.test.runs.iter())
        .flat_map(|run| run.console.iter())
        .map(|entry| json!({"level": entry.level, "message": masker.mask(&entry.message)}))
        .collect();
    out.insert("console".into(), Value::Array(console));
    let sent: Vec<Value> = execution
        .sent()
        .map(|sent| {
            let mut entry = json!({
                "method": sent.request.method,
                "url": masker.mask(&sent.request.url.to_unresolved_string()),
            });
            match &sent.response {
                Ok(response) => {
                    entry["response"] = json!({"code": response.code, "status": response.status,
                        "responseTime": response.response_time.as_millis() as u64, "responseSize": response.body.len()});
                }
                Err(error) => entry["error"] = json!({"message": masker.mask(error)}),
            }
            entry
        })
        .collect();
    out.insert("sendRequests".into(), Value::Array(sent));
    Value::Object(out)
}

fn failure_json(failure: &Failure) -> Value {
    let at = match failure.kind {
        FailureKind::Assertion => format!(
            "assertion:{} in {}-script",
            failure.assertion_index.unwrap_or(0),
            failure.event.unwrap_or("test")
        ),
        FailureKind::Script => format!(
            "{}-script{}",
            failure.event.unwrap_or("test"),
            failure.line.map(|l| format!(":{l}")).unwrap_or_default()
        ),
        FailureKind::Request => "request".into(),
    };
    let mut error = json!({"name": failure.name, "message": failure.message});
    if let Some(test) = &failure.test_name {
        error["test"] = Value::String(test.clone());
        error["index"] = json!(failure.assertion_index.unwrap_or(0));
    }
    if let Some(line) = failure.line {
        error["stack"] = Value::String(format!(
            "{}: {}\n   at {}:{line}:{}",
            failure.name,
            failure.message,
            failure.script_location.as_deref().unwrap_or("script"),
            failure.column.unwrap_or(1)
        ));
    }
    json!({
        "error": error,
        "at": at,
        "source": {"id": failure.item_id, "name": failure.path.last().cloned().unwrap_or_default(), "path": failure.path},
        "cursor": {"iteration": failure.iteration, "position": failure.position, "ref": failure.item_id},
    })
}

/// Replaces secrets in every string of a JSON document.
fn mask_value(value: &Value, masker: &Masker) -> Value {
    match value {
        Value::String(s) => Value::String(masker.mask(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_value(v, masker)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), mask_value(v, masker)))
                .collect(),
        ),
        other => other.clone(),
    }
}
