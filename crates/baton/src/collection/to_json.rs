//! Writing the model back as Postman v2.1 JSON: what scripts see as `pm.request` and what reports
//! record as the request.

use serde_json::{Map, Value, json};

use super::model::{Auth, Body, FormContent, KeyValue, Request, Url};

impl Request {
    /// The request in Postman's v2.1 JSON shape.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("url".into(), self.url.to_json());
        out.insert("method".into(), Value::String(self.method.clone()));
        out.insert("header".into(), key_values(&self.headers));
        if let Some(body) = &self.body {
            out.insert("body".into(), body.to_json());
        }
        if let Some(auth) = &self.auth {
            out.insert("auth".into(), auth.to_json());
        }
        if let Some(description) = &self.description {
            out.insert("description".into(), Value::String(description.clone()));
        }
        Value::Object(out)
    }
}

impl Url {
    /// The URL in Postman's structured JSON shape, with `raw` filled in.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("raw".into(), Value::String(self.to_unresolved_string()));
        if let Some(protocol) = &self.protocol {
            out.insert("protocol".into(), Value::String(protocol.clone()));
        }
        let host: Vec<Value> = if self.host.is_empty() {
            Vec::new()
        } else {
            self.host
                .split('.')
                .map(|s| Value::String(s.into()))
                .collect()
        };
        out.insert("host".into(), Value::Array(host));
        if let Some(port) = &self.port {
            out.insert("port".into(), Value::String(port.clone()));
        }
        out.insert(
            "path".into(),
            Value::Array(self.path.iter().map(|s| Value::String(s.clone())).collect()),
        );
        if !self.query.is_empty() {
            out.insert("query".into(), key_values(&self.query));
        }
        if let Some(hash) = &self.hash {
            out.insert("hash".into(), Value::String(hash.clone()));
        }
        if !self.variables.is_empty() {
            out.insert("variable".into(), key_values(&self.variables));
        }
        Value::Object(out)
    }
}

impl Body {
    /// The body in Postman's JSON shape.
    pub fn to_json(&self) -> Value {
        match self {
            Body::Raw { raw, language } => {
                let mut body = json!({"mode": "raw", "raw": raw});
                if let Some(language) = language {
                    body["options"] = json!({"raw": {"language": language}});
                }
                body
            }
            Body::UrlEncoded(fields) => {
                json!({"mode": "urlencoded", "urlencoded": key_values(fields)})
            }
            Body::FormData(parts) => {
                let parts: Vec<Value> = parts
                    .iter()
                    .map(|part| {
                        let mut entry = match &part.content {
                            FormContent::Text(value) => {
                                json!({"key": part.key, "value": value, "type": "text"})
                            }
                            FormContent::Files(src) => {
                                json!({"key": part.key, "src": src, "type": "file"})
                            }
                        };
                        if let Some(content_type) = &part.content_type {
                            entry["contentType"] = Value::String(content_type.clone());
                        }
                        if part.disabled {
                            entry["disabled"] = Value::Bool(true);
                        }
                        entry
                    })
                    .collect();
                json!({"mode": "formdata", "formdata": parts})
            }
            Body::File { src } => json!({"mode": "file", "file": {"src": src}}),
            Body::GraphQl { query, variables } => {
                json!({"mode": "graphql", "graphql": {"query": query, "variables": variables}})
            }
        }
    }
}

impl Auth {
    /// The auth helper in Postman's v2.1 JSON shape.
    pub fn to_json(&self) -> Value {
        let params: Vec<Value> = self
            .params
            .iter()
            .map(|(key, value)| json!({"key": key, "value": value, "type": "string"}))
            .collect();
        let mut out = Map::new();
        out.insert("type".into(), Value::String(self.kind.clone()));
        if self.kind != "noauth" {
            out.insert(self.kind.clone(), Value::Array(params));
        }
        Value::Object(out)
    }
}

fn key_values(entries: &[KeyValue]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|entry| {
                let mut out = Map::new();
                out.insert("key".into(), Value::String(entry.key.clone()));
                out.insert(
                    "value".into(),
                    entry
                        .value
                        .clone()
                        .map(Value::String)
                        .unwrap_or(Value::Null),
                );
                if entry.disabled {
                    out.insert("disabled".into(), Value::Bool(true));
                }
                Value::Object(out)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::collection::request_from_json;
    use serde_json::json;

    #[test]
    fn request_json_round_trips_through_the_parser() {
        let source = json!({
            "method": "POST",
            "url": "https://h.test/a/:id?x=1&y",
            "header": [{"key": "A", "value": "1"}, {"key": "B", "value": "2", "disabled": true}],
            "body": {"mode": "urlencoded", "urlencoded": [{"key": "grant_type", "value": "client_credentials"}]},
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "u"}]},
            "description": "what it does"
        });
        let request = request_from_json(&source).unwrap();
        let again = request_from_json(&request.to_json()).unwrap();
        assert_eq!(request, again);
    }

    #[test]
    fn a_description_object_contributes_its_content() {
        let source =
            json!({"url": "h.test", "description": {"content": "testDesc", "type": "text/plain"}});
        let request = request_from_json(&source).unwrap();
        assert_eq!(request.description.as_deref(), Some("testDesc"));
        let odd = request_from_json(&json!({"url": "h.test", "description": 3})).unwrap();
        assert_eq!(
            odd.description, None,
            "other shapes are ignored, not rejected"
        );
    }
}
