//! Environments and globals: the environment-file shape, Newman's export shape, a bare values array,
//! and the base64 `env[...]` value of a "Run in Postman" link.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use super::LoadError;
use super::json::Node;
use super::parse::parse_variable_list;
use super::source::{parse_json, read_json};
use super::url::percent_decode;
use crate::vars::Variable;

/// A loaded environment or globals file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    /// The file's `id`, or empty.
    pub id: String,
    /// The file's `name`, or empty.
    pub name: String,
    /// The variables in file order.
    pub values: Vec<Variable>,
    /// The file's `_`-prefixed keys without their underscores (`_postman_variable_scope` is
    /// `postman_variable_scope`), which Newman's report keeps as the scope's `_`.
    pub meta: serde_json::Map<String, Value>,
    /// Each variable's `name` and `description` as the file gives them (Newman's report keeps
    /// them), by key.
    pub value_extras: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
}

/// Loads an environment or globals from a file path, a "Run in Postman" link, or a bare base64
/// `env[...]` value (tried in that order).
pub fn load_environment(input: &str) -> Result<Environment, LoadError> {
    let path = Path::new(input);
    if path.exists() || !looks_like_link_or_base64(input) {
        let document = read_json(path)?;
        return environment_from_document(&document, path);
    }
    let is_link = input.contains("://") || input.contains("env[") || input.contains("env%5B");
    match environment_from_link(input) {
        // A bare word that is neither a file nor an encoded environment is most likely a
        // mistyped file name.
        Err(_) if !is_link => Err(LoadError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        }),
        result => result,
    }
}

/// Decodes a "Run in Postman" link or a bare base64 `env[...]` value.
fn environment_from_link(input: &str) -> Result<Environment, LoadError> {
    let encoded = link_value(input)?;
    let bytes = decode_base64(&encoded).ok_or_else(|| LoadError::Link {
        input: shorten(input),
        message: "the `env[...]` value is not valid base64".into(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError::Link {
        input: shorten(input),
        message: "the decoded value is not UTF-8 text".into(),
    })?;
    let pseudo_path = PathBuf::from("<environment link>");
    let document = parse_json(&pseudo_path, &text)?;
    let mut environment = environment_from_document(&document, &pseudo_path)?;
    if environment.name.is_empty() {
        environment.name = link_name(input).unwrap_or_default();
    }
    Ok(environment)
}

/// Reads the three shapes: `{id, name, values}`, Newman's export (same plus `_postman_*`), or `[...]`;
/// the Postman API's wrapper (`{"environment": {...}}`, `{"globals": {...}}`) is taken off first.
pub fn environment_from_document(document: &Value, path: &Path) -> Result<Environment, LoadError> {
    if document.get("values").is_none() {
        for wrapper in ["environment", "globals"] {
            if let Some(inner @ Value::Object(_)) = document.get(wrapper) {
                return environment_from_node(&Node::root(inner, path, wrapper));
            }
        }
    }
    environment_from_node(&Node::root(document, path, ""))
}

fn environment_from_node(root: &Node) -> Result<Environment, LoadError> {
    let (document, path) = (root.value, root.file());
    let at = root.at();
    match document {
        Value::Array(_) => Ok(Environment {
            values: parse_variable_list(&Node::root(
                document,
                path,
                if at.is_empty() { "values" } else { &at },
            ))?,
            value_extras: value_extras(document),
            ..Default::default()
        }),
        Value::Object(_) => {
            let values = match root.get("values") {
                Some(values) => parse_variable_list(&values)?,
                None => {
                    return Err(root.error(
                        "an environment (an object with a `values` array, or a bare array of variables)",
                    ));
                }
            };
            Ok(Environment {
                id: root.opt_string("id")?.unwrap_or_default(),
                name: root.opt_string("name")?.unwrap_or_default(),
                values,
                meta: document
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| k.starts_with('_') && k.as_str() != "_")
                    .map(|(k, v)| (k.trim_start_matches('_').to_string(), v.clone()))
                    .collect(),
                value_extras: value_extras(&document["values"]),
            })
        }
        _ => Err(root.error("an environment object or an array of variables")),
    }
}

/// The `name` and `description` of each entry of a `values` list that has them, by its key.
fn value_extras(
    values: &Value,
) -> std::collections::BTreeMap<String, serde_json::Map<String, Value>> {
    values
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let key = entry.get("key").or_else(|| entry.get("id"))?.as_str()?;
            let extras: serde_json::Map<String, Value> = ["name", "description"]
                .into_iter()
                .filter_map(|field| Some((field.to_string(), entry.get(field)?.clone())))
                .collect();
            (!extras.is_empty()).then(|| (key.to_string(), extras))
        })
        .collect()
}

fn looks_like_link_or_base64(input: &str) -> bool {
    input.starts_with("http://")
        || input.starts_with("https://")
        || input.contains("env[")
        || (input.len() >= 16
            && input.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'%')
            }))
}

/// The base64 text of the first `env[...]=` parameter, or the input itself when it is bare base64.
fn link_value(input: &str) -> Result<String, LoadError> {
    let Some(start) = input.find("env[").or_else(|| input.find("env%5B")) else {
        if input.starts_with("http://") || input.starts_with("https://") {
            return Err(LoadError::Link {
                input: shorten(input),
                message:
                    "expected a \"Run in Postman\" link with an `env[<name>]=<base64>` parameter"
                        .into(),
            });
        }
        return Ok(percent_decode(input.trim()));
    };
    let rest = &input[start..];
    let Some(eq) = rest.find('=') else {
        return Err(LoadError::Link {
            input: shorten(input),
            message: "the `env[...]` parameter has no value".into(),
        });
    };
    let value = &rest[eq + 1..];
    let end = value.find('&').unwrap_or(value.len());
    Ok(percent_decode(&value[..end]))
}

fn link_name(input: &str) -> Option<String> {
    let decoded = percent_decode(input);
    let start = decoded.find("env[")? + 4;
    let end = decoded[start..].find(']')? + start;
    Some(decoded[start..end].to_string())
}

/// The bytes of standard or URL-safe base64, padded or not; `None` when it is neither.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines
        .iter()
        .find_map(|engine| engine.decode(&cleaned).ok())
}

fn shorten(input: &str) -> String {
    match input.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &input[..cut]),
        None => input.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEMPLATE_BASE64: &str =
        "W3sia2V5IjoidGxkIiwidmFsdWUiOiJjb20iLCJlbmFibGVkIjp0cnVlLCJ0eXBlIjoiZGVmYXVsdCJ9XQ==";

    #[test]
    fn bare_array_shape_loads() {
        let doc = json!([{"key": "tld", "value": "com", "enabled": true, "type": "default"}]);
        let env = environment_from_document(&doc, Path::new("e.json")).unwrap();
        assert_eq!(env.values[0].key, "tld");
    }

    #[test]
    fn environment_file_shape_loads_with_name() {
        let doc = json!({"id": "1", "name": "dev", "values": [{"key": "a", "value": "1"}],
            "_postman_variable_scope": "environment"});
        let env = environment_from_document(&doc, Path::new("e.json")).unwrap();
        assert_eq!((env.id.as_str(), env.name.as_str()), ("1", "dev"));
        assert_eq!(env.values.len(), 1);
    }

    #[test]
    fn the_postman_apis_wrapper_is_taken_off() {
        let doc = json!({"environment": {"id": "u", "name": "api", "values": [{"key": "a", "value": "1"}]}});
        let env = environment_from_document(&doc, Path::new("e.json")).unwrap();
        assert_eq!((env.name.as_str(), env.values.len()), ("api", 1));
        let doc = json!({"globals": {"values": [{"key": "g", "value": "2"}]}});
        let env = environment_from_document(&doc, Path::new("g.json")).unwrap();
        assert_eq!(env.values[0].key, "g");
    }

    #[test]
    fn shape_errors_inside_the_wrapper_name_it() {
        let doc = json!({"environment": {"values": 3}});
        let err = environment_from_document(&doc, Path::new("e.json")).unwrap_err();
        assert!(
            err.to_string().starts_with("e.json: environment.values: "),
            "{err}"
        );
    }

    #[test]
    fn object_without_values_is_a_shape_error() {
        let doc = json!({"name": "x"});
        let err = environment_from_document(&doc, Path::new("e.json")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("e.json: expected an environment"),
            "{err}"
        );
    }

    #[test]
    fn bare_base64_value_loads() {
        let env = load_environment(TEMPLATE_BASE64).unwrap();
        assert_eq!(env.values[0].value, json!("com"));
    }

    #[test]
    fn run_in_postman_link_loads_and_names_the_environment() {
        let link = format!(
            "https://app.getpostman.com/run-collection/123#?env%5BWorkflow%20Template%5D={}",
            TEMPLATE_BASE64.replace('=', "%3D")
        );
        let env = load_environment(&link).unwrap();
        assert_eq!(env.name, "Workflow Template");
        assert_eq!(env.values[0].key, "tld");
    }

    #[test]
    fn real_pingone_run_in_postman_value_decodes_to_the_template() {
        let encoded = include_str!("../../../../tests/fixtures/run-in-postman-env.base64");
        let decoded = load_environment(encoded.trim()).unwrap();
        let template: Value = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/workflow-library-template.values.json"
        ))
        .unwrap();
        let expected = environment_from_document(&template, Path::new("t.json")).unwrap();
        assert_eq!(decoded.values, expected.values);
        let keys: Vec<&str> = decoded.values.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "tld",
                "authPath",
                "apiPath",
                "adminEnvID",
                "adminAppID",
                "adminAppSecret",
                "envID"
            ]
        );
    }

    #[test]
    fn a_missing_file_name_is_reported_as_missing_not_as_bad_base64() {
        let err = load_environment("production_environment").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("production_environment: cannot read the file: "),
            "{err}"
        );
    }

    #[test]
    fn odd_percent_sequences_in_links_do_not_panic() {
        assert!(load_environment("https://x.test/#?env[x]=%aé").is_err());
    }

    #[test]
    fn link_without_env_parameter_is_explained() {
        let err = load_environment("https://app.getpostman.com/run-collection/123").unwrap_err();
        assert!(err.to_string().contains("env[<name>]=<base64>"), "{err}");
    }
}
