//! Reading a collection file item by item. A parsed JSON tree takes several times the file's size,
//! and the model built from it about as much again; parsed whole, a large collection needs both
//! at once. Here the text is read as a stream, and each `item` array one element at a time: an
//! element's members other than its children become a small JSON value, the item is built from it
//! at once (with the checks and error paths of every other input), and the value is dropped before
//! the next item. A folder's children are read the same way, so only one item's members are held
//! as JSON at any moment, whatever the collection's shape. A request item is then kept only as the
//! place of its text (a [`RequestSlot`]), counted by the [`TextReader`] as it goes, and built
//! again from that text when it runs.
//!
//! The text itself is either held in memory or, for a file larger than [`HELD_IN_MEMORY`], left
//! in the file and read through a small buffer: the run then holds the model, never the file.
//!
//! [`HELD_IN_MEMORY`]: super::document::HELD_IN_MEMORY

use std::cell::RefCell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::LoadError;
use super::document::{Document, RequestSlot};
use super::json::Node;
use super::members::ObjectReader;
use super::model::{Collection, Event, Item, RequestItem};
use super::parse::{SharedScripts, build_collection, build_item, build_request_item};
use super::source::{TextError, is_blank, read_text, syntax_error, syntax_error_on};
use super::text_reader::{Position, TextReader};

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
    let text = document.held_text().unwrap_or_default();
    let position = Position::default();
    let deserializer = serde_json::Deserializer::from_str(text);
    read_document(deserializer, &position, Some(text), &document, path, at)
}

/// The collection in the file at `path`, read item by item and left there: its requests are read
/// from it again when they run. A UTF-16LE file, which is read as text first, is held in memory.
pub(super) fn collection_from_file(path: &Path) -> Result<Collection, LoadError> {
    let read_error = |source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    };
    let (file, metadata) = crate::input_file::open(path).map_err(read_error)?;
    let mut head = [0; 3];
    let got = file.read_at(&mut head, 0).map_err(read_error)?;
    let start = match &head[..got] {
        [0xEF, 0xBB, 0xBF] => 3,
        [0xFF, 0xFE, ..] => return collection_from_text(read_text(path)?, path),
        _ => 0,
    };
    let mut reader = file.try_clone().map_err(read_error)?;
    reader.seek(SeekFrom::Start(start)).map_err(read_error)?;
    let document = Document::from_file(file, path, &metadata, start);
    let position = Position::default();
    let reader = TextReader::new(reader, start, &position);
    let deserializer = serde_json::Deserializer::from_reader(reader);
    read_document(deserializer, &position, None, &document, path, "")
}

/// Reads the collection in `document` with `deserializer`, which reads `held`, the document's
/// text, or else reads the file through a [`TextReader`] that counts in `position`.
fn read_document<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
    position: &Position,
    held: Option<&str>,
    document: &Document,
    path: &Path,
    at: &str,
) -> Result<Collection, LoadError> {
    let reading = Reading {
        file: path,
        held,
        position,
        failure: RefCell::new(None),
        scripts: RefCell::new(SharedScripts::default()),
        events: RefCell::default(),
    };
    let seed = MembersSeed {
        reading: &reading,
        at: at.to_string(),
        item: false,
        start: None,
    };
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|members| deserializer.end().map(|()| members));
    // An item that failed to build stopped the reading with a placeholder error; its own
    // error is the one to show.
    if let Some(error) = reading.failure.borrow_mut().take() {
        return Err(error);
    }
    let parsed = parsed.map_err(|error| reading_error(path, document, position, error))?;
    let (members, items) = match parsed {
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

/// Why reading `document` stopped: bytes that are not UTF-8, a failed read, or a JSON syntax
/// error, shown with its line.
fn reading_error(
    path: &Path,
    document: &Document,
    position: &Position,
    error: serde_json::Error,
) -> LoadError {
    if let Some(offset) = position.invalid.get() {
        return LoadError::Encoding {
            path: path.to_path_buf(),
            detail: TextError::Utf8(offset as usize),
        };
    }
    if error.is_io() {
        return LoadError::Read {
            path: path.to_path_buf(),
            source: io::Error::from(error),
        };
    }
    match document.held_text() {
        Some(text) => syntax_error(path, text, &error),
        None => syntax_error_on(path, &error, &line_of_file(path, error.line())),
    }
}

/// The start of line `number` (one-based) of the file at `path`, read again for an error: at most
/// a few hundred bytes of it, however long the line.
fn line_of_file(path: &Path, number: usize) -> String {
    let Ok(file) = std::fs::File::open(path) else {
        return String::new();
    };
    let mut reader = BufReader::new(file);
    for _ in 1..number {
        // Only the newline is looked for; a long line passes through the buffer.
        if !matches!(reader.skip_until(b'\n'), Ok(1..)) {
            return String::new();
        }
    }
    let mut line = Vec::new();
    let _ = reader.take(800).read_until(b'\n', &mut line);
    String::from_utf8_lossy(&line).trim_end().to_string()
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
        let text = self.document.text(slot)?;
        let value = request_item_value(&text).map_err(|error| syntax_error(path, &text, &error))?;
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
    /// `event` is kept as its text, so that a request item whose scripts have the same text as an
    /// earlier one's reuses them unparsed.
    Object {
        members: Map<String, Value>,
        items: Option<Vec<Item>>,
        event: Option<Box<RawValue>>,
        /// Where the object's `{` is in the document.
        start: u64,
    },
    /// Not an object: kept whole, for the error that names what was expected.
    Other(Value),
}

/// Where `part`, a slice of `document`, lies in it.
fn range_of(document: &str, part: &str) -> std::ops::Range<u64> {
    let start = (part.as_ptr() as usize).saturating_sub(document.as_ptr() as usize) as u64;
    start..start + part.len() as u64
}

/// Reads the document, or one of its items, with its `item` array built item by item.
struct MembersSeed<'a> {
    reading: &'a Reading<'a>,
    /// The JSON path of the members: empty, or `collection` in the Postman API's wrapper, for
    /// the document; `item[2]` for an item.
    at: String,
    /// Whether this is an item, whose `event` is kept as text, rather than the document.
    item: bool,
    /// Where the object's `{` is, when the caller knows (a held document's item, read from its
    /// text); else the parser's position says.
    start: Option<u64>,
}

/// A request item's own scripts, one list shared by every item with the same.
type Scripts = Option<Arc<Vec<Event>>>;

/// What every seed of one document's reading shares.
struct Reading<'a> {
    file: &'a Path,
    /// The document's text, when it is held in memory: an item is then read as a part of it
    /// first, whose place is where it lies in memory. serde_json spends about 75 more
    /// instructions on each byte it reads through an `io::Read`.
    held: Option<&'a str>,
    /// Where the parser is in a document read from its file: it knows where an item starts and
    /// ends from this.
    position: &'a Position,
    /// The first item that could not be built: its error, which the reading stops for.
    failure: RefCell<Option<LoadError>>,
    /// The request items' scripts read so far.
    scripts: RefCell<SharedScripts>,
    /// The request items' scripts by the text of their `event` member.
    events: RefCell<foldhash::HashMap<Box<str>, Scripts>>,
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
        // Read from a file, the parser has just read the object's `{`.
        let start = self
            .start
            .unwrap_or_else(|| self.reading.position.offset.get().saturating_sub(1));
        let mut members = Map::new();
        let mut items = None;
        let mut event = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                SAVED_RESPONSES => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                "event" if self.item => event = Some(map.next_value::<Box<RawValue>>()?),
                "item" => {
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
                _ => {
                    let value = map.next_value::<Value>()?;
                    members.insert(key, value);
                }
            }
        }
        Ok(Members::Object {
            members,
            items,
            event,
            start,
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
    /// Builds the item at JSON path `at` from its `members`, read up to byte `end` of the
    /// document.
    fn item(&self, members: Members, end: u64, at: &str) -> Result<Item, LoadError> {
        let reading = self.reading;
        let scripts = &mut reading.scripts.borrow_mut();
        let (mut members, items, event, start) = match members {
            Members::Object {
                members,
                items,
                event,
                start,
            } => (members, items, event, start),
            Members::Other(value) => {
                let node = Node::root(&value, reading.file, at);
                return build_item(&node, None, RequestSlot::default(), scripts);
            }
        };
        // Both ends fit: a document is at most 4 GiB (checked before reading).
        let slot = RequestSlot {
            start: start as u32,
            end: end as u32,
        };
        // An `event` text seen before on a request item has the scripts built (and checked)
        // then: they are taken as they are, unparsed.
        let known = event
            .as_ref()
            .and_then(|text| reading.events.borrow().get(text.get()).cloned());
        if let (Some(text), None) = (&event, &known) {
            let text = text.get();
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
                        .insert(text.into(), placed.events.clone());
                }
            }
            (Item::Folder(_), None) => {}
        }
        Ok(item)
    }
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
        loop {
            let at = format!("{}[{}]", self.at, items.len());
            let seed = |start| MembersSeed {
                reading: self.reading,
                at: at.clone(),
                item: true,
                start,
            };
            let read = match self.reading.held {
                // Found as its text first, then read from it.
                Some(document) => match seq.next_element::<&'de RawValue>()? {
                    Some(text) => {
                        let place = range_of(document, text.get());
                        let mut members = serde_json::Deserializer::from_str(text.get());
                        let members = seed(Some(place.start))
                            .deserialize(&mut members)
                            .map_err(de::Error::custom)?;
                        Some((members, place.end))
                    }
                    None => None,
                },
                // Read straight from the file, which says where the element ends.
                None => seq
                    .next_element_seed(seed(None))?
                    .map(|members| (members, self.reading.position.offset.get())),
            };
            let Some((members, end)) = read else {
                break;
            };
            match self.item(members, end, &at) {
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
    use crate::collection::decode_text;
    use serde_json::json;
    use std::path::PathBuf;

    /// A file of its own for a test, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, bytes: &[u8]) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("baton-stream-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("c.json");
            std::fs::write(&path, bytes).unwrap();
            Scratch(path)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
        }
    }

    /// `text` loaded both ways: held in memory, and left in a file (with the file, which must
    /// outlive the collection).
    fn both_ways(name: &str, text: &str) -> [(Collection, Option<Scratch>); 2] {
        let scratch = Scratch::new(name, text.as_bytes());
        let on_disk = collection_from_file(&scratch.0).unwrap();
        assert!(on_disk.document.held_text().is_none());
        let held = collection_from_text(text.to_string(), Path::new("c.json")).unwrap();
        [(held, None), (on_disk, Some(scratch))]
    }

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
        for (collection, _file) in both_ways("slots", &text) {
            let mut found = Vec::new();
            slots(&collection.items, "/item", &mut found);
            let paths: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
            assert_eq!(paths, ["/item/0/item/0/item/0", "/item/1", "/item/2"]);
            for (at, slot) in found {
                let kept: Value =
                    serde_json::from_str(&collection.document.text(slot).unwrap()).unwrap();
                assert_eq!(&kept, document.pointer(&at).unwrap(), "{at}");
                let built = collection.request(slot).unwrap();
                assert_eq!(built.name, kept["name"], "{at}");
            }
            let top = collection.request(match collection.items[1] {
                Item::Request(ref placed) => placed.slot,
                Item::Folder(_) => panic!("a request"),
            });
            assert_eq!(top.unwrap().request.method, "POST");
            assert_eq!(collection.document.value().unwrap(), document);
        }
    }

    #[test]
    fn a_file_left_on_disk_is_read_past_its_bom_and_an_edit_since_is_an_error() {
        let text = "\u{feff}{\"info\": {\"name\": \"Big\"},\n \"item\": [{\"name\": \"Ünï\", \"request\": \"http://h/a\"}]}";
        let scratch = Scratch::new("bom", text.as_bytes());
        let collection = collection_from_file(&scratch.0).unwrap();
        let Item::Request(placed) = &collection.items[0] else {
            panic!("a request");
        };
        assert_eq!(collection.request(placed.slot).unwrap().name, "Ünï");
        assert_eq!(collection.document.value().unwrap()["info"]["name"], "Big");
        // An edit in place (same inode) after the load is seen on the next read.
        std::fs::write(&scratch.0, text.replace("h/a", "h/bb")).unwrap();
        let error = collection.request(placed.slot).unwrap_err();
        assert!(matches!(error, LoadError::Changed { .. }), "{error}");
        assert!(
            error.to_string().ends_with(
                "c.json: the file changed while the run was reading requests from it; leave it \
                 as it is until the run ends"
            ),
            "{error}"
        );
        assert!(matches!(
            collection.document.value(),
            Err(LoadError::Changed { .. })
        ));
    }

    #[test]
    fn requests_are_read_from_the_file_in_any_order_across_its_windows() {
        // Well over one window of text, with characters of two and three bytes everywhere, so
        // that windows end inside characters.
        let items: Vec<Value> = (0..3000)
            .map(|i| json!({"name": format!("é{i}日本"), "request": format!("http://h/{i}")}))
            .collect();
        let text = json!({"item": items}).to_string();
        assert!(text.len() > 2 * 64 * 1024);
        let scratch = Scratch::new("windows", text.as_bytes());
        let collection = collection_from_file(&scratch.0).unwrap();
        let mut order: Vec<usize> = (0..3000).collect();
        order.extend((0..3000).rev().step_by(7));
        for i in order {
            let Item::Request(placed) = &collection.items[i] else {
                panic!("a request");
            };
            let built = collection.request(placed.slot).unwrap();
            assert_eq!(built.name, format!("é{i}日本"));
        }
    }

    #[test]
    fn a_file_left_on_disk_has_the_same_errors_as_one_held() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "{\"item\": [{\"request\": \"http://h\"}]}"
                    .encode_utf16()
                    .flat_map(|unit| unit.to_le_bytes()),
            )
            .collect();
        let scratch = Scratch::new("utf16", &utf16);
        let collection = collection_from_file(&scratch.0).unwrap();
        assert!(
            collection.document.held_text().is_some(),
            "UTF-16LE is decoded whole, so held"
        );
        let bad: &[&[u8]] = &[
            b"{\"item\": [\n  {\"name\": }\n]}",
            b"{\"item\": [{\"name\": \"a\xC3\x28\"}]}",
            b"{\"item\": [{\"name\": \"R\", \"request\": {\"url\": 5}}]}",
        ];
        for (index, bytes) in bad.iter().enumerate() {
            let scratch = Scratch::new(&format!("bad{index}"), bytes);
            let on_disk = collection_from_file(&scratch.0).unwrap_err();
            let held = match decode_text(bytes.to_vec()) {
                Ok(text) => collection_from_text(text, &scratch.0).unwrap_err(),
                Err(detail) => LoadError::Encoding {
                    path: scratch.0.clone(),
                    detail,
                },
            };
            assert_eq!(on_disk.to_string(), held.to_string());
            assert_eq!(on_disk.excerpt(), held.excerpt());
        }
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
        assert_eq!(collection.document.held_text(), Some(text));
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
        for (collection, _file) in both_ways("events", &text) {
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
