//! Users beyond plain CRUD: an initial password may come with the create body, new users
//! join the default population, and the `password` and `mfaEnabled` sub-resources set the
//! password the sign-on flow checks and the MFA flag.

use serde_json::{Map, Value, json};

use super::clock::iso_now;
use super::environments::default_population;
use super::kinds::default_field;
use super::responses::{ApiError, Detail};
use super::state::State;

/// Content type of an administrator's password reset (`newPassword`, optional `currentPassword`).
pub(crate) const PASSWORD_RESET: &str = "application/vnd.pingidentity.password.reset+json";

/// Content type of setting a password value directly (`value`, optional `forceChange`).
pub(crate) const PASSWORD_SET: &str = "application/vnd.pingidentity.password.set+json";

/// The password of a create body: a string, or `{"value": ...}` as PingOne's import takes it.
fn password_of(fields: &Map<String, Value>) -> Option<&str> {
    match fields.get("password")? {
        Value::String(s) => Some(s),
        other => other["value"].as_str(),
    }
}

/// Defaults `enabled`, and checks an initial password is usable.
pub(crate) fn check(fields: &mut Map<String, Value>) -> Vec<Detail> {
    default_field(fields, "enabled", json!(true));
    default_field(fields, "mfaEnabled", json!(false));
    match (fields.contains_key("password"), password_of(fields)) {
        (true, None) | (true, Some("")) => vec![Detail::invalid(
            "password",
            "password must be a non-empty string or {\"value\": \"...\"}",
        )],
        _ => Vec::new(),
    }
}

/// Moves an initial password out of the object and places the user in the default population.
pub(crate) fn after_create(state: &mut State, collection: &str, id: &str) {
    let env_id = collection.split('/').nth(1).unwrap_or_default().to_owned();
    let population = default_population(state, &env_id);
    let Some(user) = state.store.get_mut(collection, id) else {
        return;
    };
    let Some(fields) = user.as_object_mut() else {
        return;
    };
    let password = password_of(fields).map(str::to_owned);
    fields.remove("password");
    if !fields.contains_key("population") {
        if let Some(population) = population {
            fields.insert("population".into(), json!({"id": population}));
        }
    }
    if let Some(password) = password {
        state.passwords.insert(id.to_owned(), password);
    }
}

/// `PUT .../users/{id}/password`: sets the password the sign-on flow checks.
pub(crate) fn put_password(
    state: &mut State,
    env_id: &str,
    user_id: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let new_password = match content_type {
        PASSWORD_RESET => {
            if let Some(current) = body.get("currentPassword") {
                let matches = state.passwords.get(user_id).map(String::as_str) == current.as_str();
                if !matches {
                    return Err(ApiError::invalid_data(vec![Detail::invalid(
                        "currentPassword",
                        "currentPassword does not match the user's password",
                    )]));
                }
            }
            body["newPassword"].as_str()
        }
        PASSWORD_SET => body["value"].as_str(),
        _ => {
            return Err(ApiError::unsupported_media_type(&format!(
                "{PASSWORD_RESET} or {PASSWORD_SET}"
            )));
        }
    };
    let target = if content_type == PASSWORD_SET {
        "value"
    } else {
        "newPassword"
    };
    let new_password = match new_password {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => return Err(ApiError::invalid_data(vec![Detail::required(target)])),
    };
    state.passwords.insert(user_id.to_owned(), new_password);
    Ok(json!({
        "environment": {"id": env_id},
        "user": {"id": user_id},
        "status": "OK",
        "lastChangedAt": iso_now(),
    }))
}

/// `PUT .../users/{id}/mfaEnabled`: records whether MFA is on for the user.
pub(crate) fn put_mfa_enabled(
    state: &mut State,
    collection: &str,
    user_id: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let Some(enabled) = body["mfaEnabled"].as_bool() else {
        return Err(ApiError::invalid_data(vec![Detail::invalid(
            "mfaEnabled",
            "mfaEnabled must be true or false",
        )]));
    };
    if let Some(user) = state.store.get_mut(collection, user_id) {
        user["mfaEnabled"] = json!(enabled);
    }
    Ok(json!({"mfaEnabled": enabled}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with_user() -> State {
        let mut state = State::new(Some(1));
        state
            .store
            .insert("environments/e/users", json!({"id": "u", "username": "x"}));
        state
    }

    #[test]
    fn reset_sets_password_and_checks_current_one() {
        let mut state = state_with_user();
        put_password(
            &mut state,
            "e",
            "u",
            PASSWORD_RESET,
            &json!({"newPassword": "one"}),
        )
        .expect("reset");
        assert_eq!(state.passwords["u"], "one");
        let wrong = put_password(
            &mut state,
            "e",
            "u",
            PASSWORD_RESET,
            &json!({"currentPassword": "nope", "newPassword": "two"}),
        );
        assert_eq!(wrong.expect_err("rejected").code(), "INVALID_DATA");
        put_password(
            &mut state,
            "e",
            "u",
            PASSWORD_RESET,
            &json!({"currentPassword": "one", "newPassword": "two"}),
        )
        .expect("changed");
        assert_eq!(state.passwords["u"], "two");
    }

    #[test]
    fn set_takes_value_and_other_content_types_are_refused() {
        let mut state = state_with_user();
        put_password(&mut state, "e", "u", PASSWORD_SET, &json!({"value": "v"})).expect("set");
        assert_eq!(state.passwords["u"], "v");
        let refused = put_password(
            &mut state,
            "e",
            "u",
            "application/json",
            &json!({"value": "w"}),
        );
        assert_eq!(refused.expect_err("refused").code(), "INVALID_REQUEST");
    }

    #[test]
    fn initial_password_is_taken_out_of_the_user() {
        let mut state = State::new(Some(1));
        state.store.insert(
            "environments/e/users",
            json!({"id": "u", "username": "x", "password": {"value": "p"}}),
        );
        after_create(&mut state, "environments/e/users", "u");
        assert_eq!(state.passwords["u"], "p");
        assert!(
            state
                .store
                .get("environments/e/users", "u")
                .expect("user")
                .get("password")
                .is_none()
        );
    }

    #[test]
    fn mfa_enabled_must_be_boolean() {
        let mut state = state_with_user();
        let shown = put_mfa_enabled(
            &mut state,
            "environments/e/users",
            "u",
            &json!({"mfaEnabled": true}),
        )
        .expect("set");
        assert_eq!(shown["mfaEnabled"], true);
        assert!(put_mfa_enabled(&mut state, "environments/e/users", "u", &json!({})).is_err());
    }
}
