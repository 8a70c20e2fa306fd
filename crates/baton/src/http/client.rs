//! Sending: Baton's own HTTP/1.1 (`http1.rs`) over connections kept alive per host (plus
//! `connection.rs` for proxies, `--connect-to` and TLS), Postman's redirect rules, Digest
//! challenges, the NTLM handshake and per-request timeouts.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::AsyncWriteExt;
use tokio_rustls::rustls::ClientConfig;

use crate::collection::{ProtocolProfileBehavior, percent_decode};

use super::auth::{SystemEntropy, offers_ntlm};
use super::connect_to::ConnectTo;
use super::connection::{ConnectError, Connection, Route, TlsSetupError, open};
use super::decode::{DecodeError, decode};
use super::digest::{Digest, DigestMemory};
use super::http1::{MAX_HEAD, ReadError, ReadLimits, encode_request, read_response};
use super::identity::load_identity;
use super::pool::{Pool, PoolKey};
use super::tls_config::TlsInputs;
use super::wire::{has_header, host_header};
use super::{CookieJar, HttpError, Response, WireRequest};

/// The default `--max-response-size`: 256 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 256 * 1024 * 1024;

/// TLS and transport settings for the run.
#[derive(Debug, Clone)]
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
    /// `--max-response-size`: the most bytes a response body may have, counted after
    /// decompression.
    pub max_response_size: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            extra_ca_certs: Vec::new(),
            client_cert: None,
            client_key_passphrase: None,
            timeout: None,
            ignore_redirects: false,
            connect_to: Vec::new(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }
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
    /// Trust and identity for TLS connections.
    tls_inputs: TlsInputs,
    /// TLS configurations, verifying and not, built on first use (loading the platform's roots
    /// costs a few milliseconds that plain-http runs do not pay).
    tls_configs: [OnceLock<Result<Arc<ClientConfig>, TlsSetupError>>; 2],
    /// Idle kept-alive connections.
    pool: Pool,
    jar: Arc<CookieJar>,
    options: ClientOptions,
    /// What Digest auth blocks learned from challenges, kept for the run.
    digest_memory: DigestMemory,
}

impl HttpClient {
    /// A client sharing `jar`; reads the certificate files named in `options`.
    pub fn new(options: ClientOptions, jar: Arc<CookieJar>) -> Result<Self, ClientSetupError> {
        let mut tls_inputs = TlsInputs::default();
        for path in &options.extra_ca_certs {
            let pem = crate::input_file::read(path).map_err(|e| {
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
            let certs = TlsInputs::parse_roots(&pem).map_err(|e| expected(e.to_string()))?;
            if certs.is_empty() {
                return Err(expected("found none".into()));
            }
            tls_inputs.extra_roots.extend(certs);
        }
        if let Some((cert, key)) = &options.client_cert {
            tls_inputs.identity_pem = Some(load_identity(
                cert,
                key.as_deref(),
                options.client_key_passphrase.as_deref(),
            )?);
        }
        Ok(HttpClient {
            tls_inputs,
            tls_configs: Default::default(),
            pool: Pool::default(),
            jar,
            options,
            digest_memory: DigestMemory::default(),
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

    /// Whether certificates go unchecked: `--insecure`, or `strictSSL: false` on the request.
    fn insecure(&self, behavior: &ProtocolProfileBehavior) -> bool {
        self.options.insecure || behavior.strict_ssl == Some(false)
    }

    /// Sends one request (no redirects) and reads the whole response: on an idle kept-alive
    /// connection when there is one, sent again on a new connection if the server had closed it.
    async fn send_once(
        &self,
        request: &WireRequest,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Response, HttpError> {
        let url = &request.url;
        let shown = request.sent_url();
        let connect = |error: ConnectError| HttpError::Connect {
            url: shown.clone(),
            error,
        };
        let jar = self.jar_for(behavior);
        let headers = outgoing_headers(request, jar);
        let insecure = self.insecure(behavior);
        let key: PoolKey = (
            url.scheme().to_string(),
            url.host_str().unwrap_or_default().to_string(),
            url.port_or_known_default().unwrap_or(80),
            insecure,
        );
        let pooled = self.pool.take(&key).await;
        let reused = pooled.is_some();
        let mut connection = match pooled {
            Some(connection) => connection,
            None => self.connect(request, insecure).await.map_err(connect)?,
        };
        let limits = ReadLimits {
            head: MAX_HEAD,
            body: self.options.max_response_size,
        };
        let mut outcome = exchange(&mut connection, request, &headers, limits).await;
        // A kept connection the server closed just now: sent again on a new one, unless the
        // method is one a server must not see twice.
        let idempotent = IDEMPOTENT.contains(&request.method.as_str());
        if reused && idempotent && matches!(outcome, Err(ReadError::ClosedBeforeResponse)) {
            connection = self.connect(request, insecure).await.map_err(connect)?;
            outcome = exchange(&mut connection, request, &headers, limits).await;
        }
        let raw = outcome.map_err(|e| match e {
            ReadError::ClosedBeforeResponse => HttpError::Connection {
                url: shown.clone(),
                source: None,
            },
            ReadError::Io(e) => HttpError::Connection {
                url: shown.clone(),
                source: Some(Arc::new(e)),
            },
            ReadError::Http(e) => e,
            ReadError::Protocol(message) => HttpError::Protocol {
                url: shown.clone(),
                message,
            },
            ReadError::TooLarge => HttpError::ResponseTooLarge {
                url: shown.clone(),
                limit: limits.body,
            },
        })?;
        if raw.reusable {
            self.pool.put(key, connection);
        }
        if let Some(jar) = jar {
            jar.keep_response_cookies(&raw.headers, url);
        }
        let body = decode(&raw.headers, raw.body, limits.body).map_err(|e| match e {
            DecodeError::TooLarge => HttpError::ResponseTooLarge {
                url: shown.clone(),
                limit: limits.body,
            },
            DecodeError::Invalid(e) => HttpError::Decode {
                url: shown.clone(),
                source: Arc::new(e),
            },
        })?;
        let mut response = Response::received((raw.code, &raw.reason), raw.headers, body, shown);
        response.sent_headers = headers
            .into_iter()
            .filter(|(key, _)| {
                key.eq_ignore_ascii_case("content-length") || key.eq_ignore_ascii_case("cookie")
            })
            .collect();
        Ok(response)
    }

    /// Opens a connection for `request`, applying `--connect-to` and the TLS settings.
    async fn connect(
        &self,
        request: &WireRequest,
        insecure: bool,
    ) -> Result<Connection, ConnectError> {
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
        open(
            &request.url,
            Route {
                connect_to,
                tls: &tls,
            },
        )
        .await
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
                    url: request.sent_url(),
                    after: limit,
                })
            }),
            None => work.await,
        }
    }

    /// The request signed again after a `WWW-Authenticate: Digest` challenge taught its Digest
    /// auth new parameters; `None` when there is nothing to answer or nothing new was learned.
    fn answer_digest(
        &self,
        current: &WireRequest,
        response: &Response,
    ) -> Result<Option<WireRequest>, HttpError> {
        let (Some(digest), Some(challenge)) =
            (&current.digest, response.header("www-authenticate"))
        else {
            return Ok(None);
        };
        if !challenge
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("digest")
        {
            return Ok(None);
        }
        let mut params = digest.params.clone();
        if !params.learn(challenge) {
            return Ok(None);
        }
        let Some(value) = params.authorization(&current.method, &current.target, &current.body)?
        else {
            return Ok(None);
        };
        if let Some(origin) = digest.origin {
            self.digest_memory.remember(origin, &params);
        }
        let mut replay = current.clone();
        replay
            .headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case("authorization"));
        replay.headers.push(("Authorization".into(), value));
        replay.digest = Some(Digest {
            origin: digest.origin,
            params,
        });
        Ok(Some(replay))
    }

    /// What Digest auth blocks learned from challenges so far in the run.
    pub fn digest_memory(&self) -> &DigestMemory {
        &self.digest_memory
    }

    async fn send_following(
        &self,
        original: &WireRequest,
        behavior: &ProtocolProfileBehavior,
    ) -> Result<Response, HttpError> {
        let follow = behavior
            .follow_redirects
            .unwrap_or(!self.options.ignore_redirects);
        let max = behavior.max_redirects.unwrap_or(10);
        let started = Instant::now();
        let mut current = original.clone();
        let mut redirects = 0;
        let mut digest_tried = false;
        let mut ntlm = NtlmStep::Unsigned;
        let mut replays = 0;
        // What the first request after the last auth replay sent (Newman's runtime records
        // the first request of its HTTP layer's redirect history).
        let mut first_sent = None;
        loop {
            let mut response = self.send_once(&current, behavior).await?;
            let sent = first_sent.get_or_insert_with(|| std::mem::take(&mut response.sent_headers));
            if matches!(response.code, 401 | 403) && !digest_tried {
                if let Some(replay) = self.answer_digest(&current, &response)? {
                    digest_tried = true;
                    replays += 1;
                    current = replay;
                    first_sent = None;
                    continue;
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
                    match answer_ntlm(original, &response, &mut ntlm) {
                        NtlmAnswer::Replay(replay) => {
                            replays += 1;
                            current = *replay;
                            first_sent = None;
                            continue;
                        }
                        NtlmAnswer::Done => {}
                        NtlmAnswer::GaveUp(warning) => response.auth_warning = Some(warning),
                    }
                    response.response_time = started.elapsed();
                    response.replays = replays;
                    response.sent_headers = std::mem::take(sent);
                    // An answered request counts one more nonce, unless it was refused again.
                    let challenged = matches!(response.code, 401 | 403)
                        && response.header("www-authenticate").is_some_and(|h| {
                            h.trim_start().to_ascii_lowercase().starts_with("digest")
                        });
                    if let (
                        Some(Digest {
                            origin: Some(origin),
                            params,
                        }),
                        false,
                    ) = (&current.digest, challenged)
                    {
                        self.digest_memory.count(*origin, params);
                    }
                    if digest_tried {
                        response.replay_authorization = current
                            .headers
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                            .map(|(_, v)| v.clone());
                    }
                    return Ok(response);
                }
            }
        }
    }
}

/// Where a request with NTLM auth is in the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NtlmStep {
    /// Sent without an `Authorization` header.
    Unsigned,
    /// Sent with the negotiate message.
    Negotiated,
    /// Sent with the authenticate message: whatever comes back is the answer.
    Authenticated,
}

/// The next request of the NTLM handshake postman-runtime runs: a 401 or 403 that offers NTLM
/// is answered with the negotiate message, the challenge that follows with the authenticate
/// message. Each goes out as the original request with the message as its last header, and
/// on the connection the previous one came back on, as the pool hands out the connection it got
/// last. `GaveUp` holds Newman's console warning when the server asked for NTLM but sent no usable
/// challenge; the handshake then stops with that response.
fn answer_ntlm(original: &WireRequest, response: &Response, step: &mut NtlmStep) -> NtlmAnswer {
    let Some(params) = &original.ntlm else {
        return NtlmAnswer::Done;
    };
    if !matches!(response.code, 401 | 403) {
        return NtlmAnswer::Done;
    }
    let challenges: Vec<&str> = response
        .headers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, value)| value.as_str())
        .collect();
    let warning = |reason: &str| {
        format!("runtime~ntlm.auth: there was an error validating auth: ntlm: {reason}")
    };
    let authorization = match *step {
        NtlmStep::Unsigned if offers_ntlm(&challenges) => {
            *step = NtlmStep::Negotiated;
            params.negotiate()
        }
        NtlmStep::Negotiated => {
            let Some(challenge) = challenges.iter().find(|v| v.starts_with("NTLM ")) else {
                return NtlmAnswer::GaveUp(warning("server did not send NTLM type 2 message"));
            };
            let Some(message) = params.authenticate(challenge, &mut SystemEntropy) else {
                return NtlmAnswer::GaveUp(warning(
                    "server did not correctly process authentication request",
                ));
            };
            *step = NtlmStep::Authenticated;
            message
        }
        NtlmStep::Unsigned | NtlmStep::Authenticated => return NtlmAnswer::Done,
    };
    // Newman replays the request it sent, system headers and Postman-Token included, and its
    // auth step adds the header after them.
    let mut replay = original.clone();
    replay.headers.push(("Authorization".into(), authorization));
    NtlmAnswer::Replay(Box::new(replay))
}

/// What the NTLM handshake does after a response.
enum NtlmAnswer {
    /// Send this request next, on the same connection.
    Replay(Box<WireRequest>),
    /// The handshake has nothing (more) to do; the response stands.
    Done,
    /// The server broke the handshake: the response stands, with Newman's warning.
    GaveUp(String),
}

/// The headers that go out: the wire request's, then what Newman's HTTP layer adds after them, in
/// its order: a `Host` if `disabledSystemHeaders` left it out (Node always sends one), the URL's
/// credentials, the body's length, the jar's cookies, and a streamed body's length and type.
fn outgoing_headers(request: &WireRequest, jar: Option<&CookieJar>) -> Vec<(String, String)> {
    let url = &request.url;
    let mut headers = request.headers.clone();
    if !has_header(&headers, "host") {
        headers.push(("Host".into(), host_header(url)));
    }
    if let (Some(credentials), false) =
        (url_credentials(url), has_header(&headers, "authorization"))
    {
        headers.push(("Authorization".into(), credentials));
    }
    let framed = [&headers, &request.after_cookies]
        .iter()
        .any(|list| has_header(list, "content-length") || has_header(list, "transfer-encoding"));
    if !request.body.is_empty() && !framed {
        headers.push(("Content-Length".into(), request.body.len().to_string()));
    }
    if let Some(jar) = jar {
        jar.add_request_cookies(&mut headers, url);
    }
    headers.extend(request.after_cookies.iter().cloned());
    headers
}

/// Methods a server may see twice: a request with one of them is sent again when a kept
/// connection turns out closed.
const IDEMPOTENT: [&str; 6] = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"];

/// Writes the request on `connection` and reads the response.
async fn exchange(
    connection: &mut Connection,
    request: &WireRequest,
    headers: &[(String, String)],
    limits: ReadLimits,
) -> Result<super::http1::RawResponse, ReadError> {
    let mut headers = headers.to_vec();
    let target = match &connection.via_proxy {
        Some((origin, auth)) => {
            let own = headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"));
            if let (Some(auth), false) = (auth, own) {
                headers.push(("Proxy-Authorization".into(), auth.clone()));
            }
            format!("{origin}{}", request.target)
        }
        None => request.target.clone(),
    };
    let bytes = encode_request(&request.method, &target, &headers, &request.body)
        .map_err(ReadError::Http)?;
    let written = async {
        let io = connection.io.get_mut();
        io.write_all(&bytes).await?;
        io.flush().await
    };
    if let Err(error) = written.await {
        // The server may have answered before it stopped reading (a 413 or 401 for a large
        // upload); otherwise a kept connection it closed fails here as well as on read.
        return match read_response(&mut connection.io, &request.method, limits).await {
            Ok(mut early) => {
                early.reusable = false;
                Ok(early)
            }
            Err(_)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                Err(ReadError::ClosedBeforeResponse)
            }
            Err(_) => Err(ReadError::Io(error)),
        };
    }
    read_response(&mut connection.io, &request.method, limits).await
}

/// `user:password@` in the URL as a Basic `Authorization` value (percent-decoded), as Node sends it.
fn url_credentials(url: &url::Url) -> Option<String> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let pair = format!(
        "{}:{}",
        percent_decode(url.username()),
        percent_decode(url.password().unwrap_or_default())
    );
    Some(format!("Basic {}", BASE64.encode(pair)))
}

/// The next hop of a redirect: 301/302/303 turn into GET without a body (unless
/// `followOriginalHttpMethod`), 307/308 repeat the request. Only `http:` and `https:` are
/// followed: Newman's HTTP layer fails any other scheme with `Invalid protocol: ftp:`.
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
    if !matches!(url.scheme(), "http" | "https") {
        return Err(HttpError::UnsupportedRedirect {
            url: current.sent_url(),
            scheme: format!("{}:", url.scheme()),
        });
    }
    let mut next = current.clone();
    let keep_method =
        matches!(code, 307 | 308) || behavior.follow_original_http_method == Some(true);
    if !keep_method && current.method != "HEAD" {
        next.method = "GET".into();
        next.body.clear();
        next.headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-length")
        });
        next.after_cookies.clear();
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
    // The Location the server sent is followed as the URL parser reads it; under
    // `disableUrlEncoding` an absolute one goes out as written, as Newman's parser leaves it.
    next.target = match super::wire::split_scheme(location.trim()) {
        (Some(_), _) if behavior.disable_url_encoding == Some(true) => {
            super::target::request_target(location.trim(), &[], true)
        }
        _ => url[url::Position::BeforePath..url::Position::AfterQuery].to_string(),
    };
    next.url = url;
    Ok(next)
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
