//! The plan: the collection's request items in depth-first order, each with what it inherits from
//! the folders above it (scripts, auth, protocol behaviour), narrowed by `--folder` and
//! `--exclude-folder`.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::collection::{
    Auth, Collection, Event, Folder, Item, Listen, ProtocolProfileBehavior, RequestItem,
};
use crate::script::ScriptSource;

/// One request item ready to run.
#[derive(Debug, Clone)]
pub struct PlannedItem {
    /// The item.
    pub item: Arc<RequestItem>,
    /// Folder names from the top down, then the item name.
    pub path: Vec<String>,
    /// Pre-request scripts, collection first.
    pub prerequest: Vec<ScriptSource>,
    /// Test scripts, collection first.
    pub test: Vec<ScriptSource>,
    /// The auth that applies: the item's own, else the nearest folder's, else the collection's.
    pub auth: Option<Auth>,
    /// Which auth block that is (its address in the loaded collection): what a Digest challenge
    /// teaches is kept per block, as Newman keeps it on the block.
    pub auth_origin: Option<usize>,
    /// Protocol behaviour merged from the collection down to the item.
    pub behavior: ProtocolProfileBehavior,
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

struct Inherited {
    path: Vec<String>,
    prerequest: Vec<ScriptSource>,
    test: Vec<ScriptSource>,
    auth: Option<Auth>,
    auth_origin: Option<usize>,
    behavior: ProtocolProfileBehavior,
}

/// The identity of an auth block: its address, stable while the collection is loaded.
fn origin(auth: &Option<Auth>) -> Option<usize> {
    auth.as_ref().map(|auth| std::ptr::from_ref(auth) as usize)
}

/// Orders the collection's requests as `filter` narrows them, in collection order. A name in the
/// filter that matches nothing is an error with a suggestion.
pub fn plan(collection: &Collection, filter: &ItemFilter) -> Result<Vec<PlannedItem>, PlanError> {
    let mut texts = ScriptTexts::default();
    let root = Inherited {
        path: Vec::new(),
        prerequest: texts.scripts(&collection.events, Listen::Prerequest, &collection.name),
        test: texts.scripts(&collection.events, Listen::Test, &collection.name),
        auth: collection.auth.clone(),
        auth_origin: origin(&collection.auth),
        behavior: collection.behavior.clone(),
    };
    let only = filter.only.iter().map(|name| ("--folder", name));
    let except = filter.except.iter().map(|name| ("--exclude-folder", name));
    for (flag, name) in only.chain(except) {
        if first_match(&collection.items, name).is_none() {
            let mut names = Vec::new();
            collect_names(&collection.items, &mut names);
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
    let mut out = Vec::with_capacity(count_requests(&collection.items));
    let mut walk = Walk {
        except: &filter.except,
        chosen: None,
        texts,
        out: &mut out,
    };
    if filter.only.is_empty() {
        walk.all(&collection.items, &root);
        out.shrink_to_fit();
        return Ok(out);
    }
    // Like Newman, each name selects one item: the first match breadth-first (a folder's own
    // children before deeper ones).
    let chosen: Vec<Vec<usize>> = filter
        .only
        .iter()
        .filter_map(|name| first_match(&collection.items, name))
        .collect();
    walk.chosen = Some(&chosen);
    walk.select(&collection.items, &root, &mut Vec::new());
    out.shrink_to_fit();
    Ok(out)
}

/// A walk down the item tree that plans what the filter keeps.
struct Walk<'a> {
    /// Names and ids left out with all they hold.
    except: &'a [String],
    /// The index paths `--folder` chose.
    chosen: Option<&'a [Vec<usize>]>,
    texts: ScriptTexts,
    out: &'a mut Vec<PlannedItem>,
}

impl Walk<'_> {
    fn excluded(&self, item: &Item) -> bool {
        let id = item.id();
        self.except
            .iter()
            .any(|name| name == item.name() || (!id.is_empty() && name == id))
    }

    /// Plans every item below, less the excluded ones.
    fn all(&mut self, items: &[Item], inherited: &Inherited) {
        for item in items {
            if self.excluded(item) {
                continue;
            }
            match item {
                Item::Folder(folder) => {
                    let below = self.texts.descend(inherited, folder);
                    self.all(&folder.items, &below)
                }
                Item::Request(request) => self.out.push(self.texts.planned(request, inherited)),
            }
        }
    }

    /// Plans the chosen items (given by their index paths) in collection order.
    fn select(&mut self, items: &[Item], inherited: &Inherited, at: &mut Vec<usize>) {
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
                Item::Request(request) if is_chosen => {
                    self.out.push(self.texts.planned(request, inherited))
                }
                Item::Request(_) => {}
            }
            at.pop();
        }
    }
}

/// The index path of the first item named (or with id) `name`, breadth-first.
fn first_match(items: &[Item], name: &str) -> Option<Vec<usize>> {
    let mut level: Vec<(Vec<usize>, &[Item])> = vec![(Vec::new(), items)];
    while !level.is_empty() {
        let mut next = Vec::new();
        for (path, items) in level {
            for (index, item) in items.iter().enumerate() {
                let mut here = path.clone();
                here.push(index);
                if item.name() == name || (!item.id().is_empty() && item.id() == name) {
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

/// The scripts' texts, each kept once however many items run it: a collection often repeats
/// the same test script on every request.
#[derive(Default)]
struct ScriptTexts(HashMap<String, Rc<str>>);

impl ScriptTexts {
    fn descend(&mut self, inherited: &Inherited, folder: &Folder) -> Inherited {
        let mut path = inherited.path.clone();
        path.push(folder.name.clone());
        let location = path.join(" > ");
        let mut prerequest = inherited.prerequest.clone();
        prerequest.extend(self.scripts(&folder.events, Listen::Prerequest, &location));
        let mut test = inherited.test.clone();
        test.extend(self.scripts(&folder.events, Listen::Test, &location));
        Inherited {
            path,
            prerequest,
            test,
            auth: folder.auth.clone().or_else(|| inherited.auth.clone()),
            auth_origin: origin(&folder.auth).or(inherited.auth_origin),
            behavior: inherited.behavior.merged_with(&folder.behavior),
        }
    }

    fn planned(&mut self, request: &Arc<RequestItem>, inherited: &Inherited) -> PlannedItem {
        let mut path = inherited.path.clone();
        path.push(request.name.clone());
        let location = path.join(" > ");
        let mut prerequest = inherited.prerequest.clone();
        prerequest.extend(self.scripts(&request.events, Listen::Prerequest, &location));
        let mut test = inherited.test.clone();
        test.extend(self.scripts(&request.events, Listen::Test, &location));
        PlannedItem {
            item: Arc::clone(request),
            path,
            prerequest,
            test,
            auth: request
                .request
                .auth
                .clone()
                .or_else(|| inherited.auth.clone()),
            auth_origin: origin(&request.request.auth).or(inherited.auth_origin),
            behavior: inherited.behavior.merged_with(&request.behavior),
        }
    }

    fn scripts(&mut self, events: &[Event], listen: Listen, location: &str) -> Vec<ScriptSource> {
        events
            .iter()
            .filter(|e| e.listen == listen && !e.disabled && !e.exec.trim().is_empty())
            .map(|e| ScriptSource {
                code: self.text(&e.exec),
                location: location.to_string(),
            })
            .collect()
    }

    /// `text`, shared with every earlier script of the same text.
    fn text(&mut self, text: &str) -> Rc<str> {
        if let Some(shared) = self.0.get(text) {
            return Rc::clone(shared);
        }
        let shared: Rc<str> = Rc::from(text);
        self.0.insert(text.to_string(), Rc::clone(&shared));
        shared
    }
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

fn collect_names(items: &[Item], out: &mut Vec<String>) {
    for item in items {
        out.push(item.name().to_string());
        if let Item::Folder(folder) = item {
            collect_names(&folder.items, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::collection_from_document;
    use serde_json::json;
    use std::path::Path;

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
        let plan = plan(&collection(), &ItemFilter::default()).unwrap();
        let paths: Vec<String> = plan.iter().map(|p| p.path.join("/")).collect();
        assert_eq!(paths, ["Admin/Token", "Admin/Inner/Deep", "Apps"]);
    }

    #[test]
    fn auth_is_inherited_from_the_nearest_level() {
        let plan = plan(&collection(), &ItemFilter::default()).unwrap();
        assert_eq!(plan[0].auth.as_ref().unwrap().kind, "basic");
        assert_eq!(plan[1].auth.as_ref().unwrap().kind, "noauth");
        assert_eq!(plan[2].auth.as_ref().unwrap().kind, "bearer");
    }

    #[test]
    fn scripts_run_collection_then_folder_then_item() {
        let plan = plan(&collection(), &ItemFilter::default()).unwrap();
        assert_eq!(plan[0].prerequest.len(), 1);
        assert_eq!(plan[0].test[0].location, "Admin");
        assert!(plan[2].test.is_empty());
    }

    #[test]
    fn folder_option_selects_folders_or_requests() {
        let only = plan(&collection(), &only(&["Inner", "Apps"])).unwrap();
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
        let only = plan(&collection, &only(&["Setup"])).unwrap();
        let urls: Vec<String> = only
            .iter()
            .map(|p| p.item.request.url.to_unresolved_string())
            .collect();
        assert_eq!(urls, ["http://h/top"]);
    }

    #[test]
    fn unknown_folder_suggests_a_name() {
        let err = plan(&collection(), &only(&["Admn"])).unwrap_err();
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
            plan(&collection, filter)
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
        let err = plan(&collection(), &except(&["Apss"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--exclude-folder `Apss`: no folder or request has this name; did you mean `Apps`?"
        );
    }

    #[test]
    fn a_script_text_is_kept_once_however_many_items_run_it() {
        let test = json!([{"listen": "test", "script": {"exec": ["pm.test('ok', () => {});"]}}]);
        let doc = json!({"info": {"name": "C"}, "item": [
            {"name": "A", "request": "http://h/a", "event": test},
            {"name": "B", "request": "http://h/b", "event": test}
        ]});
        let collection = collection_from_document(&doc, Path::new("c.json")).unwrap();
        let plan = plan(&collection, &ItemFilter::default()).unwrap();
        assert!(Rc::ptr_eq(&plan[0].test[0].code, &plan[1].test[0].code));
        assert_eq!(plan[1].test[0].location, "B");
        assert!(
            Arc::ptr_eq(
                &plan[0].item,
                match &collection.items[0] {
                    Item::Request(item) => item,
                    Item::Folder(_) => panic!("a request"),
                }
            ),
            "the plan shares the collection's items"
        );
    }
}
