//! Sending: one keep-alive client per run (plus one that skips certificate checks, built only when
//! some request needs it), Postman's redirect rules, Digest challenges and per-request timeouts.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::collection::ProtocolProfileBehavior;

use tokio_rustls::rustls::ClientConfig;

use super::auth::digest_authorization;
use super::connect_to::{ConnectTo, route};
use super::exact::{ExactRoute, send_exact};
use super::identity::load_identity;
use super::tls_config::TlsInputs;
use super::{CookieJar, HttpError, Response, WireRequest};

/// TLS and transport settings for the run.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// `-k/--insecure`: do not verify certificates.
    pub insecure: bool,
    /// `--ssl-extra-ca-certs`: PEM files of further trusted roots.
    pub extra_ca_certs: Vec<PathBuf>,
    /// `--ssl-client-cert` and `--ssl-client-key`: PEM client identity.
    pub client_cert: Option<(PathBuf, Option<PathBuf>)>,
    /// `--ssl-client-passphrase`: decrypts an encrypted PKCS#8 client key.
    pub client_key_passphrase: Option<String>,
    /// `--timeout-request`.
    pub timeout: Option<Duration>,
    /// `--ignore-redirects`.
    pub ignore_redirects: bool,
    /// `--resolve` and `--connect-to`: the first mapping that matches a request's host and port wins.
    pub connect_to: Vec<ConnectTo>,
}

/// Why the HTTP client could not be set up.
#[derive(Debug)]
pub struct ClientSetupError(pub String);

impl std::fmt::Display for ClientSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClientSetupError {}

/// The run's HTTP client.
pub struct HttpClient {
    strict: reqwest::Client,
    lenient: OnceLock<reqwest::Client>,
    /// Clients that resolve one host name to a mapped address, keyed by (host, address, lenient).
    mapped: Mutex<HashMap<(String, SocketAddr, bool), reqwest::Client>>,
    builder_inputs: (Option<Vec<reqwest::Certificate>>, Option<reqwest::Identity>),
    /// The same trust and identity for the connections opened for exact-target requests.
    tls_inputs: TlsInputs,
    /// Their TLS configurations, verifying and not, built on first use.
    tls_configs: [OnceLock<Result<Arc<ClientConfig>, String>>; 2],
    jar: Arc<CookieJar>,
    options: ClientOptions,
}

impl HttpClient {
    /// A client sharing `jar`; reads the certificate files named in `options`.
    pub fn new(options: ClientOptions, jar: Arc<CookieJar>) -> Result<Self, ClientSetupError> {
        let mut roots = Vec::new();
        let mut tls_inputs = TlsInputs::default();
        for path in &options.extra_ca_certs {
            let pem = std::fs::read(path).map_err(|e| {
                ClientSetupError(format!(
                    "{}: cannot read CA certificates: {e}",
                    path.display()
                ))
            })?;
            let expected = |found: String| {
                ClientSetupError(format!(
                    "{}: expected PEM certificates (`-----BEGIN CERTIFICATE-----`): {found}",
                    path.display()
                ))
            };
            let certs = TlsInputs::parse_roots(&pem).map_err(expected)?;
            if certs.is_empty() {
                return Err(expected("found none".into()));
            }
            for cert in &certs {
                roots.push(
                    reqwest::Certificate::from_der(cert.as_ref())
                        .map_err(|e| expected(e.to_string()))?,
                );
            }
            tls_inputs.extra_roots.extend(certs);
        }
        let identity = match &options.client_cert {
            None => None,
            Some((cert, key)) => Some(load_identity(
                cert,
                key.as_deref(),
                options.client_key_passphrase.as_deref(),
            )?),
        };
        tls_inputs.identity_pem = identity.as_ref().map(|i| i.pem.clone());
        let inputs = (Some(roots), identity.map(|i| i.for_reqwest));
        let strict = build_client(&inputs, options.insecure, None)?;
        Ok(HttpClient {
            strict,
            lenient: OnceLock::new(),
            mapped: Mutex::default(),
            builder_inputs: inputs,
            tls_inputs,
            tls_configs: Default::default(),
            jar,
            options,
        })
    }

    /// The run's cookie jar.
    pub fn jar(&self) -> &Arc<CookieJar> {
        &self.jar
    }

    /// The cookie jar, unless the request sets `disableCookies`: then it neither sends the jar's
    /// cookies nor keeps the ones it receives (Newman).
    fn jar_for(&self, behavior: &ProtocolProfileBehavior) -> Option<&CookieJar> {
        (behavior.disable_cookies != Some(true)).then_some(&*self.jar)
    }

    fn lenient(&self, behavior: &ProtocolProfileBehavior) -> bool {
        behavior.strict_ssl == Some(false) && !self.options.insecure
    }

    fn client_for(&self, behavior: &ProtocolProfileBehavior) -> &reqwest::Client {
        if self.lenient(behavior) {
            return self.lenient.get_or_init(|| {
                build_client(&self.builder_inputs, true, None)
                    .unwrap_or_else(|_| self.strict.clone())
            });
        }
        &self.strict
    }

    /// Sends a request whose target must go on the wire as written, over a connection of its own.
    async fn send_exact(
        &self,
        request: &WireRequest,
        target: &str,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Response, HttpError> {
        let insecure = self.options.insecure || self.lenient(behavior);
        let tls = || {
            self.tls_configs[usize::from(insecure)]
                .get_or_init(|| self.tls_inputs.client_config(insecure))
                .clone()
        };
        let connect_to = self
            .options
            .connect_to
            .iter()
            .find(|r| r.matches(&request.url))
            .map(|r| r.to);
        let route = ExactRoute {
            connect_to,
            tls: &tls,
            jar: self.jar_for(behavior),
        };
        send_exact(request, target, route).await
    }

    /// The request as the connection layer sees it under `--connect-to`/`--resolve`, with the
    /// client to send it with; `None` when no mapping applies.
    fn mapped(
        &self,
        request: &WireRequest,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Option<(reqwest::Client, WireRequest)>, HttpError> {
        let Some(rule) = self
            .options
            .connect_to
            .iter()
            .find(|r| r.matches(&request.url))
        else {
            return Ok(None);
        };
        let routed = route(&request.url, rule);
        let lenient = self.lenient(behavior);
        let client = match routed.dns_override {
            None => self.client_for(behavior).clone(),
            Some((host, addr)) => {
                let mut clients = self.mapped.lock().unwrap_or_else(|e| e.into_inner());
                let key = (host, addr, lenient || self.options.insecure);
                match clients.get(&key) {
                    Some(client) => client.clone(),
                    None => {
                        let client =
                            build_client(&self.builder_inputs, key.2, Some((&key.0, addr)))
                                .map_err(|e| HttpError::Network {
                                    url: request.url.to_string(),
                                    message: e.0,
                                })?;
                        clients.insert(key, client.clone());
                        client
                    }
                }
            }
        };
        let mut wire = request.clone();
        wire.url = routed.url;
        if let Some(host) = routed.host_header {
            if !wire
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("host"))
            {
                wire.headers.push(("Host".into(), host));
            }
        }
        Ok(Some((client, wire)))
    }

    /// Sends a request, following redirects as Postman does, and reads the whole response.
    pub async fn send(
        &self,
        request: &WireRequest,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Response, HttpError> {
        let work = self.send_following(request, behavior);
        match self.options.timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                Err(HttpError::Timeout {
                    url: request.url.to_string(),
                    after: limit,
                })
            }),
            None => work.await,
        }
    }

    async fn send_following(
        &self,
        original: &WireRequest,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Response, HttpError> {
        let client = self.client_for(behavior);
        let follow = behavior
            .follow_redirects
            .unwrap_or(!self.options.ignore_redirects);
        let max = behavior.max_redirects.unwrap_or(10);
        let started = Instant::now();
        let mut current = original.clone();
        let mut redirects = 0;
        let mut digest_tried = false;
        loop {
            let mut response = match &current.target {
                Some(target) => self.send_exact(&current, target, behavior).await?,
                None => {
                    let jar = self.jar_for(behavior);
                    match self.mapped(&current, behavior)? {
                        Some((client, routed)) => {
                            send_once(&client, &routed, &current.url, jar).await?
                        }
                        None => send_once(client, &current, &current.url, jar).await?,
                    }
                }
            };
            if response.code == 401 && !digest_tried {
                if let (Some(credentials), Some(challenge)) =
                    (&current.digest, response.header("www-authenticate"))
                {
                    let uri = match (&current.target, current.url.query()) {
                        (Some(target), _) => target.clone(),
                        (None, Some(q)) => format!("{}?{q}", current.url.path()),
                        (None, None) => current.url.path().to_string(),
                    };
                    if let Some(header) =
                        digest_authorization(credentials, challenge, &current.method, &uri)
                    {
                        digest_tried = true;
                        current.headers.push(("Authorization".into(), header));
                        continue;
                    }
                }
            }
            let location = response.header("location").map(str::to_string);
            let is_redirect = matches!(response.code, 301 | 302 | 303 | 307 | 308);
            match (follow && is_redirect, location) {
                (true, Some(location)) => {
                    if redirects >= max {
                        return Err(HttpError::TooManyRedirects {
                            url: original.url.to_string(),
                            max,
                        });
                    }
                    redirects += 1;
                    current = redirected(&current, response.code, &location, behavior)?;
                }
                _ => {
                    response.response_time = started.elapsed();
                    return Ok(response);
                }
            }
        }
    }
}

fn build_client(
    inputs: &(Option<Vec<reqwest::Certificate>>, Option<reqwest::Identity>),
    insecure: bool,
    dns_override: Option<(&str, SocketAddr)>,
) -> Result<reqwest::Client, ClientSetupError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(insecure)
        // Newman sends header names as written (`Content-Type`), not lower-cased; servers and
        // fixtures that read the raw request see the difference.
        .http1_title_case_headers()
        // Newman speaks HTTP/1.1 only; over HTTP/2 header names would go out and come back in
        // lower case, and servers may answer differently.
        .http1_only()
        .tcp_nodelay(true);
    if let Some(roots) = &inputs.0 {
        for root in roots {
            builder = builder.add_root_certificate(root.clone());
        }
    }
    if let Some(identity) = &inputs.1 {
        builder = builder.identity(identity.clone());
    }
    if let Some((host, addr)) = dns_override {
        builder = builder.resolve(host, addr);
    }
    builder
        .build()
        .map_err(|e| ClientSetupError(format!("cannot set up the HTTP client: {}", chain(&e))))
}

/// Sends one request; `url` is the one the user asked for, which errors, the response and cookies
/// name even when a `--connect-to` mapping rewrote `request.url`.
async fn send_once(
    client: &reqwest::Client,
    request: &WireRequest,
    url: &url::Url,
    jar: Option<&CookieJar>,
) -> Result<Response, HttpError> {
    let network = |e: reqwest::Error| {
        if e.is_timeout() {
            HttpError::Network {
                url: url.to_string(),
                message: format!("timed out: {}", chain(&e)),
            }
        } else {
            HttpError::Network {
                url: url.to_string(),
                message: chain(&e),
            }
        }
    };
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
        HttpError::InvalidUrl {
            url: url.to_string(),
            reason: format!("`{}` is not a valid HTTP method", request.method),
        }
    })?;
    let mut headers = request.header_map()?;
    if let Some(jar) = jar {
        jar.add_request_cookies(&mut headers, url);
    }
    let mut builder = client.request(method, request.url.clone()).headers(headers);
    if !request.body.is_empty() {
        builder = builder.body(request.body.clone());
    }
    let reply = builder.send().await.map_err(network)?;
    if let Some(jar) = jar {
        jar.keep_response_cookies(reply.headers(), url);
    }
    let code = reply.status().as_u16();
    let mut response = Response::received(code, reply.headers(), Vec::new(), url.to_string());
    response.body = reply.bytes().await.map_err(network)?.to_vec();
    Ok(response)
}

/// The next hop of a redirect: 301/302/303 turn into GET without a body (unless
/// `followOriginalHttpMethod`), 307/308 repeat the request.
fn redirected(
    current: &WireRequest,
    code: u16,
    location: &str,
    behavior: &ProtocolProfileBehavior,
) -> Result<WireRequest, HttpError> {
    let url = current
        .url
        .join(location)
        .map_err(|e| HttpError::InvalidUrl {
            url: location.to_string(),
            reason: format!("bad redirect Location: {e}"),
        })?;
    let mut next = current.clone();
    let keep_method =
        matches!(code, 307 | 308) || behavior.follow_original_http_method == Some(true);
    if !keep_method && current.method != "HEAD" {
        next.method = "GET".into();
        next.body.clear();
        next.headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-length")
        });
    }
    if url.host_str() != current.url.host_str() {
        // Credentials are for the host they were given for, not wherever it redirects.
        next.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        next.digest = None;
    }
    // With `removeRefererHeaderOnRedirect`, Newman adds no Referer of its own but keeps one the
    // request itself set; otherwise the Referer names the previous hop.
    if behavior.remove_referer_header_on_redirect != Some(true) {
        next.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("referer"));
        next.headers
            .push(("Referer".into(), current.url.to_string()));
    }
    for (name, value) in next.headers.iter_mut() {
        if name.eq_ignore_ascii_case("host") {
            *value = super::wire::host_header(&url);
        }
    }
    // The Location the server sent is followed as the URL parser reads it.
    next.target = None;
    next.url = url;
    Ok(next)
}

/// An error with its causes, e.g. `error sending request: connection refused`.
pub(super) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::request_from_json;
    use crate::http::{FileAccess, build_wire_request};

    fn wire(json: serde_json::Value) -> WireRequest {
        let request = request_from_json(&json).unwrap();
        build_wire_request(
            &request,
            None,
            &ProtocolProfileBehavior::default(),
            &FileAccess::default(),
        )
        .unwrap()
    }

    fn referers(request: &WireRequest) -> Vec<&str> {
        request
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("referer"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn a_redirect_names_the_previous_hop_as_referer() {
        let first = wire(
            serde_json::json!({"url": "http://h.test/a", "header": [{"key": "Referer", "value": "mine"}]}),
        );
        let next = redirected(&first, 302, "/b", &ProtocolProfileBehavior::default()).unwrap();
        assert_eq!(referers(&next), ["http://h.test/a"]);
    }

    #[test]
    fn remove_referer_on_redirect_keeps_the_requests_own_referer() {
        let first = wire(
            serde_json::json!({"url": "http://h.test/a", "header": [{"key": "Referer", "value": "mine"}]}),
        );
        let behavior = ProtocolProfileBehavior {
            remove_referer_header_on_redirect: Some(true),
            ..Default::default()
        };
        let next = redirected(&first, 302, "/b", &behavior).unwrap();
        assert_eq!(referers(&next), ["mine"]);
    }
}
