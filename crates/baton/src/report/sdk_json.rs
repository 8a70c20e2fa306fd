//! The collection as Newman's JSON report holds it: the shape postman-collection's `toJSON()` gives
//! a loaded collection (v2.0 and v2.1 alike), built from the collection's own JSON document.
//! Readers of Newman's report rely on that shape: URLs as objects, descriptions as
//! `{content, type}`, auth parameters as `[{type, value, key}]`, ids on every item and script.
//!
//! Each Postman concept has its own small function; missing ids are filled with fresh UUIDs, as
//! the SDK does when it loads a collection.

use serde_json::{Map, Value, json};

use crate::collection::Url;

/// A collection in the SDK's shape, with its requests indexed for the executions.
#[derive(Debug, Default)]
pub struct SdkCollection {
    /// The whole collection.
    pub json: Value,
    /// Every request item, depth-first.
    pub requests: Vec<SdkRequestItem>,
}

/// One request item in the SDK's shape, with what the report's executions need besides it.
#[derive(Debug)]
pub struct SdkRequestItem {
    /// The id Baton's run knows the item by (empty when the document has none).
    pub source_id: String,
    /// Folder names and the item's name.
    pub path: Vec<String>,
    /// The item as the SDK writes it (its id filled in).
    pub json: Value,
    /// The auth the request is sent with: its own, else the nearest folder's or the collection's.
    pub auth: Option<Value>,
    /// Its place in the tree: an index into each `item` list from the collection down.
    pub at: Vec<usize>,
}

impl SdkCollection {
    /// The item an execution ran: by id, or for an item without one, by its path of names; of
    /// several items with that path, the one at the run's `position` when it is one of them (it
    /// is, unless `--folder` chose part of the collection), else the first.
    pub fn find(&self, id: &str, path: &[String], position: usize) -> Option<&SdkRequestItem> {
        if !id.is_empty() {
            if let Some(found) = self.requests.iter().find(|r| r.source_id == id) {
                return Some(found);
            }
        }
        let same = |r: &&SdkRequestItem| r.source_id.is_empty() && r.path == path;
        self.requests
            .get(position)
            .filter(same)
            .or_else(|| self.requests.iter().find(same))
    }

    /// The folder holding a request item, or `None` for an item at the collection's top level.
    pub fn parent(&self, item: &SdkRequestItem) -> Option<&Value> {
        let (_, folders) = item.at.split_last()?;
        if folders.is_empty() {
            return None;
        }
        folders
            .iter()
            .try_fold(&self.json, |node, &index| node.get("item")?.get(index))
    }
}

/// A collection's version as the SDK's `Version` holds it: a semantic version's parts, `{}` for
/// other text, an object's known fields as given.
pub fn version_json(version: &Value) -> Option<Value> {
    const FIELDS: [&str; 7] = [
        "raw",
        "major",
        "minor",
        "patch",
        "prerelease",
        "build",
        "string",
    ];
    match version {
        Value::String(text) if !text.is_empty() => Some(semver_json(text).unwrap_or(json!({}))),
        Value::Object(fields) => Some(Value::Object(
            FIELDS
                .iter()
                .filter_map(|k| Some((k.to_string(), fields.get(*k)?.clone())))
                .collect(),
        )),
        _ => None,
    }
}

/// `1.2.3-beta.1+build` as `{raw, major, minor, patch, prerelease, build, string}`; a missing
/// pre-release or build is `[]`, a given one its dot-separated parts joined with commas.
fn semver_json(text: &str) -> Option<Value> {
    let version = text.trim().trim_start_matches(['=', 'v']);
    let (version, build) = match version.split_once('+') {
        Some((version, build)) => (version, Some(build)),
        None => (version, None),
    };
    let (core, prerelease) = match version.split_once('-') {
        Some((core, prerelease)) => (core, Some(prerelease)),
        None => (version, None),
    };
    let numbers: Vec<u64> = core
        .split('.')
        .map(|n| {
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| n.parse().ok())?
        })
        .collect::<Option<_>>()?;
    let [major, minor, patch] = numbers[..] else {
        return None;
    };
    let tag = |tag: Option<&str>| match tag {
        Some(tag) if !tag.is_empty() => Value::String(tag.replace('.', ",")),
        _ => json!([]),
    };
    let string = match prerelease {
        Some(prerelease) => format!("{major}.{minor}.{patch}-{prerelease}"),
        None => format!("{major}.{minor}.{patch}"),
    };
    Some(
        json!({"raw": text, "major": major, "minor": minor, "patch": patch,
                "prerelease": tag(prerelease), "build": tag(build), "string": string}),
    )
}

/// Serialises a collection document (`collection.document`).
pub fn sdk_collection(document: &Value) -> SdkCollection {
    let info = document.get("info").cloned().unwrap_or(Value::Null);
    let mut requests = Vec::new();
    let auth = document.get("auth").map(auth_json);
    let mut place = Place::default();
    let items = items_json(
        document.get("item"),
        &mut place,
        auth.as_ref(),
        &mut requests,
    );
    let mut out = Map::new();
    // The SDK keeps `_`-prefixed keys of `info` and of the root as `_` meta.
    let mut meta = meta_of(&info);
    if let Value::Object(root) = meta_of(document) {
        if let Value::Object(target) = &mut meta {
            target.extend(root);
        } else {
            meta = Value::Object(root);
        }
    }
    if meta.is_object() {
        out.insert("_".into(), meta);
    }
    out.insert("item".into(), Value::Array(items));
    out.insert("event".into(), events_json(document.get("event")));
    out.insert("variable".into(), variables_json(document.get("variable")));
    let mut info_out = Map::new();
    let id = info
        .get("_postman_id")
        .or_else(|| document.get("id"))
        .and_then(Value::as_str)
        .map_or_else(new_id, str::to_string);
    info_out.insert("_postman_id".into(), Value::String(id));
    // A collection may carry its name, version and description at the root instead of in `info`.
    let field = |key: &str| info.get(key).or_else(|| document.get(key));
    if let Some(name) = field("name").filter(|n| n.is_string()) {
        info_out.insert("name".into(), name.clone());
    }
    if let Some(version) = info.get("version").and_then(version_json) {
        info_out.insert("version".into(), version);
    }
    info_out.insert(
        "schema".into(),
        Value::String(
            "https://schema.getpostman.com/json/collection/v2.1.0/collection.json".into(),
        ),
    );
    if let Some(description) = field("description").and_then(description_json) {
        info_out.insert("description".into(), description);
    }
    out.insert("info".into(), Value::Object(info_out));
    if let Some(auth) = auth {
        out.insert("auth".into(), auth);
    }
    if let Some(behavior) = document
        .get("protocolProfileBehavior")
        .filter(|v| v.is_object())
    {
        out.insert("protocolProfileBehavior".into(), behavior.clone());
    }
    SdkCollection {
        json: Value::Object(out),
        requests,
    }
}

/// Where the walk is: the names and the indices from the collection down.
#[derive(Default)]
struct Place {
    names: Vec<String>,
    indices: Vec<usize>,
}

fn items_json(
    items: Option<&Value>,
    place: &mut Place,
    inherited_auth: Option<&Value>,
    requests: &mut Vec<SdkRequestItem>,
) -> Vec<Value> {
    let Some(Value::Array(items)) = items else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.is_object())
        .map(|(index, item)| {
            place.indices.push(index);
            let json = item_json(item, place, inherited_auth, requests);
            place.indices.pop();
            json
        })
        .collect()
}

/// An item or a folder (a folder has `item`, or no `request`).
fn item_json(
    item: &Value,
    place: &mut Place,
    inherited_auth: Option<&Value>,
    requests: &mut Vec<SdkRequestItem>,
) -> Value {
    let source_id = item
        .get("id")
        .or_else(|| item.get("_postman_id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let id = if source_id.is_empty() {
        new_id()
    } else {
        source_id.clone()
    };
    let name = item.get("name").and_then(Value::as_str).map(str::to_string);
    let mut out = Map::new();
    out.insert("id".into(), Value::String(id));
    if let Some(name) = &name {
        out.insert("name".into(), Value::String(name.clone()));
    }
    if let Some(description) = item.get("description").and_then(description_json) {
        out.insert("description".into(), description);
    }
    let is_folder = item.get("item").is_some() || item.get("request").is_none();
    place.names.push(name.clone().unwrap_or_default());
    if is_folder {
        let own_auth = item.get("auth").map(auth_json);
        let auth = own_auth.as_ref().or(inherited_auth);
        out.insert(
            "item".into(),
            Value::Array(items_json(item.get("item"), place, auth, requests)),
        );
        if let Some(own_auth) = own_auth {
            out.insert("auth".into(), own_auth);
        }
        out.insert("event".into(), events_json(item.get("event")));
        if let Some(behavior) = item
            .get("protocolProfileBehavior")
            .filter(|v| v.is_object())
        {
            out.insert("protocolProfileBehavior".into(), behavior.clone());
        }
    } else {
        let request = request_json(item.get("request").unwrap_or(&Value::Null));
        let auth = request.get("auth").or(inherited_auth).cloned();
        out.insert("request".into(), request);
        let responses = match item.get("response") {
            Some(Value::Array(responses)) => responses.iter().map(response_json).collect(),
            _ => Vec::new(),
        };
        out.insert("response".into(), Value::Array(responses));
        out.insert("event".into(), events_json(item.get("event")));
        if let Some(Value::Array(_)) = item.get("variable") {
            out.insert("variable".into(), variables_json(item.get("variable")));
        }
        if let Some(behavior) = item
            .get("protocolProfileBehavior")
            .filter(|v| v.is_object())
        {
            out.insert("protocolProfileBehavior".into(), behavior.clone());
        }
        if let meta @ Value::Object(_) = meta_of(item) {
            out.insert("_".into(), meta);
        }
        requests.push(SdkRequestItem {
            source_id,
            path: place.names.clone(),
            json: Value::Object(out.clone()),
            auth,
            at: place.indices.clone(),
        });
        place.names.pop();
        return Value::Object(out);
    }
    if let meta @ Value::Object(_) = meta_of(item) {
        out.insert("_".into(), meta);
    }
    place.names.pop();
    Value::Object(out)
}

/// A request: a bare URL string is a GET of it.
pub fn request_json(request: &Value) -> Value {
    let mut out = Map::new();
    let request = match request {
        Value::String(url) => &json!({"url": url, "method": "GET"}),
        other => other,
    };
    if let Some(description) = request.get("description").and_then(description_json) {
        out.insert("description".into(), description);
    }
    out.insert(
        "url".into(),
        url_json(request.get("url").unwrap_or(&Value::Null)),
    );
    // The SDK leaves an empty header list out.
    let headers = request.get("header").map(headers_json).unwrap_or_default();
    if !headers.is_empty() {
        out.insert("header".into(), Value::Array(headers));
    }
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .map_or("GET".to_string(), str::to_uppercase);
    out.insert("method".into(), Value::String(method));
    if let Some(body) = request.get("body").and_then(body_json) {
        out.insert("body".into(), body);
    }
    if let Some(auth) = request.get("auth").filter(|a| a.is_object()) {
        out.insert("auth".into(), auth_json(auth));
    }
    Value::Object(out)
}

/// A URL as an object; a string is parsed by Postman's rules. `raw` is not kept.
pub fn url_json(url: &Value) -> Value {
    match url {
        Value::String(text) => parsed_url_json(&Url::parse(text)),
        Value::Object(fields)
            if !["host", "path", "protocol"]
                .iter()
                .any(|k| fields.contains_key(*k)) =>
        {
            let raw = fields.get("raw").and_then(Value::as_str).unwrap_or("");
            parsed_url_json(&Url::parse(raw))
        }
        Value::Object(fields) => {
            let mut out = Map::new();
            for key in ["auth", "protocol", "port"] {
                if let Some(value) = fields.get(key).filter(|v| !v.is_null()) {
                    out.insert(key.into(), value.clone());
                }
            }
            match fields.get("path") {
                Some(Value::String(path)) => {
                    let path = path.trim_start_matches('/');
                    let parts = path.split('/').map(|s| Value::String(s.into())).collect();
                    out.insert("path".into(), Value::Array(parts));
                }
                Some(path @ Value::Array(_)) => {
                    out.insert("path".into(), path.clone());
                }
                _ => {}
            }
            if let Some(hash) = fields.get("hash").filter(|v| !v.is_null()) {
                out.insert("hash".into(), hash.clone());
            }
            match fields.get("host") {
                Some(Value::String(host)) => {
                    let parts = host.split('.').map(|s| Value::String(s.into())).collect();
                    out.insert("host".into(), Value::Array(parts));
                }
                Some(host @ Value::Array(_)) => {
                    out.insert("host".into(), host.clone());
                }
                _ => {}
            }
            let query = match fields.get("query") {
                Some(Value::Array(query)) => query.iter().map(query_param_json).collect(),
                Some(Value::String(query)) => {
                    let parsed = crate::collection::parse_query(query);
                    parsed.iter().map(key_value_json).collect()
                }
                _ => Vec::new(),
            };
            out.insert("query".into(), Value::Array(query));
            out.insert("variable".into(), variables_json(fields.get("variable")));
            Value::Object(out)
        }
        _ => json!({"query": [], "variable": []}),
    }
}

/// A parsed URL (the model's) in the SDK's shape.
pub fn parsed_url_json(url: &Url) -> Value {
    let mut out = Map::new();
    if let Some(auth) = &url.auth {
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        out.insert("auth".into(), json!({"user": user, "password": password}));
    }
    if let Some(protocol) = &url.protocol {
        out.insert("protocol".into(), Value::String(protocol.clone()));
    }
    if let Some(port) = &url.port {
        out.insert("port".into(), Value::String(port.clone()));
    }
    if url.has_path || !url.path.is_empty() {
        let path = url.path.iter().map(|s| Value::String(s.clone())).collect();
        out.insert("path".into(), Value::Array(path));
    }
    if let Some(hash) = &url.hash {
        out.insert("hash".into(), Value::String(hash.clone()));
    }
    if !url.host.is_empty() {
        let host = url
            .host
            .split('.')
            .map(|s| Value::String(s.into()))
            .collect();
        out.insert("host".into(), Value::Array(host));
    }
    // An empty parameter before the last (`?a=b&&c`) has no key and no value at all.
    let last = url.query.len().saturating_sub(1);
    let query = url
        .query
        .iter()
        .enumerate()
        .map(|(at, param)| match param {
            kv if kv.key.is_empty() && kv.value.is_none() && at != last => {
                json!({"key": null, "value": null})
            }
            kv => key_value_json(kv),
        })
        .collect();
    out.insert("query".into(), Value::Array(query));
    let variables = url
        .variables
        .iter()
        .map(|v| json!({"type": "any", "value": v.value, "key": v.key}))
        .collect();
    out.insert("variable".into(), Value::Array(variables));
    Value::Object(out)
}

fn key_value_json(entry: &crate::collection::KeyValue) -> Value {
    let mut out = Map::new();
    if entry.disabled {
        out.insert("disabled".into(), Value::Bool(true));
    }
    out.insert("key".into(), Value::String(entry.key.clone()));
    out.insert(
        "value".into(),
        entry.value.clone().map_or(Value::Null, Value::String),
    );
    Value::Object(out)
}

/// A query parameter, urlencoded field or header: `key`, `value`, and `disabled`/`description`
/// when given.
fn query_param_json(param: &Value) -> Value {
    let mut out = Map::new();
    property_flags(param, &mut out);
    out.insert(
        "key".into(),
        param.get("key").cloned().unwrap_or(Value::Null),
    );
    out.insert(
        "value".into(),
        param.get("value").cloned().unwrap_or(Value::Null),
    );
    Value::Object(out)
}

/// `name` and `disabled` (kept whenever given, as the SDK's `Property` does) and `description`.
fn property_flags(source: &Value, out: &mut Map<String, Value>) {
    if let Some(name) = source
        .get("name")
        .filter(|n| n.as_str().is_some_and(|n| !n.is_empty()))
    {
        out.insert("name".into(), name.clone());
    }
    if let Some(description) = source.get("description").and_then(description_json) {
        out.insert("description".into(), description);
    }
    if let Some(disabled) = source.get("disabled").filter(|v| !v.is_null()) {
        out.insert("disabled".into(), Value::Bool(truthy(disabled)));
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Headers: a list of entries, or (v2.0) one `Key: value` per line.
fn headers_json(headers: &Value) -> Vec<Value> {
    match headers {
        Value::Array(entries) => entries
            .iter()
            .filter(|e| e.is_object())
            .map(|entry| {
                let mut out = Map::new();
                property_flags(entry, &mut out);
                out.insert(
                    "key".into(),
                    entry
                        .get("key")
                        .cloned()
                        .unwrap_or(Value::String(String::new())),
                );
                out.insert(
                    "value".into(),
                    entry
                        .get("value")
                        .cloned()
                        .unwrap_or(Value::String(String::new())),
                );
                Value::Object(out)
            })
            .collect(),
        Value::String(text) => text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| json!({"key": key.trim(), "value": value.trim()}))
            .collect(),
        _ => Vec::new(),
    }
}

/// A body: `mode`, the data of each mode given, `options`, `disabled`; an object without a mode
/// is an empty body.
fn body_json(body: &Value) -> Option<Value> {
    let body = match body {
        Value::String(raw) => &json!({"mode": "raw", "raw": raw}),
        Value::Object(_) => body,
        _ => return None,
    };
    let Some(mode) = body.get("mode").and_then(Value::as_str) else {
        return Some(json!({}));
    };
    let mode = mode.to_lowercase();
    let mode = match mode.as_str() {
        "urlencoded" | "formdata" | "file" | "graphql" => mode,
        _ => "raw".to_string(),
    };
    let mut out = Map::new();
    out.insert("mode".into(), Value::String(mode.clone()));
    match body.get("raw") {
        Some(raw) if !raw.is_null() => {
            out.insert("raw".into(), raw.clone());
        }
        _ if mode == "raw" => {
            out.insert("raw".into(), Value::String(String::new()));
        }
        _ => {}
    }
    match body.get("urlencoded") {
        Some(Value::Array(fields)) => {
            let fields = fields.iter().map(query_param_json).collect();
            out.insert("urlencoded".into(), Value::Array(fields));
        }
        Some(Value::String(text)) if !text.is_empty() => {
            let fields = crate::collection::parse_query(text);
            let fields = fields.iter().map(key_value_json).collect();
            out.insert("urlencoded".into(), Value::Array(fields));
        }
        _ if mode == "urlencoded" => {
            out.insert("urlencoded".into(), Value::Array(Vec::new()));
        }
        _ => {}
    }
    match body.get("formdata") {
        Some(Value::Array(parts)) => {
            let parts = parts.iter().map(form_param_json).collect();
            out.insert("formdata".into(), Value::Array(parts));
        }
        _ if mode == "formdata" => {
            out.insert("formdata".into(), Value::Array(Vec::new()));
        }
        _ => {}
    }
    match body.get("file") {
        Some(Value::String(src)) => {
            out.insert("file".into(), json!({"src": src}));
        }
        Some(file) if !file.is_null() => {
            out.insert("file".into(), file.clone());
        }
        _ => {}
    }
    match body.get("graphql") {
        Some(Value::Object(graphql)) => {
            let mut entry = Map::new();
            for key in ["query", "operationName", "variables"] {
                if let Some(value) = graphql.get(key) {
                    entry.insert(key.into(), value.clone());
                }
            }
            out.insert("graphql".into(), Value::Object(entry));
        }
        _ if mode == "graphql" => {
            out.insert("graphql".into(), json!({}));
        }
        _ => {}
    }
    for key in ["options", "disabled"] {
        if let Some(value) = body.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), value.clone());
        }
    }
    Some(Value::Object(out))
}

/// A multipart part: text parts keep `value`, file parts `src`.
fn form_param_json(part: &Value) -> Value {
    let mut out = Map::new();
    property_flags(part, &mut out);
    out.insert(
        "key".into(),
        part.get("key")
            .cloned()
            .unwrap_or(Value::String(String::new())),
    );
    let is_file = part.get("type").and_then(Value::as_str) == Some("file");
    if !is_file {
        let value = part.get("value").filter(|v| truthy(v)).cloned();
        out.insert(
            "value".into(),
            value.unwrap_or(Value::String(String::new())),
        );
    }
    for key in ["type", "src", "contentType", "fileName"] {
        if let Some(value) = part.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), value.clone());
        }
    }
    Value::Object(out)
}

/// An auth block: `type` and that type's parameters as variables. The SDK gathers the parameters
/// of every other key under the chosen type, and a v2.0 map becomes a list.
pub fn auth_json(auth: &Value) -> Value {
    let kind = auth
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("noauth")
        .to_string();
    let mut params = Vec::new();
    if let Value::Object(fields) = auth {
        for (key, value) in fields {
            if key == "type" {
                continue;
            }
            match value {
                Value::Array(entries) => params.extend(
                    entries
                        .iter()
                        .filter(|e| e.is_object())
                        .map(|e| variable_json(e, e.get("key").cloned())),
                ),
                Value::Object(map) => params.extend(map.iter().map(|(k, v)| {
                    variable_json(&json!({"value": v}), Some(Value::String(k.clone())))
                })),
                _ => {}
            }
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), Value::String(kind.clone()));
    out.insert(kind, Value::Array(params));
    Value::Object(out)
}

/// A list of variables (collection, item or URL path variables).
fn variables_json(variables: Option<&Value>) -> Value {
    let Some(Value::Array(entries)) = variables else {
        return Value::Array(Vec::new());
    };
    Value::Array(
        entries
            .iter()
            .filter(|e| e.is_object())
            .map(|e| variable_json(e, e.get("key").or_else(|| e.get("id")).cloned()))
            .collect(),
    )
}

/// A variable: `type` (unknown types are `any`), `value`, `key`, and its flags.
pub fn variable_json(variable: &Value, key: Option<Value>) -> Value {
    let mut out = Map::new();
    if let Some(id) = variable.get("id").filter(|id| id.is_string()) {
        out.insert("id".into(), id.clone());
    }
    property_flags(variable, &mut out);
    let kind = variable_type(variable.get("type").and_then(Value::as_str));
    out.insert("type".into(), Value::String(kind.into()));
    if let Some(value) = variable.get("value") {
        out.insert("value".into(), value.clone());
    }
    out.insert("key".into(), key.unwrap_or(Value::Null));
    if let Some(system) = variable.get("system").filter(|v| v.is_boolean()) {
        out.insert("system".into(), system.clone());
    }
    Value::Object(out)
}

/// The type a Postman variable is written with: one the SDK knows, else `any`.
pub fn variable_type(kind: Option<&str>) -> &str {
    const KNOWN: [&str; 6] = ["string", "boolean", "number", "array", "object", "any"];
    kind.filter(|kind| KNOWN.contains(kind)).unwrap_or("any")
}

/// Scripts: `listen` and `script` `{id, type, exec[]}`; a script that ran also gets
/// `_lastExecutionId`.
fn events_json(events: Option<&Value>) -> Value {
    let Some(Value::Array(events)) = events else {
        return Value::Array(Vec::new());
    };
    Value::Array(
        events
            .iter()
            .filter(|e| e.is_object())
            .map(event_json)
            .collect(),
    )
}

fn event_json(event: &Value) -> Value {
    let mut out = Map::new();
    if let Some(id) = event.get("id").filter(|v| v.is_string()) {
        out.insert("id".into(), id.clone());
    }
    if let Some(disabled) = event.get("disabled").filter(|v| !v.is_null()) {
        out.insert("disabled".into(), Value::Bool(truthy(disabled)));
    }
    out.insert(
        "listen".into(),
        event.get("listen").cloned().unwrap_or(Value::Null),
    );
    let script = match event.get("script") {
        Some(Value::String(exec)) => json!({"exec": exec}),
        Some(Value::Array(lines)) => json!({"exec": lines}),
        Some(script) => script.clone(),
        None => json!({}),
    };
    let exec: Vec<Value> = match script.get("exec") {
        Some(Value::String(text)) => text
            .split('\n')
            .map(|l| Value::String(l.trim_end_matches('\r').into()))
            .collect(),
        Some(Value::Array(lines)) => lines.clone(),
        _ => Vec::new(),
    };
    let mut body = Map::new();
    let id = script
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(new_id, str::to_string);
    body.insert("id".into(), Value::String(id));
    body.insert(
        "type".into(),
        script
            .get("type")
            .cloned()
            .unwrap_or(Value::String("text/javascript".into())),
    );
    body.insert("exec".into(), Value::Array(exec));
    if let Some(packages) = script.get("packages").filter(|p| p.is_object()) {
        body.insert("packages".into(), packages.clone());
    }
    // The runtime runs every enabled script of its event, an empty one too.
    let listen = event.get("listen").and_then(Value::as_str);
    let runs = matches!(listen, Some("prerequest" | "test"));
    if runs && !truthy(event.get("disabled").unwrap_or(&Value::Null)) {
        body.insert("_lastExecutionId".into(), Value::String(new_id()));
    }
    out.insert("script".into(), Value::Object(body));
    Value::Object(out)
}

/// A saved example response.
fn response_json(response: &Value) -> Value {
    let mut out = Map::new();
    let id = response
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(new_id, str::to_string);
    out.insert("id".into(), Value::String(id));
    if let Some(name) = response.get("name").filter(|v| v.is_string()) {
        out.insert("name".into(), name.clone());
    }
    if let Some(request) = response.get("originalRequest").filter(|v| !v.is_null()) {
        out.insert("originalRequest".into(), request_json(request));
    }
    if let Some(status) = response.get("status").filter(|v| v.is_string()) {
        out.insert("status".into(), status.clone());
    }
    if let Some(code) = response.get("code").filter(|v| v.is_number()) {
        out.insert("code".into(), code.clone());
    }
    if let Some(headers) = response.get("header") {
        out.insert("header".into(), Value::Array(headers_json(headers)));
    }
    if let Some(body) = response.get("body").filter(|v| !v.is_null()) {
        out.insert("body".into(), body.clone());
    }
    out.insert("cookie".into(), Value::Array(Vec::new()));
    if let meta @ Value::Object(_) = meta_of(response) {
        out.insert("_".into(), meta);
    }
    Value::Object(out)
}

/// A description: text becomes `{content, type: "text/plain"}`.
pub fn description_json(description: &Value) -> Option<Value> {
    match description {
        Value::String(text) => Some(json!({"content": text, "type": "text/plain"})),
        Value::Object(fields) => {
            let mut out = Map::new();
            out.insert(
                "content".into(),
                fields
                    .get("content")
                    .cloned()
                    .unwrap_or(Value::String(String::new())),
            );
            out.insert(
                "type".into(),
                fields
                    .get("type")
                    .cloned()
                    .unwrap_or(Value::String("text/plain".into())),
            );
            if let Some(version) = fields.get("version") {
                out.insert("version".into(), version.clone());
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// The `_`-prefixed keys of an object, without their leading underscores (`_postman_id` is
/// `postman_id`); `Value::Null` when there are none.
pub fn meta_of(source: &Value) -> Value {
    let Value::Object(fields) = source else {
        return Value::Null;
    };
    let meta: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| k.starts_with('_') && k.as_str() != "_")
        .map(|(k, v)| (k.trim_start_matches('_').to_string(), v.clone()))
        .collect();
    if meta.is_empty() {
        Value::Null
    } else {
        Value::Object(meta)
    }
}

/// Adds what a Digest challenge taught to the folder's or collection's auth block a request
/// used, as Newman's Digest step does (see [`add_learned_to_block`]). An item's own block is left
/// as it is: Newman's runtime changes its copy of the request there. `at` is the request item's
/// place (see [`SdkRequestItem::at`]).
pub fn add_learned_digest(document: &mut Value, at: &[usize], learned: &[(&str, String)]) {
    if let Some(block) = auth_block_mut(document, at) {
        add_learned_to_block(block, learned);
    }
}

/// Sets each learned Digest parameter (`nonce`, `realm`, `opaque`, `qop`, the client nonce and
/// the nonce count) that the block lacks or left empty, with `system: true`, as the runtime's
/// `auth.set` does; a v2.0 map becomes a list, as the SDK holds it. Other auth types are left
/// alone.
pub fn add_learned_to_block(block: &mut Value, learned: &[(&str, String)]) {
    if block.get("type").and_then(Value::as_str) != Some("digest") {
        return;
    }
    let mut entries: Vec<Value> = match block.get("digest") {
        Some(Value::Array(entries)) => entries.clone(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
        _ => Vec::new(),
    };
    for (key, value) in learned {
        let existing = entries
            .iter_mut()
            .find(|e| e.get("key").and_then(Value::as_str) == Some(*key));
        match existing {
            None => {
                entries.push(json!({"key": key, "value": value, "type": "any", "system": true}))
            }
            // The runtime fills in a parameter the user left empty, and then owns it.
            Some(entry) if is_empty_param(entry) => {
                entry["value"] = Value::String(value.clone());
                entry["system"] = Value::Bool(true);
            }
            Some(_) => {}
        }
    }
    block["digest"] = Value::Array(entries);
}

fn is_empty_param(entry: &Value) -> bool {
    entry.get("system") == Some(&Value::Bool(true))
        || match entry.get("value") {
            None | Some(Value::Null) => true,
            Some(Value::String(text)) => text.is_empty(),
            _ => false,
        }
}

fn auth_block_mut<'a>(document: &'a mut Value, at: &[usize]) -> Option<&'a mut Value> {
    // The nearest level with an `auth` member, from the item up to the collection.
    let depth = (0..=at.len()).rev().find(|&depth| {
        let mut node = &*document;
        for &index in &at[..depth] {
            match node.get("item").and_then(|items| items.get(index)) {
                Some(next) => node = next,
                None => return false,
            }
        }
        let auth = if depth == at.len() {
            node.get("request").and_then(|r| r.get("auth"))
        } else {
            node.get("auth")
        };
        auth.is_some_and(Value::is_object)
    })?;
    if depth == at.len() {
        return None;
    }
    let mut node = document;
    for &index in &at[..depth] {
        node = node.get_mut("item")?.get_mut(index)?;
    }
    node.get_mut("auth")
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_description_becomes_plain_text_content() {
        assert_eq!(
            description_json(&json!("Docs")),
            Some(json!({"content": "Docs", "type": "text/plain"}))
        );
        assert_eq!(
            description_json(&json!({"content": "# Hi", "type": "text/markdown"})),
            Some(json!({"content": "# Hi", "type": "text/markdown"}))
        );
        assert_eq!(description_json(&Value::Null), None);
    }

    #[test]
    fn string_url_is_split_into_parts_without_raw() {
        let url = url_json(&json!("http://127.0.0.1:8080/a/b?x=1&y#top"));
        assert_eq!(
            url,
            json!({"protocol": "http", "port": "8080", "path": ["a", "b"], "hash": "top",
                   "host": ["127", "0", "0", "1"],
                   "query": [{"key": "x", "value": "1"}, {"key": "y", "value": null}],
                   "variable": []})
        );
    }

    #[test]
    fn url_object_keeps_its_parts_and_types_path_variables() {
        let url = url_json(&json!({
            "raw": "{{base}}/users/:id?q=1", "host": ["{{base}}"], "path": ["users", ":id"],
            "query": [{"key": "q", "value": "1", "disabled": true, "description": "d"}],
            "variable": [{"key": "id", "value": "7"}]
        }));
        assert_eq!(url["host"], json!(["{{base}}"]));
        assert_eq!(url["path"], json!(["users", ":id"]));
        assert_eq!(url.get("raw"), None);
        assert_eq!(
            url["query"][0],
            json!({"description": {"content": "d", "type": "text/plain"}, "disabled": true, "key": "q", "value": "1"})
        );
        assert_eq!(
            url["variable"],
            json!([{"type": "any", "value": "7", "key": "id"}])
        );
    }

    #[test]
    fn auth_parameters_become_typed_variables() {
        assert_eq!(
            auth_json(
                &json!({"type": "bearer", "bearer": [{"key": "token", "value": "t", "type": "string"}]})
            ),
            json!({"type": "bearer", "bearer": [{"type": "string", "value": "t", "key": "token"}]})
        );
        assert_eq!(
            auth_json(&json!({"type": "basic", "basic": {"username": "u"}})),
            json!({"type": "basic", "basic": [{"type": "any", "value": "u", "key": "username"}]}),
            "a v2.0 map becomes a list"
        );
        assert_eq!(
            auth_json(&json!({"type": "noauth"})),
            json!({"type": "noauth", "noauth": []})
        );
    }

    #[test]
    fn bodies_keep_their_mode_data_and_drop_field_types_of_urlencoded() {
        let body = body_json(&json!({"mode": "urlencoded", "urlencoded": [
            {"key": "a", "value": "1", "type": "text"}, {"key": "b", "value": "2", "disabled": true}]}));
        assert_eq!(
            body,
            Some(json!({"mode": "urlencoded", "urlencoded": [
                {"key": "a", "value": "1"}, {"disabled": true, "key": "b", "value": "2"}]}))
        );
        let form = body_json(&json!({"mode": "formdata", "formdata": [
            {"key": "t", "value": "x", "type": "text"}, {"key": "f", "src": "a.txt", "type": "file"}]}));
        assert_eq!(
            form.unwrap()["formdata"],
            json!([{"key": "t", "value": "x", "type": "text"}, {"key": "f", "type": "file", "src": "a.txt"}])
        );
        assert_eq!(
            body_json(&json!({"mode": "raw"})),
            Some(json!({"mode": "raw", "raw": ""}))
        );
        assert_eq!(
            body_json(&json!({})),
            Some(json!({})),
            "no mode, an empty body"
        );
        assert_eq!(body_json(&Value::Null), None);
    }

    #[test]
    fn scripts_get_ids_and_lines() {
        let events = events_json(Some(&json!([
            {"listen": "test", "script": {"exec": "a();\nb();"}}
        ])));
        let script = &events[0]["script"];
        assert_eq!(script["exec"], json!(["a();", "b();"]));
        assert_eq!(script["type"], "text/javascript");
        assert!(script["id"].is_string());
        assert!(script["_lastExecutionId"].is_string());
    }

    #[test]
    fn an_empty_query_parameter_before_the_last_has_no_key() {
        let url = url_json(&json!("http://h/?a=b&&c"));
        assert_eq!(
            url["query"],
            json!([{"key": "a", "value": "b"}, {"key": null, "value": null}, {"key": "c", "value": null}])
        );
    }

    #[test]
    fn versions_are_split_as_semver_or_left_empty() {
        assert_eq!(
            version_json(&json!("1.2.3")),
            Some(json!({"raw": "1.2.3", "major": 1, "minor": 2, "patch": 3,
                        "prerelease": [], "build": [], "string": "1.2.3"}))
        );
        assert_eq!(
            version_json(&json!("1.2.3-beta.1+b")).unwrap()["prerelease"],
            "beta,1"
        );
        assert_eq!(version_json(&json!("54")), Some(json!({})));
        assert_eq!(
            version_json(&json!({"major": 1})),
            Some(json!({"major": 1}))
        );
    }

    #[test]
    fn v2_0_header_text_is_split_into_entries() {
        let request =
            request_json(&json!({"url": "http://h/", "method": "post", "header": "A: 1\nB: 2\n"}));
        assert_eq!(
            request["header"],
            json!([{"key": "A", "value": "1"}, {"key": "B", "value": "2"}])
        );
        assert_eq!(request["method"], "POST");
    }

    #[test]
    fn learned_digest_parameters_join_the_block_the_request_used() {
        let mut document = json!({
            "auth": {"type": "digest", "digest": [{"key": "username", "value": "u"}, {"key": "realm", "value": "r"}]},
            "item": [{"name": "F", "item": [{"name": "R", "request": "http://h/"}]}]
        });
        add_learned_digest(
            &mut document,
            &[0, 0],
            &[("realm", "x".into()), ("nonce", "n".into())],
        );
        assert_eq!(
            document["auth"]["digest"],
            json!([{"key": "username", "value": "u"}, {"key": "realm", "value": "r"},
                   {"key": "nonce", "value": "n", "type": "any", "system": true}]),
            "only what the block lacked is added"
        );
        let sdk = sdk_collection(&document);
        assert_eq!(sdk.json["auth"]["digest"][2]["system"], true);
        let mut own = json!({"item": [{"name": "R", "request": {"url": "http://h/",
            "auth": {"type": "digest", "digest": [{"key": "username", "value": "u"}]}}}]});
        let before = own.clone();
        add_learned_digest(&mut own, &[0], &[("nonce", "n".into())]);
        assert_eq!(own, before, "an item's own block is left as it is");
        let mut block = json!({"type": "digest", "digest": {"username": "u", "qop": ""}});
        add_learned_to_block(&mut block, &[("qop", "auth".into())]);
        assert_eq!(
            block["digest"],
            json!([{"key": "username", "value": "u"}, {"key": "qop", "value": "auth", "system": true}]),
            "an empty parameter is filled in and marked"
        );
    }

    #[test]
    fn collection_moves_ids_into_info_and_meta_and_indexes_requests() {
        let document = json!({
            "info": {"_postman_id": "c1", "name": "C", "description": "Docs", "schema": "x"},
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "u"}]},
            "item": [{"name": "F", "item": [{"name": "R", "request": "http://h/"}]},
                     {"id": "r2", "name": "S", "request": {"url": "http://h/", "auth": {"type": "noauth"}}}]
        });
        let sdk = sdk_collection(&document);
        assert_eq!(sdk.json["_"], json!({"postman_id": "c1"}));
        assert_eq!(sdk.json["info"]["_postman_id"], "c1");
        assert_eq!(
            sdk.json["info"]["description"],
            json!({"content": "Docs", "type": "text/plain"})
        );
        assert_eq!(sdk.json["variable"], json!([]));
        assert_eq!(sdk.requests.len(), 2);
        let first = sdk.find("", &["F".into(), "R".into()], 0).unwrap();
        assert_eq!(first.auth.as_ref().unwrap()["type"], "basic");
        assert_eq!(
            sdk.json["item"][0]["item"][0]["id"], first.json["id"],
            "the filled-in id is the same in both places"
        );
        assert_eq!(sdk.parent(first).unwrap()["name"], "F");
        let second = sdk.find("r2", &[], 1).unwrap();
        assert_eq!(sdk.parent(second), None, "a top-level item has no parent");
        assert_eq!(second.auth.as_ref().unwrap()["type"], "noauth");
        assert_eq!(second.json["response"], json!([]));
        let twins = sdk_collection(&json!({"item": [
            {"name": "T", "request": "http://h/1"}, {"name": "T", "request": "http://h/2"}]}));
        let path = ["T".to_string()];
        assert_eq!(
            twins.find("", &path, 1).unwrap().json["request"]["url"]["path"],
            json!(["2"]),
            "items of the same name are told apart by their position"
        );
    }
}
