//! The plan: the collection's request items in depth-first order, each with what it inherits from
//! the folders above it (scripts, auth, protocol behaviour), narrowed by `--folder` and
//! `--exclude-folder`.
//!
//! A planned item keeps only the place of its request in the collection's text, its own scripts
//! (shared with the items that have the same) and a link to what its folders give it, shared by
//! all the folder's items: the request and its name are built from the text when it runs
//! ([`Plan::item`]). So a run's memory follows the collection file instead of holding a model of
//! every request.

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::collection::{
    Auth, Collection, Event, Folder, Item, Listen, LoadError, PlacedRequest,
    ProtocolProfileBehavior, RequestItem, RequestSlot,
};
use crate::script::{ScriptSource, ScriptUse};

/// One request item ready to run, built from the collection's text with all it inherits.
#[derive(Debug, Clone)]
pub struct PlannedItem {
    /// The item.
    pub item: RequestItem,
    /// Folder names from the top down, then the item name.
    pub path: Vec<String>,
    /// Pre-request scripts, collection first.
    pub prerequest: Vec<ScriptSource>,
    /// Test scripts, collection first.
    pub test: Vec<ScriptSource>,
    /// The auth that applies: the item's own, else the nearest folder's, else the collection's.
    pub auth: Option<Auth>,
    /// Which auth block that is, an address stable while the collection is loaded: what a Digest
    /// challenge teaches is kept per block, as Newman keeps it on the block.
    pub auth_origin: Option<usize>,
    /// Protocol behaviour merged from the collection down to the item.
    pub behavior: ProtocolProfileBehavior,
}

/// The items that run, in order. See the module's documentation.
#[derive(Debug)]
pub struct Plan {
    entries: Vec<Entry>,
    /// What the planned items' scripts use, for warming the script engine up.
    scripts: ScriptUse,
    /// Each entry's id and name, read from the text on the first `setNextRequest` and kept.
    labels: OnceCell<Vec<(String, String)>>,
}

/// A planned request: where its text is, its own scripts and what its folders give it.
#[derive(Debug)]
struct Entry {
    slot: RequestSlot,
    own: Option<Rc<OwnScripts>>,
    inherited: Rc<Inherited>,
}

/// A request item's own scripts, shared by the items that have the same.
#[derive(Debug, Default)]
struct OwnScripts {
    prerequest: Vec<Rc<str>>,
    test: Vec<Rc<str>>,
}

impl Plan {
    /// How many items run in an iteration (without `setNextRequest` jumps).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no item runs.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What the scripts of the planned items (and of their folders and collection) use.
    pub fn scripts(&self) -> ScriptUse {
        self.scripts
    }

    /// The item at `position` (below [`Plan::len`]), built from `collection`, the collection the
    /// plan was made from. It was built once when the collection loaded, so this fails only if
    /// its text changed since.
    pub fn item(&self, collection: &Collection, position: usize) -> Result<PlannedItem, LoadError> {
        let entry = &self.entries[position];
        let item = collection.request(entry.slot)?;
        let inherited = &entry.inherited;
        let mut path = inherited.path.clone();
        path.push(item.name.clone());
        let location = path.join(" > ");
        let own = entry.own.as_deref();
        let with_location = |codes: &[Rc<str>]| -> Vec<ScriptSource> {
            codes
                .iter()
                .map(|code| ScriptSource {
                    code: Rc::clone(code),
                    location: location.clone(),
                })
                .collect()
        };
        let mut prerequest = inherited.prerequest.clone();
        let mut test = inherited.test.clone();
        if let Some(own) = own {
            prerequest.extend(with_location(&own.prerequest));
            test.extend(with_location(&own.test));
        }
        let own_auth = item.request.auth.is_some();
        Ok(PlannedItem {
            path,
            prerequest,
            test,
            auth: match own_auth {
                true => item.request.auth.clone(),
                false => inherited.auth.clone(),
            },
            auth_origin: match own_auth {
                true => Some(collection.document.address(entry.slot)),
                false => inherited.auth_origin,
            },
            behavior: inherited.behavior.merged_with(&item.behavior),
            item,
        })
    }

    /// Where `setNextRequest(target)` goes: the item with that id, else the last item with that
    /// name (Newman's lookup).
    pub fn position(&self, collection: &Collection, target: &str) -> Option<usize> {
        let labels = self.labels.get_or_init(|| {
            self.entries
                .iter()
                .map(|entry| {
                    collection
                        .request(entry.slot)
                        .map(|item| (item.id, item.name))
                        .unwrap_or_default()
                })
                .collect()
        });
        labels
            .iter()
            .position(|(id, _)| !id.is_empty() && id == target)
            .or_else(|| labels.iter().rposition(|(_, name)| name == target))
    }
}

/// Which items of the collection run: all of them, narrowed to the `only` ones (`--folder`),
/// less the `except` ones (`--exclude-folder`). Both match a folder or a request by name or id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// `--folder`: each name selects its first match, breadth-first, as in Newman; empty, every
    /// item is selected.
    pub only: Vec<String>,
    /// `--exclude-folder`: every folder (with all it holds) or request with this name or id is
    /// left out, wherever it is.
    pub except: Vec<String>,
}

/// Why the plan could not be made.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    /// The flag the name was given with: `--folder` or `--exclude-folder`.
    pub flag: &'static str,
    /// The value that matched nothing.
    pub folder: String,
    /// A close name, if any.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}`: no folder or request has this name",
            self.flag, self.folder
        )?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, "; did you mean `{suggestion}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanError {}

/// What a folder gives the items below it.
#[derive(Debug)]
struct Inherited {
    path: Vec<String>,
    prerequest: Vec<ScriptSource>,
    test: Vec<ScriptSource>,
    auth: Option<Auth>,
    auth_origin: Option<usize>,
    behavior: ProtocolProfileBehavior,
}

/// The identity of a loaded auth block: its address, stable while the collection is loaded.
fn origin(auth: &Option<Auth>) -> Option<usize> {
    auth.as_ref().map(|auth| std::ptr::from_ref(auth) as usize)
}

/// The name and id of an item; a request's are read from the collection's text.
fn label(collection: &Collection, item: &Item) -> (String, String) {
    match item {
        Item::Folder(folder) => (folder.name.clone(), folder.id.clone()),
        Item::Request(placed) => collection
            .request(placed.slot)
            .map(|request| (request.name, request.id))
            .unwrap_or_default(),
    }
}

/// Whether `item` is the one `name` names (by name, or by a non-empty id).
fn named(collection: &Collection, item: &Item, name: &str) -> bool {
    let (own, id) = label(collection, item);
    own == name || (!id.is_empty() && id == name)
}

/// Orders the collection's requests as `filter` narrows them, in collection order. A name in the
/// filter that matches nothing is an error with a suggestion.
pub fn plan(collection: &Collection, filter: &ItemFilter) -> Result<Plan, PlanError> {
    let mut texts = ScriptTexts::default();
    let root = Rc::new(Inherited {
        path: Vec::new(),
        prerequest: texts.scripts(&collection.events, Listen::Prerequest, &collection.name),
        test: texts.scripts(&collection.events, Listen::Test, &collection.name),
        auth: collection.auth.clone(),
        auth_origin: origin(&collection.auth),
        behavior: collection.behavior.clone(),
    });
    let only = filter.only.iter().map(|name| ("--folder", name));
    let except = filter.except.iter().map(|name| ("--exclude-folder", name));
    for (flag, name) in only.chain(except) {
        if first_match(collection, name).is_none() {
            let mut names = Vec::new();
            collect_names(collection, &collection.items, &mut names);
            let suggestion = crate::vars::did_you_mean(name, names.iter().map(String::as_str))
                .map(str::to_string);
            return Err(PlanError {
                flag,
                folder: name.clone(),
                suggestion,
            });
        }
    }
    // Sized once, as a plan of thousands of items grown by doubling would briefly be held twice;
    // `--folder` and `--exclude-folder` leave part of the room unused, given back at the end.
    let mut entries = Vec::with_capacity(count_requests(&collection.items));
    // Like Newman, each `--folder` name selects one item: the first match breadth-first (a
    // folder's own children before deeper ones).
    let chosen: Vec<Vec<usize>> = filter
        .only
        .iter()
        .filter_map(|name| first_match(collection, name))
        .collect();
    let mut walk = Walk {
        collection,
        except: &filter.except,
        chosen: (!filter.only.is_empty()).then_some(&chosen[..]),
        texts,
        out: &mut entries,
    };
    if filter.only.is_empty() {
        walk.all(&collection.items, &root);
    } else {
        walk.select(&collection.items, &root, &mut Vec::new());
    }
    let scripts = ScriptUse::of(walk.texts.texts.iter().map(|text| &**text));
    entries.shrink_to_fit();
    Ok(Plan {
        entries,
        scripts,
        labels: OnceCell::new(),
    })
}

/// A walk down the item tree that plans what the filter keeps.
struct Walk<'a> {
    collection: &'a Collection,
    /// Names and ids left out with all they hold.
    except: &'a [String],
    /// The index paths `--folder` chose.
    chosen: Option<&'a [Vec<usize>]>,
    texts: ScriptTexts,
    out: &'a mut Vec<Entry>,
}

impl Walk<'_> {
    fn excluded(&self, item: &Item) -> bool {
        // Only `--exclude-folder` reads the requests' names here.
        !self.except.is_empty()
            && self
                .except
                .iter()
                .any(|name| named(self.collection, item, name))
    }

    fn push(&mut self, placed: &PlacedRequest, inherited: &Rc<Inherited>) {
        let own = placed.events.as_ref().map(|events| self.texts.own(events));
        self.out.push(Entry {
            slot: placed.slot,
            own,
            inherited: Rc::clone(inherited),
        });
    }

    /// Plans every item below, less the excluded ones.
    fn all(&mut self, items: &[Item], inherited: &Rc<Inherited>) {
        for item in items {
            if self.excluded(item) {
                continue;
            }
            match item {
                Item::Folder(folder) => {
                    let below = self.texts.descend(inherited, folder);
                    self.all(&folder.items, &below)
                }
                Item::Request(placed) => self.push(placed, inherited),
            }
        }
    }

    /// Plans the chosen items (given by their index paths) in collection order.
    fn select(&mut self, items: &[Item], inherited: &Rc<Inherited>, at: &mut Vec<usize>) {
        for (index, item) in items.iter().enumerate() {
            if self.excluded(item) {
                continue;
            }
            at.push(index);
            let is_chosen = self.chosen.is_some_and(|chosen| chosen.contains(at));
            match item {
                Item::Folder(folder) if is_chosen => {
                    let below = self.texts.descend(inherited, folder);
                    self.all(&folder.items, &below)
                }
                Item::Folder(folder) => {
                    let below = self.texts.descend(inherited, folder);
                    self.select(&folder.items, &below, at)
                }
                Item::Request(placed) if is_chosen => self.push(placed, inherited),
                Item::Request(_) => {}
            }
            at.pop();
        }
    }
}

/// The index path of the first item named (or with id) `name`, breadth-first.
fn first_match(collection: &Collection, name: &str) -> Option<Vec<usize>> {
    let mut level: Vec<(Vec<usize>, &[Item])> = vec![(Vec::new(), &collection.items)];
    while !level.is_empty() {
        let mut next = Vec::new();
        for (path, items) in level {
            for (index, item) in items.iter().enumerate() {
                let mut here = path.clone();
                here.push(index);
                if named(collection, item, name) {
                    return Some(here);
                }
                if let Item::Folder(folder) = item {
                    next.push((here, folder.items.as_slice()));
                }
            }
        }
        level = next;
    }
    None
}

/// The scripts' texts, each kept once however many folders and items run it, and the items' own
/// script lists, each turned into texts once.
#[derive(Default)]
struct ScriptTexts {
    texts: foldhash::HashSet<Rc<str>>,
    /// By the address of a list the loaded collection shares among its items.
    lists: foldhash::HashMap<usize, Rc<OwnScripts>>,
}

impl ScriptTexts {
    fn descend(&mut self, inherited: &Inherited, folder: &Folder) -> Rc<Inherited> {
        let mut path = inherited.path.clone();
        path.push(folder.name.clone());
        let location = path.join(" > ");
        let mut prerequest = inherited.prerequest.clone();
        prerequest.extend(self.scripts(&folder.events, Listen::Prerequest, &location));
        let mut test = inherited.test.clone();
        test.extend(self.scripts(&folder.events, Listen::Test, &location));
        Rc::new(Inherited {
            path,
            prerequest,
            test,
            auth: folder.auth.clone().or_else(|| inherited.auth.clone()),
            auth_origin: origin(&folder.auth).or(inherited.auth_origin),
            behavior: inherited.behavior.merged_with(&folder.behavior),
        })
    }

    fn scripts(&mut self, events: &[Event], listen: Listen, location: &str) -> Vec<ScriptSource> {
        enabled(events, listen)
            .map(|text| ScriptSource {
                code: self.text(text),
                location: location.to_string(),
            })
            .collect()
    }

    /// `text`, shared with every earlier script of the same text.
    fn text(&mut self, text: &str) -> Rc<str> {
        if let Some(shared) = self.texts.get(text) {
            return Rc::clone(shared);
        }
        let shared: Rc<str> = Rc::from(text);
        self.texts.insert(Rc::clone(&shared));
        shared
    }

    /// The scripts of an item's own `events`, shared with every item that shares the list.
    fn own(&mut self, events: &Arc<Vec<Event>>) -> Rc<OwnScripts> {
        let address = Arc::as_ptr(events) as usize;
        if let Some(own) = self.lists.get(&address) {
            return Rc::clone(own);
        }
        let mut texts = |listen| {
            enabled(events, listen)
                .map(|text| self.text(text))
                .collect()
        };
        let own = Rc::new(OwnScripts {
            prerequest: texts(Listen::Prerequest),
            test: texts(Listen::Test),
        });
        self.lists.insert(address, Rc::clone(&own));
        own
    }
}

/// The texts of the enabled, non-blank scripts of `events` for `listen`.
fn enabled(events: &[Event], listen: Listen) -> impl Iterator<Item = &str> {
    events
        .iter()
        .filter(move |e| e.listen == listen && !e.disabled && !e.exec.trim().is_empty())
        .map(|e| e.exec.as_str())
}

/// How many requests `items` hold, in all folders.
fn count_requests(items: &[Item]) -> usize {
    items
        .iter()
        .map(|item| match item {
            Item::Folder(folder) => count_requests(&folder.items),
            Item::Request(_) => 1,
        })
        .sum()
}

fn collect_names(collection: &Collection, items: &[Item], out: &mut Vec<String>) {
    for item in items {
        out.push(label(collection, item).0);
        if let Item::Folder(folder) = item {
            collect_names(collection, &folder.items, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::collection_from_document;
    use serde_json::json;
    use std::path::Path;

    /// The planned items, each built as a run builds it.
    fn built(collection: &Collection, filter: &ItemFilter) -> Result<Vec<PlannedItem>, PlanError> {
        let plan = plan(collection, filter)?;
        Ok((0..plan.len())
            .map(|position| plan.item(collection, position).unwrap())
            .collect())
    }

    fn only(names: &[&str]) -> ItemFilter {
        ItemFilter {
            only: names.iter().map(|n| n.to_string()).collect(),
            except: Vec::new(),
        }
    }

    fn except(names: &[&str]) -> ItemFilter {
        ItemFilter {
            only: Vec::new(),
            except: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn collection() -> Collection {
        let doc = json!({
            "info": {"name": "C", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
            "event": [{"listen": "prerequest", "script": {"exec": ["// collection"]}}],
            "item": [
                {"name": "Admin", "auth": {"type": "basic", "basic": []},
                 "event": [{"listen": "test", "script": {"exec": "// folder"}}],
                 "item": [
                    {"name": "Token", "request": "http://h/token"},
                    {"name": "Inner", "item": [{"name": "Deep", "request": {"url": "http://h/d", "auth": {"type": "noauth"}}}]}
                 ]},
                {"name": "Apps", "request": "http://h/apps",
                 "protocolProfileBehavior": {"followRedirects": false}}
            ]
        });
        collection_from_document(&doc, Path::new("c.json")).unwrap()
    }

    #[test]
    fn items_run_depth_first_with_paths() {
        let plan = built(&collection(), &ItemFilter::default()).unwrap();
        let paths: Vec<String> = plan.iter().map(|p| p.path.join("/")).collect();
        assert_eq!(paths, ["Admin/Token", "Admin/Inner/Deep", "Apps"]);
    }

    #[test]
    fn auth_is_inherited_from_the_nearest_level() {
        let plan = built(&collection(), &ItemFilter::default()).unwrap();
        assert_eq!(plan[0].auth.as_ref().unwrap().kind, "basic");
        assert_eq!(plan[1].auth.as_ref().unwrap().kind, "noauth");
        assert_eq!(plan[2].auth.as_ref().unwrap().kind, "bearer");
    }

    #[test]
    fn scripts_run_collection_then_folder_then_item() {
        let plan = built(&collection(), &ItemFilter::default()).unwrap();
        assert_eq!(plan[0].prerequest.len(), 1);
        assert_eq!(plan[0].test[0].location, "Admin");
        assert!(plan[2].test.is_empty());
    }

    #[test]
    fn the_plan_tells_what_its_scripts_use() {
        let event =
            |listen: &str, exec: &str| json!([{"listen": listen, "script": {"exec": [exec]}}]);
        let doc = |items: serde_json::Value| json!({"info": {"name": "C"}, "item": items});
        let plan_of = |items: serde_json::Value| {
            let collection = collection_from_document(&doc(items), Path::new("c.json")).unwrap();
            plan(&collection, &ItemFilter::default()).unwrap().scripts()
        };
        let plain = plan_of(json!([
            {"name": "A", "request": "http://h/a", "event": event("test", "  ")}
        ]));
        assert_eq!(plain, ScriptUse::default(), "a blank script is no script");
        let captures = plan_of(json!([
            {"name": "A", "request": "http://h/a", "event": event("test", "pm.environment.set('a', 1);")}
        ]));
        assert_eq!((captures.any, captures.chai), (true, false));
        let deep = plan_of(json!([{"name": "F", "item": [
            {"name": "A", "request": "http://h/a", "event": event("test", "pm.response.to.have.status(200);")}
        ]}]));
        assert_eq!((deep.any, deep.chai), (true, true));
    }

    #[test]
    fn folder_option_selects_folders_or_requests() {
        let only = built(&collection(), &only(&["Inner", "Apps"])).unwrap();
        let names: Vec<&str> = only.iter().map(|p| p.item.name.as_str()).collect();
        assert_eq!(names, ["Deep", "Apps"]);
        assert_eq!(only[0].test.len(), 1, "folder scripts still apply");
        assert_eq!(only[1].behavior.follow_redirects, Some(false));
    }

    #[test]
    fn a_name_selects_only_its_first_match_breadth_first() {
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "A", "item": [{"name": "Setup", "request": "http://h/deep"}]},
            {"name": "Setup", "request": "http://h/top"},
            {"name": "Setup", "request": "http://h/second"}
        ]});
        let collection = collection_from_document(&doc, Path::new("c.json")).unwrap();
        let only = built(&collection, &only(&["Setup"])).unwrap();
        let urls: Vec<String> = only
            .iter()
            .map(|p| p.item.request.url.to_unresolved_string())
            .collect();
        assert_eq!(urls, ["http://h/top"]);
    }

    #[test]
    fn unknown_folder_suggests_a_name() {
        let err = built(&collection(), &only(&["Admn"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--folder `Admn`: no folder or request has this name; did you mean `Admin`?"
        );
    }

    #[test]
    fn exclude_folder_leaves_out_every_match_with_all_it_holds() {
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "Setup", "item": [{"name": "Create", "request": "http://h/create"}]},
            {"name": "Use", "item": [
                {"name": "Read", "request": "http://h/read"},
                {"name": "Cleanup", "request": "http://h/inner-cleanup"}
            ]},
            {"name": "Cleanup", "item": [{"name": "Delete", "request": "http://h/delete"}]}
        ]});
        let collection = collection_from_document(&doc, Path::new("c.json")).unwrap();
        let names = |filter: &ItemFilter| -> Vec<String> {
            built(&collection, filter)
                .unwrap()
                .iter()
                .map(|p| p.path.join("/"))
                .collect()
        };
        assert_eq!(names(&except(&["Cleanup"])), ["Setup/Create", "Use/Read"]);
        assert_eq!(
            names(&except(&["Setup", "Read"])),
            ["Use/Cleanup", "Cleanup/Delete"]
        );
        let both = ItemFilter {
            only: vec!["Use".into()],
            except: vec!["Cleanup".into()],
        };
        assert_eq!(names(&both), ["Use/Read"]);
    }

    #[test]
    fn unknown_excluded_name_suggests_a_name() {
        let err = built(&collection(), &except(&["Apss"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--exclude-folder `Apss`: no folder or request has this name; did you mean `Apps`?"
        );
    }

    #[test]
    fn folder_scripts_are_kept_once_and_items_are_built_from_the_text() {
        let test = json!([{"listen": "test", "script": {"exec": ["pm.test('ok', () => {});"]}}]);
        let doc = json!({"info": {"name": "C"}, "item": [{"name": "F", "event": test, "item": [
            {"name": "A", "request": "http://h/a", "event": test},
            {"name": "B", "request": {"url": "http://h/b", "auth": {"type": "digest"}}}
        ]}]});
        let collection = collection_from_document(&doc, Path::new("c.json")).unwrap();
        let planned = built(&collection, &ItemFilter::default()).unwrap();
        assert!(Rc::ptr_eq(
            &planned[0].test[0].code,
            &planned[1].test[0].code
        ));
        assert_eq!(
            planned[0].test.len(),
            2,
            "the folder's script, then the item's"
        );
        assert_eq!(planned[0].test[1].location, "F > A");
        assert_eq!(
            planned[1].item.request.url.to_unresolved_string(),
            "http://h/b"
        );
        // The item's own auth block keeps one identity however often the item is built.
        let plan = plan(&collection, &ItemFilter::default()).unwrap();
        let again = plan.item(&collection, 1).unwrap();
        assert_eq!(again.auth_origin, planned[1].auth_origin);
        assert_ne!(again.auth_origin, planned[0].auth_origin);
    }
}
