//! What creating an environment sets up, as PingOne does: it joins the organization and gets
//! a default population, the `openid` and `PingOne API` resources with their scopes, and a
//! default single-factor sign-on policy. Setup collections look these up by name.

use serde_json::json;

use super::crud::create_fixed;
use super::state::State;
use super::store::id_of;

/// Scopes of the built-in `openid` resource.
const OPENID_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
];

/// Scopes of the built-in `PingOne API` resource.
const PINGONE_API_SCOPES: [&str; 3] = ["p1:read:user", "p1:update:user", "p1:read:userPassword"];

/// Fills a new environment with PingOne's defaults.
pub(crate) fn after_create(state: &mut State, collection: &str, id: &str) {
    let org = json!({"id": state.org_id});
    if let Some(env) = state.store.get_mut(collection, id) {
        env["organization"] = org;
    }
    let base = format!("{collection}/{id}");
    create_fixed(
        state,
        &format!("{base}/populations"),
        json!({"name": "Default", "description": "The default population", "default": true}),
    );
    for (name, kind, scopes, audience) in [
        ("openid", "OPENID_CONNECT", &OPENID_SCOPES[..], None),
        (
            "PingOne API",
            "PINGONE_API",
            &PINGONE_API_SCOPES[..],
            Some("https://api.pingone.com"),
        ),
    ] {
        let mut body = json!({"name": name, "type": kind});
        if let Some(audience) = audience {
            body["audience"] = json!(audience);
        }
        let resource_id = create_fixed(state, &format!("{base}/resources"), body);
        for scope in scopes {
            create_fixed(
                state,
                &format!("{base}/resources/{resource_id}/scopes"),
                json!({"name": scope, "schemaAttributes": []}),
            );
        }
    }
    let policy_id = create_fixed(
        state,
        &format!("{base}/signOnPolicies"),
        json!({"name": "Single_Factor", "description": "Username and password", "default": true}),
    );
    create_fixed(
        state,
        &format!("{base}/signOnPolicies/{policy_id}/actions"),
        json!({"type": "LOGIN", "priority": 1, "registration": {"enabled": false}}),
    );
}

/// The default population of an environment, if it has one.
pub(crate) fn default_population(state: &State, env_id: &str) -> Option<String> {
    state
        .store
        .list(&format!("environments/{env_id}/populations"))
        .iter()
        .find(|p| p["default"] == json!(true))
        .map(|p| id_of(p).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_environment(state: &mut State) -> String {
        create_fixed(
            state,
            "environments",
            json!({"name": "E", "region": "NA", "license": {"id": "l"}}),
        )
    }

    #[test]
    fn new_environment_has_openid_resource_with_profile_scope() {
        let mut state = State::new(Some(3));
        let env = new_environment(&mut state);
        let resources = state.store.list(&format!("environments/{env}/resources"));
        let openid = resources
            .iter()
            .find(|r| r["name"] == "openid")
            .expect("openid");
        let scopes = state.store.list(&format!(
            "environments/{env}/resources/{}/scopes",
            id_of(openid)
        ));
        assert!(scopes.iter().any(|s| s["name"] == "profile"));
    }

    #[test]
    fn new_environment_has_default_population_and_policy() {
        let mut state = State::new(Some(3));
        let env = new_environment(&mut state);
        assert!(default_population(&state, &env).is_some());
        let policies = state
            .store
            .list(&format!("environments/{env}/signOnPolicies"));
        assert_eq!(policies.len(), 1);
        assert_eq!(
            state
                .store
                .list(&format!(
                    "environments/{env}/signOnPolicies/{}/actions",
                    id_of(&policies[0])
                ))
                .len(),
            1
        );
    }
}
