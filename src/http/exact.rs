//! Sending a request whose target must go on the request line exactly as Postman writes it (see
//! `target.rs`). reqwest cannot: its URL type normalises the target, and `http::Uri` refuses
//! bytes such as `<` that `disableUrlEncoding` sends raw. Such a request gets an HTTP/1.1
//! connection of its own: hyper writes the request with a stand-in target, and the connection
//! replaces the request line as it goes out. Cookies, proxies, `--connect-to`, TLS settings and
//! response decoding follow the reqwest path.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use url::Position;

use super::client::chain;
use super::decode::decode;
use super::request_line::RequestLine;
use super::wire::host_header;
use super::{CookieJar, HttpError, Response, WireRequest};

/// Where and how an exact-target request travels.
pub struct ExactRoute<'a> {
    /// The `--connect-to`/`--resolve` address, when a mapping applies.
    pub connect_to: Option<SocketAddr>,
    /// TLS settings, for `https` URLs.
    pub tls: &'a dyn Fn() -> Result<Arc<ClientConfig>, String>,
    /// The run's cookie jar, unless the request sets `disableCookies`.
    pub jar: Option<&'a CookieJar>,
}

/// Sends `request` with `target` on its request line and reads the whole response.
pub async fn send_exact(
    request: &WireRequest,
    target: &str,
    route: ExactRoute<'_>,
) -> Result<Response, HttpError> {
    let url = &request.url;
    let shown = request.sent_url();
    let network = |message: String| HttpError::Network {
        url: shown.clone(),
        message,
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let https = url.scheme() == "https";
    let mut headers = request.header_map()?;
    if !headers.contains_key("host") {
        // Node adds one even when `disabledSystemHeaders` leaves it out; HTTP/1.1 needs it.
        if let Ok(value) = HeaderValue::from_str(&host_header(url)) {
            headers.insert("host", value);
        }
    }
    if let Some(jar) = route.jar {
        jar.add_request_cookies(&mut headers, url);
    }

    // As on the reqwest path, a proxy from the environment carries the request even under a
    // `--connect-to` mapping.
    let proxy = system_proxy(url);
    let mut line_target = target.to_string();
    let tcp = match (&proxy, route.connect_to) {
        (Some(proxy), _) => {
            let (proxy_host, proxy_port) = proxy_address(proxy).map_err(network)?;
            let mut tcp = TcpStream::connect((proxy_host.as_str(), proxy_port))
                .await
                .map_err(|e| network(format!("cannot connect to the proxy: {e}")))?;
            if https {
                let authority = format!("{}:{port}", url.host_str().unwrap_or_default());
                tunnel(&mut tcp, &authority, proxy.basic_auth())
                    .await
                    .map_err(|e| network(format!("proxy tunnel: {e}")))?;
            } else {
                let authority = &url[Position::BeforeHost..Position::AfterPort];
                line_target = format!("http://{authority}{target}");
                if let Some(auth) = proxy.basic_auth() {
                    headers.insert("proxy-authorization", auth.clone());
                }
            }
            tcp
        }
        (None, Some(addr)) => TcpStream::connect(addr)
            .await
            .map_err(|e| network(format!("error sending request: {e}")))?,
        (None, None) => TcpStream::connect((host, port))
            .await
            .map_err(|e| network(format!("error sending request: {e}")))?,
    };
    let _ = tcp.set_nodelay(true);

    let line = format!("{} {line_target} HTTP/1.1\r\n", request.method).into_bytes();
    let reply = if https {
        let config = (route.tls)().map_err(network)?;
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| network(format!("`{host}` is not a valid TLS server name: {e}")))?;
        let tls = TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| network(format!("TLS handshake: {e}")))?;
        exchange(RequestLine::new(tls, line), request, headers).await
    } else {
        exchange(RequestLine::new(tcp, line), request, headers).await
    }
    .map_err(|e| network(chain(&*e)))?;

    let (parts, body) = reply;
    if let Some(jar) = route.jar {
        jar.keep_response_cookies(&parts.headers, url);
    }
    let mut headers = parts.headers;
    let body = decode(&mut headers, body).map_err(|e| network(format!("decoding body: {e}")))?;
    Ok(Response::received(
        parts.status.as_u16(),
        &headers,
        body,
        shown,
    ))
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Writes the request over `io` with hyper and reads the whole response.
async fn exchange<S>(
    io: RequestLine<S>,
    request: &WireRequest,
    headers: HeaderMap,
) -> Result<(http::response::Parts, Vec<u8>), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .title_case_headers(true)
        .handshake::<_, Full<Bytes>>(TokioIo::new(io))
        .await?;
    let _driver = AbortOnDrop(tokio::spawn(connection));
    let method = http::Method::from_bytes(request.method.as_bytes())?;
    let mut outgoing = http::Request::builder()
        .method(method)
        .uri("/")
        .body(Full::new(Bytes::from(request.body.clone())))?;
    *outgoing.headers_mut() = headers;
    let reply = sender.send_request(outgoing).await?;
    let (parts, body) = reply.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    Ok((parts, body))
}

/// Ends the task driving a connection when the exchange ends, also when a timeout drops it.
struct AbortOnDrop(tokio::task::JoinHandle<Result<(), hyper::Error>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The proxy the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, ...) names for `url`,
/// read as reqwest reads it.
fn system_proxy(url: &url::Url) -> Option<Intercept> {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    let uri: http::Uri = url.as_str().parse().ok()?;
    MATCHER.get_or_init(Matcher::from_system).intercept(&uri)
}

fn proxy_address(proxy: &Intercept) -> Result<(String, u16), String> {
    let uri = proxy.uri();
    match uri.scheme_str() {
        Some("http") | None => {}
        Some(other) => {
            return Err(format!(
                "a `{other}` proxy cannot carry a request whose target is sent as written; \
                 use an http:// proxy"
            ));
        }
    }
    let host = uri.host().ok_or("the proxy URL has no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_string(), uri.port_u16().unwrap_or(80)))
}

/// Opens a `CONNECT` tunnel to `authority` through the proxy on `tcp`.
async fn tunnel(
    tcp: &mut TcpStream,
    authority: &str,
    auth: Option<&HeaderValue>,
) -> io::Result<()> {
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(auth) = auth.and_then(|a| a.to_str().ok()) {
        head.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes()).await?;
    // Byte by byte, so nothing after the proxy's reply (the server's TLS bytes) is consumed.
    let mut reply = Vec::new();
    while !reply.ends_with(b"\r\n\r\n") {
        if reply.len() > 64 * 1024 {
            return Err(io::Error::other("the proxy's reply has no end"));
        }
        reply.push(tcp.read_u8().await?);
    }
    let status = String::from_utf8_lossy(&reply);
    let status = status.lines().next().unwrap_or_default();
    match status.split_whitespace().nth(1) {
        Some(code) if code.starts_with('2') => Ok(()),
        _ => Err(io::Error::other(format!("the proxy answered `{status}`"))),
    }
}
