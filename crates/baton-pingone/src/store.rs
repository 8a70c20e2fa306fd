//! The in-memory object store: every management-API object is a JSON object kept in the
//! collection named by its path under `/v1` (for example `environments/E/applications`), in
//! creation order. Knowing nothing about kinds keeps it generic: one table (`kinds.rs`) says
//! what may live where.

use std::collections::HashMap;

use serde_json::Value;

/// Collections of JSON objects keyed by their path under `/v1`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    collections: HashMap<String, Vec<Value>>,
}

/// The `id` field of a stored object (empty if it has none).
pub(crate) fn id_of(object: &Value) -> &str {
    object["id"].as_str().unwrap_or_default()
}

impl Store {
    /// The objects of a collection, oldest first.
    pub(crate) fn list(&self, collection: &str) -> &[Value] {
        self.collections.get(collection).map_or(&[], Vec::as_slice)
    }

    /// One object of a collection by id.
    pub(crate) fn get(&self, collection: &str, id: &str) -> Option<&Value> {
        self.list(collection).iter().find(|o| id_of(o) == id)
    }

    /// One object of a collection by id, for changing it in place.
    pub(crate) fn get_mut(&mut self, collection: &str, id: &str) -> Option<&mut Value> {
        self.collections
            .get_mut(collection)?
            .iter_mut()
            .find(|o| id_of(o) == id)
    }

    /// Appends an object (which must carry its `id`) to a collection.
    pub(crate) fn insert(&mut self, collection: &str, object: Value) {
        self.collections
            .entry(collection.to_owned())
            .or_default()
            .push(object);
    }

    /// Removes an object and every collection beneath it; says whether it existed.
    pub(crate) fn remove(&mut self, collection: &str, id: &str) -> bool {
        let Some(objects) = self.collections.get_mut(collection) else {
            return false;
        };
        let before = objects.len();
        objects.retain(|o| id_of(o) != id);
        if objects.len() == before {
            return false;
        }
        let prefix = format!("{collection}/{id}/");
        self.collections
            .retain(|path, _| !path.starts_with(&prefix));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_listed_in_creation_order_and_found_by_id() {
        let mut store = Store::default();
        store.insert("environments", json!({"id": "a"}));
        store.insert("environments", json!({"id": "b"}));
        let ids: Vec<_> = store.list("environments").iter().map(id_of).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(store.get("environments", "b").is_some());
        assert!(store.get("environments", "c").is_none());
        assert!(store.list("nothing").is_empty());
    }

    #[test]
    fn removing_an_object_removes_its_children() {
        let mut store = Store::default();
        store.insert("environments", json!({"id": "e"}));
        store.insert("environments/e/users", json!({"id": "u"}));
        store.insert("environments/e2/users", json!({"id": "v"}));
        assert!(store.remove("environments", "e"));
        assert!(store.list("environments/e/users").is_empty());
        assert_eq!(store.list("environments/e2/users").len(), 1);
        assert!(!store.remove("environments", "e"));
    }
}
