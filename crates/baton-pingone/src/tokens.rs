//! Issuing tokens: an ES256 JWT access token carrying `client_id`, `scope`, `env`, `org`,
//! `sub`, `iss`, `aud`, `iat`, `exp` and `jti`, plus an ID token when a user signed on and
//! `openid` was asked for, in the OAuth token response shape.

use serde_json::{Value, json};

use super::clock::unix_now;
use super::signing::Signer;

/// Lifetime of access and ID tokens, in seconds.
pub(crate) const TOKEN_SECONDS: i64 = 3600;

/// What a successful grant issues tokens for.
pub(crate) struct Issue<'a> {
    /// `scheme://host:port` the client used.
    pub base: &'a str,
    /// The environment of the application.
    pub env_id: &'a str,
    /// The organization the environment belongs to.
    pub org_id: &'a str,
    /// The application.
    pub client_id: &'a str,
    /// Granted scopes, space-separated.
    pub scope: &'a str,
    /// The signed-on user and when they authenticated (authorization_code only).
    pub user: Option<(&'a Value, u64)>,
    /// The authorize request's nonce.
    pub nonce: Option<&'a str>,
    /// Token lifetime in seconds.
    pub lifetime: i64,
}

/// The issuer of an environment, as the discovery document names it.
pub(crate) fn issuer(base: &str, env_id: &str) -> String {
    format!("{base}/{env_id}/as")
}

/// Signs the tokens and builds the token response.
pub(crate) fn issue(signer: &Signer, issue: &Issue<'_>) -> Value {
    let now = unix_now();
    let iss = issuer(issue.base, issue.env_id);
    let subject = issue
        .user
        .and_then(|(user, _)| user["id"].as_str())
        .unwrap_or(issue.client_id);
    let access = json!({
        "client_id": issue.client_id,
        "iss": iss,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now,
        "exp": now as i64 + issue.lifetime,
        "aud": [format!("{}/v1", issue.base)],
        "scope": issue.scope,
        "sub": subject,
        "env": issue.env_id,
        "org": issue.org_id,
    });
    let mut response = json!({
        "access_token": signer.sign(&access),
        "token_type": "Bearer",
        "expires_in": issue.lifetime,
        "scope": issue.scope,
    });
    let openid = issue.scope.split(' ').any(|s| s == "openid");
    if let (true, Some((user, auth_time))) = (openid, issue.user) {
        let mut id = json!({
            "iss": iss,
            "sub": subject,
            "aud": issue.client_id,
            "iat": now,
            "exp": now as i64 + issue.lifetime,
            "auth_time": auth_time,
            "acr": "Single_Factor",
            "amr": ["pwd"],
            "preferred_username": user["username"],
            "env": issue.env_id,
            "org": issue.org_id,
        });
        if let Some(nonce) = issue.nonce {
            id["nonce"] = json!(nonce);
        }
        response["id_token"] = json!(signer.sign(&id));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(scope: &str, user: Option<(&Value, u64)>) -> (Signer, Value) {
        let signer = Signer::generate("k".into()).expect("key");
        let response = issue(
            &signer,
            &Issue {
                base: "http://h",
                env_id: "e",
                org_id: "o",
                client_id: "c",
                scope,
                user,
                nonce: Some("n"),
                lifetime: TOKEN_SECONDS,
            },
        );
        (signer, response)
    }

    #[test]
    fn client_credentials_token_has_client_as_subject_and_no_id_token() {
        let (signer, response) = issued("openid", None);
        assert_eq!(response["token_type"], "Bearer");
        assert!(response.get("id_token").is_none());
        let claims = signer
            .verify(response["access_token"].as_str().expect("token"))
            .expect("valid");
        assert_eq!(claims["sub"], "c");
        assert_eq!(claims["env"], "e");
        assert_eq!(claims["iss"], "http://h/e/as");
    }

    #[test]
    fn user_token_with_openid_has_id_token_with_nonce() {
        let user = json!({"id": "u", "username": "alice"});
        let (signer, response) = issued("openid profile", Some((&user, 5)));
        let id = signer
            .verify(response["id_token"].as_str().expect("id token"))
            .expect("valid");
        assert_eq!(id["sub"], "u");
        assert_eq!(id["aud"], "c");
        assert_eq!(id["nonce"], "n");
        assert_eq!(id["preferred_username"], "alice");
    }
}
