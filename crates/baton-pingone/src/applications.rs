//! OIDC applications beyond plain CRUD: allowed values and PingOne's defaults for type,
//! grant types, response types, `tokenEndpointAuthMethod` and PKCE enforcement; a client
//! secret made with every application; and the `secret` sub-resource that reads and rotates it.

use serde_json::{Map, Value, json};

use super::app_keys::parse_jwks;
use super::clock::iso_now;
use super::kinds::default_field;
use super::responses::Detail;
use super::state::{AppSecret, State};

/// Application types the stand-in serves.
const TYPES: [&str; 5] = [
    "WEB_APP",
    "NATIVE_APP",
    "SINGLE_PAGE_APP",
    "WORKER",
    "SERVICE",
];

/// Token endpoint authentication methods.
pub(crate) const AUTH_METHODS: [&str; 5] = [
    "NONE",
    "CLIENT_SECRET_BASIC",
    "CLIENT_SECRET_POST",
    "CLIENT_SECRET_JWT",
    "PRIVATE_KEY_JWT",
];

const GRANT_TYPES: [&str; 7] = [
    "AUTHORIZATION_CODE",
    "CLIENT_CREDENTIALS",
    "IMPLICIT",
    "REFRESH_TOKEN",
    "DEVICE_CODE",
    "CIBA",
    "TOKEN_EXCHANGE",
];

const RESPONSE_TYPES: [&str; 3] = ["CODE", "TOKEN", "ID_TOKEN"];

const PKCE_ENFORCEMENTS: [&str; 3] = ["OPTIONAL", "REQUIRED", "S256_REQUIRED"];

/// Length of generated client secrets, as PingOne's.
const SECRET_LENGTH: usize = 64;

fn check_one_of(
    fields: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
    details: &mut Vec<Detail>,
) {
    let ok = fields[field].as_str().is_some_and(|v| allowed.contains(&v));
    if !ok {
        details.push(Detail::invalid(
            field,
            format!("{field} must be one of {}", allowed.join(", ")),
        ));
    }
}

fn check_all_of(
    fields: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
    details: &mut Vec<Detail>,
) {
    let ok = fields[field].as_array().is_some_and(|items| {
        items
            .iter()
            .all(|v| v.as_str().is_some_and(|v| allowed.contains(&v)))
    });
    if !ok {
        details.push(Detail::invalid(
            field,
            format!("{field} must be an array of {}", allowed.join(", ")),
        ));
    }
}

/// Whether a JSON array holds the string `item`.
fn lists(array: &Value, item: &str) -> bool {
    array
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i == item))
}

/// Whether an application's `grantTypes` include `grant` (such as `CLIENT_CREDENTIALS`).
pub(crate) fn has_grant(app: &Value, grant: &str) -> bool {
    lists(&app["grantTypes"], grant)
}

/// Fills PingOne's defaults into an application body and validates its enumerations.
pub(crate) fn check(fields: &mut Map<String, Value>) -> Vec<Detail> {
    let machine = matches!(fields["type"].as_str(), Some("WORKER" | "SERVICE"));
    default_field(fields, "enabled", json!(true));
    default_field(fields, "protocol", json!("OPENID_CONNECT"));
    default_field(
        fields,
        "tokenEndpointAuthMethod",
        json!("CLIENT_SECRET_BASIC"),
    );
    default_field(fields, "pkceEnforcement", json!("OPTIONAL"));
    default_field(fields, "redirectUris", json!([]));
    let default_grant = if machine {
        "CLIENT_CREDENTIALS"
    } else {
        "AUTHORIZATION_CODE"
    };
    default_field(fields, "grantTypes", json!([default_grant]));
    let code_flow = lists(&fields["grantTypes"], "AUTHORIZATION_CODE");
    default_field(
        fields,
        "responseTypes",
        if code_flow {
            json!(["CODE"])
        } else {
            json!([])
        },
    );

    let mut details = Vec::new();
    check_one_of(fields, "type", &TYPES, &mut details);
    check_one_of(fields, "protocol", &["OPENID_CONNECT"], &mut details);
    check_one_of(
        fields,
        "tokenEndpointAuthMethod",
        &AUTH_METHODS,
        &mut details,
    );
    check_one_of(fields, "pkceEnforcement", &PKCE_ENFORCEMENTS, &mut details);
    check_all_of(fields, "grantTypes", &GRANT_TYPES, &mut details);
    check_all_of(fields, "responseTypes", &RESPONSE_TYPES, &mut details);
    let uris_ok = fields["redirectUris"]
        .as_array()
        .is_some_and(|uris| uris.iter().all(Value::is_string));
    if !uris_ok {
        details.push(Detail::invalid(
            "redirectUris",
            "redirectUris must be an array of strings",
        ));
    }
    let public = fields["tokenEndpointAuthMethod"] == "NONE";
    let client_credentials = lists(&fields["grantTypes"], "CLIENT_CREDENTIALS");
    if public && client_credentials {
        details.push(Detail::invalid(
            "tokenEndpointAuthMethod",
            "a public client (NONE) cannot use the CLIENT_CREDENTIALS grant",
        ));
    }
    if let Some(jwks) = fields.get("jwks").filter(|j| !j.is_null()) {
        if let Err(reason) = parse_jwks(jwks) {
            details.push(Detail::invalid("jwks", reason));
        }
    }
    details
}

/// Gives a new application its client secret.
pub(crate) fn after_create(state: &mut State, _collection: &str, id: &str) {
    let current = state.new_secret(SECRET_LENGTH);
    state.secrets.insert(
        id.to_owned(),
        AppSecret {
            current,
            previous: None,
            rotated_at: None,
        },
    );
}

fn show_secret(env_id: &str, secret: &AppSecret) -> Value {
    let mut shown = json!({"environment": {"id": env_id}, "secret": secret.current});
    if let (Some(previous), Some(at)) = (&secret.previous, &secret.rotated_at) {
        shown["previous"] = json!({"secret": previous, "expiresAt": at});
    }
    shown
}

/// `GET .../applications/{id}/secret`.
pub(crate) fn read_secret(state: &mut State, env_id: &str, app_id: &str) -> Value {
    if !state.secrets.contains_key(app_id) {
        after_create(state, "", app_id);
    }
    show_secret(env_id, &state.secrets[app_id])
}

/// `POST .../applications/{id}/secret`: a new secret; the old one is shown as `previous`,
/// already expired, and no longer accepted.
pub(crate) fn rotate_secret(state: &mut State, env_id: &str, app_id: &str) -> Value {
    let current = state.new_secret(SECRET_LENGTH);
    let previous = state.secrets.remove(app_id).map(|old| old.current);
    let secret = AppSecret {
        current,
        previous,
        rotated_at: Some(iso_now()),
    };
    let shown = show_secret(env_id, &secret);
    state.secrets.insert(app_id.to_owned(), secret);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(body: Value) -> (Map<String, Value>, Vec<Detail>) {
        let Value::Object(mut fields) = body else {
            unreachable!()
        };
        let details = check(&mut fields);
        (fields, details)
    }

    #[test]
    fn web_app_gets_pingone_defaults() {
        let (fields, details) = checked(json!({"name": "a", "type": "WEB_APP"}));
        assert!(details.is_empty(), "{details:?}");
        assert_eq!(fields["tokenEndpointAuthMethod"], "CLIENT_SECRET_BASIC");
        assert_eq!(fields["grantTypes"], json!(["AUTHORIZATION_CODE"]));
        assert_eq!(fields["responseTypes"], json!(["CODE"]));
        assert_eq!(fields["pkceEnforcement"], "OPTIONAL");
    }

    #[test]
    fn worker_defaults_to_client_credentials() {
        let (fields, _) = checked(json!({"name": "w", "type": "WORKER"}));
        assert_eq!(fields["grantTypes"], json!(["CLIENT_CREDENTIALS"]));
    }

    #[test]
    fn unknown_method_and_type_are_reported_by_field() {
        let (_, details) =
            checked(json!({"name": "a", "type": "TOASTER", "tokenEndpointAuthMethod": "MAGIC"}));
        let targets: Vec<_> = details.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(targets, ["type", "tokenEndpointAuthMethod"]);
    }

    #[test]
    fn public_client_cannot_use_client_credentials() {
        let (_, details) =
            checked(json!({"name": "a", "type": "WORKER", "tokenEndpointAuthMethod": "NONE"}));
        assert_eq!(details[0].target, "tokenEndpointAuthMethod");
    }

    #[test]
    fn rotation_shows_previous_and_replaces_current() {
        let mut state = State::new(Some(2));
        after_create(&mut state, "", "app");
        let first = read_secret(&mut state, "e", "app")["secret"].clone();
        let rotated = rotate_secret(&mut state, "e", "app");
        assert_eq!(rotated["previous"]["secret"], first);
        assert_ne!(rotated["secret"], first);
        assert_eq!(
            state.secrets["app"].current,
            rotated["secret"].as_str().expect("secret")
        );
    }
}
