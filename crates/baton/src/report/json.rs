//! The JSON report with Newman's structure, key for key (`collection`, `environment`, `globals`,
//! `run.stats`, `run.timings`, `run.executions`, `run.failures`, ...), so tools
//! that parse Newman's report keep working; and the environment/globals export shape.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use super::sdk_json::{
    SdkCollection, add_learned_digest, add_learned_to_block, description_json, parsed_url_json,
    sdk_collection, variable_type,
};
use crate::collection::{Collection, Environment, Url};
use crate::http::Response;
use crate::runner::{Counter, Execution, Failure, FailureKind, Masker, RunSummary, TokenExchange};
use crate::script::ScriptErrorKind;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::render::Located;
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
    let sdk = sdk_with_learned_digest(collection, summary);
    let head = json_report(&sdk, &collection.source, environment, globals, summary);
    let executions = Executions { summary, sdk: &sdk };
    serde_json::to_writer(
        &mut *out,
        &Streamed {
            head: &head,
            executions: &executions,
        },
    )?;
    Ok(())
}

/// The report's members in order, the run's `executions` written one by one as they are made.
struct Streamed<'a> {
    head: &'a Value,
    executions: &'a Executions<'a>,
}

/// The run's executions, serialised without first building them all.
struct Executions<'a> {
    summary: &'a RunSummary,
    sdk: &'a SdkCollection,
}

/// `run`'s members, `executions` among them.
struct RunMembers<'a> {
    run: &'a Map<String, Value>,
    executions: &'a Executions<'a>,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let members = self.head.as_object();
        let mut map = serializer.serialize_map(members.map(Map::len))?;
        for (key, value) in members.into_iter().flatten() {
            match (key.as_str(), value) {
                ("run", Value::Object(run)) => map.serialize_entry(
                    key,
                    &RunMembers {
                        run,
                        executions: self.executions,
                    },
                )?,
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

impl Serialize for RunMembers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.run.len()))?;
        for (key, value) in self.run {
            match key.as_str() {
                "executions" => map.serialize_entry(key, self.executions)?,
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

impl Serialize for Executions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        // Newman pushes an item's one execution record once per request event (its request, an
        // auth replay, each `pm.sendRequest`), so readers of its report see it that many times.
        for execution in &self.summary.executions {
            let copies = execution.request_events();
            if copies == 0 {
                continue;
            }
            let mut value = execution_json(execution, self.sdk, &self.summary.masker);
            for _ in 0..copies {
                // Each copy is a request event of its own, with its own request id.
                value["cursor"]["httpRequestId"] = Value::String(uuid::Uuid::new_v4().to_string());
                seq.serialize_element(&value)?;
            }
        }
        seq.end()
    }
}

/// The collection in the SDK's shape, with what Digest challenges taught written into the auth
/// blocks (Newman's runtime changes the collection it runs).
fn sdk_with_learned_digest(collection: &Collection, summary: &RunSummary) -> SdkCollection {
    // A large collection is read again from its file, which may have changed during the run
    // (the run then stopped and said so): the report keeps the executions, with their items
    // named but not shown whole, rather than being lost.
    let document = collection.document.value().unwrap_or_else(
        |_| json!({"info": {"_postman_id": collection.id, "name": collection.name}, "item": []}),
    );
    let sdk = sdk_collection(&document);
    let mut learned = Vec::new();
    for execution in &summary.executions {
        let Some(params) = digest_learned_by(execution) else {
            continue;
        };
        if let Some(found) = sdk.find(&execution.id, &execution.path, execution.position) {
            learned.push((found.at.clone(), params));
        }
    }
    if learned.is_empty() {
        return sdk;
    }
    let mut document = document;
    for (at, params) in &learned {
        add_learned_digest(&mut document, at, params);
    }
    sdk_collection(&document)
}

/// What Newman's Digest step sets on the auth block for a request that got a response: what a
/// challenge taught (`nonce`, `realm`, `opaque`, `qop`, and with a `qop` the client nonce), and
/// after every response the nonce count. Read back from the `Authorization` header last sent.
fn digest_learned_by(execution: &Execution) -> Option<Vec<(&'static str, String)>> {
    let response = execution.response.as_ref()?;
    let sent = execution.wire.as_ref().and_then(|wire| {
        wire.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str())
    });
    let authorization = response.replay_authorization.as_deref().or(sent)?;
    let params = authorization.strip_prefix("Digest ")?;
    let field = |name: &str| {
        params.split(',').find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            (key == name).then(|| value.trim_matches('"').to_string())
        })
    };
    let mut out = Vec::new();
    if response.replay_authorization.is_some() {
        for key in ["nonce", "realm", "opaque", "qop"] {
            if let Some(value) = field(key) {
                out.push((key, value));
            }
        }
        if field("qop").is_some() {
            out.push(("clientNonce", field("cnonce").unwrap_or_default()));
        }
    }
    out.push((
        "nonceCount",
        field("nc").unwrap_or_else(|| "00000001".into()),
    ));
    Some(out)
}

/// The report without its executions (written by [`write_json_report`]).
fn json_report(
    sdk: &SdkCollection,
    source_name: &str,
    environment: &Environment,
    globals: &Environment,
    summary: &RunSummary,
) -> Value {
    let masker = &summary.masker;
    let stats = &summary.stats;
    let mut report = json!({
        "collection": mask_value(&sdk.json, masker),
        "environment": report_scope_json(environment, &summary.scopes.environment, masker),
        "globals": report_scope_json(globals, &summary.scopes.globals, masker),
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
            "timings": timings_json(summary),
            "executions": [],
            "transfers": {
                "responseTotal": summary.executions.iter().filter_map(|e| e.response.as_ref()).map(|r| r.body.len()).sum::<usize>(),
            },
            "failures": summary.failures.iter().map(|f| failure_json(f, sdk, summary, source_name)).collect::<Vec<_>>(),
            "error": summary.stopped.clone(),
        }
    });
    // A script that ran out of time ends Newman's run with that error.
    let timeout = summary
        .failures
        .iter()
        .find(|f| f.kind == FailureKind::Script(ScriptErrorKind::Timeout));
    if let Some(timeout) = timeout {
        report["error"] =
            json!({"type": "Error", "name": "Error", "message": masker.mask(&timeout.message)});
    }
    report
}

/// `run.timings` with Newman's keys: response times in whole milliseconds (their mean and standard
/// deviation may have fractions); DNS and first-byte times are 0, as in Newman without
/// `--verbose`.
fn timings_json(summary: &RunSummary) -> Value {
    let times: Vec<u64> = summary
        .executions
        .iter()
        .flat_map(|execution| {
            let own = execution.response.as_ref().map(|r| r.response_time);
            let sent = execution
                .sent()
                .filter_map(|sent| sent.response.as_ref().ok().map(|r| r.response_time));
            own.into_iter().chain(sent)
        })
        .map(|time| time.as_millis() as u64)
        .collect();
    let (average, sd) = mean_and_sd(&times);
    let started = summary.timings.started_unix_ms;
    json!({
        "responseAverage": average,
        "responseMin": times.iter().min().copied().unwrap_or(0),
        "responseMax": times.iter().max().copied().unwrap_or(0),
        "responseSd": sd,
        "dnsAverage": 0, "dnsMin": 0, "dnsMax": 0, "dnsSd": 0,
        "firstByteAverage": 0, "firstByteMin": 0, "firstByteMax": 0, "firstByteSd": 0,
        "started": started,
        "completed": started + summary.timings.total.as_millis() as u64,
    })
}

/// Mean and population standard deviation, written as integers when they are whole (as
/// JavaScript writes numbers).
pub(super) fn mean_and_sd(values: &[u64]) -> (Value, Value) {
    if values.is_empty() {
        return (json!(0), json!(0));
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<u64>() as f64 / n;
    let variance = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    (js_number(mean), js_number(variance.sqrt()))
}

fn js_number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// A scope as Newman's report holds it (`VariableScope#toJSON()`): `_` meta when the file had
/// it, `id`, `name`, and every value (secrets masked).
fn report_scope_json(source: &Environment, scope: &VariableScope, masker: &Masker) -> Value {
    let mut out = Map::new();
    if !source.meta.is_empty() {
        let meta = Value::Object(source.meta.clone());
        out.insert("_".into(), mask_value(&meta, masker));
    }
    // The SDK gives a scope without an id a fresh one.
    let id = match source.id.as_str() {
        "" => uuid::Uuid::new_v4().to_string(),
        id => id.to_string(),
    };
    out.insert("id".into(), Value::String(id));
    if !source.name.is_empty() {
        out.insert("name".into(), Value::String(source.name.clone()));
    }
    let values: Vec<Value> = scope
        .values()
        .iter()
        .map(|v| {
            let mut entry = Map::new();
            if !v.enabled {
                entry.insert("disabled".into(), Value::Bool(true));
            }
            let kind = variable_type(v.kind.as_deref());
            entry.insert("type".into(), Value::String(kind.into()));
            if !v.undefined {
                let value = if crate::runner::is_masked(v) {
                    Value::String(crate::runner::MASK.into())
                } else {
                    mask_value(&v.value, masker)
                };
                entry.insert("value".into(), value);
            }
            entry.insert("key".into(), Value::String(v.key.clone()));
            if let Some(extras) = source.value_extras.get(&v.key) {
                if let Some(name) = extras.get("name").filter(|n| n.is_string()) {
                    entry.insert("name".into(), name.clone());
                }
                let description = extras.get("description").and_then(description_json);
                if let Some(description) = description {
                    entry.insert("description".into(), mask_value(&description, masker));
                }
            }
            Value::Object(entry)
        })
        .collect();
    out.insert("values".into(), Value::Array(values));
    Value::Object(out)
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
        .values()
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
            let kind = match v.kind.as_deref() {
                Some("secret") => "secret",
                other => variable_type(other),
            };
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
    let now = crate::vars::clock::now_millis();
    crate::vars::clock::iso_8601(now)
}

fn counter(counter: Counter) -> Value {
    json!({"total": counter.total, "pending": counter.pending, "failed": counter.failed})
}

/// Newman's cursor for an item's position in the run.
fn cursor_json(iteration: usize, position: usize, length: usize, cycles: usize, id: &str) -> Value {
    // Newman passes the run's whole cursor only with the run's first item; after that, its
    // events carry the short form.
    if position == 0 && iteration == 0 {
        return json!({
            "position": position,
            "iteration": iteration,
            "length": length,
            "cycles": cycles,
            "empty": length == 0,
            "eof": position + 1 >= length && iteration + 1 >= cycles,
            "bof": true,
            "cr": false,
            "ref": id,
            "httpRequestId": uuid::Uuid::new_v4().to_string(),
        });
    }
    json!({"ref": id, "length": length, "cycles": cycles, "position": position,
           "iteration": iteration, "httpRequestId": uuid::Uuid::new_v4().to_string()})
}

fn execution_json(execution: &Execution, sdk: &SdkCollection, masker: &Masker) -> Value {
    let found = sdk.find(&execution.id, &execution.path, execution.position);
    let item = match found {
        Some(found) => mask_value(&found.json, masker),
        // An item without a name has none in Newman's report.
        None if execution.name().is_empty() => json!({"id": execution.id}),
        None => json!({"id": execution.id, "name": execution.name()}),
    };
    let id = item["id"].as_str().unwrap_or_default().to_string();
    let mut out = Map::new();
    out.insert(
        "cursor".into(),
        cursor_json(
            execution.iteration,
            execution.position,
            execution.plan_length,
            execution.iterations,
            &id,
        ),
    );
    // Newman keeps one record per item and sets its cursor, request and response at each request
    // event: after a test script's `pm.sendRequest`, they are that request's, and the cursor
    // names the script and its run.
    let last_sent = execution.test.sent.last();
    if last_sent.is_some() {
        let cursor = out.get_mut("cursor").expect("the cursor was just set");
        cursor["scriptId"] = Value::String(script_id_of(&item, "test"));
        cursor["execution"] = Value::String(uuid::Uuid::new_v4().to_string());
    }
    let request = match last_sent {
        Some(sent) => Some(script_request_json(&sent.request, masker)),
        None => sent_request_json(execution, found, masker),
    };
    out.insert("item".into(), item);
    if let Some(request) = request {
        out.insert("request".into(), request);
    }
    let response = match last_sent {
        Some(sent) => sent.response.as_ref().ok(),
        None => execution.response.as_ref(),
    };
    if let Some(response) = response {
        out.insert("response".into(), response_json(response, masker));
    }
    out.insert("id".into(), Value::String(id));
    // `--retry`: how many times the item ran, the last attempt being the one reported. A key of
    // Baton's own, present only for an item that was retried.
    if execution.retries > 0 {
        out.insert("attempts".into(), json!(execution.retries + 1));
    }
    let assertions: Vec<Value> = execution
        .prerequest
        .runs
        .iter()
        .chain(execution.test.runs.iter())
        .flat_map(|run| run.assertions.iter())
        .enumerate()
        .map(|(index, a)| {
            let name = masker.mask(&a.name);
            let mut entry = json!({"assertion": name, "skipped": a.skipped});
            if let Some(error) = &a.error {
                let message = masker.mask(&error.message);
                let stack = format!(
                    "{}: {message}\n   at Object.eval sandbox-script.js:{}:1)",
                    error.name,
                    error.line.unwrap_or(1)
                );
                entry["error"] = json!({"name": error.name, "index": index, "test": name, "message": message, "stack": stack});
            }
            entry
        })
        .collect();
    // Newman's summary starts the list at the first assertion.
    if !assertions.is_empty() {
        out.insert("assertions".into(), Value::Array(assertions));
    }
    // A script that threw is listed under its event, as Newman's summary keeps it.
    for (key, outcome) in [
        ("prerequestScript", &execution.prerequest),
        ("testScript", &execution.test),
    ] {
        let errors: Vec<Value> = outcome
            .runs
            .iter()
            .filter_map(|run| run.error.as_ref())
            .map(|e| json!({"error": script_error_json(&e.name, &masker.mask(&e.message))}))
            .collect();
        if !errors.is_empty() {
            out.insert(key.into(), Value::Array(errors));
        }
    }
    // Newman keeps the error of the item's last request event that failed, its scripts'
    // requests included.
    let sent_error = |sent: &crate::script::SentRequest| {
        sent.response
            .as_ref()
            .err()
            .map(|error| error.node_fields())
    };
    let own_error = execution.request_error.as_ref().map(|e| e.node_fields());
    let last_error = (execution.test.sent.iter().rev().find_map(sent_error))
        .or(own_error)
        .or_else(|| execution.prerequest.sent.iter().rev().find_map(sent_error));
    if let Some(error) = last_error {
        out.insert("requestError".into(), error);
    }
    // Baton's own key, only where it fetched a token: a plain collection's report keeps
    // Newman's shape.
    if !execution.token_exchanges.is_empty() {
        let exchanges = execution
            .token_exchanges
            .iter()
            .map(|exchange| token_exchange_json(exchange, masker))
            .collect();
        out.insert("oauth2".into(), Value::Array(exchanges));
    }
    Value::Object(out)
}

/// One exchange made for an OAuth 2.0 token: the step, the request in the SDK's shape and the
/// response (or why none came), masked like the item's own.
fn token_exchange_json(exchange: &TokenExchange, masker: &Masker) -> Value {
    let mut out = Map::new();
    out.insert("step".into(), Value::String(exchange.step.label().into()));
    out.insert(
        "request".into(),
        script_request_json(&exchange.request, masker),
    );
    match &exchange.response {
        Ok(response) => {
            out.insert("response".into(), response_json(response, masker));
        }
        Err(error) => {
            let message = masker.mask(&error.to_string());
            out.insert("error".into(), json!({"message": message}));
        }
    }
    Value::Object(out)
}

/// A request a script sent, with the headers it went out with: those the runtime added carry
/// `system: true`.
fn script_request_json_as_sent(sent: &crate::script::SentRequest, masker: &Masker) -> Value {
    let mut out = script_request_json(&sent.request, masker);
    if sent.headers.is_empty() {
        return out;
    }
    let own = &sent.request.headers;
    let headers: Vec<Value> = sent
        .headers
        .iter()
        .map(|(key, value)| {
            let mut entry = json!({"key": key, "value": masker.header(key, value)});
            if !own
                .iter()
                .any(|h| !h.disabled && h.key.eq_ignore_ascii_case(key))
            {
                entry["system"] = Value::Bool(true);
            }
            entry
        })
        .collect();
    out["header"] = Value::Array(headers);
    out
}

/// A `pm.sendRequest` request in the SDK's shape.
fn script_request_json(request: &crate::collection::Request, masker: &Masker) -> Value {
    let mut out = Map::new();
    let url = masker.mask(&request.url.to_unresolved_string());
    out.insert("url".into(), parsed_url_json(&Url::parse(&url)));
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|h| {
            let value = masker.header(&h.key, h.value.as_deref().unwrap_or_default());
            let mut entry = json!({"key": h.key, "value": value});
            if h.disabled {
                entry["disabled"] = Value::Bool(true);
            }
            entry
        })
        .collect();
    if !headers.is_empty() {
        out.insert("header".into(), Value::Array(headers));
    }
    out.insert("method".into(), Value::String(request.method.clone()));
    if let Some(body) = &request.body {
        out.insert("body".into(), mask_value(&body.to_json(), masker));
    }
    Value::Object(out)
}

/// The request as sent, in the SDK's shape: the item's request with the sent URL, the sent header
/// values (headers Newman's runtime added carry `system: true`), and the auth it was sent with.
fn sent_request_json(
    execution: &Execution,
    item: Option<&crate::report::sdk_json::SdkRequestItem>,
    masker: &Masker,
) -> Option<Value> {
    let mut request = match item {
        Some(item) => item.json.get("request").cloned().unwrap_or(json!({})),
        None => execution.request.as_ref()?.to_json(),
    };
    if let Some(auth) = item.and_then(|item| item.auth.clone()) {
        request["auth"] = auth;
    }
    // A script may have replaced the body: the sent one is the resolved request's.
    if let Some(resolved) = execution.request.as_ref() {
        match &resolved.body {
            Some(body) if request["body"]["mode"] != body.to_json()["mode"] => {
                request["body"] = body.to_json();
            }
            Some(crate::collection::Body::Raw { language: None, .. }) => {
                if let Some(body) = request.get_mut("body").and_then(Value::as_object_mut) {
                    body.remove("options");
                }
            }
            _ => {}
        }
    }
    if let (Some(learned), Some(auth)) = (digest_learned_by(execution), request.get_mut("auth")) {
        add_learned_to_block(auth, &learned);
    }
    let mut request = mask_value(&request, masker);
    let Some(wire) = &execution.wire else {
        if let Some(resolved) = &execution.request {
            request["url"] = parsed_url_json(&Url::parse(
                &masker.mask(&resolved.url.to_unresolved_string()),
            ));
        }
        return Some(request);
    };
    request["url"] = parsed_url_json(&Url::parse(&masker.mask(&wire.sent_url())));
    // The fragment never goes on the wire, but the sent request still has it.
    if let Some(hash) = execution.request.as_ref().and_then(|r| r.url.hash.as_ref()) {
        request["url"]["hash"] = Value::String(masker.mask(hash));
    }
    request["method"] = Value::String(wire.method.clone());
    let mut used = vec![false; wire.headers.len()];
    let mut headers: Vec<Value> = match request.get("header") {
        Some(Value::Array(entries)) => entries.clone(),
        _ => Vec::new(),
    };
    for entry in &mut headers {
        if entry["disabled"] == Value::Bool(true) {
            continue;
        }
        let key = entry["key"].as_str().unwrap_or_default().to_string();
        let sent = wire
            .headers
            .iter()
            .enumerate()
            .find(|(at, (k, _))| !used[*at] && k.eq_ignore_ascii_case(&key));
        if let Some((at, (k, v))) = sent {
            used[at] = true;
            entry["value"] = Value::String(masker.header(k, v));
        }
    }
    for ((k, v), used) in wire.headers.iter().zip(used) {
        if !used {
            headers.push(json!({"key": k, "value": masker.header(k, v), "system": true}));
        }
    }
    request["header"] = Value::Array(headers);
    Some(request)
}

/// The most bytes of a response body the report holds; a longer body is cut there.
const REPORT_BODY_CAP: usize = 1024 * 1024;

/// The body in the report's `stream`. Newman writes a Node `Buffer`, `{"type": "Buffer", "data":
/// [bytes as numbers]}`, which makes a 64 MB body a 4.8 GB report; Baton keeps the key and the
/// `type`/`data` pair but writes `{"type": "Base64", "data": "..."}` (what `Buffer.from(data,
/// "base64")` reads back), masked, and cut at [`REPORT_BODY_CAP`] bytes, a cut body adding
/// `"truncated": true` and its full `size` in bytes.
fn stream_json(response: &Response, masker: &Masker) -> Value {
    let masked = masker.mask(&response.text()).into_bytes();
    let kept = &masked[..masked.len().min(REPORT_BODY_CAP)];
    let mut stream = json!({"type": "Base64", "data": BASE64.encode(kept)});
    if kept.len() < masked.len() {
        stream["truncated"] = Value::Bool(true);
        stream["size"] = json!(response.body.len());
    }
    stream
}

/// The response as the SDK writes it, the body as [`stream_json`] gives it.
fn response_json(response: &Response, masker: &Masker) -> Value {
    let headers: Vec<Value> = response
        .headers
        .iter()
        .map(|(k, v)| json!({"key": k, "value": masker.header(k, v)}))
        .collect();
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "status": response.status,
        "code": response.code,
        "header": headers,
        "stream": stream_json(response, masker),
        "cookie": [],
        "responseTime": response.response_time.as_millis() as u64,
        "responseSize": response.body.len(),
    })
}

fn failure_json(
    failure: &Failure,
    sdk: &SdkCollection,
    summary: &RunSummary,
    source_name: &str,
) -> Value {
    let masker = &summary.masker;
    let at = match failure.kind {
        FailureKind::Assertion => format!(
            "assertion:{} in {}-script",
            failure.assertion_index.unwrap_or(0),
            failure.event.unwrap_or("test")
        ),
        FailureKind::Script(_) => format!(
            "{}-script{}",
            failure.event.unwrap_or("test"),
            failure.line.map(|l| format!(":{l}")).unwrap_or_default()
        ),
        FailureKind::Request(_) => "request".into(),
    };
    let found = sdk.find(&failure.item_id, &failure.path, failure.position);
    let execution = summary
        .executions
        .iter()
        .find(|e| e.position == failure.position && e.iteration == failure.iteration);
    // A failure of a request a script sent: that request.
    let failed_sent = failure.sent.as_ref().and_then(|target| {
        execution.into_iter().flat_map(|e| e.sent()).find(|s| {
            s.response.is_err()
                && s.request.method == target.method
                && s.request.url.to_unresolved_string() == target.url
        })
    });
    let mut source = match (found, &failure.sent) {
        // A request a script sent is the source, as an item of its own without a name.
        (_, Some(target)) => {
            let request = match failed_sent {
                Some(sent) => script_request_json_as_sent(sent, masker),
                None => json!({"url": parsed_url_json(&Url::parse(&masker.mask(&target.url))),
                    "method": target.method}),
            };
            json!({"id": uuid::Uuid::new_v4().to_string(), "request": request, "response": [],
                "event": [], "protocolProfileBehavior": {"disableBodyPruning": true}})
        }
        (Some(found), None) => mask_value(&found.json, masker),
        (None, None) => {
            json!({"id": failure.item_id, "name": failure.path.last().cloned().unwrap_or_default()})
        }
    };
    // Newman's failure holds the item as the run left it: its request has the headers the
    // runtime added (its URL and auth are still the item's own).
    // Only an item with headers of its own shows the ones the runtime added, and only once the
    // request was sent.
    let before_send = failure.event == Some("prerequest");
    let own_headers = source["request"]["header"].is_array() && failure.sent.is_none();
    if let Some(sent) = execution.and_then(|e| sent_request_json(e, found, masker)) {
        if own_headers && !before_send {
            source["request"]["header"] = sent["header"].clone();
        }
    }
    let id = source["id"].as_str().unwrap_or_default().to_string();
    let (length, cycles) = summary
        .executions
        .first()
        .map_or((0, 0), |e| (e.plan_length, e.iterations));
    let message = masker.mask(&failure.message);
    let file = match failure.kind {
        FailureKind::Request(_) => "request".to_string(),
        _ => failure
            .script_location
            .clone()
            .unwrap_or_else(|| "script".into()),
    };
    let (line, column) = (failure.line.unwrap_or(1), failure.column.unwrap_or(1));
    // One frame: where the failure is, in Baton's terms (the script's place, or the request).
    let frame = json!({"fileName": file, "lineNumber": line, "functionName": "Object.eval",
        "typeName": "Object", "methodName": "eval", "columnNumber": column, "native": false});
    let stack = format!("{}: {message}\n   at {file}:{line}:{column}", failure.name);
    let item_cursor = cursor_json(failure.iteration, failure.position, length, cycles, &id);
    let script_id = || script_id_of(&source, failure.event.unwrap_or("test"));
    // Newman's three kinds of failure differ in shape: a request error is Node's error object
    // (its fields, then name, message and stack); a script error is the sandbox's serialised
    // error; an assertion error is chai's.
    let (error, cursor) = match failure.kind {
        FailureKind::Request(_) => {
            let fields = match &failure.sent {
                Some(_) => failed_sent
                    .and_then(|s| s.response.as_ref().err())
                    .map(|e| e.node_fields()),
                None => execution
                    .and_then(|e| e.request_error.as_ref())
                    .map(|e| e.node_fields()),
            };
            let mut error = match fields.unwrap_or_default() {
                Value::Object(fields) => fields,
                _ => Map::new(),
            };
            error.insert("name".into(), Value::String(failure.name.clone()));
            error.insert("message".into(), Value::String(message.clone()));
            error.insert("stack".into(), Value::String(stack));
            error.extend(error_identity(&failure.name, &message));
            error.insert("stacktrace".into(), json!([frame]));
            let mut cursor = item_cursor;
            // A script's request fails inside that script's run.
            if failure.sent.is_some() {
                cursor["scriptId"] = Value::String(script_id());
                cursor["execution"] = Value::String(uuid::Uuid::new_v4().to_string());
            }
            (Value::Object(error), cursor)
        }
        FailureKind::Script(_) => {
            let mut cursor = item_cursor;
            // Before the request there is no request id yet.
            if failure.event == Some("prerequest") {
                if let Some(cursor) = cursor.as_object_mut() {
                    cursor.remove("httpRequestId");
                }
            }
            cursor["scriptId"] = Value::String(script_id());
            (script_error_json(&failure.name, &message), cursor)
        }
        FailureKind::Assertion => {
            let mut error = Map::new();
            error.insert("name".into(), Value::String(failure.name.clone()));
            error.insert("index".into(), json!(failure.assertion_index.unwrap_or(0)));
            let test = failure.test_name.clone().unwrap_or_default();
            error.insert("test".into(), Value::String(test));
            error.insert("message".into(), Value::String(message.clone()));
            error.insert("stack".into(), Value::String(stack));
            error.extend(error_identity(&failure.name, &message));
            error.insert("stacktrace".into(), json!([frame]));
            let mut cursor = cursor_json(failure.iteration, failure.position, length, cycles, &id);
            cursor["scriptId"] = Value::String(script_id());
            cursor["execution"] = Value::String(uuid::Uuid::new_v4().to_string());
            (Value::Object(error), cursor)
        }
    };
    let mut out = Map::new();
    out.insert("error".into(), error);
    out.insert("at".into(), Value::String(at));
    // Baton's own field, next to Newman's: where the failure happened, as every report shows it.
    let location = Located::failure(failure, source_name).place();
    out.insert("location".into(), Value::String(masker.mask(&location)));
    // A script's or assertion's failure names the item's parent: its folder, or the collection.
    let parent = match failure.kind {
        FailureKind::Request(_) => None,
        _ => found.map(|found| sdk.parent(found).unwrap_or(&sdk.json)),
    };
    out.insert("source".into(), source);
    if let Some(parent) = parent {
        out.insert("parent".into(), mask_value(parent, masker));
    }
    out.insert("cursor".into(), cursor);
    Value::Object(out)
}

/// The id of an item's script for `listen`, or a fresh one for a script defined higher up.
fn script_id_of(item: &Value, listen: &str) -> String {
    item["event"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["listen"] == listen)
        .and_then(|e| e["script"]["id"].as_str())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string)
}

/// A script error as the sandbox serialises it.
fn script_error_json(name: &str, message: &str) -> Value {
    let mut error = Map::new();
    error.insert("type".into(), Value::String("Error".into()));
    error.insert("name".into(), Value::String(name.into()));
    error.insert("message".into(), Value::String(message.into()));
    error.extend(error_identity(name, message));
    error.insert("stacktrace".into(), json!([]));
    Value::Object(error)
}

/// The `checksum`, `id` and `timestamp` Newman's serialised errors carry.
fn error_identity(name: &str, message: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("checksum".into(), Value::String(checksum(name, message)));
    out.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    out.insert("timestamp".into(), json!(now_unix_ms()));
    out
}

/// Newman's error checksum: an MD5 of the error, here of its name and message.
fn checksum(name: &str, message: &str) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(format!("{name}: {message}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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
