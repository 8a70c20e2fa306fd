//! Opening a connection for a request: TCP to the host, to the `--connect-to` address, or to the
//! proxy the environment names (a `CONNECT` tunnel for `https://`), then TLS with the run's trust
//! settings. A connection is kept for the next request to the same place while the server allows.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use url::{Position, Url};

/// A plain or TLS byte stream.
pub enum Stream {
    /// `http://`, directly or through a proxy.
    Plain(TcpStream),
    /// `https://`.
    Tls(Box<TlsStream<TcpStream>>),
}

/// An open connection, buffered for reading responses.
pub struct Connection {
    /// The stream; writes pass through the buffer.
    pub io: BufReader<Stream>,
    /// For `http://` through a proxy: the scheme and authority that go before the target
    /// (absolute form), and the proxy's credentials.
    pub via_proxy: Option<(String, Option<String>)>,
}

/// Where a connection goes besides the URL's own host.
pub struct Route<'a> {
    /// The `--connect-to`/`--resolve` address, when a mapping applies.
    pub connect_to: Option<SocketAddr>,
    /// TLS settings, for `https://`.
    pub tls: &'a dyn Fn() -> Result<Arc<ClientConfig>, TlsSetupError>,
}

/// The TLS settings could not be built (an unreadable CA or client certificate).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TlsSetupError(pub String);

/// Why a connection could not be opened.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    /// The host name did not resolve.
    #[error("cannot connect to {target}: {source}")]
    Dns {
        /// `host:port`.
        target: String,
        /// What the resolver said.
        source: Arc<io::Error>,
    },
    /// The TCP connection failed (refused, unreachable, reset).
    #[error("cannot connect to {target}{via}: {source}")]
    Tcp {
        /// `host:port` or the mapped address.
        target: String,
        /// ` (--connect-to)` when a mapping chose the address, else empty.
        via: &'static str,
        /// What the operating system said.
        source: Arc<io::Error>,
    },
    /// The proxy could not be reached, refused the tunnel, or is not usable.
    #[error("{0}")]
    Proxy(String),
    /// The TLS handshake failed (an untrusted or expired certificate, a wrong name, no common
    /// protocol), or the host is not a name TLS can check.
    #[error("{0}")]
    Tls(String),
}

impl ConnectError {
    /// What the operating system said, when it said something.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            ConnectError::Dns { source, .. } | ConnectError::Tcp { source, .. } => {
                Some(source.kind())
            }
            ConnectError::Proxy(_) | ConnectError::Tls(_) => None,
        }
    }
}

/// Opens a connection for `url`; the error says what failed, for the request's failure.
pub async fn open(url: &Url, route: Route<'_>) -> Result<Connection, ConnectError> {
    let host = url.host_str().unwrap_or_default();
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let https = url.scheme() == "https";
    // As Newman, a proxy from the environment carries the request; `--connect-to` applies to
    // direct connections.
    let proxy = system_proxy(url);
    let mut via_proxy = None;
    let tcp = match (&proxy, route.connect_to) {
        (Some(proxy), _) => {
            let (proxy_host, proxy_port) = proxy_address(proxy)?;
            let mut tcp = TcpStream::connect((proxy_host.as_str(), proxy_port))
                .await
                .map_err(|e| {
                    ConnectError::Proxy(format!(
                        "cannot connect to the proxy {proxy_host}:{proxy_port}: {e}"
                    ))
                })?;
            let auth = proxy
                .basic_auth()
                .and_then(|a| a.to_str().ok())
                .map(str::to_string);
            if https {
                tunnel(&mut tcp, &format!("{host}:{port}"), auth.as_deref())
                    .await
                    .map_err(|e| ConnectError::Proxy(format!("proxy tunnel: {e}")))?;
            } else {
                let origin = format!("http://{}", &url[Position::BeforeHost..Position::AfterPort]);
                via_proxy = Some((origin, auth));
            }
            tcp
        }
        (None, Some(addr)) => TcpStream::connect(addr)
            .await
            .map_err(|e| ConnectError::Tcp {
                target: addr.to_string(),
                via: " (--connect-to)",
                source: Arc::new(e),
            })?,
        (None, None) => {
            let target = format!("{host}:{port}");
            // Resolved first, so a name that does not resolve is told apart from a refusal.
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((bare_host, port))
                .await
                .map_err(|e| ConnectError::Dns {
                    target: target.clone(),
                    source: Arc::new(e),
                })?
                .collect();
            TcpStream::connect(addresses.as_slice())
                .await
                .map_err(|e| ConnectError::Tcp {
                    target,
                    via: "",
                    source: Arc::new(e),
                })?
        }
    };
    let _ = tcp.set_nodelay(true);
    let stream = if https {
        let config = (route.tls)().map_err(|e| ConnectError::Tls(e.0))?;
        let name = ServerName::try_from(bare_host.to_string()).map_err(|e| {
            ConnectError::Tls(format!("`{host}` is not a valid TLS server name: {e}"))
        })?;
        let tls = TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| ConnectError::Tls(format!("TLS handshake with {host}:{port}: {e}")))?;
        Stream::Tls(Box::new(tls))
    } else {
        Stream::Plain(tcp)
    };
    Ok(Connection {
        io: BufReader::new(stream),
        via_proxy,
    })
}

/// The proxy the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, ...) names for `url`.
fn system_proxy(url: &Url) -> Option<Intercept> {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    let uri: http::Uri = url.as_str().parse().ok()?;
    MATCHER.get_or_init(Matcher::from_system).intercept(&uri)
}

fn proxy_address(proxy: &Intercept) -> Result<(String, u16), ConnectError> {
    let uri = proxy.uri();
    match uri.scheme_str() {
        Some("http") | None => {}
        Some(other) => {
            return Err(ConnectError::Proxy(format!(
                "a `{other}` proxy is not supported (as in Newman); use an http:// proxy"
            )));
        }
    }
    let host = uri
        .host()
        .ok_or_else(|| ConnectError::Proxy("the proxy URL has no host".into()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_string(), uri.port_u16().unwrap_or(80)))
}

/// Opens a `CONNECT` tunnel to `authority` through the proxy on `tcp`.
async fn tunnel(tcp: &mut TcpStream, authority: &str, auth: Option<&str>) -> io::Result<()> {
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(auth) = auth {
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

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
