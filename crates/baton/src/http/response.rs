//! A received response as data: what scripts, reports and assertions read.

use std::borrow::Cow;
use std::time::Duration;

/// A complete HTTP response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// Status code, e.g. 201.
    pub code: u16,
    /// Reason phrase, e.g. `Created`.
    pub status: String,
    /// Headers in received order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body after content decoding (gzip, deflate, br).
    pub body: Vec<u8>,
    /// Time from sending the request to the end of the body.
    pub response_time: Duration,
    /// The URL that answered (after redirects).
    pub url: String,
    /// How many times the request was sent again to answer an auth challenge (Digest) before
    /// this response: Newman counts each as a request of the item.
    pub replays: u32,
    /// Newman's console warning when an auth handshake failed (NTLM without a challenge).
    pub auth_warning: Option<String>,
    /// The `Authorization` header of the last replay, which holds what a Digest challenge taught
    /// (the JSON report writes it into the auth block, as Newman's runtime does).
    pub replay_authorization: Option<String>,
    /// The `Content-Length` and `Cookie` headers as the request that got this response went out
    /// (the first of its redirects, after any auth replay), in order: Newman's HTTP layer writes
    /// them, and its runtime adds them to the request reports and test scripts see.
    pub sent_headers: Vec<(String, String)>,
}

impl Response {
    /// A response as received: the status code and the server's reason phrase (the standard one
    /// when it sent none, as Newman shows it), the headers in order and the decoded body, from
    /// `url`; the response time is set by the caller.
    pub fn received(
        (code, reason): (u16, &str),
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        url: String,
    ) -> Self {
        let status = match reason.trim() {
            "" => reason_phrase(code).to_string(),
            given => given.to_string(),
        };
        Response {
            code,
            status,
            headers,
            body,
            response_time: Duration::ZERO,
            url,
            replays: 0,
            auth_warning: None,
            replay_authorization: None,
            sent_headers: Vec::new(),
        }
    }

    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text (invalid UTF-8 replaced), borrowed when it is valid UTF-8: checked by
    /// `from_utf8` first, which reads valid text several times faster than the lossy decoder.
    pub fn text(&self) -> Cow<'_, str> {
        match std::str::from_utf8(&self.body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(&self.body),
        }
    }

    /// The size of the body in bytes.
    pub fn body_size(&self) -> usize {
        self.body.len()
    }

    /// The size of the status line and headers as postman-collection counts it: the length of
    /// the text in JavaScript characters, which for a head read as Latin-1 is its bytes on the
    /// wire.
    pub fn header_size(&self) -> usize {
        // In UTF-16 units, as a JavaScript string counts them; ASCII (nearly every header) has
        // one per byte.
        let length = |text: &str| match text.is_ascii() {
            true => text.len(),
            false => text.encode_utf16().count(),
        };
        let status_line = "HTTP/1.1 ".len() + 3 + 1 + length(&self.status) + 2;
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| length(name) + 2 + length(value) + 2)
            .sum();
        status_line + headers + 2
    }
}

/// The standard reason phrase for a status code (used when the server sends none).
pub fn reason_phrase(code: u16) -> &'static str {
    http::StatusCode::from_u16(code)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_reason_phrase_is_kept_and_a_missing_one_filled_in() {
        let made = Response::received((201, "Made It"), Vec::new(), Vec::new(), String::new());
        assert_eq!(made.status, "Made It");
        let bare = Response::received((201, ""), Vec::new(), Vec::new(), String::new());
        assert_eq!(bare.status, "Created");
    }

    #[test]
    fn header_lookup_ignores_case() {
        let response = Response {
            headers: vec![("Location".into(), "/next".into())],
            ..Default::default()
        };
        assert_eq!(response.header("location"), Some("/next"));
        assert_eq!(response.header("LOCATION"), Some("/next"));
        assert_eq!(response.header("x"), None);
    }

    #[test]
    fn the_header_size_counts_a_latin1_character_once() {
        let response = Response {
            status: "OK".into(),
            headers: vec![("X-A".into(), "caf\u{e9}".into())],
            ..Default::default()
        };
        assert_eq!(
            response.header_size(),
            b"HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\n\r\n".len()
        );
    }

    #[test]
    fn reason_phrases_are_standard() {
        assert_eq!(reason_phrase(201), "Created");
        assert_eq!(reason_phrase(799), "");
    }
}
