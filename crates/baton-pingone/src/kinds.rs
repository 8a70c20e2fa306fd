//! The table of management-API object kinds: where each lives, which fields it requires,
//! its own check (validation and defaults) and what creating one sets off. Adding a kind is
//! one row; the generic store, CRUD and HAL code do the rest.

use serde_json::{Map, Value, json};

use super::responses::Detail;
use super::state::State;
use super::{app_keys, applications, environments, users};

/// One kind of object the management API serves.
pub(crate) struct Kind {
    /// URL segment of the collection, also the key of its HAL `_embedded` list.
    pub segment: &'static str,
    /// Segment of the collection that owns it (`None` at the top of `/v1`).
    pub parent: Option<&'static str>,
    /// Fields a create or replace must carry.
    pub required: &'static [&'static str],
    /// Validates the body and fills defaults; returns what is wrong.
    pub check: fn(&mut Map<String, Value>) -> Vec<Detail>,
    /// Runs after the object is stored: `(state, collection, id)`.
    pub after_create: fn(&mut State, &str, &str),
}

fn no_check(_: &mut Map<String, Value>) -> Vec<Detail> {
    Vec::new()
}

fn no_hook(_: &mut State, _: &str, _: &str) {}

/// A kind with no check and no hook.
const fn plain(
    segment: &'static str,
    parent: Option<&'static str>,
    required: &'static [&'static str],
) -> Kind {
    Kind {
        segment,
        parent,
        required,
        check: no_check,
        after_create: no_hook,
    }
}

/// Sets `field` to `value` unless the body already has it.
pub(crate) fn default_field(fields: &mut Map<String, Value>, field: &str, value: Value) {
    fields.entry(field).or_insert(value);
}

fn check_environment(fields: &mut Map<String, Value>) -> Vec<Detail> {
    default_field(fields, "type", json!("SANDBOX"));
    Vec::new()
}

fn check_resource(fields: &mut Map<String, Value>) -> Vec<Detail> {
    default_field(fields, "type", json!("CUSTOM"));
    Vec::new()
}

const ENV: Option<&str> = Some("environments");

/// Every kind, in no particular order.
static KINDS: &[Kind] = &[
    Kind {
        check: check_environment,
        after_create: environments::after_create,
        ..plain("environments", None, &["name", "region", "license"])
    },
    plain("organizations", None, &["name"]),
    plain("licenses", Some("organizations"), &["name", "package"]),
    plain("roles", None, &["name"]),
    plain("populations", ENV, &["name"]),
    Kind {
        check: users::check,
        after_create: users::after_create,
        ..plain("users", ENV, &["username"])
    },
    plain("devices", Some("users"), &["type"]),
    plain("roleAssignments", Some("users"), &["role", "scope"]),
    Kind {
        check: applications::check,
        after_create: applications::after_create,
        ..plain("applications", ENV, &["name", "type"])
    },
    plain("grants", Some("applications"), &["resource", "scopes"]),
    plain("roleAssignments", Some("applications"), &["role", "scope"]),
    plain(
        "signOnPolicyAssignments",
        Some("applications"),
        &["signOnPolicy", "priority"],
    ),
    Kind {
        check: app_keys::check,
        ..plain("keys", Some("applications"), &[])
    },
    Kind {
        check: check_resource,
        ..plain("resources", ENV, &["name"])
    },
    plain("scopes", Some("resources"), &["name"]),
    plain("signOnPolicies", ENV, &["name"]),
    plain("actions", Some("signOnPolicies"), &["type", "priority"]),
];

/// The kind stored under `segment` inside a `parent` collection (`None` for top level).
pub(crate) fn find_kind(segment: &str, parent: Option<&str>) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|kind| kind.segment == segment && kind.parent == parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_found_by_segment_and_parent() {
        assert!(find_kind("applications", Some("environments")).is_some());
        assert!(find_kind("roleAssignments", Some("users")).is_some());
        assert!(find_kind("applications", None).is_none());
        assert!(find_kind("widgets", Some("environments")).is_none());
    }

    #[test]
    fn every_parent_is_itself_a_kind() {
        for kind in KINDS {
            if let Some(parent) = kind.parent {
                assert!(
                    KINDS.iter().any(|k| k.segment == parent),
                    "{} has unknown parent {parent}",
                    kind.segment
                );
            }
        }
    }
}
