//! Reading a collection file item by item. A parsed JSON tree takes several times the file's size,
//! and the model built from it about as much again; parsed whole, a large collection needs both
//! at once. Here each `item` array is read one element at a time: the element's text is found
//! first, then its members other than its children become a small JSON value, the item is built
//! from it at once (with the checks and error paths of every other input), and the value is
//! dropped before the next item. A folder's children are read the same way, so only one item's
//! members are held as JSON at any moment, whatever the collection's shape. A request item is then
//! kept only as the place of its text (a [`RequestSlot`]), and built again when it runs.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::LoadError;
use super::json::Node;
use super::members::ObjectReader;
use super::model::{Collection, Document, Event, Item, RequestItem, RequestSlot};
use super::parse::{SharedScripts, build_collection, build_item, build_request_item};
use super::source::{is_blank, syntax_error};

/// The collection in `text`, read from `path` item by item. A document wrapped as the Postman API
/// sends it (`{"collection": {...}}`) is read from its inner collection.
pub fn collection_from_text(text: String, path: &Path) -> Result<Collection, LoadError> {
    collection_at(text, path, "")
}

/// The collection in `text`, whose JSON paths start with `at` in errors (`collection` for the
/// inner collection of the Postman API's wrapper).
pub(super) fn collection_at(text: String, path: &Path, at: &str) -> Result<Collection, LoadError> {
    if is_blank(&text) {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    if u32::try_from(text.len()).is_err() {
        return Err(LoadError::UnsupportedFormat {
            path: path.to_path_buf(),
            detail: "the file is larger than 4 GiB, the largest collection Baton reads".into(),
        });
    }
    // Kept as read: the requests stay in it until they run.
    let document = Document::from_text(text);
    let text = document.as_str();
    let reading = Reading {
        file: path,
        document: text,
        failure: RefCell::new(None),
        scripts: RefCell::new(SharedScripts::default()),
        events: RefCell::default(),
    };
    let seed = MembersSeed {
        reading: &reading,
        at: at.to_string(),
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|members| deserializer.end().map(|()| members));
    // An item that failed to build stopped the reading with a placeholder error; its own
    // error is the one to show.
    if let Some(error) = reading.failure.borrow_mut().take() {
        return Err(error);
    }
    let (members, items) = match parsed.map_err(|error| syntax_error(path, text, &error))? {
        Members::Object { members, items, .. } => (members, items),
        // Not an object: the checks say what was expected.
        Members::Other(value) => {
            return build_collection(&Node::root(&value, path, at), None, Document::default());
        }
    };
    let root = Value::Object(members);
    if items.is_none() && is_api_wrapper(&root) {
        return super::collection_from_document(&root, path);
    }
    build_collection(&Node::root(&root, path, at), items, document.clone())
}

/// An item's saved example responses: nothing a run reads, often the largest part of an item, so
/// they are skipped unparsed when an item is read, at load and when it runs.
const SAVED_RESPONSES: &str = "response";

/// The members of the request item whose text is `text` (a slot of a document read here, so
/// valid JSON), but its saved responses and its scripts, which the loaded collection keeps.
fn request_item_value(text: &str) -> Result<Value, serde_json::Error> {
    // Not an object: the checks say what was expected.
    let Some(mut reader) = ObjectReader::new(text) else {
        return serde_json::from_str(text);
    };
    let mut object = Map::new();
    while let Some(name) = reader.name()? {
        if name == SAVED_RESPONSES || name == "event" {
            reader.skip_value()?;
        } else {
            object.insert(name.into_owned(), reader.value()?);
        }
    }
    Ok(Value::Object(object))
}

impl Collection {
    /// The request item in `slot`, built from the document's text. It was built once already
    /// when the collection loaded, so this fails only if the text changed since.
    pub fn request(&self, slot: RequestSlot) -> Result<RequestItem, LoadError> {
        let path = Path::new(&self.source);
        let text = self.document.text(slot);
        let value = request_item_value(text).map_err(|error| syntax_error(path, text, &error))?;
        build_request_item(&Node::root(&value, path, ""))
    }
}

/// Whether `root` is the Postman API's wrapper around a collection.
fn is_api_wrapper(root: &Value) -> bool {
    root.get("info").is_none()
        && root.get("item").is_none_or(Value::is_null)
        && root.get("collection").is_some_and(Value::is_object)
}

/// An object's members with its `item` array read apart, or any other JSON value.
enum Members {
    /// An object: its members but `item`, and the items of `item` when it is an array. An item's
    /// `event` is left as the place of its text in the document, so that a request item whose
    /// scripts have the same text as an earlier one's reuses them unread.
    Object {
        members: Map<String, Value>,
        items: Option<Vec<Item>>,
        event: Option<Range<usize>>,
    },
    /// Not an object: kept whole, for the error that names what was expected.
    Other(Value),
}

/// Reads the document with its `item` array built item by item.
struct MembersSeed<'a> {
    reading: &'a Reading<'a>,
    /// The JSON path of the document's members: empty, or `collection` in the Postman API's
    /// wrapper.
    at: String,
}

/// What every seed of one document's reading shares.
struct Reading<'a> {
    file: &'a Path,
    /// The whole document's text, which item slots point into.
    document: &'a str,
    /// The first item that could not be built: its error, which the reading stops for.
    failure: RefCell<Option<LoadError>>,
    /// The request items' scripts read so far.
    scripts: RefCell<SharedScripts>,
    /// The request items' scripts by the text of their `event` member.
    events: RefCell<foldhash::HashMap<&'a str, Option<Arc<Vec<Event>>>>>,
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
            if key == SAVED_RESPONSES {
                map.next_value::<de::IgnoredAny>()?;
                continue;
            }
            if key != "item" {
                let value = map.next_value::<Value>()?;
                members.insert(key, value);
                continue;
            }
            let seed = ItemsSeed {
                reading: self.reading,
                at: match self.at.is_empty() {
                    true => "item".to_string(),
                    false => format!("{}.item", self.at),
                },
            };
            match map.next_value_seed(seed)? {
                Items::Read(read) => items = Some(read),
                // Not an array (or null): kept for the checks that report it.
                Items::Other(value) => {
                    members.insert(key, value);
                }
            }
        }
        Ok(Members::Object {
            members,
            items,
            event: None,
        })
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
    reading: &'a Reading<'a>,
    /// The JSON path of the array (`item`, `item[2].item`).
    at: String,
}

impl ItemsSeed<'_> {
    /// The members of the item whose text is `text`, at JSON path `at`, with its children built
    /// and its `event` left as the place of its text; any other value as it is.
    fn members(&self, text: &str, at: &str) -> Result<Members, serde_json::Error> {
        let Some(mut reader) = ObjectReader::new(text) else {
            return serde_json::from_str(text).map(Members::Other);
        };
        let mut object = Map::new();
        let mut items = None;
        let mut event = None;
        while let Some(name) = reader.name()? {
            match name.as_ref() {
                SAVED_RESPONSES => {
                    reader.skip_value()?;
                }
                "event" => event = Some(range_of(self.reading.document, reader.skip_value()?)),
                "item" => {
                    let seed = ItemsSeed {
                        reading: self.reading,
                        at: format!("{at}.item"),
                    };
                    let children = reader.skip_value()?;
                    match seed.deserialize(&mut serde_json::Deserializer::from_str(children))? {
                        Items::Read(read) => items = Some(read),
                        // Not an array (or null): kept for the checks that report it.
                        Items::Other(value) => {
                            object.insert(name.into_owned(), value);
                        }
                    }
                }
                _ => {
                    object.insert(name.into_owned(), reader.value()?);
                }
            }
        }
        Ok(Members::Object {
            members: object,
            items,
            event,
        })
    }

    /// Builds the item whose text is `text`, a part of the document, at JSON path `at`.
    fn item(&self, text: &str, at: &str) -> Result<Item, LoadError> {
        let reading = self.reading;
        // The text was read as JSON already: this fails only for a child that failed to build,
        // whose error `failure` holds.
        let members = self.members(text, at);
        if let Some(error) = reading.failure.borrow_mut().take() {
            return Err(error);
        }
        let members = members.map_err(|error| syntax_error(reading.file, text, &error))?;
        let range = range_of(reading.document, text);
        let slot = RequestSlot {
            start: range.start as u32,
            end: range.end as u32,
        };
        let scripts = &mut reading.scripts.borrow_mut();
        let (mut members, items, event) = match members {
            Members::Object {
                members,
                items,
                event,
            } => (members, items, event),
            Members::Other(value) => {
                return build_item(&Node::root(&value, reading.file, at), None, slot, scripts);
            }
        };
        // An `event` text seen before on a request item has the scripts built (and checked)
        // then: they are taken as they are, unread.
        let event = event.map(|range| &reading.document[range]);
        let known = event.and_then(|text| reading.events.borrow().get(text).cloned());
        if let (Some(text), None) = (event, &known) {
            let value = serde_json::from_str(text)
                .map_err(|error| syntax_error(reading.file, text, &error))?;
            members.insert("event".to_string(), value);
        }
        let value = Value::Object(members);
        let mut item = build_item(&Node::root(&value, reading.file, at), items, slot, scripts)?;
        match (&mut item, known) {
            (Item::Request(placed), Some(events)) => placed.events = events,
            (Item::Folder(folder), Some(events)) => {
                folder.events = events.map(|list| list.to_vec()).unwrap_or_default();
            }
            (Item::Request(placed), None) => {
                if let Some(text) = event {
                    reading
                        .events
                        .borrow_mut()
                        .insert(text, placed.events.clone());
                }
            }
            (Item::Folder(_), None) => {}
        }
        Ok(item)
    }
}

/// Where `part`, a slice of `document`, lies in it. Both ends fit a `u32`: the document is at
/// most 4 GiB (checked before reading).
fn range_of(document: &str, part: &str) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(document.as_ptr() as usize);
    start..start + part.len()
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
        let mut items = Vec::new();
        // Each element is first read as its text (which checks its syntax at its place in the
        // file), then built from that text.
        while let Some(raw) = seq.next_element::<&RawValue>()? {
            let at = format!("{}[{}]", self.at, items.len());
            match self.item(raw.get(), &at) {
                Ok(item) => items.push(item),
                Err(error) => {
                    *self.reading.failure.borrow_mut() = Some(error);
                    return Err(de::Error::custom("an item could not be built"));
                }
            }
        }
        // Grown by doubling while read: the unused half would stay for the whole run.
        items.shrink_to_fit();
        Ok(Items::Read(items))
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

    /// Every request slot of `items` with the JSON path of its item.
    fn slots(items: &[Item], at: &str, out: &mut Vec<(String, RequestSlot)>) {
        for (index, item) in items.iter().enumerate() {
            let here = format!("{at}/{index}");
            match item {
                Item::Folder(folder) => slots(&folder.items, &format!("{here}/item"), out),
                Item::Request(placed) => out.push((here, placed.slot)),
            }
        }
    }

    #[test]
    fn each_request_is_kept_as_its_own_text_and_built_from_it() {
        // Pretty-printed, as files are: the slots must skip no byte and take none too many.
        let document = json!({"info": {"name": "C"}, "variable": [{"key": "a", "value": 1}], "item": [
            {"name": "F", "auth": {"type": "noauth"}, "item": [
                {"name": "Deep", "item": [{"name": "R", "request": "http://h/r"}]},
                {"name": "Empty folder"}
            ], "event": [{"listen": "test", "script": {"exec": ["// f"]}}]},
            {"name": "Top é", "request": {"method": "post", "url": "http://h/t"},
             "response": [{"name": "saved", "code": 200, "body": "{}"}]},
            {"name": "Null children", "item": null, "request": "http://h/n"}
        ]});
        let text = serde_json::to_string_pretty(&document).unwrap();
        let collection = collection_from_text(text, Path::new("c.json")).unwrap();
        let mut found = Vec::new();
        slots(&collection.items, "/item", &mut found);
        let paths: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(paths, ["/item/0/item/0/item/0", "/item/1", "/item/2"]);
        for (at, slot) in found {
            let kept: Value = serde_json::from_str(collection.document.text(slot)).unwrap();
            assert_eq!(&kept, document.pointer(&at).unwrap(), "{at}");
            let built = collection.request(slot).unwrap();
            assert_eq!(built.name, kept["name"], "{at}");
        }
        let top = collection.request(match collection.items[1] {
            Item::Request(ref placed) => placed.slot,
            Item::Folder(_) => panic!("a request"),
        });
        assert_eq!(top.unwrap().request.method, "POST");
    }

    #[test]
    fn the_postman_apis_wrapper_is_read_from_its_inner_collection() {
        let document = json!({"collection": {"info": {"name": "From the API"}, "item": [
            {"name": "R", "request": "http://h/r"}
        ]}});
        let collection = collection_from_text(document.to_string(), Path::new("c.json")).unwrap();
        assert_eq!(collection.name, "From the API");
        let Item::Request(placed) = &collection.items[0] else {
            panic!("a request");
        };
        assert_eq!(collection.request(placed.slot).unwrap().name, "R");
        let wrong = json!({"collection": {"info": {"name": "A"}, "item": [{"request": 5}]}});
        let error = collection_from_text(wrong.to_string(), Path::new("c.json")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.json: collection.item[0].request: expected a string or an object, found a number"
        );
    }

    #[test]
    fn a_wrong_shape_is_reported_at_its_place() {
        let cases = [
            (
                json!({"info": {"name": "C"}, "item": [
                    {"name": "F", "item": [{"name": "R", "request": {"url": 5}}]}
                ]}),
                "c.json: item[0].item[0].request.url: expected",
            ),
            (
                json!({"info": {"name": "C"}, "item": [{"name": "A", "request": "http://h"}, 7]}),
                "c.json: item[1]: expected an object, found a number",
            ),
            (
                json!({"info": {"name": "C"}, "item": {"name": "not a list"}}),
                "c.json: item: expected an array, found an object",
            ),
            (
                json!({"info": {"name": "C"}, "item": [{"name": "F", "item": "x"}]}),
                "c.json: item[0].item: expected an array, found a string",
            ),
            (json!([1, 2]), "c.json: expected an object, found an array"),
            (
                json!({"requests": [], "order": []}),
                "c.json: this is a Postman v1 collection",
            ),
        ];
        for (document, expected) in cases {
            let streamed = collection_from_text(document.to_string(), Path::new("c.json"));
            let error = streamed.unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
            let whole = super::super::collection_from_document(&document, Path::new("c.json"));
            assert_eq!(whole.unwrap_err().to_string(), error);
        }
    }

    #[test]
    fn syntax_errors_keep_their_line_and_column_and_blank_text_is_empty() {
        let error = collection_from_text(
            "{\"item\": [\n  {\"name\": }\n]}".into(),
            Path::new("c.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("c.json:2:12: invalid JSON"), "{error}");
        let error = collection_from_text("{\"item\": []} x".into(), Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("c.json:1:14: invalid JSON"), "{error}");
        assert!(matches!(
            collection_from_text(" \n".into(), Path::new("c.json")),
            Err(LoadError::Empty { .. })
        ));
    }

    #[test]
    fn the_document_keeps_the_text_as_read() {
        let text = "{\"info\": {\"name\": \"C\"},\n \"item\": [{\"name\": \"R\", \"request\": \"http://h\"}]}";
        let collection = collection_from_text(text.into(), Path::new("c.json")).unwrap();
        assert_eq!(
            collection.document.value(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn request_items_with_the_same_event_text_share_scripts_read_once() {
        let event = r#"[{"listen": "test", "script": {"exec": ["pm.test('ok', () => 1);"]}}]"#;
        let text = format!(
            r#"{{"item": [
                {{"name": "a", "request": "http://h/a", "event": {event}}},
                {{"name": "f", "event": {event}, "item": [
                    {{"name": "b", "request": "http://h/b", "event": {event}}},
                    {{"name": "c", "request": "http://h/c", "event": [{{"listen": "test", "script": {{"exec": "2"}}}}]}}
                ]}}
            ]}}"#
        );
        let collection = collection_from_text(text, Path::new("c.json")).unwrap();
        let events = |item: &Item| match item {
            Item::Request(placed) => placed.events.clone().expect("scripts"),
            Item::Folder(_) => panic!("a request item"),
        };
        let Item::Folder(folder) = &collection.items[1] else {
            panic!("a folder");
        };
        let (a, b, c) = (
            events(&collection.items[0]),
            events(&folder.items[0]),
            events(&folder.items[1]),
        );
        assert!(Arc::ptr_eq(&a, &b), "one list for the same text");
        assert_eq!(a[0].exec, "pm.test('ok', () => 1);");
        assert_eq!(c[0].exec, "2");
        assert_eq!(folder.events, *a, "a folder's scripts are read as before");
    }

    #[test]
    fn a_bad_event_is_reported_at_its_item_after_a_good_one() {
        let text = r#"{"item": [
            {"name": "a", "request": "http://h/a", "event": [{"listen": "test", "script": {"exec": "1"}}]},
            {"name": "b", "request": "http://h/b", "event": [{"listen": "test", "script": {"exec": 5}}]}
        ]}"#;
        let error = collection_from_text(text.into(), Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("item[1].event[0].script.exec"), "{error}");
    }
}
