//! Every client-authentication refusal is `401 invalid_client` with a reason that says
//! what was wrong: the wrong method for the application, a wrong secret or key, a bad
//! signature, and each bad assertion claim.

use jsonwebtoken::{Algorithm, EncodingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Harness, JWT_BEARER, Reply, assertion_claims, basic, fixture, sign};

fn assert_refused(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.body["error"], "invalid_client", "{}", reply.body);
    let description = reply.body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains(reason),
        "expected {reason:?} in {description:?}"
    );
}

async fn client_credentials(h: &Harness, auth: Option<&str>, extra: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![("grant_type", "client_credentials")];
    pairs.extend_from_slice(extra);
    h.post_form(&h.token_url(&h.env_id()), auth, &pairs).await
}

async fn with_assertion(h: &Harness, jwt: &str) -> Reply {
    client_credentials(
        h,
        None,
        &[
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", jwt),
        ],
    )
    .await
}

#[tokio::test]
async fn using_another_method_than_the_applications_is_refused() {
    let h = Harness::start().await;
    let basic_app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let post_app = h.app_with_method("CLIENT_SECRET_POST", json!({})).await;
    let jwt_app = h.app_with_method("CLIENT_SECRET_JWT", json!({})).await;

    let post_to_basic = client_credentials(
        &h,
        None,
        &[
            ("client_id", &basic_app.id),
            ("client_secret", &basic_app.secret),
        ],
    )
    .await;
    assert_refused(
        &post_to_basic,
        "authenticates with CLIENT_SECRET_BASIC, but the request used CLIENT_SECRET_POST",
    );
    let basic_to_post =
        client_credentials(&h, Some(&basic(&post_app.id, &post_app.secret)), &[]).await;
    assert_refused(
        &basic_to_post,
        "authenticates with CLIENT_SECRET_POST, but the request used CLIENT_SECRET_BASIC",
    );
    let basic_to_jwt =
        client_credentials(&h, Some(&basic(&jwt_app.id, &jwt_app.secret)), &[]).await;
    assert_refused(&basic_to_jwt, "authenticates with CLIENT_SECRET_JWT");
    let both = client_credentials(
        &h,
        Some(&basic(&basic_app.id, &basic_app.secret)),
        &[("client_secret", &basic_app.secret)],
    )
    .await;
    assert_refused(&both, "more than one client authentication method");
}

#[tokio::test]
async fn wrong_secrets_are_refused() {
    let h = Harness::start().await;
    let basic_app = h.app_with_method("CLIENT_SECRET_BASIC", json!({})).await;
    let post_app = h.app_with_method("CLIENT_SECRET_POST", json!({})).await;
    assert_refused(
        &client_credentials(&h, Some(&basic(&basic_app.id, "wrong")), &[]).await,
        "client secret is wrong",
    );
    let post = client_credentials(
        &h,
        None,
        &[("client_id", &post_app.id), ("client_secret", "wrong")],
    )
    .await;
    assert_refused(&post, "client secret is wrong");
    let unknown = client_credentials(&h, Some(&basic("no-such-app", "x")), &[]).await;
    assert_refused(&unknown, "unknown client_id no-such-app");
}

#[tokio::test]
async fn assertions_with_wrong_algorithm_secret_or_key_are_refused() {
    let h = Harness::start().await;
    let url = h.token_url(&h.env_id());
    let secret_app = h.app_with_method("CLIENT_SECRET_JWT", json!({})).await;
    let jwks = json!({"keys": [serde_json::from_str::<Value>(&fixture("rsa_client_public.jwk.json")).expect("jwk")]});
    let key_app = h
        .app_with_method("PRIVATE_KEY_JWT", json!({"jwks": jwks}))
        .await;
    let client_key =
        EncodingKey::from_rsa_pem(fixture("rsa_client_private.pem").as_bytes()).expect("key");
    let other_key =
        EncodingKey::from_rsa_pem(fixture("rsa_other_private.pem").as_bytes()).expect("key");

    let wrong_secret = sign(
        Algorithm::HS256,
        None,
        &assertion_claims(&secret_app.id, &url),
        &EncodingKey::from_secret(b"guess"),
    );
    assert_refused(
        &with_assertion(&h, &wrong_secret).await,
        "signature does not verify with the application's client secret",
    );
    let rsa_for_secret_jwt = sign(
        Algorithm::RS256,
        None,
        &assertion_claims(&secret_app.id, &url),
        &client_key,
    );
    assert_refused(
        &with_assertion(&h, &rsa_for_secret_jwt).await,
        "which CLIENT_SECRET_JWT does not allow",
    );
    let hmac_for_key_jwt = sign(
        Algorithm::HS256,
        None,
        &assertion_claims(&key_app.id, &url),
        &EncodingKey::from_secret(key_app.secret.as_bytes()),
    );
    assert_refused(
        &with_assertion(&h, &hmac_for_key_jwt).await,
        "which PRIVATE_KEY_JWT does not allow",
    );
    let unregistered_key = sign(
        Algorithm::RS256,
        None,
        &assertion_claims(&key_app.id, &url),
        &other_key,
    );
    assert_refused(
        &with_assertion(&h, &unregistered_key).await,
        "does not verify with any public key registered",
    );
    let unknown_kid = sign(
        Algorithm::RS256,
        Some("nope"),
        &assertion_claims(&key_app.id, &url),
        &client_key,
    );
    assert_refused(&with_assertion(&h, &unknown_kid).await, "kid nope");
    let keyless = h.app_with_method("PRIVATE_KEY_JWT", json!({})).await;
    let no_key = sign(
        Algorithm::RS256,
        None,
        &assertion_claims(&keyless.id, &url),
        &client_key,
    );
    assert_refused(
        &with_assertion(&h, &no_key).await,
        "has no public key registered",
    );
    assert_refused(&with_assertion(&h, "not.a.jwt").await, "well-formed");
}

#[tokio::test]
async fn each_bad_assertion_claim_is_refused_with_its_reason() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_JWT", json!({})).await;
    let url = h.token_url(&h.env_id());
    let key = EncodingKey::from_secret(app.secret.as_bytes());
    let now = crate::support::now();
    let localhost_url = url.replace("127.0.0.1", "localhost");
    let cases: [(&str, Value, &str); 8] = [
        ("iss", json!("someone-else"), "iss (someone-else)"),
        ("sub", json!("someone-else"), "sub (someone-else)"),
        (
            "aud",
            json!("http://127.0.0.1/elsewhere/as/token"),
            "must be the URL the request was sent to",
        ),
        (
            "aud",
            json!(localhost_url),
            "must be the URL the request was sent to",
        ),
        ("exp", Value::Null, "no exp claim"),
        ("exp", json!(now - 10), "expired"),
        ("exp", json!(now + 3 * 3600), "at most 3600"),
        ("jti", Value::Null, "no jti claim"),
    ];
    for (claim, value, reason) in cases {
        let mut claims = assertion_claims(&app.id, &url);
        if value.is_null() {
            claims.as_object_mut().expect("claims").remove(claim);
        } else {
            claims[claim] = value;
        }
        let jwt = sign(Algorithm::HS256, None, &claims, &key);
        assert_refused(&with_assertion(&h, &jwt).await, reason);
    }
}

#[tokio::test]
async fn replayed_jti_is_refused_and_issuer_audience_is_accepted() {
    let h = Harness::start().await;
    let app = h.app_with_method("CLIENT_SECRET_JWT", json!({})).await;
    let issuer = format!("{}/{}/as", h.server.base_url(), h.env_id());
    let key = EncodingKey::from_secret(app.secret.as_bytes());
    let jwt = sign(
        Algorithm::HS512,
        None,
        &assertion_claims(&app.id, &issuer),
        &key,
    );
    let first = with_assertion(&h, &jwt).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_refused(&with_assertion(&h, &jwt).await, "was already used");
}

/// The four ways the shipped `oauth2-auth-blocks` workflow authenticates, by the method each
/// stands for: what the request carries for an application.
async fn as_method(h: &Harness, method: &str, app: &crate::support::App) -> Reply {
    let url = h.token_url(&h.env_id());
    match method {
        "CLIENT_SECRET_BASIC" => {
            client_credentials(h, Some(&basic(&app.id, &app.secret)), &[]).await
        }
        "CLIENT_SECRET_POST" => {
            let pairs = [
                ("client_id", app.id.as_str()),
                ("client_secret", &app.secret),
            ];
            client_credentials(h, None, &pairs).await
        }
        "CLIENT_SECRET_JWT" => {
            let key = EncodingKey::from_secret(app.secret.as_bytes());
            let claims = assertion_claims(&app.id, &url);
            with_assertion(h, &sign(Algorithm::HS256, None, &claims, &key)).await
        }
        _ => {
            let pem = fixture("rsa_client_private.pem");
            let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key");
            let claims = assertion_claims(&app.id, &url);
            with_assertion(
                h,
                &sign(Algorithm::RS256, Some("rsa-client"), &claims, &key),
            )
            .await
        }
    }
}

#[tokio::test]
async fn each_application_accepts_only_its_own_method_of_the_four() {
    let h = Harness::start().await;
    let jwk: Value = serde_json::from_str(&fixture("rsa_client_public.jwk.json")).expect("jwk");
    let methods = [
        "CLIENT_SECRET_POST",
        "CLIENT_SECRET_BASIC",
        "CLIENT_SECRET_JWT",
        "PRIVATE_KEY_JWT",
    ];
    for registered in methods {
        // Every application has a secret and the key, so only the method can be wrong.
        let jwks = json!({"keys": [jwk.clone()]}).to_string();
        let app = h.app_with_method(registered, json!({"jwks": jwks})).await;
        for used in methods {
            let reply = as_method(&h, used, &app).await;
            if used == registered {
                assert_eq!(reply.status, StatusCode::OK, "{registered}: {}", reply.body);
                continue;
            }
            // Each refusal names the method the application was made with.
            assert_refused(&reply, registered);
        }
    }
}
