//! Proof of the `oauth2` auth blocks against the OpenID Certified oidc-provider: a client
//! assertion signed with every algorithm Baton offers (HS256/384/512 with the secret,
//! RS256/384/512 and PS256 with an RSA key, ES256 with an EC key) gets one token for all the
//! requests of its block, and the token verifies against the provider's `/jwks`; a wrong
//! secret, a key the provider does not know, a replayed `jti` and the wrong method each fail
//! the request with the provider's `invalid_client`.

use serde_json::{Value, json};

use crate::oauth2::{REQUESTS_PER_FOLDER, authorizations, folder, oauth2};
use crate::oidc_provider::{Provider, assert_verifies, provider_jwks};
use crate::server::TestServer;
use crate::support::{Run, Scratch, baton, collection};
use crate::workflows::test_private_key;

/// What the provider says of any client it would not authenticate.
const INVALID_CLIENT: &str = "was refused with 401: invalid_client (client authentication failed)";

/// A client_credentials block for the provider's client `registered`, authenticated with
/// `method`; `extra` adds keys or replaces them.
fn block(provider: &Provider, registered: &str, method: &str, extra: &[(&str, Value)]) -> Value {
    let (id, _) = provider.client(registered);
    let mut pairs = vec![
        ("grant_type", json!("client_credentials")),
        ("accessTokenUrl", json!(provider.text("tokenEndpoint"))),
        ("clientId", json!(id)),
        ("clientSecret", json!("{{clientSecret}}")),
        ("client_authentication", json!(method)),
        ("scope", json!("api")),
        ("addTokenTo", json!("header")),
    ];
    pairs.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
    pairs.extend(extra.iter().cloned());
    oauth2(&pairs)
}

/// Runs a collection of one folder (`name`) under `auth`, with the client's secret and the key
/// as variables.
fn run_block(s: &Scratch, resource: &TestServer, name: &str, auth: Value, vars: &[String]) -> Run {
    s.json("c.json", &collection(json!([folder(name, auth)])));
    let resource_var = format!("resource={}", resource.url(""));
    let mut args = vec!["run", "c.json", "--verbose", "--env-var", &resource_var];
    for pair in vars {
        args.extend(["--env-var", pair.as_str()]);
    }
    baton(&s.dir, &args)
}

/// A fresh private key the provider has never seen (PKCS#8 PEM), made by node.
fn unknown_private_key(kind: &str) -> String {
    let script = format!(
        "process.stdout.write(require('crypto').generateKeyPairSync('{kind}', {{modulusLength: 2048, namedCurve: 'P-256'}}).privateKey.export({{type: 'pkcs8', format: 'pem'}}))"
    );
    let output = std::process::Command::new("node")
        .args(["-e", &script])
        .output()
        .expect("node");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("PEM")
}

#[test]
fn every_assertion_algorithm_gets_one_token_that_verifies_against_the_providers_jwks() {
    let provider = Provider::start();
    let jwks = provider_jwks(&provider);
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-proof-algorithms");
    let rsa = test_private_key();
    let ec = provider.text("ecPrivateKey");
    let cases = [
        ("client_secret_jwt", "client_secret_jwt", "HS256", ""),
        ("client_secret_jwt", "client_secret_jwt", "HS384", ""),
        ("client_secret_jwt", "client_secret_jwt", "HS512", ""),
        ("private_key_jwt", "private_key_jwt", "RS256", rsa.as_str()),
        ("private_key_jwt", "private_key_jwt", "RS384", rsa.as_str()),
        ("private_key_jwt", "private_key_jwt", "RS512", rsa.as_str()),
        ("private_key_jwt", "private_key_jwt", "PS256", rsa.as_str()),
        (
            "private_key_jwt_ec",
            "private_key_jwt",
            "ES256",
            ec.as_str(),
        ),
    ];
    for (registered, method, alg, key) in cases {
        let (id, secret) = provider.client(registered);
        let mut extra = vec![("clientAssertionAlgorithm", json!(alg))];
        if !key.is_empty() {
            extra.push(("clientAssertionPrivateKey", json!("{{privateKey}}")));
        }
        if registered == "private_key_jwt_ec" {
            extra.push(("clientAssertionKeyId", json!(provider.text("ecKeyId"))));
        }
        let name = alg.to_lowercase();
        let auth = block(&provider, registered, method, &extra);
        let vars = [
            format!("clientSecret={secret}"),
            format!("privateKey={key}"),
        ];
        let run = run_block(&s, &resource, &name, auth, &vars);
        assert_eq!(run.code, 0, "{alg}:\n{}{}", run.stdout, run.stderr);
        let headers = authorizations(&resource.requests(), &name);
        assert_eq!(headers.len(), REQUESTS_PER_FOLDER, "{alg}");
        assert!(
            headers.iter().all(|h| h == &headers[0]),
            "{alg}: {headers:?}"
        );
        assert_eq!(
            run.stdout.matches("\n    oauth2 token POST ").count(),
            1,
            "{alg}"
        );
        let token = headers[0].strip_prefix("Bearer ").expect("a Bearer token");
        assert_verifies(token, &jwks, &provider, &id);
        let key_line = key.lines().nth(1).unwrap_or("no key");
        for shown in [token, key_line] {
            assert!(!run.stdout.contains(shown), "{alg}: stdout shows {shown}");
        }
        if !secret.is_empty() {
            assert!(
                !run.stdout.contains(&secret),
                "{alg}: stdout shows the secret"
            );
        }
    }
}

/// A client assertion for the client_secret_jwt client, signed by the test with a fixed `jti`,
/// as a Postman user builds one by hand into `tokenRequestParams`.
fn hand_made_assertion(provider: &Provider) -> String {
    let (id, secret) = provider.client("client_secret_jwt");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let claims = json!({"iss": id, "sub": id, "aud": provider.text("tokenEndpoint"),
        "iat": now, "exp": now + 300, "jti": "b7d3c0de-0000-4000-8000-00000000a11e"});
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

/// A block the provider must refuse: which client, which method, the keys that make it wrong,
/// and the secret and key it is run with.
struct Refusal<'a> {
    what: &'a str,
    registered: &'a str,
    method: &'a str,
    extra: &'a [(&'a str, Value)],
    secret: String,
    key: String,
}

impl<'a> Refusal<'a> {
    fn new(
        what: &'a str,
        registered: &'a str,
        method: &'a str,
        extra: &'a [(&'a str, Value)],
    ) -> Self {
        Refusal {
            what,
            registered,
            method,
            extra,
            secret: String::new(),
            key: String::new(),
        }
    }

    fn with(self, secret: String, key: String) -> Self {
        Refusal {
            secret,
            key,
            ..self
        }
    }
}

#[test]
fn the_provider_refuses_a_wrong_secret_an_unknown_key_a_replayed_jti_and_the_wrong_method() {
    let provider = Provider::start();
    let resource = TestServer::start();
    let s = Scratch::new("oauth2-proof-refusals");
    let wrong = "a-wrong-secret-of-sufficient-length-for-hs512-a-wrong-secret-of-sufficient";
    let secret_of = |registered: &str| provider.client(registered).1;
    let stranger_rsa = unknown_private_key("rsa");
    let stranger_ec = unknown_private_key("ec");
    let unknown_kid = [
        ("clientAssertionAlgorithm", json!("RS256")),
        ("clientAssertionPrivateKey", json!("{{privateKey}}")),
        ("clientAssertionKeyId", json!("a-kid-never-registered")),
    ];
    let unknown_ec = [
        ("clientAssertionAlgorithm", json!("ES256")),
        ("clientAssertionPrivateKey", json!("{{privateKey}}")),
        ("clientAssertionKeyId", json!(provider.text("ecKeyId"))),
    ];
    let none = String::new;
    let cases = [
        Refusal::new("wrong secret, body", "client_secret_post", "body", &[])
            .with(wrong.into(), none()),
        Refusal::new("wrong secret, header", "client_secret_basic", "header", &[])
            .with(wrong.into(), none()),
        Refusal::new(
            "wrong secret, HS256",
            "client_secret_jwt",
            "client_secret_jwt",
            &[],
        )
        .with(wrong.into(), none()),
        Refusal::new(
            "unknown RSA key and kid",
            "private_key_jwt",
            "private_key_jwt",
            &unknown_kid,
        )
        .with(none(), stranger_rsa),
        Refusal::new(
            "unknown EC key",
            "private_key_jwt_ec",
            "private_key_jwt",
            &unknown_ec,
        )
        .with(none(), stranger_ec),
        Refusal::new(
            "post client with header",
            "client_secret_post",
            "header",
            &[],
        )
        .with(secret_of("client_secret_post"), none()),
        Refusal::new("basic client with body", "client_secret_basic", "body", &[])
            .with(secret_of("client_secret_basic"), none()),
        Refusal::new("jwt client with body", "client_secret_jwt", "body", &[])
            .with(secret_of("client_secret_jwt"), none()),
        Refusal::new(
            "post client with HS256",
            "client_secret_post",
            "client_secret_jwt",
            &[],
        )
        .with(secret_of("client_secret_post"), none()),
    ];
    for case in cases {
        let Refusal {
            what,
            registered,
            method,
            extra,
            secret,
            key,
        } = case;
        let auth = block(&provider, registered, method, extra);
        let vars = [
            format!("clientSecret={secret}"),
            format!("privateKey={key}"),
        ];
        let run = run_block(&s, &resource, "refused", auth, &vars);
        assert_eq!(run.code, 1, "{what}:\n{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(INVALID_CLIENT),
            "{what}:\n{}",
            run.stdout
        );
        if secret != wrong && !secret.is_empty() {
            assert!(
                !run.stdout.contains(&secret),
                "{what}: stdout shows the secret"
            );
        }
        assert!(
            !run.stdout.contains(wrong),
            "{what}: stdout shows the wrong secret"
        );
    }
    assert!(
        authorizations(&resource.requests(), "refused").is_empty(),
        "a refused token sends no request"
    );

    // A hand-made assertion passes once; sent again, its jti is a replay.
    let assertion = hand_made_assertion(&provider);
    let replayed = [
        ("clientSecret", json!("")),
        (
            "tokenRequestParams",
            json!([
                {"key": "client_assertion_type", "value": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                {"key": "client_assertion", "value": "{{assertion}}"},
            ]),
        ),
    ];
    let auth = block(&provider, "client_secret_jwt", "body", &replayed);
    let vars = [format!("assertion={assertion}")];
    let first = run_block(&s, &resource, "replay", auth.clone(), &vars);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let again = run_block(&s, &resource, "again", auth, &vars);
    assert_eq!(again.code, 1, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains(INVALID_CLIENT), "{}", again.stdout);
    assert!(!again.stdout.contains(&assertion) && !first.stdout.contains(&assertion));
}
