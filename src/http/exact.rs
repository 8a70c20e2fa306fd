//! Sending a request whose target must go on the request line exactly as Postman writes it (see
//! `target.rs`). reqwest cannot: its URL type normalises the target, and `http::Uri` refuses
//! bytes such as `<` that `disableUrlEncoding` sends raw. Such a request gets an HTTP/1.1
//! connection of its own: hyper writes the request with a stand-in target, and the connection
//! replaces the request line as it goes out. Cookies, proxies, `--connect-to`, TLS settings and
//! response decoding follow the reqwest path.

use std::io::{self, Read};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use url::Position;

use super::client::chain;
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
    if let Some(jar) = route.jar {
        jar.add_request_cookies(&mut headers, url);
    }

    let proxy = match route.connect_to {
        Some(_) => None,
        None => system_proxy(url),
    };
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
    let driver = tokio::spawn(connection);
    let method = http::Method::from_bytes(request.method.as_bytes())?;
    let mut outgoing = http::Request::builder()
        .method(method)
        .uri("/")
        .body(Full::new(Bytes::from(request.body.clone())))?;
    *outgoing.headers_mut() = headers;
    let reply = sender.send_request(outgoing).await?;
    let (parts, body) = reply.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    drop(sender);
    driver.abort();
    Ok((parts, body))
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

/// The body without its `Content-Encoding` (gzip, deflate, br), which is then removed from the
/// headers with `Content-Length`, as reqwest does for every other request.
fn decode(headers: &mut HeaderMap, body: Vec<u8>) -> io::Result<Vec<u8>> {
    let encoding = headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let Some(encoding) = encoding else {
        return Ok(body);
    };
    if body.is_empty() {
        return Ok(body);
    }
    let mut decoded = Vec::new();
    match encoding.as_str() {
        "gzip" | "x-gzip" => {
            flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut decoded)?;
        }
        "deflate" => {
            if flate2::read::ZlibDecoder::new(&body[..])
                .read_to_end(&mut decoded)
                .is_err()
            {
                decoded.clear();
                flate2::read::DeflateDecoder::new(&body[..]).read_to_end(&mut decoded)?;
            }
        }
        "br" => {
            brotli_decompressor::Decompressor::new(&body[..], 4096).read_to_end(&mut decoded)?;
        }
        _ => return Ok(body),
    }
    headers.remove("content-encoding");
    headers.remove("content-length");
    Ok(decoded)
}

/// A connection that replaces the first line written to it (the request line) with `line`.
struct RequestLine<S> {
    inner: S,
    /// The replacement, until the original line has been seen.
    line: Option<Vec<u8>>,
    /// Bytes accepted from the writer and not yet written to `inner`.
    pending: Vec<u8>,
    written: usize,
}

impl<S> RequestLine<S> {
    fn new(inner: S, line: Vec<u8>) -> Self {
        RequestLine {
            inner,
            line: Some(line),
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> RequestLine<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RequestLine<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        let Some(line) = &this.line else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        // Bytes of the original request line are dropped; at its end the replacement and the
        // rest of the buffer go out instead.
        if let Some(end) = buf.iter().position(|&b| b == b'\n') {
            this.pending.extend_from_slice(line);
            this.pending.extend_from_slice(&buf[end + 1..]);
            this.line = None;
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RequestLine<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn the_request_line_is_replaced_across_split_writes() {
        let (client, mut server) = tokio::io::duplex(1024);
        let mut conn = RequestLine::new(client, b"GET /a/./<b> HTTP/1.1\r\n".to_vec());
        conn.write_all(b"GET / HT").await.unwrap();
        conn.write_all(b"TP/1.1\r\nHost: h\r\n").await.unwrap();
        conn.write_all(b"\r\n").await.unwrap();
        conn.shutdown().await.unwrap();
        let mut sent = String::new();
        server.read_to_string(&mut sent).await.unwrap();
        assert_eq!(sent, "GET /a/./<b> HTTP/1.1\r\nHost: h\r\n\r\n");
    }

    #[test]
    fn compressed_bodies_are_decoded_and_their_headers_dropped() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", HeaderValue::from_static("gzip"));
        headers.insert("content-length", HeaderValue::from_static("25"));
        let body = decode(&mut headers, gz.finish().unwrap()).unwrap();
        assert_eq!(body, b"hello");
        assert!(headers.is_empty());
    }

    #[test]
    fn an_unknown_encoding_is_left_alone() {
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", HeaderValue::from_static("zstd"));
        assert_eq!(decode(&mut headers, b"raw".to_vec()).unwrap(), b"raw");
        assert!(headers.contains_key("content-encoding"));
    }
}
