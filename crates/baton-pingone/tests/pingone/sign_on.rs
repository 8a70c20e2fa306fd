//! Sign-on without a browser: the pi.flow authorize, the username/password check with its
//! `ST` cookie, the code exchange, the 302 form, and the token-reading endpoints.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Harness, REDIRECT, basic, form};

#[tokio::test]
async fn pi_flow_sign_on_sets_session_cookie_and_code_exchanges_for_tokens() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_POST", json!({})).await;

    let flow = h.start_flow(&app.id, &[("nonce", "n-1")]).await;
    assert_eq!(flow.status, StatusCode::OK);
    assert_eq!(flow.body["status"], "USERNAME_PASSWORD_REQUIRED");
    let flow_id = flow.body["id"].as_str().expect("flow id");
    let flow_url = format!("{}/{}/flows/{flow_id}", h.server.base_url(), h.env_id());
    assert_eq!(
        flow.body["_links"]["usernamePassword.check"]["href"],
        flow_url.as_str()
    );
    let shown = h.send(h.client.get(&flow_url)).await;
    assert_eq!(shown.body["status"], "USERNAME_PASSWORD_REQUIRED");

    let wrong = h
        .check_password(flow_id, &h.var("username"), "not the password")
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["code"], "INVALID_DATA");
    assert_eq!(wrong.body["details"][0]["target"], "password");

    let done = h
        .check_password(flow_id, &h.var("username"), &h.var("password"))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body["status"], "COMPLETED");
    assert_eq!(done.body["authorizeResponse"]["state"], "st-1");
    let cookie = done
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    assert!(cookie.starts_with("ST="), "{cookie}");
    assert_eq!(
        h.send(h.client.get(&flow_url)).await.body["status"],
        "COMPLETED"
    );

    let code = done.body["authorizeResponse"]["code"]
        .as_str()
        .expect("code");
    let url = h.token_url(&h.env_id());
    let tokens = h
        .post_form(
            &url,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("client_id", &app.id),
                ("client_secret", &app.secret),
            ],
        )
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert!(tokens.body["id_token"].is_string());

    let access = tokens.body["access_token"].as_str().expect("access token");
    let userinfo_url = format!("{}/{}/as/userinfo", h.server.base_url(), h.env_id());
    let info = h
        .send(h.client.get(&userinfo_url).bearer_auth(access))
        .await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.body["preferred_username"], h.var("username").as_str());
}

#[tokio::test]
async fn session_cookie_completes_the_next_flow_at_once() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let flow = h.start_flow(&app.id, &[]).await;
    let done = h
        .check_password(
            flow.body["id"].as_str().expect("id"),
            &h.var("username"),
            &h.var("password"),
        )
        .await;
    let set_cookie = done
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    let session = set_cookie.split(';').next().expect("pair");

    let pairs = [
        ("response_type", "code"),
        ("client_id", app.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("state", "again"),
    ];
    let url = format!(
        "{}/{}/as/authorize?{}",
        h.server.base_url(),
        h.env_id(),
        form(&pairs)
    );
    let redirected = h.send(h.client.get(&url).header("cookie", session)).await;
    assert_eq!(redirected.status, StatusCode::FOUND);
    let location = redirected
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert!(location.ends_with("&state=again"), "{location}");
}

#[tokio::test]
async fn authorize_without_pi_flow_redirects_with_flow_id() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let pairs = [
        ("response_type", "code"),
        ("client_id", app.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
    ];
    let url = format!("{}/{}/as/authorize", h.server.base_url(), h.env_id());
    let reply = h
        .send(
            h.client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&pairs)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    let flow_id = location.split("flowId=").nth(1).expect("flowId");
    let flow = h
        .send(h.client.get(format!(
            "{}/{}/flows/{flow_id}",
            h.server.base_url(),
            h.env_id()
        )))
        .await;
    assert_eq!(flow.body["status"], "USERNAME_PASSWORD_REQUIRED");
}

#[tokio::test]
async fn unregistered_redirect_uri_is_refused_at_authorize() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let pairs = [
        ("response_type", "code"),
        ("client_id", app.id.as_str()),
        ("redirect_uri", "http://evil/cb"),
        ("response_mode", "pi.flow"),
    ];
    let url = format!(
        "{}/{}/as/authorize?{}",
        h.server.base_url(),
        h.env_id(),
        form(&pairs)
    );
    let reply = h.send(h.client.get(&url)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body["error_description"]
            .as_str()
            .expect("reason")
            .contains("not registered")
    );
}

#[tokio::test]
async fn unknown_flow_and_wrong_content_type_are_refused() {
    let h = Harness::start().await;
    let missing = h.check_password("no-such-flow", "u", "p").await;
    assert_eq!(
        (missing.status, missing.body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND"))
    );
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let flow = h.start_flow(&app.id, &[]).await;
    let url = format!(
        "{}/{}/flows/{}",
        h.server.base_url(),
        h.env_id(),
        flow.body["id"].as_str().expect("id")
    );
    let reply = h
        .send(
            h.client
                .post(&url)
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn discovery_jwks_and_introspection_describe_issued_tokens() {
    let h = Harness::start().await;
    let base = format!("{}/{}/as", h.server.base_url(), h.env_id());
    let discovery = h
        .send(
            h.client
                .get(format!("{base}/.well-known/openid-configuration")),
        )
        .await;
    assert_eq!(discovery.body["issuer"], base.as_str());
    assert_eq!(discovery.body["token_endpoint"], format!("{base}/token"));
    let jwks = h.send(h.client.get(format!("{base}/jwks"))).await;
    assert_eq!(jwks.body["keys"][0]["alg"], "ES256");

    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let auth = basic(&app.id, &app.secret);
    let issued = h
        .post_form(
            &format!("{base}/token"),
            Some(&auth),
            &[("grant_type", "client_credentials")],
        )
        .await;
    let token = issued.body["access_token"].as_str().expect("token");
    let active = h
        .post_form(
            &format!("{base}/introspect"),
            Some(&auth),
            &[("token", token)],
        )
        .await;
    assert_eq!(active.body["active"], true, "{}", active.body);
    assert_eq!(active.body["client_id"], app.id.as_str());
    assert_eq!(active.body["env"], h.env_id());
    let inactive = h
        .post_form(
            &format!("{base}/introspect"),
            Some(&auth),
            &[("token", "garbage")],
        )
        .await;
    assert_eq!(inactive.body["active"], false);
    let unauthenticated = h
        .post_form(&format!("{base}/introspect"), None, &[("token", token)])
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}
