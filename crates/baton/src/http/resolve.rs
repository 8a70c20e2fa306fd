//! Resolving `{{variables}}` across a whole request once, after the pre-request scripts ran: URL,
//! headers, body and auth fields, as Postman does.

use serde_json::Value;

use crate::collection::{Auth, Body, FormContent, FormPart, KeyValue, Request, Url};
use crate::vars::{ExpansionTooLong, Scopes};

/// The request with every string field resolved against `scopes`; an error when a field's
/// variables expand without bound.
pub fn resolve_request(request: &Request, scopes: &Scopes) -> Result<Request, ExpansionTooLong> {
    Ok(Request {
        url: resolve_url(&request.url, scopes)?,
        method: scopes.resolve(&request.method)?,
        headers: resolve_key_values(&request.headers, scopes)?,
        body: match &request.body {
            Some(body) => Some(resolve_body(body, scopes)?),
            None => None,
        },
        auth: match &request.auth {
            Some(auth) => Some(resolve_auth(auth, scopes)?),
            None => None,
        },
        description: request.description.clone(),
    })
}

/// An auth helper with its string parameters resolved, those nested in lists and objects too
/// (an `oauth2` block's `tokenRequestParams`), as Postman substitutes the whole request.
fn resolve_auth(auth: &Auth, scopes: &Scopes) -> Result<Auth, ExpansionTooLong> {
    let params = auth
        .params
        .iter()
        .map(|(key, value)| Ok((key.clone(), resolve_value(value, scopes)?)))
        .collect::<Result<_, _>>()?;
    Ok(Auth {
        kind: auth.kind.clone(),
        params,
    })
}

/// Every string in `value` resolved.
fn resolve_value(value: &Value, scopes: &Scopes) -> Result<Value, ExpansionTooLong> {
    Ok(match value {
        Value::String(text) => Value::String(scopes.resolve(text)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| resolve_value(item, scopes))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| Ok((key.clone(), resolve_value(item, scopes)?)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

/// The URL is written out as one string, resolved, and parsed again: a variable may hold a scheme,
/// host and path (`{{apiPath}}` = `https://api.pingone.{{tld}}/v1`).
fn resolve_url(url: &Url, scopes: &Scopes) -> Result<Url, ExpansionTooLong> {
    Ok(Url::parse(&scopes.resolve(&url.to_unresolved_string())?))
}

fn resolve_key_values(
    entries: &[KeyValue],
    scopes: &Scopes,
) -> Result<Vec<KeyValue>, ExpansionTooLong> {
    entries
        .iter()
        .map(|entry| {
            Ok(KeyValue {
                key: scopes.resolve(&entry.key)?,
                value: resolve_optional(entry.value.as_deref(), scopes)?,
                disabled: entry.disabled,
            })
        })
        .collect()
}

/// An optional text resolved when present.
fn resolve_optional(
    text: Option<&str>,
    scopes: &Scopes,
) -> Result<Option<String>, ExpansionTooLong> {
    text.map(|text| scopes.resolve(text)).transpose()
}

fn resolve_body(body: &Body, scopes: &Scopes) -> Result<Body, ExpansionTooLong> {
    Ok(match body {
        Body::Raw { raw, language } => Body::Raw {
            raw: scopes.resolve(raw)?,
            language: language.clone(),
        },
        Body::UrlEncoded(fields) => Body::UrlEncoded(resolve_key_values(fields, scopes)?),
        Body::FormData(parts) => Body::FormData(
            parts
                .iter()
                .map(|part| {
                    Ok(FormPart {
                        key: scopes.resolve(&part.key)?,
                        content: match &part.content {
                            FormContent::Text(value) => FormContent::Text(scopes.resolve(value)?),
                            FormContent::Files(files) => FormContent::Files(files.clone()),
                        },
                        content_type: resolve_optional(part.content_type.as_deref(), scopes)?,
                        disabled: part.disabled,
                    })
                })
                .collect::<Result<_, ExpansionTooLong>>()?,
        ),
        Body::File { src } => Body::File { src: src.clone() },
        Body::GraphQl { query, variables } => Body::GraphQl {
            query: scopes.resolve(query)?,
            variables: resolve_optional(variables.as_deref(), scopes)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::request_from_json;
    use crate::vars::VariableScope;
    use serde_json::json;

    fn scopes(pairs: &[(&str, &str)]) -> Scopes {
        let mut environment = VariableScope::default();
        for (key, value) in pairs {
            environment.set(key, json!(value));
        }
        Scopes {
            environment,
            ..Default::default()
        }
    }

    #[test]
    fn variable_holding_scheme_host_and_path_resolves_into_the_url() {
        let request = request_from_json(&json!({
            "url": "{{apiPath}}/environments/{{envID}}/applications", "method": "POST"
        }))
        .unwrap();
        let scopes = scopes(&[
            ("tld", "com"),
            ("apiPath", "https://api.pingone.{{tld}}/v1"),
            ("envID", "e1"),
        ]);
        let resolved = resolve_request(&request, &scopes).unwrap();
        assert_eq!(
            resolved.url.to_unresolved_string(),
            "https://api.pingone.com/v1/environments/e1/applications"
        );
    }

    #[test]
    fn strings_nested_in_an_auth_parameter_are_resolved() {
        let request = request_from_json(&json!({
            "url": "http://h", "method": "GET",
            "auth": {"type": "oauth2", "oauth2": [{"key": "tokenRequestParams",
                "value": [{"key": "client_assertion", "value": "{{v}}", "enabled": true}]}]}
        }))
        .unwrap();
        let resolved = resolve_request(&request, &scopes(&[("v", "abc")])).unwrap();
        let auth = resolved.auth.unwrap();
        let (_, params) = auth
            .params
            .iter()
            .find(|(k, _)| k == "tokenRequestParams")
            .expect("the list");
        assert_eq!(
            params,
            &json!([{"key": "client_assertion", "value": "abc", "enabled": true}])
        );
    }

    #[test]
    fn headers_body_and_auth_are_resolved() {
        let request = request_from_json(&json!({
            "url": "http://h", "method": "POST",
            "header": [{"key": "X-{{n}}", "value": "{{v}}"}],
            "body": {"mode": "urlencoded", "urlencoded": [{"key": "client_id", "value": "{{v}}"}]},
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "{{v}}"}]}
        }))
        .unwrap();
        let resolved = resolve_request(&request, &scopes(&[("n", "Id"), ("v", "abc")])).unwrap();
        assert_eq!(resolved.headers[0], KeyValue::new("X-Id", "abc"));
        assert_eq!(
            resolved.body,
            Some(Body::UrlEncoded(vec![KeyValue::new("client_id", "abc")]))
        );
        assert_eq!(
            resolved.auth.unwrap().param("username").as_deref(),
            Some("abc")
        );
    }
}
