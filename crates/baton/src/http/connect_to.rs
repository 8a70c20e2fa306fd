//! `--resolve` and `--connect-to`, as in curl and Hurl: requests to `HOST:PORT` open their TCP
//! connection to another address, while the URL, the `Host` header, cookies and the TLS server
//! name stay those of `HOST`. Users point a collection at a staging box or a local stand-in this
//! way without editing it; the tests point Newman's fixtures at an in-process echo server.

use std::net::{IpAddr, SocketAddr};

use url::{Host, Url};

/// A `--resolve` or `--connect-to` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{spec}`: {problem}")]
pub struct ConnectToError {
    /// The value as given.
    pub spec: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ConnectToError {
    fn new(spec: &str, problem: String) -> Self {
        ConnectToError {
            spec: spec.to_string(),
            problem,
        }
    }
}

/// One mapping: connections for `host:port` go to `to` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    /// The host as written in request URLs (lower case; IPv6 without brackets).
    pub host: String,
    /// The port the request URL names, or its scheme's default.
    pub port: u16,
    /// Where the connection really goes.
    pub to: SocketAddr,
}

impl ConnectTo {
    /// Parses curl's `--resolve HOST:PORT:ADDR`: the same port, another address.
    pub fn parse_resolve(spec: &str) -> Result<Self, ConnectToError> {
        let (host, rest) = split_host(spec)?;
        let (port, addr) = rest
            .split_once(':')
            .ok_or_else(|| ConnectToError::new(spec, "expected HOST:PORT:ADDR".to_string()))?;
        let port = parse_port(port, spec)?;
        let ip = parse_ip(addr, spec)?;
        Ok(ConnectTo {
            host,
            port,
            to: SocketAddr::new(ip, port),
        })
    }

    /// Parses `--connect-to HOST:PORT:ADDR:PORT2` (Baton needs an IP address for `ADDR`).
    pub fn parse_connect_to(spec: &str) -> Result<Self, ConnectToError> {
        let (host, rest) = split_host(spec)?;
        let (port, target) = rest.split_once(':').ok_or_else(|| {
            ConnectToError::new(spec, "expected HOST:PORT:ADDR:PORT2".to_string())
        })?;
        let port = parse_port(port, spec)?;
        let (addr, port2) = match target.rsplit_once(':') {
            Some((addr, port2)) if !addr.is_empty() => (addr, port2),
            _ => {
                return Err(ConnectToError::new(
                    spec,
                    "expected HOST:PORT:ADDR:PORT2".to_string(),
                ));
            }
        };
        let ip = parse_ip(addr, spec)?;
        Ok(ConnectTo {
            host,
            port,
            to: SocketAddr::new(ip, parse_port(port2, spec)?),
        })
    }

    /// Whether a request to `url` is covered by this mapping.
    pub fn matches(&self, url: &Url) -> bool {
        let host = match url.host() {
            Some(Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => return false,
        };
        host == self.host && url.port_or_known_default() == Some(self.port)
    }
}

fn split_host(spec: &str) -> Result<(String, &str), ConnectToError> {
    let (host, rest) = if let Some(bracketed) = spec.strip_prefix('[') {
        let (host, rest) = bracketed
            .split_once(']')
            .ok_or_else(|| ConnectToError::new(spec, "unclosed `[` in the host".to_string()))?;
        (host, rest.strip_prefix(':').unwrap_or(rest))
    } else {
        spec.split_once(':')
            .ok_or_else(|| ConnectToError::new(spec, "expected HOST:PORT:...".to_string()))?
    };
    if host.is_empty() {
        return Err(ConnectToError::new(spec, "the host is empty".to_string()));
    }
    // Normalised as the URL parser does, so `127.1` matches a URL written `127.0.0.1`.
    let normalised = match Url::parse(&format!("http://{}/", bracket_ipv6(host))) {
        Ok(url) => match url.host() {
            Some(Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => {
                return Err(ConnectToError::new(
                    spec,
                    format!("`{host}` is not a host name"),
                ));
            }
        },
        Err(e) => {
            return Err(ConnectToError::new(
                spec,
                format!("`{host}` is not a host name: {e}"),
            ));
        }
    };
    Ok((normalised, rest))
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn parse_port(text: &str, spec: &str) -> Result<u16, ConnectToError> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| ConnectToError::new(spec, format!("`{text}` is not a port number")))
}

fn parse_ip(text: &str, spec: &str) -> Result<IpAddr, ConnectToError> {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse::<IpAddr>()
        .map_err(|_| ConnectToError::new(spec, format!("`{text}` is not an IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_mapping_matches_its_host_and_port_only() {
        let rule = ConnectTo::parse_connect_to("localhost:4042:127.0.0.1:5555").unwrap();
        assert!(rule.matches(&url("http://LOCALHOST:4042/1")));
        assert!(!rule.matches(&url("http://localhost:4041/1")));
        assert!(!rule.matches(&url("http://other:4042/1")));
        let https = ConnectTo::parse_resolve("echo.test:443:127.0.0.1").unwrap();
        assert!(https.matches(&url("https://echo.test/get")));
    }

    #[test]
    fn resolve_keeps_the_port_and_changes_the_address() {
        let rule = ConnectTo::parse_resolve("Example.com:443:127.0.0.1").unwrap();
        assert_eq!(rule.host, "example.com");
        assert_eq!(rule.to, "127.0.0.1:443".parse().unwrap());
        assert!(rule.matches(&url("https://example.com/a")));
        assert!(!rule.matches(&url("http://example.com/a")), "port 80");
    }

    #[test]
    fn connect_to_takes_a_second_port_and_ipv6() {
        let rule = ConnectTo::parse_connect_to("localhost:4041:[::1]:5000").unwrap();
        assert_eq!(rule.to, "[::1]:5000".parse().unwrap());
        assert!(rule.matches(&url("http://LOCALHOST:4041/x")));
        let ip = ConnectTo::parse_connect_to("127.1:4041:127.0.0.1:5000").unwrap();
        assert!(ip.matches(&url("http://127.0.0.1:4041/")));
    }

    #[test]
    fn malformed_specs_say_what_is_wrong() {
        for (spec, message) in [
            ("example.com", "expected HOST:PORT"),
            ("example.com:http:127.0.0.1", "`http` is not a port number"),
            ("example.com:80:nowhere", "`nowhere` is not an IP address"),
        ] {
            let error = ConnectTo::parse_resolve(spec).unwrap_err();
            assert!(error.to_string().contains(message), "{error}");
        }
        let error = ConnectTo::parse_connect_to("example.com:80:127.0.0.1").unwrap_err();
        assert!(
            error.to_string().contains("HOST:PORT:ADDR:PORT2"),
            "{error}"
        );
    }
}
