//! Reading requests the way the auth host needs: the base URL the client used (from `Host`,
//! since assertion audiences and issuers must match it exactly), form and query parameters
//! with OAuth's no-repeats rule, the media type, cookies, and form-style percent-decoding.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};

use super::responses::OAuthError;

/// The `scheme://host[:port]` a request was sent to; `fallback` when it has no `Host`.
pub(crate) fn base_url(headers: &HeaderMap, fallback: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or(fallback);
    format!("http://{host}")
}

/// The media type of a request (lower case, without parameters), or `""`.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The value of a named cookie, if the request carries it.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// OAuth request parameters: each name at most once.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text; a repeated name is `invalid_request`.
    pub(crate) fn parse(encoded: &[u8]) -> Result<Self, OAuthError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {name} was given more than once"
                )));
            }
        }
        Ok(Params(params))
    }

    /// Parses a token-endpoint style body, which must be form-encoded.
    pub(crate) fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        if media_type(headers) != "application/x-www-form-urlencoded" {
            return Err(OAuthError::invalid_request(
                "the request body must be application/x-www-form-urlencoded",
            ));
        }
        Self::parse(body)
    }

    /// A parameter's value; an empty value counts as absent, as OAuth says.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter, or `invalid_request` naming it.
    pub(crate) fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("missing required parameter {name}"))
        })
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space), as RFC 6749
/// section 2.3.1 requires for the parts of Basic client credentials; `None` if malformed.
pub(crate) fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn base_url_uses_the_host_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(base_url(&headers, "127.0.0.1:1"), "http://127.0.0.1:1");
        headers.insert(header::HOST, HeaderValue::from_static("localhost:9"));
        assert_eq!(base_url(&headers, "127.0.0.1:1"), "http://localhost:9");
    }

    #[test]
    fn repeated_parameter_is_invalid_request() {
        assert!(Params::parse(b"a=1&b=2").is_ok());
        let error = Params::parse(b"a=1&a=2").expect_err("repeat");
        assert_eq!(error.error(), "invalid_request");
    }

    #[test]
    fn empty_parameter_counts_as_missing() {
        let params = Params::parse(b"code=&state=x").expect("parsed");
        assert!(params.get("code").is_none());
        assert_eq!(params.require("state").expect("state"), "x");
        assert!(params.require("code").is_err());
    }

    #[test]
    fn form_body_must_be_urlencoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert!(Params::from_form(&headers, b"a=1").is_err());
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        assert!(Params::from_form(&headers, b"a=1").is_ok());
    }

    #[test]
    fn form_decode_handles_plus_and_percent() {
        assert_eq!(form_decode("a+b%3Ac%25").as_deref(), Some("a b:c%"));
        assert_eq!(form_decode("bad%2"), None);
        assert_eq!(form_decode("bad%zz"), None);
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; ST=abc; b=2"));
        assert_eq!(cookie(&headers, "ST").as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "X"), None);
    }
}
