//! Reading a collection file item by item. A parsed JSON tree takes several times the file's size,
//! and the model built from it about as much again; parsed whole, a large collection needs both
//! at once. Here each `item` array is read one element at a time: an item's members other than
//! its children become a small JSON value, the item is built from it at once (with the same
//! checks and error paths as a whole document), and the value is dropped before the next item.
//! A folder's children are read the same way, so only one item's members are held as JSON at any
//! moment, whatever the collection's shape.

use std::cell::RefCell;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::LoadError;
use super::json::Node;
use super::model::{Collection, Document, Item};
use super::parse::{build_collection, build_item};
use super::source::{is_blank, syntax_error};

/// The collection in `text`, read from `path` item by item. A document wrapped as the Postman API
/// sends it (`{"collection": {...}}`) is built from its parsed tree instead.
pub fn collection_from_text(text: &str, path: &Path) -> Result<Collection, LoadError> {
    if is_blank(text) {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let failure = RefCell::new(None);
    let seed = MembersSeed {
        file: path,
        at: String::new(),
        failure: &failure,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|members| deserializer.end().map(|()| members));
    // An item that failed to build stopped the reading with a placeholder error; its own
    // error is the one to show.
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    let (members, items) = match parsed.map_err(|error| syntax_error(path, text, &error))? {
        Members::Object { members, items } => (members, items),
        // Not an object: the checks say what was expected.
        Members::Other(value) => {
            return build_collection(&Node::root(&value, path, ""), None, Document::default());
        }
    };
    let root = Value::Object(members);
    if items.is_none() && is_api_wrapper(&root) {
        return super::collection_from_document(&root, path);
    }
    build_collection(
        &Node::root(&root, path, ""),
        items,
        Document::from_text(text),
    )
}

/// Whether `root` is the Postman API's wrapper around a collection.
fn is_api_wrapper(root: &Value) -> bool {
    root.get("info").is_none()
        && root.get("item").is_none_or(Value::is_null)
        && root.get("collection").is_some_and(Value::is_object)
}

/// An object's members with its `item` array read apart, or any other JSON value.
enum Members {
    /// An object: its members but `item`, and the items of `item` when it is an array.
    Object {
        members: Map<String, Value>,
        items: Option<Vec<Item>>,
    },
    /// Not an object: kept whole, for the error that names what was expected.
    Other(Value),
}

/// Reads an object (the document or an item) with its `item` array built item by item.
struct MembersSeed<'a> {
    file: &'a Path,
    /// The JSON path of the object (`item[2]`), empty for the document.
    at: String,
    /// The first item that could not be built: its error, which the reading stops for.
    failure: &'a RefCell<Option<LoadError>>,
}

impl<'de> DeserializeSeed<'de> for MembersSeed<'_> {
    type Value = Members;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Members, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed<'_> {
    type Value = Members;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut members = Map::new();
        let mut items = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "item" {
                let value = map.next_value::<Value>()?;
                members.insert(key, value);
                continue;
            }
            let seed = ItemsSeed {
                file: self.file,
                at: match self.at.is_empty() {
                    true => "item".to_string(),
                    false => format!("{}.item", self.at),
                },
                failure: self.failure,
            };
            match map.next_value_seed(seed)? {
                Items::Read(read) => items = Some(read),
                // Not an array (or null): kept for the checks that report it.
                Items::Other(value) => {
                    members.insert(key, value);
                }
            }
        }
        Ok(Members::Object { members, items })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Members, A::Error> {
        array(seq).map(Members::Other)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Members, E> {
        Ok(Members::Other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Members, E> {
        Ok(Members::Other(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Members, E> {
        Ok(Members::Other(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Members, E> {
        Ok(Members::Other(Value::from(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Members, E> {
        Ok(Members::Other(Value::String(value.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Members, E> {
        Ok(Members::Other(Value::Null))
    }
}

/// An `item` member: its items, built one by one, or a value that is not an array.
enum Items {
    Read(Vec<Item>),
    Other(Value),
}

/// Reads an `item` member, building each element as soon as it is read.
struct ItemsSeed<'a> {
    file: &'a Path,
    /// The JSON path of the array (`item`, `item[2].item`).
    at: String,
    failure: &'a RefCell<Option<LoadError>>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = Items;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = Items;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            let at = format!("{}[{}]", self.at, items.len());
            let seed = MembersSeed {
                file: self.file,
                at: at.clone(),
                failure: self.failure,
            };
            let Some(members) = seq.next_element_seed(seed)? else {
                return Ok(Items::Read(items));
            };
            let built = match members {
                Members::Object { members, items } => {
                    let value = Value::Object(members);
                    build_item(&Node::root(&value, self.file, &at), items)
                }
                Members::Other(value) => build_item(&Node::root(&value, self.file, &at), None),
            };
            match built {
                Ok(item) => items.push(item),
                Err(error) => {
                    *self.failure.borrow_mut() = Some(error);
                    return Err(de::Error::custom("an item could not be built"));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items, A::Error> {
        let mut members = Map::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            members.insert(key, value);
        }
        Ok(Items::Other(Value::Object(members)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Items, E> {
        Ok(Items::Other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Items, E> {
        Ok(Items::Other(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Items, E> {
        Ok(Items::Other(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Items, E> {
        Ok(Items::Other(Value::from(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Items, E> {
        Ok(Items::Other(Value::String(value.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Items, E> {
        Ok(Items::Other(Value::Null))
    }
}

/// The rest of an array, as a JSON value.
fn array<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Value, A::Error> {
    let mut values = Vec::new();
    while let Some(value) = seq.next_element::<Value>()? {
        values.push(value);
    }
    Ok(Value::Array(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What loading `document` gives, read item by item and parsed whole, as comparable text.
    fn both(document: &Value) -> (String, String) {
        let path = Path::new("c.json");
        let show = |loaded: Result<Collection, LoadError>| match loaded {
            Ok(mut collection) => {
                collection.document = Document::default();
                format!("{collection:?}")
            }
            Err(error) => format!("error: {error}"),
        };
        let streamed = show(collection_from_text(&document.to_string(), path));
        let whole = show(super::super::collection_from_document(document, path));
        (streamed, whole)
    }

    #[test]
    fn items_read_one_by_one_build_what_the_whole_document_builds() {
        let documents = [
            json!({"info": {"name": "C"}, "variable": [{"key": "a", "value": 1}], "item": [
                {"name": "F", "auth": {"type": "noauth"}, "item": [
                    {"name": "Deep", "item": [{"name": "R", "request": "http://h/r"}]},
                    {"name": "Empty folder"}
                ], "event": [{"listen": "test", "script": {"exec": ["// f"]}}]},
                {"name": "Top", "request": {"method": "post", "url": "http://h/t"}},
                {"name": "Null children", "item": null, "request": "http://h/n"}
            ]}),
            json!({"item": []}),
            json!({"collection": {"info": {"name": "From the API"}, "item": [
                {"name": "R", "request": "http://h/r"}
            ]}}),
        ];
        for document in &documents {
            let (streamed, whole) = both(document);
            assert!(!streamed.starts_with("error"), "{streamed}");
            assert_eq!(streamed, whole);
        }
    }

    #[test]
    fn a_wrong_shape_is_reported_at_the_same_place() {
        let documents = [
            json!({"info": {"name": "C"}, "item": [
                {"name": "F", "item": [{"name": "R", "request": {"url": 5}}]}
            ]}),
            json!({"info": {"name": "C"}, "item": [{"name": "A", "request": "http://h"}, 7]}),
            json!({"info": {"name": "C"}, "item": {"name": "not a list"}}),
            json!({"info": {"name": "C"}, "item": [{"name": "F", "item": "x"}]}),
            json!([1, 2]),
            json!({"requests": [], "order": []}),
        ];
        for document in &documents {
            let (streamed, whole) = both(document);
            assert!(streamed.starts_with("error: c.json"), "{streamed}");
            assert_eq!(streamed, whole);
        }
    }

    #[test]
    fn syntax_errors_keep_their_line_and_column_and_blank_text_is_empty() {
        let error = collection_from_text("{\"item\": [\n  {\"name\": }\n]}", Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("c.json:2:12: invalid JSON"), "{error}");
        let error = collection_from_text("{\"item\": []} x", Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("c.json:1:14: invalid JSON"), "{error}");
        assert!(matches!(
            collection_from_text(" \n", Path::new("c.json")),
            Err(LoadError::Empty { .. })
        ));
    }

    #[test]
    fn the_document_keeps_the_text_as_read() {
        let text = "{\"info\": {\"name\": \"C\"},\n \"item\": [{\"name\": \"R\", \"request\": \"http://h\"}]}";
        let collection = collection_from_text(text, Path::new("c.json")).unwrap();
        assert_eq!(
            collection.document.value(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }
}
