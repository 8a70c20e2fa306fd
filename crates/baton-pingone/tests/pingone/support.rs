//! Shared test plumbing: a started stand-in with an HTTP client, values from its
//! environment file, request helpers returning `(status, JSON)`, application creation and
//! the redirect-less sign-on that yields an authorization code.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use baton_pingone::{PingOneOptions, RunningPingOne, start};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The redirect URI test applications register.
pub const REDIRECT: &str = "http://127.0.0.1/callback";

/// The `client_assertion_type` of RFC 7523.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A running stand-in and a client that does not follow redirects.
pub struct Harness {
    pub server: RunningPingOne,
    pub client: reqwest::Client,
}

/// A test application: its id and client secret.
pub struct App {
    pub id: String,
    pub secret: String,
}

/// A response as status and JSON body (`Null` when the body is not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// Reads a test-only key fixture.
pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/pingone/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Form-encodes pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut encoded = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        encoded.append_pair(key, value);
    }
    encoded.finish()
}

/// A JWT with the given header algorithm, optional `kid`, claims and key.
pub fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).expect("signed")
}

/// Fresh, valid assertion claims for a client at a token URL.
pub fn assertion_claims(client_id: &str, aud: &str) -> Value {
    json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "iat": now(), "exp": now() + 300, "jti": uuid::Uuid::new_v4().to_string(),
    })
}

/// `Authorization: Basic` for urlencoded id and secret.
pub fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
    )
}

impl Harness {
    pub async fn start() -> Harness {
        let server = start(PingOneOptions {
            port: 0,
            ..PingOneOptions::default()
        })
        .await
        .expect("started");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Harness { server, client }
    }

    /// A value from the server's environment file.
    pub fn var(&self, key: &str) -> String {
        self.server.environment()["values"]
            .as_array()
            .expect("values")
            .iter()
            .find(|v| v["key"] == key)
            .and_then(|v| v["value"].as_str())
            .unwrap_or_else(|| panic!("no {key} in the environment"))
            .to_owned()
    }

    pub fn env_id(&self) -> String {
        self.var("envID")
    }

    pub fn token_url(&self, env_id: &str) -> String {
        format!("{}/{env_id}/as/token", self.server.base_url())
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/v1{path}", self.server.base_url())
    }

    /// Sends a request and reads the reply.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            headers,
        }
    }

    /// POSTs a form to a URL with an optional Authorization header.
    pub async fn post_form(
        &self,
        url: &str,
        authorization: Option<&str>,
        pairs: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(pairs));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        self.send(request).await
    }

    /// The admin worker's access token, from the environment file's credentials.
    pub async fn admin_token(&self) -> String {
        let url = self.token_url(&self.var("adminEnvID"));
        let auth = basic(&self.var("adminAppID"), &self.var("adminAppSecret"));
        let reply = self
            .post_form(&url, Some(&auth), &[("grant_type", "client_credentials")])
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// A management API call with a Bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, self.api(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.send(request).await
    }

    /// Creates an application in the working environment and reads its secret.
    pub async fn create_app(&self, body: Value) -> App {
        let token = self.admin_token().await;
        let env = self.env_id();
        let reply = self
            .call(
                Method::POST,
                &format!("/environments/{env}/applications"),
                &token,
                Some(body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        let secret = self
            .call(
                Method::GET,
                &format!("/environments/{env}/applications/{id}/secret"),
                &token,
                None,
            )
            .await;
        App {
            id,
            secret: secret.body["secret"].as_str().expect("secret").to_owned(),
        }
    }

    /// An application allowed both grants, with the given method and extra fields.
    pub async fn app_with_method(&self, method: &str, extra: Value) -> App {
        let mut body = json!({
            "name": format!("{method} app"), "type": "WEB_APP", "protocol": "OPENID_CONNECT",
            "grantTypes": ["AUTHORIZATION_CODE", "CLIENT_CREDENTIALS"], "responseTypes": ["CODE"],
            "redirectUris": [REDIRECT], "tokenEndpointAuthMethod": method,
        });
        for (key, value) in extra.as_object().into_iter().flatten() {
            body[key] = value.clone();
        }
        self.create_app(body).await
    }

    /// Starts a pi.flow sign-on; returns the flow object.
    pub async fn start_flow(&self, client_id: &str, extra: &[(&str, &str)]) -> Reply {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", "st-1"),
            ("response_mode", "pi.flow"),
        ];
        pairs.extend_from_slice(extra);
        let url = format!(
            "{}/{}/as/authorize?{}",
            self.server.base_url(),
            self.env_id(),
            form(&pairs)
        );
        self.send(self.client.get(url)).await
    }

    /// Submits username and password to a flow.
    pub async fn check_password(&self, flow_id: &str, username: &str, password: &str) -> Reply {
        let url = format!(
            "{}/{}/flows/{flow_id}",
            self.server.base_url(),
            self.env_id()
        );
        let body = json!({"username": username, "password": password}).to_string();
        self.send(
            self.client
                .post(url)
                .header(
                    "content-type",
                    "application/vnd.pingidentity.usernamePassword.check+json",
                )
                .body(body),
        )
        .await
    }

    /// Signs the seeded user on to an application; returns the authorization code.
    pub async fn code_for(&self, client_id: &str, extra: &[(&str, &str)]) -> String {
        let flow = self.start_flow(client_id, extra).await;
        assert_eq!(flow.status, StatusCode::OK, "{}", flow.body);
        let flow_id = flow.body["id"].as_str().expect("flow id");
        let done = self
            .check_password(flow_id, &self.var("username"), &self.var("password"))
            .await;
        assert_eq!(done.body["status"], "COMPLETED", "{}", done.body);
        done.body["authorizeResponse"]["code"]
            .as_str()
            .expect("code")
            .to_owned()
    }
}
