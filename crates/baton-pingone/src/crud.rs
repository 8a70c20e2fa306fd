//! Create, replace, merge and delete for any kind in the table: required-field checks, the
//! kind's own check, server-set fields (`id`, `environment`, `createdAt`, `updatedAt`) and the
//! kind's after-create hook. Seeding uses the same functions as the HTTP API, so seeded
//! objects have exactly the API's shape.

use serde_json::{Map, Value, json};

use super::clock::iso_now;
use super::kinds::{Kind, find_kind};
use super::responses::{ApiError, Detail};
use super::state::State;

/// Fields the server owns; a client's values for them are ignored.
const SERVER_FIELDS: [&str; 5] = ["id", "environment", "createdAt", "updatedAt", "_links"];

/// The environment id of a collection path (`environments/{id}/...`), if it is inside one.
pub(crate) fn env_of(collection: &str) -> Option<&str> {
    let mut parts = collection.split('/');
    match (parts.next(), parts.next()) {
        (Some("environments"), Some(id)) => Some(id),
        _ => None,
    }
}

/// Checks a request body against a kind: it must be an object with every required field,
/// and pass the kind's own check (which may also fill defaults).
fn checked_fields(kind: &Kind, body: Value) -> Result<Map<String, Value>, ApiError> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::invalid_data(vec![Detail::invalid(
            "body",
            "the request body must be a JSON object",
        )]));
    };
    for name in SERVER_FIELDS {
        fields.remove(name);
    }
    let mut details: Vec<Detail> = kind
        .required
        .iter()
        .filter(|name| is_blank(fields.get(**name)))
        .map(|name| Detail::required(name))
        .collect();
    if details.is_empty() {
        details = (kind.check)(&mut fields);
    }
    if details.is_empty() {
        Ok(fields)
    } else {
        Err(ApiError::invalid_data(details))
    }
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// The kind a collection path holds: its last segment, under the segment two before it.
fn kind_of(collection: &str) -> Option<&'static Kind> {
    let mut parts = collection.rsplit('/');
    let segment = parts.next()?;
    find_kind(segment, parts.nth(1))
}

/// Creates a fixed, known-good object (seeding and defaults) and returns its id, or `""` if
/// the collection path names no kind or the body fails its checks.
pub(crate) fn create_fixed(state: &mut State, collection: &str, body: Value) -> String {
    kind_of(collection)
        .and_then(|kind| create(state, kind, collection, body).ok())
        .and_then(|object| object["id"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Creates an object of `kind` in `collection` from a request body and returns it as stored.
pub(crate) fn create(
    state: &mut State,
    kind: &Kind,
    collection: &str,
    body: Value,
) -> Result<Value, ApiError> {
    let fields = checked_fields(kind, body)?;
    let id = state.new_id();
    let now = iso_now();
    let mut object = Map::new();
    object.insert("id".into(), json!(id));
    if let Some(env_id) = env_of(collection) {
        object.insert("environment".into(), json!({"id": env_id}));
    }
    object.extend(fields);
    object.insert("createdAt".into(), json!(now));
    object.insert("updatedAt".into(), json!(now));
    state.store.insert(collection, Value::Object(object));
    (kind.after_create)(state, collection, &id);
    Ok(state
        .store
        .get(collection, &id)
        .cloned()
        .unwrap_or_default())
}

/// Replaces (PUT) or merges into (PATCH) an existing object, keeping server-owned fields.
pub(crate) fn update(
    state: &mut State,
    kind: &Kind,
    collection: &str,
    id: &str,
    body: Value,
    merge: bool,
) -> Result<Value, ApiError> {
    let Some(existing) = state.store.get(collection, id).cloned() else {
        return Err(ApiError::not_found(&format!("{collection}/{id}")));
    };
    let body = match (merge, body, existing.as_object()) {
        (true, Value::Object(changes), Some(current)) => {
            let mut merged = current.clone();
            merged.extend(changes);
            Value::Object(merged)
        }
        (_, body, _) => body,
    };
    let fields = checked_fields(kind, body)?;
    let mut object = Map::new();
    for name in ["id", "environment", "createdAt"] {
        if let Some(value) = existing.get(name) {
            object.insert(name.into(), value.clone());
        }
    }
    object.extend(fields);
    object.insert("updatedAt".into(), json!(iso_now()));
    let updated = Value::Object(object);
    if let Some(slot) = state.store.get_mut(collection, id) {
        *slot = updated.clone();
    }
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::find_kind;

    fn populations() -> &'static Kind {
        find_kind("populations", Some("environments")).expect("kind")
    }

    #[test]
    fn kind_of_reads_segment_and_parent_from_the_path() {
        assert_eq!(
            kind_of("organizations/o/licenses").map(|k| k.segment),
            Some("licenses")
        );
        assert_eq!(kind_of("roles").map(|k| k.segment), Some("roles"));
        assert!(kind_of("environments/e/widgets").is_none());
    }

    #[test]
    fn env_of_reads_the_environment_segment() {
        assert_eq!(env_of("environments/e1/users"), Some("e1"));
        assert_eq!(env_of("roles"), None);
    }

    #[test]
    fn create_sets_server_fields_and_ignores_client_ids() {
        let mut state = State::new(Some(1));
        let made = create(
            &mut state,
            populations(),
            "environments/e/populations",
            json!({"name": "P", "id": "mine"}),
        )
        .expect("created");
        assert_ne!(made["id"], "mine");
        assert_eq!(made["environment"]["id"], "e");
        assert!(made["createdAt"].is_string());
        assert_eq!(state.store.list("environments/e/populations").len(), 1);
    }

    #[test]
    fn missing_required_field_is_invalid_data() {
        let mut state = State::new(Some(1));
        let error = create(
            &mut state,
            populations(),
            "environments/e/populations",
            json!({}),
        )
        .expect_err("rejected");
        assert_eq!(error.code(), "INVALID_DATA");
    }

    #[test]
    fn merge_keeps_unmentioned_fields_and_put_replaces() {
        let mut state = State::new(Some(1));
        let col = "environments/e/populations";
        let made = create(
            &mut state,
            populations(),
            col,
            json!({"name": "P", "description": "d"}),
        )
        .expect("created");
        let id = made["id"].as_str().expect("id");
        let merged = update(
            &mut state,
            populations(),
            col,
            id,
            json!({"name": "Q"}),
            true,
        )
        .expect("merged");
        assert_eq!(merged["description"], "d");
        let replaced = update(
            &mut state,
            populations(),
            col,
            id,
            json!({"name": "R"}),
            false,
        )
        .expect("replaced");
        assert!(replaced.get("description").is_none());
        assert_eq!(replaced["createdAt"], made["createdAt"]);
    }
}
