//! Proof of the browser grants and of refresh against the OpenID Certified oidc-provider: the
//! test signs on at the provider's own sign-in form over HTTP, as a browser would, and hands
//! Baton the provider's session cookie in a `--cookie-jar` file. With it, authorization_code
//! (with each client authentication method) and authorization_code_with_pkce (S256, for a public
//! and a confidential client) get a code straight from the provider's redirect, exchange it once
//! and use the token, which verifies against the provider's `/jwks`, for every request of the
//! block; without it the provider shows its sign-in form and Baton says the grant needs a
//! browser. Access tokens that live 1 s are refreshed with `grant_type=refresh_token` at each
//! later request, after exactly one code exchange, as the provider's own ledger of grants shows.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Map, Value, json};

use crate::oauth2::{REQUESTS_PER_FOLDER, authorizations, folder, oauth2};
use crate::oidc_provider::{Provider, provider_jwks};
use crate::server::TestServer;
use crate::support::{Run, Scratch, baton, collection};
use crate::workflows::test_private_key;

/// The account the test signs on as at the provider's sign-in form (any name signs on there).
const ACCOUNT: &str = "ada";

/// A runtime for the test's own HTTP exchanges with the provider.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The `name=value` part of each `Set-Cookie` of `response`.
fn cookies_set(response: &reqwest::Response) -> Vec<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// Where a redirect goes, resolved against the URL that answered it.
fn location(response: &reqwest::Response) -> url::Url {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.url()
    );
    let to = response.headers()[LOCATION].to_str().expect("a Location");
    response.url().join(to).expect("a Location that is a URL")
}

/// What a browser does once: starts an authorization request for the provider's
/// `code_client_secret_post` client, meets the provider's sign-in form, posts it for
/// [`ACCOUNT`] and follows the provider back to the redirect URI. The cookie jar is kept by hand
/// (every cookie is sent everywhere: all of them are the provider's, on one host). Returns the
/// `_session` cookie the provider set.
fn sign_on(provider: &Provider) -> String {
    let (client_id, _) = provider.client("code_client_secret_post");
    let redirect_uri = provider.text("codeRedirectUri");
    let mut start = url::Url::parse(&provider.text("authorizationEndpoint")).expect("URL");
    start
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "openid api")
        .append_pair("state", "signing-on");
    runtime().block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut jar: Vec<(String, String)> = Vec::new();
        let mut keep = |response: &reqwest::Response| {
            for (name, value) in cookies_set(response) {
                jar.retain(|(n, _)| n != &name);
                jar.push((name, value));
            }
            jar.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let response = http.get(start).send().await.expect("GET /auth");
        let cookie = keep(&response);
        let interaction = location(&response);
        let response = http
            .get(interaction)
            .header(COOKIE, &cookie)
            .send()
            .await
            .expect("GET the interaction");
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.expect("the sign-in page");
        assert!(page.contains(r#"name="login""#), "a sign-in form:\n{page}");
        let action = page
            .split(r#"action=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the form's action");
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("prompt", "login"), ("login", ACCOUNT), ("password", "any")])
            .finish();
        let response = http
            .post(action)
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("POST the sign-in form");
        let cookie = keep(&response);
        let resume = location(&response);
        let response = http
            .get(resume)
            .header(COOKIE, &cookie)
            .send()
            .await
            .expect("GET the resumed authorization");
        keep(&response);
        let back = location(&response);
        assert!(
            back.as_str().starts_with(&redirect_uri)
                && back.query_pairs().any(|(k, _)| k == "code"),
            "signed on, the provider redirects with a code: {back}"
        );
        jar.into_iter()
            .find(|(name, _)| name == "_session")
            .map(|(_, value)| value)
            .expect("the provider's _session cookie")
    })
}

/// A `--cookie-jar` file (the shape `--export-cookie-jar` writes) holding the provider's
/// session cookie for 127.0.0.1.
fn session_jar(s: &Scratch, session: &str) -> String {
    let jar = json!({"cookies": [{
        "key": "_session", "value": session, "domain": "127.0.0.1", "path": "/",
        "hostOnly": true, "httpOnly": true, "secure": false,
    }]});
    s.json("jar.json", &jar);
    "jar.json".into()
}

/// The token endpoint's successful grants so far, in order: `<client_id> <grant_type>`.
fn grants(provider: &Provider) -> Vec<String> {
    let url = provider.text("grantsUrl");
    let text = runtime().block_on(async {
        let response = reqwest::get(&url).await.expect("GET the grants");
        response.text().await.expect("the grants")
    });
    serde_json::from_str(&text).expect("a list of grants")
}

/// An `oauth2` block for a browser grant with the provider's client `registered`, authenticated
/// with `method`; `extra` adds keys.
fn block(
    provider: &Provider,
    grant: &str,
    registered: &str,
    method: &str,
    extra: &[(&str, Value)],
) -> Value {
    let (id, secret) = provider.client(registered);
    let mut pairs = vec![
        ("grant_type", json!(grant)),
        ("authUrl", json!(provider.text("authorizationEndpoint"))),
        ("accessTokenUrl", json!(provider.text("tokenEndpoint"))),
        ("redirect_uri", json!(provider.text("codeRedirectUri"))),
        ("clientId", json!(id)),
        ("clientSecret", json!(secret)),
        ("client_authentication", json!(method)),
        ("scope", json!("openid api")),
        ("addTokenTo", json!("header")),
    ];
    pairs.extend(extra.iter().cloned());
    oauth2(&pairs)
}

/// Runs `c.json` with the resource server's URL and `extra` arguments.
fn run(s: &Scratch, resource: &TestServer, extra: &[&str]) -> Run {
    let resource_var = format!("resource={}", resource.url(""));
    let mut args = vec!["run", "c.json", "--verbose", "--env-var", &resource_var];
    args.extend(extra);
    baton(&s.dir, &args)
}

/// The claims of an access token that verifies against the provider's JWKS as a token for
/// [`ACCOUNT`], issued to `client_id` for the resource `urn:baton:api`.
fn verified(
    bearer: &str,
    jwks: &JwkSet,
    provider: &Provider,
    client_id: &str,
) -> Map<String, Value> {
    let token = bearer.strip_prefix("Bearer ").expect("a Bearer token");
    let header = jsonwebtoken::decode_header(token).expect("a JWT access token");
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("the signing key is in the provider's JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["urn:baton:api"]);
    validation.set_issuer(&[provider.text("issuer")]);
    // Tokens that live 1 s may have expired by now; the signature and claims are what is proven.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let key = DecodingKey::from_jwk(jwk).expect("usable JWK");
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .expect("the token verifies against the provider's JWKS")
        .claims;
    assert_eq!(claims["client_id"], client_id);
    assert_eq!(claims["sub"], ACCOUNT);
    assert_eq!(claims["scope"], "api");
    claims
}

#[test]
fn a_providers_session_gives_codes_that_each_client_authentication_method_exchanges_once() {
    let provider = Provider::start();
    let jwks = provider_jwks(&provider);
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-proof-code");
    let session = sign_on(&provider);
    let jar = session_jar(&s, &session);
    let key = json!(test_private_key());
    let code = "authorization_code";
    let pkce = "authorization_code_with_pkce";
    let cases = [
        ("post", code, "code_client_secret_post", "body"),
        ("basic", code, "code_client_secret_basic", "header"),
        ("hs256", code, "code_client_secret_jwt", "client_secret_jwt"),
        ("rs256", code, "code_private_key_jwt", "private_key_jwt"),
        // The provider requires PKCE of a public client: only a right S256 verifier gets a token.
        ("pkce-public", pkce, "code_public", "body"),
        ("pkce-basic", pkce, "code_client_secret_basic", "header"),
    ];
    let folders: Vec<Value> = cases
        .iter()
        .map(|(name, grant, registered, method)| {
            let extra = match *method {
                "client_secret_jwt" => vec![("clientAssertionAlgorithm", json!("HS256"))],
                "private_key_jwt" => vec![
                    ("clientAssertionAlgorithm", json!("RS256")),
                    ("clientAssertionPrivateKey", key.clone()),
                ],
                _ => Vec::new(),
            };
            folder(name, block(&provider, grant, registered, method, &extra))
        })
        .collect();
    s.json("c.json", &collection(json!(folders)));
    // The test's own sign-on exchanged nothing.
    assert!(grants(&provider).is_empty());

    let signed_on = run(&s, &resource, &["--cookie-jar", &jar]);
    assert_eq!(
        signed_on.code, 0,
        "{}{}",
        signed_on.stdout, signed_on.stderr
    );
    let exchanged: Vec<String> = cases
        .iter()
        .map(|(_, _, registered, ..)| {
            format!("{} authorization_code", provider.client(registered).0)
        })
        .collect();
    assert_eq!(grants(&provider), exchanged, "one code exchange per block");
    for (name, _, registered, ..) in &cases {
        let headers = authorizations(&resource.requests(), name);
        assert_eq!(headers.len(), REQUESTS_PER_FOLDER, "{name}");
        assert!(
            headers.iter().all(|h| h == &headers[0]),
            "{name}: {headers:?}"
        );
        verified(
            &headers[0],
            &jwks,
            &provider,
            &provider.client(registered).0,
        );
        let token = headers[0].trim_start_matches("Bearer ");
        assert!(
            !signed_on.stdout.contains(token),
            "{name}: stdout shows the token"
        );
    }
    assert!(
        signed_on.stdout.contains("code_challenge_method=S256"),
        "{}",
        signed_on.stdout
    );
    for registered in [
        "code_client_secret_post",
        "code_client_secret_basic",
        "code_client_secret_jwt",
    ] {
        let (_, secret) = provider.client(registered);
        assert!(
            !signed_on.stdout.contains(&secret),
            "stdout shows {registered}'s secret"
        );
    }

    // Without the session the provider shows its sign-in form: no code, no token, no request.
    let sent = resource.requests().len();
    s.json(
        "c.json",
        &collection(json!([folder(
            "no-session",
            block(&provider, code, "code_client_secret_post", "body", &[])
        )])),
    );
    let no_session = run(&s, &resource, &[]);
    assert_eq!(
        no_session.code, 1,
        "{}{}",
        no_session.stdout, no_session.stderr
    );
    let needs_browser = format!(
        "`no-session 0` needs a browser for its OAuth 2.0 grant `authorization_code`: the authorization request stopped at {}/interaction/",
        provider.text("issuer")
    );
    assert!(
        no_session.stdout.contains(&needs_browser),
        "{}",
        no_session.stdout
    );
    assert!(
        no_session
            .stdout
            .contains(" with 200 instead of redirecting to the redirect_uri"),
        "{}",
        no_session.stdout
    );
    assert_eq!(grants(&provider), exchanged, "no code was exchanged");
    assert_eq!(resource.requests().len(), sent, "no request was sent");
}

#[test]
fn expired_tokens_are_refreshed_at_the_provider_after_one_code_exchange() {
    let provider = Provider::start();
    let jwks = provider_jwks(&provider);
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-proof-refresh");
    let session = sign_on(&provider);
    let jar = session_jar(&s, &session);
    // Both clients' access tokens live 1 s, less than Baton's 30 s margin: each later request
    // finds its token expired and refreshes it. The public client's refresh token is rotated at
    // each use and the one used before is then refused, so a refresh with a stale refresh token
    // would fall back to a second code exchange and show in the ledger.
    let cases = [
        (
            "refresh-basic",
            "authorization_code",
            "code_refresh_basic",
            "header",
        ),
        (
            "refresh-public",
            "authorization_code_with_pkce",
            "code_refresh_public",
            "body",
        ),
    ];
    let folders: Vec<Value> = cases
        .iter()
        .map(|(name, grant, registered, method)| {
            folder(name, block(&provider, grant, registered, method, &[]))
        })
        .collect();
    s.json("c.json", &collection(json!(folders)));
    let refreshed = run(&s, &resource, &["--cookie-jar", &jar]);
    assert_eq!(
        refreshed.code, 0,
        "{}{}",
        refreshed.stdout, refreshed.stderr
    );

    let mut expected = Vec::new();
    for (_, _, registered, _) in &cases {
        let (id, _) = provider.client(registered);
        expected.push(format!("{id} authorization_code"));
        expected.extend((1..REQUESTS_PER_FOLDER).map(|_| format!("{id} refresh_token")));
    }
    assert_eq!(grants(&provider), expected);
    for (name, _, registered, _) in &cases {
        let headers = authorizations(&resource.requests(), name);
        assert_eq!(headers.len(), REQUESTS_PER_FOLDER, "{name}");
        let ids: Vec<Value> = headers
            .iter()
            .map(|h| {
                let claims = verified(h, &jwks, &provider, &provider.client(registered).0);
                let lifetime = claims["exp"].as_u64().zip(claims["iat"].as_u64());
                assert_eq!(lifetime.map(|(exp, iat)| exp - iat), Some(1), "{name}");
                claims["jti"].clone()
            })
            .collect();
        for (n, id) in ids.iter().enumerate() {
            assert!(
                !ids[..n].contains(id),
                "{name}: a fresh token per request: {ids:?}"
            );
        }
    }
    let refresh_line = format!(
        "oauth2 refresh POST {} [200 OK, ",
        provider.text("tokenEndpoint")
    );
    assert_eq!(
        refreshed
            .stdout
            .matches(&format!("\n    {refresh_line}"))
            .count(),
        cases.len() * (REQUESTS_PER_FOLDER - 1),
        "{}",
        refreshed.stdout
    );
}
