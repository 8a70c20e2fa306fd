//! Turning a collection document (v2.0 or v2.1 JSON) into the model, with a precise error for every
//! wrong shape.

use std::sync::Arc;

use serde_json::Value;

use super::LoadError;
use super::document::{Document, RequestSlot};
use super::json::Node;
use super::model::{
    Auth, Body, Collection, Event, Folder, FormContent, FormPart, Item, KeyValue, Listen,
    PlacedRequest, ProtocolProfileBehavior, Request, RequestItem, Url,
};
use super::url::parse_query;
use crate::vars::{Variable, cast_in};

/// Builds a collection from its document; `items`, when given, are the top-level items already
/// parsed from the document's `item` member, which `root` then lacks (a file read item by item).
pub(super) fn build_collection(
    root: &Node,
    items: Option<Vec<Item>>,
    document: Document,
) -> Result<Collection, LoadError> {
    let object = root.object()?;
    // Newman runs a bare `{item: [...]}` (two of its own fixtures have no `info`), so only an
    // object with neither member is rejected.
    if !object.contains_key("info") && !object.contains_key("item") && items.is_none() {
        if object.contains_key("requests") || object.contains_key("order") {
            return Err(LoadError::UnsupportedFormat {
                path: root.file().to_path_buf(),
                detail: "this is a Postman v1 collection; Baton reads v2.0 and v2.1: export it \
                         again from Postman as Collection v2.1"
                    .into(),
            });
        }
        return Err(root.error("a Postman collection (an object with `info` and `item`)"));
    }
    let empty = Value::Object(Default::default());
    let info = root
        .get("info")
        .unwrap_or_else(|| Node::root(&empty, root.file(), "info"));
    info.object()?;
    if let Some(schema) = info.opt_string("schema")? {
        if !(schema.contains("v2.0") || schema.contains("v2.1")) {
            return Err(LoadError::UnsupportedFormat {
                path: root.file().to_path_buf(),
                detail: format!(
                    "info.schema: expected a v2.0.0 or v2.1.0 collection schema, found `{schema}`"
                ),
            });
        }
    }
    Ok(Collection {
        id: info.opt_string("_postman_id")?.unwrap_or_default(),
        name: info.opt_string("name")?.unwrap_or_default(),
        items: children(root, items)?,
        events: parse_events(root)?,
        variables: parse_variables(root, "variable")?,
        auth: parse_auth_member(root)?,
        behavior: parse_behavior(root)?,
        document,
        source: root.file().file_name().map_or_else(
            || root.file().display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        ),
    })
}

/// The items of `parent`, already read from its `item` member when that is an array; any other
/// `item` value is an error.
fn children(parent: &Node, items: Option<Vec<Item>>) -> Result<Vec<Item>, LoadError> {
    match (items, parent.get("item")) {
        (Some(items), _) => Ok(items),
        (None, Some(other)) => Err(other.error("an array")),
        (None, None) => Ok(Vec::new()),
    }
}

/// The item's `id`, else its `_postman_id`, else empty.
fn item_id(node: &Node) -> Result<String, LoadError> {
    Ok(match node.opt_string("id")? {
        Some(id) => id,
        None => node.opt_string("_postman_id")?.unwrap_or_default(),
    })
}

/// Builds an item; `items`, when given, are its children already read from its `item` member,
/// which `node` then lacks. A request item is checked by building it, then kept as `slot`, the
/// place of `node`'s text in the document, with its scripts (shared through `scripts`).
pub(super) fn build_item(
    node: &Node,
    items: Option<Vec<Item>>,
    slot: RequestSlot,
    scripts: &mut SharedScripts,
) -> Result<Item, LoadError> {
    node.object()?;
    if items.is_some() || node.get("item").is_some() || node.get("request").is_none() {
        return Ok(Item::Folder(Box::new(Folder {
            id: item_id(node)?,
            name: node.opt_string("name")?.unwrap_or_default(),
            items: children(node, items)?,
            events: parse_events(node)?,
            auth: parse_auth_member(node)?,
            behavior: parse_behavior(node)?,
        })));
    }
    build_request_item(node)?;
    Ok(Item::Request(PlacedRequest {
        slot,
        events: scripts.keep(parse_events(node)?),
    }))
}

/// The request items' script lists, each kept once however many items have it: a collection
/// often repeats the same test script on every request.
#[derive(Default)]
pub(super) struct SharedScripts(foldhash::HashSet<Arc<Vec<Event>>>);

impl SharedScripts {
    /// `events`, shared with every earlier item that has the same; `None` when empty.
    fn keep(&mut self, events: Vec<Event>) -> Option<Arc<Vec<Event>>> {
        if events.is_empty() {
            return None;
        }
        if let Some(shared) = self.0.get(&events) {
            return Some(Arc::clone(shared));
        }
        let shared = Arc::new(events);
        self.0.insert(Arc::clone(&shared));
        Some(shared)
    }
}

/// Builds a request item (an object with a `request` and no `item`), but its scripts.
pub(super) fn build_request_item(node: &Node) -> Result<RequestItem, LoadError> {
    node.object()?;
    let Some(request) = node.get("request") else {
        return Err(node.error("a request item (an object with `request`)"));
    };
    Ok(RequestItem {
        id: item_id(node)?,
        name: node.opt_string("name")?.unwrap_or_default(),
        request: parse_request(&request)?,
        behavior: parse_behavior(node)?,
    })
}

/// Parses a `request`: a URL string or a request object.
pub fn parse_request(node: &Node) -> Result<Request, LoadError> {
    if let Value::String(url) = node.value {
        return Ok(Request {
            url: Url::parse(url),
            method: "GET".into(),
            headers: Vec::new(),
            body: None,
            auth: None,
            description: None,
        });
    }
    if !node.value.is_object() {
        return Err(node.error("a string or an object"));
    }
    let url = match node.get("url") {
        Some(url) => parse_url(&url)?,
        None => Url::default(),
    };
    let headers = match node.get("header") {
        Some(header) => parse_headers(&header)?,
        None => Vec::new(),
    };
    Ok(Request {
        url,
        method: node
            .opt_string("method")?
            .map(|m| m.to_ascii_uppercase())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "GET".into()),
        headers,
        body: match node.get("body") {
            Some(body) => parse_body(&body)?,
            None => None,
        },
        auth: parse_auth_member(node)?,
        description: parse_description(node),
    })
}

/// `description` as a string or as `{content, type}`; any other shape is documentation the runner
/// does not need, so it is ignored rather than rejected.
fn parse_description(node: &Node) -> Option<String> {
    match node.get("description")?.value {
        Value::String(text) => Some(text.clone()),
        Value::Object(object) => object.get("content")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn parse_url(node: &Node) -> Result<Url, LoadError> {
    if let Value::String(text) = node.value {
        return Ok(Url::parse(text));
    }
    if !node.value.is_object() {
        return Err(node.error("a string or an object"));
    }
    let has_parts = node.get("host").is_some() || node.get("path").is_some();
    let mut url = match (has_parts, node.opt_string("raw")?) {
        (false, Some(raw)) => Url::parse(&raw),
        _ => Url::default(),
    };
    if has_parts {
        url.protocol = node.opt_string("protocol")?;
        url.port = node.opt_string("port")?;
        url.hash = node.opt_string("hash")?;
        if let Some(host) = node.get("host") {
            url.host = join_parts(&host, ".")?;
        }
        if let Some(path) = node.get("path") {
            url.path = match path.value {
                Value::String(text) => text
                    .strip_prefix('/')
                    .unwrap_or(text)
                    .split('/')
                    .map(str::to_string)
                    .collect(),
                _ => path
                    .array()?
                    .iter()
                    .map(path_segment)
                    .collect::<Result<_, _>>()?,
            };
        }
        if let Some(auth) = node.get("auth") {
            let user = auth.opt_string("user")?.unwrap_or_default();
            url.auth = Some(match auth.opt_string("password")? {
                Some(password) => format!("{user}:{password}"),
                None => user,
            });
        }
        if let Some(query) = node.get("query") {
            url.query = match query.value {
                Value::String(text) => parse_query(text),
                _ => parse_key_values(&query)?,
            };
        }
    }
    if let Some(variables) = node.get("variable") {
        url.variables = parse_key_values(&variables)?;
    }
    Ok(url)
}

/// A path segment: a string, or `{type, value}` as some exporters write it.
fn path_segment(node: &Node) -> Result<String, LoadError> {
    match node.value {
        Value::Object(_) => Ok(node.opt_string("value")?.unwrap_or_default()),
        _ => node.text(),
    }
}

fn join_parts(node: &Node, separator: &str) -> Result<String, LoadError> {
    match node.value {
        Value::String(text) => Ok(text.clone()),
        _ => Ok(node
            .array()?
            .iter()
            .map(|part| part.text())
            .collect::<Result<Vec<_>, _>>()?
            .join(separator)),
    }
}

fn parse_headers(node: &Node) -> Result<Vec<KeyValue>, LoadError> {
    if let Value::String(text) = node.value {
        return Ok(text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| KeyValue::new(key.trim(), value.trim()))
            .collect());
    }
    parse_key_values(node)
}

/// Parses `[{key, value, disabled}]`.
fn parse_key_values(node: &Node) -> Result<Vec<KeyValue>, LoadError> {
    node.array()?
        .iter()
        .map(|entry| {
            entry.object()?;
            let key = match entry.opt_string("key")? {
                Some(key) => key,
                None => entry.opt_string("id")?.unwrap_or_default(),
            };
            Ok(KeyValue {
                key,
                value: entry.opt_string("value")?,
                disabled: entry.opt_bool("disabled")?.unwrap_or(false),
            })
        })
        .collect()
}

fn parse_body(node: &Node) -> Result<Option<Body>, LoadError> {
    node.object()?;
    if node.opt_bool("disabled")? == Some(true) {
        return Ok(None);
    }
    let Some(mode) = node.opt_string("mode")?.filter(|mode| !mode.is_empty()) else {
        return Ok(None);
    };
    // Modes are named in any case, and one Postman does not know is read as raw (as
    // postman-collection's `RequestBody` does): its `raw` text, or no body at all.
    let body = match mode.to_ascii_lowercase().as_str() {
        "urlencoded" => Body::UrlEncoded(match node.get("urlencoded") {
            Some(fields) => parse_key_values(&fields)?,
            None => Vec::new(),
        }),
        "formdata" => Body::FormData(match node.get("formdata") {
            Some(parts) => parts
                .array()?
                .iter()
                .map(parse_form_part)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        }),
        "file" => Body::File {
            src: match node.get("file") {
                Some(file) => file.opt_string("src")?,
                None => None,
            },
        },
        "graphql" => {
            let graphql = node.get("graphql");
            let (query, variables) = match graphql {
                Some(g) => (
                    g.opt_string("query")?.unwrap_or_default(),
                    g.opt_string("variables")?,
                ),
                None => (String::new(), None),
            };
            Body::GraphQl { query, variables }
        }
        _ => {
            let language = node
                .get("options")
                .and_then(|options| options.get("raw"))
                .map(|raw| raw.opt_string("language"))
                .transpose()?
                .flatten();
            Body::Raw {
                raw: node.opt_string("raw")?.unwrap_or_default(),
                language,
            }
        }
    };
    Ok(Some(body))
}

fn parse_form_part(node: &Node) -> Result<FormPart, LoadError> {
    node.object()?;
    let is_file = node.opt_string("type")?.as_deref() == Some("file");
    let content = if is_file {
        FormContent::Files(match node.get("src") {
            Some(src) if src.value.is_array() => src
                .array()?
                .iter()
                .map(|s| s.text())
                .collect::<Result<_, _>>()?,
            Some(src) => vec![src.text()?],
            None => Vec::new(),
        })
    } else {
        FormContent::Text(node.opt_string("value")?.unwrap_or_default())
    };
    Ok(FormPart {
        key: node.opt_string("key")?.unwrap_or_default(),
        content,
        content_type: node.opt_string("contentType")?,
        disabled: node.opt_bool("disabled")?.unwrap_or(false),
    })
}

fn parse_auth_member(node: &Node) -> Result<Option<Auth>, LoadError> {
    match node.get("auth") {
        Some(auth) => parse_auth(&auth).map(Some),
        None => Ok(None),
    }
}

/// Parses an auth helper; v2.1 lists (`[{key, value}]`) and v2.0 maps load alike.
pub fn parse_auth(node: &Node) -> Result<Auth, LoadError> {
    node.object()?;
    let kind = node
        .opt_string("type")?
        .ok_or_else(|| node.error("an auth object with a `type`"))?;
    let params = match node.get(&kind) {
        None => Vec::new(),
        Some(params) => match params.value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => params
                .array()?
                .iter()
                .map(|entry| {
                    let key = entry
                        .opt_string("key")?
                        .ok_or_else(|| entry.error("an object with a `key`"))?;
                    let value = entry.value.get("value").cloned().unwrap_or(Value::Null);
                    Ok((key, value))
                })
                .collect::<Result<_, LoadError>>()?,
        },
    };
    Ok(Auth { kind, params })
}

fn parse_events(node: &Node) -> Result<Vec<Event>, LoadError> {
    let Some(events) = node.get("event") else {
        return Ok(Vec::new());
    };
    // Newman also takes a single event object in place of the array (one of its own fixtures).
    let events = if events.value.is_object() {
        vec![events]
    } else {
        events.array()?
    };
    let mut out = Vec::new();
    for event in events {
        event.object()?;
        let listen = match event.opt_string("listen")?.as_deref() {
            Some("prerequest") => Listen::Prerequest,
            Some("test") => Listen::Test,
            // Other events (e.g. a future "beforeResponse") are kept out of the run, as in Newman.
            _ => continue,
        };
        let (exec, id) = match event.get("script") {
            Some(script) => (parse_exec(&script)?, script.opt_string("id")?),
            None => (String::new(), None),
        };
        out.push(Event {
            listen,
            exec,
            id,
            disabled: event.opt_bool("disabled")?.unwrap_or(false),
        });
    }
    Ok(out)
}

/// `script.exec` is an array of lines or a single string.
fn parse_exec(script: &Node) -> Result<String, LoadError> {
    script.object()?;
    let Some(exec) = script.get("exec") else {
        return Ok(String::new());
    };
    match exec.value {
        Value::String(text) => Ok(text.clone()),
        Value::Array(_) => Ok(exec
            .array()?
            .iter()
            .map(|line| line.string().map(str::to_string))
            .collect::<Result<Vec<_>, _>>()?
            .join("\n")),
        _ => Err(exec.error("an array of lines or a string")),
    }
}

/// Parses a variable list (`[{key, value, type, disabled}]`) as collections and environments write it.
pub fn parse_variables(node: &Node, member: &str) -> Result<Vec<Variable>, LoadError> {
    match node.get(member) {
        Some(list) => parse_variable_list(&list),
        None => Ok(Vec::new()),
    }
}

/// Parses a bare variable array.
pub fn parse_variable_list(list: &Node) -> Result<Vec<Variable>, LoadError> {
    list.array()?
        .iter()
        .map(|entry| {
            entry.object()?;
            let key = match entry.opt_string("key")? {
                Some(key) => key,
                None => entry
                    .opt_string("id")?
                    .ok_or_else(|| entry.error("a variable with a `key`"))?,
            };
            // Only `disabled: true` hides a variable: Newman 6.2.2 substitutes entries marked
            // `enabled: false` (checked against Newman), and Baton runs collections as Newman does.
            entry.opt_bool("enabled")?;
            let enabled = !entry.opt_bool("disabled")?.unwrap_or(false);
            // A variable written without a value holds `undefined`, which resolves to empty text;
            // a typed one holds its value converted to its type (`vars::cast_in`).
            let kind = entry.opt_string("type")?;
            let value = match entry.value.get("value").cloned() {
                Some(value) => cast_in(kind.as_deref(), Some(value)),
                None => None,
            };
            Ok(Variable {
                key,
                undefined: value.is_none(),
                value: value.unwrap_or(Value::Null),
                kind,
                enabled,
            })
        })
        .collect()
}

fn parse_behavior(node: &Node) -> Result<ProtocolProfileBehavior, LoadError> {
    let Some(ppb) = node.get("protocolProfileBehavior") else {
        return Ok(ProtocolProfileBehavior::default());
    };
    ppb.object()?;
    let disabled_system_headers = match ppb.get("disabledSystemHeaders") {
        Some(headers) => headers
            .object()?
            .iter()
            .filter(|(_, on)| on.as_bool() == Some(true))
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect(),
        None => Vec::new(),
    };
    let max_redirects = match ppb.get("maxRedirects") {
        Some(max) => Some(
            max.value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| max.error("a non-negative integer"))?,
        ),
        None => None,
    };
    Ok(ProtocolProfileBehavior {
        follow_redirects: ppb.opt_bool("followRedirects")?,
        follow_original_http_method: ppb.opt_bool("followOriginalHttpMethod")?,
        max_redirects,
        strict_ssl: ppb.opt_bool("strictSSL")?,
        disable_body_pruning: ppb.opt_bool("disableBodyPruning")?,
        disabled_system_headers,
        remove_referer_header_on_redirect: ppb.opt_bool("removeRefererHeaderOnRedirect")?,
        disable_cookies: ppb.opt_bool("disableCookies")?,
        disable_url_encoding: ppb.opt_bool("disableUrlEncoding")?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use crate::collection::collection_from_document;

    #[test]
    fn a_collection_without_info_runs_as_newman_does() {
        let document = json!({"item": [{"name": "r", "request": "h.test"}]});
        let collection = collection_from_document(&document, Path::new("c.json")).unwrap();
        assert_eq!((collection.name.as_str(), collection.items.len()), ("", 1));
        let neither = collection_from_document(&json!({"x": 1}), Path::new("c.json"));
        assert!(neither.is_err());
    }

    #[test]
    fn a_single_event_object_counts_as_a_list_of_one() {
        let document = json!({"item": [{"name": "r", "request": "h.test",
            "event": {"listen": "test", "script": {"exec": ["pm.test('t', () => {});"]}}}]});
        let collection = collection_from_document(&document, Path::new("c.json")).unwrap();
        let crate::collection::Item::Request(placed) = &collection.items[0] else {
            panic!("a request item");
        };
        assert_eq!(placed.events.as_ref().map(|events| events.len()), Some(1));
    }

    #[test]
    fn body_modes_are_read_in_any_case_and_an_unknown_one_as_raw() {
        let body = |body: serde_json::Value| {
            let document = json!({"info": {"name": "C"}, "item": [
                {"name": "r", "request": {"method": "POST", "url": "http://h/", "body": body}}]});
            let collection = collection_from_document(&document, Path::new("c.json")).unwrap();
            let crate::collection::Item::Request(placed) = &collection.items[0] else {
                panic!("a request item");
            };
            collection.request(placed.slot).unwrap().request.body
        };
        assert_eq!(
            body(json!({"mode": "URLENCODED", "urlencoded": []})),
            Some(crate::collection::Body::UrlEncoded(Vec::new()))
        );
        assert_eq!(
            body(json!({"mode": "unknown"})),
            Some(crate::collection::Body::Raw {
                raw: String::new(),
                language: None
            })
        );
        assert_eq!(
            body(json!({"mode": "application/json", "raw": "{}"})),
            Some(crate::collection::Body::Raw {
                raw: "{}".into(),
                language: None
            })
        );
        assert_eq!(body(json!({"mode": ""})), None);
    }

    #[test]
    fn typed_variables_hold_their_values_converted_to_their_type() {
        let document = json!({"info": {"name": "C"}, "item": [], "variable": [
            {"key": "port", "value": 80, "type": "string"},
            {"key": "flag", "value": "false", "type": "boolean"},
            {"key": "count", "value": "3", "type": "number"},
            {"key": "plain", "value": 80, "type": "default"},
            {"key": "unset", "type": "string"}
        ]});
        let collection = collection_from_document(&document, Path::new("c.json")).unwrap();
        let values: Vec<(&str, &serde_json::Value, bool)> = collection
            .variables
            .iter()
            .map(|v| (v.key.as_str(), &v.value, v.undefined))
            .collect();
        assert_eq!(
            values,
            [
                ("port", &json!("80"), false),
                ("flag", &json!(true), false),
                ("count", &json!(3), false),
                ("plain", &json!(80), false),
                ("unset", &serde_json::Value::Null, true)
            ]
        );
    }
}
