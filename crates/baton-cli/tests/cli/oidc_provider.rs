//! Proof against a real, OpenID Certified provider (`tests/node/oidc-provider.mjs`, panva's
//! oidc-provider): the "Client credentials token" folder of each shipped collection gets a
//! token that verifies against the provider's JWKS, and a wrong secret or key, or the other
//! secret method, gets `401 invalid_client`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::node::node_dir;
use crate::support::{Run, Scratch, baton};
use crate::workflows::{WORKFLOWS, collection_path, test_private_key};

/// The provider as a child process, stopped (by its process id) on drop.
pub(crate) struct Provider {
    child: Child,
    ready: Value,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    pub(crate) fn start() -> Provider {
        let dir = node_dir();
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../environments/test-only-private-key-jwt.pem"
        );
        let mut child = Command::new("node")
            .arg(dir.join("oidc-provider.mjs"))
            .arg(key)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start oidc-provider with node");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        // The one ready line comes once the provider listens.
        let read = BufReader::new(stdout).read_line(&mut line);
        let ready = match read {
            Ok(n) if n > 0 => serde_json::from_str(&line).expect("the ready line is JSON"),
            _ => {
                let _ = child.kill();
                panic!("oidc-provider exited before it was ready");
            }
        };
        Provider { child, ready }
    }

    pub(crate) fn client(&self, method: &str) -> (String, String) {
        let client = &self.ready["clients"][method];
        (
            client["id"].as_str().expect("id").to_owned(),
            client["secret"].as_str().unwrap_or_default().to_owned(),
        )
    }

    pub(crate) fn text(&self, key: &str) -> String {
        self.ready[key].as_str().expect(key).to_owned()
    }
}

/// The collection's method as oidc-provider names it.
fn method_of(stem: &str) -> String {
    stem.replace('-', "_")
}

/// Runs the "Client credentials token" folder of `stem`'s collection against the provider,
/// with `vars` (`appID`, `appSecret`, ...) as `--env-var`s.
fn client_credentials(s: &Scratch, provider: &Provider, stem: &str, vars: &[(&str, &str)]) -> Run {
    let collection = collection_path(stem);
    let mut pairs = vec![
        format!("authPath={}", provider.text("authPath")),
        format!("envID={}", provider.text("envId")),
    ];
    pairs.extend(vars.iter().map(|(key, value)| format!("{key}={value}")));
    let mut args = vec![
        "run",
        collection.as_str(),
        "--folder",
        "Client credentials token",
        "--export-environment",
        "out.json",
    ];
    for pair in &pairs {
        args.extend(["--env-var", pair.as_str()]);
    }
    baton(&s.dir, &args)
}

/// The provider's signing keys, fetched from its `jwks_uri`.
pub(crate) fn provider_jwks(provider: &Provider) -> JwkSet {
    let url = provider.text("jwksUri");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let text = runtime.block_on(async {
        let response = reqwest::get(&url).await.expect("GET jwks");
        assert!(response.status().is_success(), "{url}");
        response.text().await.expect("jwks body")
    });
    serde_json::from_str(&text).expect("a JWK set")
}

pub(crate) fn assert_verifies(token: &str, jwks: &JwkSet, provider: &Provider, app_id: &str) {
    let header = jsonwebtoken::decode_header(token).expect("a JWT access token");
    let kid = header.kid.expect("kid");
    let jwk = jwks
        .find(&kid)
        .expect("the signing key is in the provider's JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["urn:baton:api"]);
    validation.set_issuer(&[provider.text("issuer")]);
    let key = DecodingKey::from_jwk(jwk).expect("usable JWK");
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .expect("the token verifies against the provider's JWKS")
        .claims;
    assert_eq!(claims["client_id"], app_id);
}

/// The algorithms each collection is run with (`""`: the method has none).
fn algorithms(stem: &str) -> &'static [&'static str] {
    match stem {
        "client-secret-jwt" => &["HS256", "HS384", "HS512"],
        "private-key-jwt" => &["RS256", "RS384", "RS512"],
        _ => &[""],
    }
}

#[test]
fn client_credentials_folders_get_verifiable_tokens_from_a_real_provider() {
    let provider = Provider::start();
    let jwks = provider_jwks(&provider);
    let s = Scratch::new("oidc-provider");
    let key = test_private_key();
    for stem in WORKFLOWS {
        let (id, secret) = provider.client(&method_of(stem));
        for alg in algorithms(stem) {
            let mut vars = vec![
                ("appID", id.as_str()),
                ("appSecret", secret.as_str()),
                ("privateKey", key.as_str()),
            ];
            if !alg.is_empty() {
                vars.push(("jwtAlg", alg));
            }
            let run = client_credentials(&s, &provider, stem, &vars);
            assert_eq!(run.code, 0, "{stem} {alg}:\n{}{}", run.stdout, run.stderr);
            let token = s.read_json("out.json")["values"]
                .as_array()
                .expect("values")
                .iter()
                .find(|v| v["key"] == "appAccessToken")
                .and_then(|v| v["value"].as_str())
                .expect("appAccessToken exported")
                .to_owned();
            assert_verifies(&token, &jwks, &provider, &id);
        }
    }
}

/// A fresh RSA key the provider has never seen (PKCS#8 PEM), made by node.
fn unknown_private_key() -> String {
    let output = Command::new("node")
        .args([
            "-e",
            "process.stdout.write(require('crypto').generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}))",
        ])
        .output()
        .expect("node");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("PEM")
}

#[test]
fn a_real_provider_refuses_wrong_credentials_and_the_other_secret_method() {
    let provider = Provider::start();
    let s = Scratch::new("oidc-provider-refusals");
    let stranger = unknown_private_key();
    let (basic_id, basic_secret) = provider.client("client_secret_basic");
    let (post_id, post_secret) = provider.client("client_secret_post");
    let mut cases: Vec<(&str, Vec<(&str, String)>)> = WORKFLOWS
        .iter()
        .map(|stem| {
            let (id, _) = provider.client(&method_of(stem));
            (*stem, vec![("appID", id), ("appSecret", "a-wrong-secret-of-sufficient-length-for-hs512-a-wrong-secret-of-sufficient-length".into()), ("privateKey", stranger.clone())])
        })
        .collect();
    // Right credentials, wrong one of the two secret methods.
    cases.push((
        "client-secret-post",
        vec![("appID", basic_id), ("appSecret", basic_secret)],
    ));
    cases.push((
        "client-secret-basic",
        vec![("appID", post_id), ("appSecret", post_secret)],
    ));
    for (stem, vars) in cases {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let run = client_credentials(&s, &provider, stem, &vars);
        assert_eq!(run.code, 1, "{stem} {vars:?}:\n{}", run.stdout);
        assert!(
            run.stdout.contains("Assertion failed: status is 200")
                && run.stdout.contains(r#"{"error":"invalid_client","error_description":"client authentication failed"}"#)
                && run.stdout.contains("expected 401 to equal 200"),
            "{stem}:\n{}",
            run.stdout
        );
    }
}
