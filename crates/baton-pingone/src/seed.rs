//! What a fresh stand-in holds: one organization with an active MFA license and PingOne's
//! built-in roles, an administrators environment with a worker application
//! (client_credentials, `CLIENT_SECRET_BASIC`), and a working environment with one user
//! who has a password. Everything goes through the same create path as the API.

use serde_json::json;

use super::crud::create_fixed as make;
use super::state::State;

/// Built-in roles, as PingOne names them.
const ROLES: [&str; 6] = [
    "Organization Admin",
    "Environment Admin",
    "Identity Data Admin",
    "Client Application Developer",
    "Identity Data Read Only",
    "Configuration Read Only",
];

/// The seeded username.
pub(crate) const USERNAME: &str = "baton.user";

/// Ids and credentials of the seeded objects, for the environment file.
#[derive(Debug, Clone)]
pub(crate) struct Seeded {
    /// The administrators environment.
    pub admin_env_id: String,
    /// The admin worker application's client id.
    pub admin_app_id: String,
    /// The admin worker application's client secret.
    pub admin_app_secret: String,
    /// The working environment.
    pub env_id: String,
    /// The seeded user's password.
    pub password: String,
}

/// Seeds the state and returns what the environment file needs.
pub(crate) fn seed(state: &mut State) -> Seeded {
    let org_id = make(
        state,
        "organizations",
        json!({"name": "Baton PingOne stand-in", "type": "INTERNAL"}),
    );
    state.org_id = org_id.clone();
    let license_id = make(
        state,
        &format!("organizations/{org_id}/licenses"),
        json!({
            "name": "MFA", "package": "MFA", "status": "ACTIVE",
            "organization": {"id": org_id},
            "environments": {"allowProduction": true, "max": 100, "regions": ["NA"]},
        }),
    );
    for role in ROLES {
        make(
            state,
            "roles",
            json!({"name": role, "description": format!("The {role} role")}),
        );
    }
    let environment = |name: &str, kind: &str| json!({"name": name, "region": "NA", "type": kind, "license": {"id": license_id}});
    let admin_env_id = make(
        state,
        "environments",
        environment("Administrators", "PRODUCTION"),
    );
    state.admin_env_id = admin_env_id.clone();
    let admin_app_id = make(
        state,
        &format!("environments/{admin_env_id}/applications"),
        json!({
            "name": "Baton admin worker", "type": "WORKER", "protocol": "OPENID_CONNECT",
            "grantTypes": ["CLIENT_CREDENTIALS"], "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC",
        }),
    );
    let admin_app_secret = state
        .secrets
        .get(&admin_app_id)
        .map(|s| s.current.clone())
        .unwrap_or_default();
    let env_id = make(
        state,
        "environments",
        environment("Baton workflows", "SANDBOX"),
    );
    let password = format!("Baton-{}1!", state.new_secret(12));
    make(
        state,
        &format!("environments/{env_id}/users"),
        json!({
            "username": USERNAME, "email": "baton.user@example.com",
            "name": {"given": "Baton", "family": "User"},
            "password": {"value": password},
        }),
    );
    Seeded {
        admin_env_id,
        admin_app_id,
        admin_app_secret,
        env_id,
        password,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::id_of;

    #[test]
    fn seed_makes_admin_worker_and_user_with_password() {
        let mut state = State::new(Some(1));
        let seeded = seed(&mut state);
        let app = state
            .store
            .get(
                &format!("environments/{}/applications", seeded.admin_env_id),
                &seeded.admin_app_id,
            )
            .expect("worker");
        assert_eq!(app["type"], "WORKER");
        assert_eq!(state.admin_env_id, seeded.admin_env_id);
        assert!(!seeded.admin_app_secret.is_empty());
        let users = state
            .store
            .list(&format!("environments/{}/users", seeded.env_id));
        assert_eq!(users[0]["username"], USERNAME);
        assert_eq!(state.passwords[id_of(&users[0])], seeded.password);
    }

    #[test]
    fn seed_has_mfa_license_and_identity_data_admin_role() {
        let mut state = State::new(Some(1));
        seed(&mut state);
        let licenses = state
            .store
            .list(&format!("organizations/{}/licenses", state.org_id));
        assert_eq!(licenses[0]["package"], "MFA");
        assert!(
            state
                .store
                .list("roles")
                .iter()
                .any(|r| r["name"] == "Identity Data Admin")
        );
    }

    #[test]
    fn same_seed_gives_same_ids() {
        let (mut a, mut b) = (State::new(Some(11)), State::new(Some(11)));
        let (x, y) = (seed(&mut a), seed(&mut b));
        assert_eq!(
            (x.env_id, x.admin_app_secret, x.password),
            (y.env_id, y.admin_app_secret, y.password)
        );
    }
}
