//! HAL rendering: stored objects gain `_links.self.href` at response time (the href depends
//! on the host the client used), and lists take PingOne's
//! `{"_links","_embedded":{"<plural>":[...]},"count","size"}` shape.

use serde_json::{Value, json};

use super::store::id_of;

/// A stored object as the API shows it: with `_links.self` pointing at `{api_base}/{collection}/{id}`.
pub(crate) fn render_object(api_base: &str, collection: &str, object: &Value) -> Value {
    let href = format!("{api_base}/{collection}/{}", id_of(object));
    with_self_link(object.clone(), &href)
}

/// Adds (or replaces) `_links.self.href` on a JSON object.
pub(crate) fn with_self_link(mut object: Value, href: &str) -> Value {
    if let Some(map) = object.as_object_mut() {
        map.insert("_links".to_owned(), json!({"self": {"href": href}}));
    }
    object
}

/// A collection as a HAL list under `_embedded.<plural>`.
pub(crate) fn render_list(
    api_base: &str,
    collection: &str,
    plural: &str,
    objects: &[Value],
) -> Value {
    let embedded: Vec<Value> = objects
        .iter()
        .map(|o| render_object(api_base, collection, o))
        .collect();
    json!({
        "_links": {"self": {"href": format!("{api_base}/{collection}")}},
        "_embedded": {plural: embedded},
        "count": objects.len(),
        "size": objects.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_gains_self_link_from_its_collection() {
        let shown = render_object("http://h/v1", "environments/e/users", &json!({"id": "u"}));
        assert_eq!(
            shown["_links"]["self"]["href"],
            "http://h/v1/environments/e/users/u"
        );
    }

    #[test]
    fn list_embeds_objects_under_plural_with_counts() {
        let shown = render_list("http://h/v1", "roles", "roles", &[json!({"id": "r"})]);
        assert_eq!(shown["_links"]["self"]["href"], "http://h/v1/roles");
        assert_eq!(
            shown["_embedded"]["roles"][0]["_links"]["self"]["href"],
            "http://h/v1/roles/r"
        );
        assert_eq!(shown["count"], 1);
        assert_eq!(shown["size"], 1);
    }
}
