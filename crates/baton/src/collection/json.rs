//! A JSON cursor that remembers where it is, so shape errors name the exact place
//! (`item[2].request.url`) and what was expected there.

use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::LoadError;

/// Objects with at most this many members are searched in order rather than by hash.
const SMALL_OBJECT: usize = 12;

/// A value inside a JSON document together with its file and JSON path.
#[derive(Clone)]
pub struct Node<'a> {
    /// The value at this place.
    pub value: &'a Value,
    file: &'a Path,
    at: Place<'a>,
}

/// Where a node is: a link to its parent's place, written out as text (`item[2].request.url`)
/// only when an error names it. Loading reads every member of every item; formatting each
/// path up front cost more than parsing the values.
#[derive(Clone)]
enum Place<'a> {
    /// The root, with the prefix given to [`Node::root`].
    Root(&'a str),
    /// A member of an object.
    Member(Rc<(Place<'a>, &'a str)>),
    /// An element of an array.
    Element(Rc<(Place<'a>, usize)>),
}

impl Place<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Place::Root(prefix) => out.push_str(prefix),
            Place::Member(link) => {
                link.0.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(link.1);
            }
            Place::Element(link) => {
                link.0.write(out);
                out.push('[');
                out.push_str(&link.1.to_string());
                out.push(']');
            }
        }
    }
}

impl<'a> Node<'a> {
    /// The document root of `file`; `at` prefixes every path (empty for the top level).
    pub fn root(value: &'a Value, file: &'a Path, at: &'a str) -> Self {
        Node {
            value,
            file,
            at: Place::Root(at),
        }
    }

    /// The JSON path of this node.
    pub fn at(&self) -> String {
        let mut out = String::new();
        self.at.write(&mut out);
        out
    }

    /// The file this node came from.
    pub fn file(&self) -> &'a Path {
        self.file
    }

    /// A shape error at this place.
    pub fn error(&self, expected: &str) -> LoadError {
        LoadError::Shape {
            path: self.file.to_path_buf(),
            at: self.at(),
            expected: expected.to_string(),
            found: describe(self.value).to_string(),
        }
    }

    /// The object member `key`, when present and not null.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let map = self.value.as_object()?;
        // Collection objects have a handful of members: comparing them in turn is several
        // times cheaper than hashing the key (the map's hasher is SipHash).
        let (key, value) = match map.len() <= SMALL_OBJECT {
            true => map.iter().find(|(name, _)| name.as_str() == key)?,
            false => map.get_key_value(key)?,
        };
        if value.is_null() {
            return None;
        }
        Some(Node {
            value,
            file: self.file,
            at: Place::Member(Rc::new((self.at.clone(), key.as_str()))),
        })
    }

    /// This node as an object.
    pub fn object(&self) -> Result<&'a Map<String, Value>, LoadError> {
        self.value
            .as_object()
            .ok_or_else(|| self.error("an object"))
    }

    /// This node as an array, with each element's path.
    pub fn array(&self) -> Result<Vec<Node<'a>>, LoadError> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.error("an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, value)| Node {
                value,
                file: self.file,
                at: Place::Element(Rc::new((self.at.clone(), index))),
            })
            .collect())
    }

    /// This node as a string.
    pub fn string(&self) -> Result<&'a str, LoadError> {
        self.value.as_str().ok_or_else(|| self.error("a string"))
    }

    /// This node as text: strings as they are, numbers and booleans written out (Postman accepts
    /// `"value": 5` in key/value lists).
    pub fn text(&self) -> Result<String, LoadError> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(self.error("a string")),
        }
    }

    /// This node as a boolean; Postman files sometimes carry `"true"`/`"false"` strings.
    pub fn boolean(&self) -> Result<bool, LoadError> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            _ => Err(self.error("a boolean")),
        }
    }

    /// The member `key` as an optional string.
    pub fn opt_string(&self, key: &str) -> Result<Option<String>, LoadError> {
        self.get(key).map(|n| n.text()).transpose()
    }

    /// The member `key` as an optional boolean.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, LoadError> {
        self.get(key).map(|n| n.boolean()).transpose()
    }
}

/// Names the kind of a JSON value for error messages, with its article.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_nested_path() {
        let doc = json!({"item": [{}, {}, {"request": {"url": 5}}]});
        let root = Node::root(&doc, Path::new("c.json"), "");
        let items = root.get("item").unwrap().array().unwrap();
        let url = items[2].get("request").unwrap().get("url").unwrap();
        let err = url.string().unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.json: item[2].request.url: expected a string, found a number"
        );
    }

    #[test]
    fn null_members_count_as_absent() {
        let doc = json!({"auth": null});
        assert!(
            Node::root(&doc, Path::new("c.json"), "")
                .get("auth")
                .is_none()
        );
    }
}
