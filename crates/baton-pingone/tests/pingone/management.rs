//! The management API: Bearer checks, CRUD with PingOne's status codes and HAL shapes,
//! error bodies, environment defaults, application secrets and user passwords.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Harness, basic};

#[tokio::test]
async fn missing_or_unknown_bearer_token_is_invalid_token() {
    let h = Harness::start().await;
    let missing = h.send(h.client.get(h.api("/environments"))).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body["code"], "INVALID_TOKEN");
    assert!(missing.body["id"].is_string() && missing.body["message"].is_string());
    let forged = h
        .call(
            Method::GET,
            "/environments",
            "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.body["code"], "INVALID_TOKEN");
}

#[tokio::test]
async fn token_from_another_server_is_invalid_token() {
    let (h, other) = (Harness::start().await, Harness::start().await);
    let foreign = other.admin_token().await;
    let reply = h.call(Method::GET, "/environments", &foreign, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["code"], "INVALID_TOKEN");
}

#[tokio::test]
async fn worker_of_a_working_environment_manages_only_its_own() {
    let h = Harness::start().await;
    let worker = h.create_app(json!({"name": "w", "type": "WORKER"})).await;
    let url = h.token_url(&h.env_id());
    let token = h
        .post_form(
            &url,
            Some(&basic(&worker.id, &worker.secret)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    let token = token.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let own = h
        .call(
            Method::GET,
            &format!("/environments/{}/users", h.env_id()),
            &token,
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let admin = h
        .call(
            Method::GET,
            &format!("/environments/{}/applications", h.var("adminEnvID")),
            &token,
            None,
        )
        .await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.body["code"], "ACCESS_FAILED");
}

#[tokio::test]
async fn population_crud_uses_pingone_statuses_and_hal_shapes() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let collection = format!("/environments/{}/populations", h.env_id());

    let created = h
        .call(
            Method::POST,
            &collection,
            &token,
            Some(json!({"name": "Staff"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(
        created.body["_links"]["self"]["href"],
        h.api(&format!("{collection}/{id}"))
    );
    assert_eq!(created.body["environment"]["id"], h.env_id());
    assert!(created.body["createdAt"].is_string() && created.body["updatedAt"].is_string());

    let list = h.call(Method::GET, &collection, &token, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["_links"]["self"]["href"], h.api(&collection));
    let embedded = list.body["_embedded"]["populations"]
        .as_array()
        .expect("list");
    assert_eq!(list.body["count"], embedded.len());
    assert_eq!(list.body["size"], embedded.len());
    assert!(
        embedded
            .iter()
            .any(|p| p["id"] == id.as_str() && p["_links"]["self"]["href"].is_string())
    );

    let item = format!("{collection}/{id}");
    let read = h.call(Method::GET, &item, &token, None).await;
    assert_eq!(
        (read.status, read.body["name"].as_str()),
        (StatusCode::OK, Some("Staff"))
    );
    let updated = h
        .call(Method::PUT, &item, &token, Some(json!({"name": "Crew"})))
        .await;
    assert_eq!(
        (updated.status, updated.body["name"].as_str()),
        (StatusCode::OK, Some("Crew"))
    );
    assert_eq!(updated.body["createdAt"], created.body["createdAt"]);

    let deleted = h.call(Method::DELETE, &item, &token, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = h.call(Method::GET, &item, &token, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["code"], "NOT_FOUND");
}

#[tokio::test]
async fn missing_required_fields_are_invalid_data_with_details() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let path = format!("/environments/{}/applications", h.env_id());
    let reply = h
        .call(
            Method::POST,
            &path,
            &token,
            Some(json!({"type": "WEB_APP"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["code"], "INVALID_DATA");
    let detail = &reply.body["details"][0];
    assert_eq!(
        (detail["code"].as_str(), detail["target"].as_str()),
        (Some("REQUIRED_VALUE"), Some("name"))
    );
    assert!(detail["message"].is_string());
    let bad_method = h
        .call(
            Method::POST,
            &path,
            &token,
            Some(json!({"name": "a", "type": "WEB_APP", "tokenEndpointAuthMethod": "MAGIC"})),
        )
        .await;
    assert_eq!(
        bad_method.body["details"][0]["target"],
        "tokenEndpointAuthMethod"
    );
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    for path in [
        "/environments/00000000-0000-4000-8000-000000000000/users",
        "/widgets",
        "/environments/x",
    ] {
        let reply = h.call(Method::GET, path, &token, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body["code"], "NOT_FOUND");
    }
}

#[tokio::test]
async fn application_gets_defaults_and_is_updated_and_deleted() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let path = format!("/environments/{}/applications", h.env_id());
    let made = h
        .call(
            Method::POST,
            &path,
            &token,
            Some(json!({"name": "a", "type": "WEB_APP", "redirectUris": ["http://x/cb"]})),
        )
        .await;
    assert_eq!(made.body["tokenEndpointAuthMethod"], "CLIENT_SECRET_BASIC");
    assert_eq!(made.body["protocol"], "OPENID_CONNECT");
    assert_eq!(made.body["pkceEnforcement"], "OPTIONAL");
    assert!(
        made.body.get("secret").is_none(),
        "the secret is only at .../secret"
    );
    let item = format!("{path}/{}", made.body["id"].as_str().expect("id"));
    let patched = h
        .call(
            Method::PATCH,
            &item,
            &token,
            Some(json!({"tokenEndpointAuthMethod": "CLIENT_SECRET_POST"})),
        )
        .await;
    assert_eq!(
        patched.body["tokenEndpointAuthMethod"],
        "CLIENT_SECRET_POST"
    );
    assert_eq!(patched.body["redirectUris"], json!(["http://x/cb"]));
    assert_eq!(
        h.call(Method::DELETE, &item, &token, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.call(Method::GET, &format!("{item}/secret"), &token, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn rotated_secret_replaces_the_old_one_which_is_then_refused() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let token = h.admin_token().await;
    let path = format!(
        "/environments/{}/applications/{}/secret",
        h.env_id(),
        app.id
    );
    let read = h.call(Method::GET, &path, &token, None).await;
    assert_eq!(
        (read.status, read.body["secret"].as_str()),
        (StatusCode::OK, Some(app.secret.as_str()))
    );
    assert_eq!(read.body["_links"]["self"]["href"], h.api(&path));

    let rotated = h.call(Method::POST, &path, &token, None).await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert_eq!(rotated.body["previous"]["secret"], app.secret.as_str());
    let new_secret = rotated.body["secret"].as_str().expect("secret");
    assert_ne!(new_secret, app.secret);

    let url = h.token_url(&h.env_id());
    let cc = [("grant_type", "client_credentials")];
    let old = h
        .post_form(&url, Some(&basic(&app.id, &app.secret)), &cc)
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert!(
        old.body["error_description"]
            .as_str()
            .expect("reason")
            .contains("previous secret")
    );
    let new = h
        .post_form(&url, Some(&basic(&app.id, new_secret)), &cc)
        .await;
    assert_eq!(new.status, StatusCode::OK);
}

#[tokio::test]
async fn new_environment_has_default_population_and_openid_scopes() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let env = h
        .call(
            Method::POST,
            "/environments",
            &token,
            Some(json!({"name": "New", "region": "NA", "type": "SANDBOX", "license": {"id": "l"}})),
        )
        .await;
    assert_eq!(env.status, StatusCode::CREATED, "{}", env.body);
    let env_id = env.body["id"].as_str().expect("id");
    let populations = h
        .call(
            Method::GET,
            &format!("/environments/{env_id}/populations"),
            &token,
            None,
        )
        .await;
    assert_eq!(populations.body["count"], 1);
    let resources = h
        .call(
            Method::GET,
            &format!("/environments/{env_id}/resources"),
            &token,
            None,
        )
        .await;
    let openid = resources.body["_embedded"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["name"] == "openid")
        .expect("openid resource")
        .clone();
    let scopes = h
        .call(
            Method::GET,
            &format!(
                "/environments/{env_id}/resources/{}/scopes",
                openid["id"].as_str().expect("id")
            ),
            &token,
            None,
        )
        .await;
    let names: Vec<_> = scopes.body["_embedded"]["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert!(names.contains(&json!("profile")) && names.contains(&json!("openid")));
    assert_eq!(
        h.call(
            Method::DELETE,
            &format!("/environments/{env_id}"),
            &token,
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let after = h
        .call(
            Method::GET,
            &format!("/environments/{env_id}/resources"),
            &token,
            None,
        )
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn password_set_through_the_api_signs_the_user_on() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let users = format!("/environments/{}/users", h.env_id());
    let user = h
        .call(
            Method::POST,
            &users,
            &token,
            Some(json!({"username": "newbie", "email": "n@example.com"})),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED);
    assert!(
        user.body["population"]["id"].is_string(),
        "joins the default population"
    );
    let password_path = format!("{users}/{}/password", user.body["id"].as_str().expect("id"));
    let set = |content_type: &'static str, body: serde_json::Value| {
        let request = h
            .client
            .put(h.api(&password_path))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body.to_string());
        h.send(request)
    };
    let wrong_type = set("application/json", json!({"newPassword": "x"})).await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reset = set(
        "application/vnd.pingidentity.password.reset+json",
        json!({"newPassword": "First1!"}),
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let wrong_current = set(
        "application/vnd.pingidentity.password.reset+json",
        json!({"currentPassword": "nope", "newPassword": "Second2!"}),
    )
    .await;
    assert_eq!(wrong_current.body["code"], "INVALID_DATA");
    let changed = set(
        "application/vnd.pingidentity.password.set+json",
        json!({"value": "Third3!"}),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);

    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let flow = h.start_flow(&app.id, &[]).await;
    let done = h
        .check_password(flow.body["id"].as_str().expect("flow"), "newbie", "Third3!")
        .await;
    assert_eq!(done.body["status"], "COMPLETED", "{}", done.body);
}
