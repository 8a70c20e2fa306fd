//! Each token endpoint authentication method succeeds for both grants, and grant errors
//! answer as OAuth says.

use jsonwebtoken::{Algorithm, EncodingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{App, Harness, JWT_BEARER, REDIRECT, assertion_claims, basic, fixture, sign};

/// How a test client authenticates: the Authorization header and extra form pairs.
type Credentials = (Option<String>, Vec<(&'static str, String)>);

fn assert_tokens(reply: &crate::support::Reply, expect_id_token: bool) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(
        reply.body["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(reply.body["expires_in"], 3600);
    assert!(reply.body["scope"].is_string());
    assert_eq!(
        reply.body.get("id_token").is_some(),
        expect_id_token,
        "{}",
        reply.body
    );
}

/// Runs client_credentials, then authorization_code, with fresh credentials each time.
async fn both_grants(h: &Harness, app: &App, credentials: impl Fn() -> Credentials) {
    let url = h.token_url(&h.env_id());
    let (auth, extra) = credentials();
    let mut pairs: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    pairs.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    assert_tokens(&h.post_form(&url, auth.as_deref(), &pairs).await, false);

    let code = h.code_for(&app.id, &[]).await;
    let (auth, extra) = credentials();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    assert_tokens(&h.post_form(&url, auth.as_deref(), &pairs).await, true);
}

#[tokio::test]
async fn client_secret_basic_succeeds_for_both_grants() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    both_grants(&h, &app, || (Some(basic(&app.id, &app.secret)), vec![])).await;
}

#[tokio::test]
async fn client_secret_post_succeeds_for_both_grants() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_POST", json!({})).await;
    both_grants(&h, &app, || {
        (
            None,
            vec![
                ("client_id", app.id.clone()),
                ("client_secret", app.secret.clone()),
            ],
        )
    })
    .await;
}

fn assertion_pairs(jwt: String) -> Vec<(&'static str, String)> {
    vec![
        ("client_assertion_type", JWT_BEARER.to_owned()),
        ("client_assertion", jwt),
    ]
}

#[tokio::test]
async fn client_secret_jwt_succeeds_for_both_grants_with_each_hmac_algorithm() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_JWT", json!({})).await;
    let url = h.token_url(&h.env_id());
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        both_grants(&h, &app, || {
            let key = EncodingKey::from_secret(app.secret.as_bytes());
            (
                None,
                assertion_pairs(sign(alg, None, &assertion_claims(&app.id, &url), &key)),
            )
        })
        .await;
    }
}

#[tokio::test]
async fn private_key_jwt_with_jwks_property_succeeds_for_both_grants_with_each_rsa_algorithm() {
    let h = Harness::start().await;
    let jwks = json!({"keys": [serde_json::from_str::<Value>(&fixture("rsa_client_public.jwk.json")).expect("jwk")]});
    let app = h
        .app_with_method("PRIVATE_KEY_JWT", json!({"jwks": jwks.to_string()}))
        .await;
    let url = h.token_url(&h.env_id());
    let key = EncodingKey::from_rsa_pem(fixture("rsa_client_private.pem").as_bytes()).expect("key");
    for alg in [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512] {
        both_grants(&h, &app, || {
            (
                None,
                assertion_pairs(sign(
                    alg,
                    Some("rsa-client"),
                    &assertion_claims(&app.id, &url),
                    &key,
                )),
            )
        })
        .await;
    }
}

#[tokio::test]
async fn private_key_jwt_with_key_posted_as_pem_succeeds_for_both_grants() {
    let h = Harness::start().await;
    let app = h.app_with_method("PRIVATE_KEY_JWT", json!({})).await;
    let token = h.admin_token().await;
    let path = format!("/environments/{}/applications/{}/keys", h.env_id(), app.id);
    let posted = h
        .call(
            reqwest::Method::POST,
            &path,
            &token,
            Some(json!({"pem": fixture("rsa_client_public.pem")})),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let url = h.token_url(&h.env_id());
    let key = EncodingKey::from_rsa_pem(fixture("rsa_client_private.pem").as_bytes()).expect("key");
    both_grants(&h, &app, || {
        (
            None,
            assertion_pairs(sign(
                Algorithm::RS256,
                None,
                &assertion_claims(&app.id, &url),
                &key,
            )),
        )
    })
    .await;
}

#[tokio::test]
async fn private_key_jwt_with_ec_jwk_posted_succeeds_with_es256() {
    let h = Harness::start().await;
    let app = h.app_with_method("PRIVATE_KEY_JWT", json!({})).await;
    let token = h.admin_token().await;
    let path = format!("/environments/{}/applications/{}/keys", h.env_id(), app.id);
    let jwk: Value = serde_json::from_str(&fixture("ec_client_public.jwk.json")).expect("jwk");
    let posted = h
        .call(
            reqwest::Method::POST,
            &path,
            &token,
            Some(json!({"jwk": jwk})),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    assert_eq!(posted.body["kid"], "ec-client");
    let url = h.token_url(&h.env_id());
    let key = EncodingKey::from_ec_pem(fixture("ec_client_private.pem").as_bytes()).expect("key");
    both_grants(&h, &app, || {
        (
            None,
            assertion_pairs(sign(
                Algorithm::ES256,
                Some("ec-client"),
                &assertion_claims(&app.id, &url),
                &key,
            )),
        )
    })
    .await;
}

#[tokio::test]
async fn public_client_exchanges_code_with_pkce_verifier() {
    let h = Harness::start().await;
    let app = h
        .app_with_method("NONE", json!({"grantTypes": ["AUTHORIZATION_CODE"]}))
        .await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let pkce = [
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let url = h.token_url(&h.env_id());

    let code = h.code_for(&app.id, &pkce).await;
    let base = [
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("client_id", app.id.as_str()),
    ];
    let wrong = h
        .post_form(
            &url,
            None,
            &[&base[..], &[("code", &code), ("code_verifier", "not-it")]].concat(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["error"], "invalid_grant");

    let code = h.code_for(&app.id, &pkce).await;
    let ok = h
        .post_form(
            &url,
            None,
            &[&base[..], &[("code", &code), ("code_verifier", verifier)]].concat(),
        )
        .await;
    assert_tokens(&ok, true);

    let refused = h
        .post_form(
            &url,
            None,
            &[("grant_type", "client_credentials"), ("client_id", &app.id)],
        )
        .await;
    assert_eq!(
        refused.body["error"], "unauthorized_client",
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn grant_errors_follow_oauth() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let other = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let url = h.token_url(&h.env_id());
    let auth = basic(&app.id, &app.secret);
    let error_of = |reply: crate::support::Reply| {
        (
            reply.status,
            reply.body["error"].as_str().unwrap_or_default().to_owned(),
        )
    };

    let missing = h.post_form(&url, Some(&auth), &[]).await;
    assert_eq!(
        error_of(missing),
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );
    let unknown = h
        .post_form(&url, Some(&auth), &[("grant_type", "password")])
        .await;
    assert_eq!(
        error_of(unknown),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type".into())
    );
    let json_body = h
        .send(
            h.client
                .post(&url)
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    assert_eq!(
        error_of(json_body),
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );

    let code = h.code_for(&app.id, &[]).await;
    let exchange = |code: String, redirect: &'static str| {
        let auth = auth.clone();
        let url = url.clone();
        let h = &h;
        async move {
            let pairs = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
            ];
            h.post_form(&url, Some(&auth), &pairs).await
        }
    };
    let no_code = h
        .post_form(
            &url,
            Some(&auth),
            &[
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(
        error_of(no_code),
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );
    let wrong_redirect = exchange(code.clone(), "http://127.0.0.1/elsewhere").await;
    assert_eq!(
        error_of(wrong_redirect),
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    let reused = exchange(code, REDIRECT).await;
    assert_eq!(reused.body["error"], "invalid_grant");
    assert!(
        reused.body["error_description"]
            .as_str()
            .expect("reason")
            .contains("already used")
    );

    let code = h.code_for(&app.id, &[]).await;
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let stolen = h
        .post_form(&url, Some(&basic(&other.id, &other.secret)), &pairs)
        .await;
    assert_eq!(stolen.body["error"], "invalid_grant");
    assert!(
        stolen.body["error_description"]
            .as_str()
            .expect("reason")
            .contains("another client")
    );
    let ok_after_theft = exchange(code, REDIRECT).await;
    assert_eq!(
        ok_after_theft.body["error"], "invalid_grant",
        "a code is single-use even after a failed exchange"
    );
}
