//! The request target (path and query) as Postman puts it on the request line. The `url` crate
//! cannot reproduce it: it removes `.` and `..` path segments (also written `%2e`), and always
//! percent-encodes `"<>`{}` even when the request sets `disableUrlEncoding`. So Baton keeps the
//! parsed URL for the host, port and redirects, and writes this target itself.

use super::wire::split_scheme;

/// Which bytes an encoding step percent-encodes.
type EncodeSet = fn(u8) -> bool;

/// Path bytes Postman percent-encodes: controls, space and `"#<>?`{}`.
fn in_path_set(byte: u8) -> bool {
    byte <= b' ' || byte == 0x7f || b"\"#<>?`{}".contains(&byte)
}

/// Query bytes Postman percent-encodes: controls, space and `"#'<>`.
fn in_query_set(byte: u8) -> bool {
    byte <= b' ' || byte == 0x7f || b"\"#'<>".contains(&byte)
}

/// Bytes that can never stand raw on an HTTP/1.1 request line, encoded even under
/// `disableUrlEncoding`: controls and space. Newman refuses to send such a request; Baton
/// percent-encodes them (and non-ASCII, which Node would send as Latin-1 bytes) instead.
fn unsendable(byte: u8) -> bool {
    byte <= b' ' || byte == 0x7f
}

/// Path and query of `text` with Postman's percent-encoding, or with only unsendable bytes
/// encoded when `disable_encoding` is set. Existing `%XX` sequences are kept as they are.
pub fn request_target(
    text: &str,
    extra_query: &[(String, String)],
    disable_encoding: bool,
) -> String {
    // Like Postman: only leading whitespace goes, and before the query `\` is a `/` and extra
    // slashes after `://` are dropped.
    let text = text.trim_start();
    let text = text.split_once('#').map_or(text, |(before, _)| before);
    let (_, rest) = split_scheme(text);
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query.to_string())),
        None => (rest, None),
    };
    let before_query = before_query.replace('\\', "/");
    let authority_and_path = before_query.trim_start_matches('/');
    let path = authority_and_path
        .find('/')
        .map_or("", |at| &authority_and_path[at..]);
    let query = match (query, extra_query.is_empty()) {
        (query, true) => query,
        (query, false) => {
            let mut pairs = query.unwrap_or_default();
            for (key, value) in extra_query {
                if !pairs.is_empty() {
                    pairs.push('&');
                }
                pairs.push_str(&format!("{key}={value}"));
            }
            Some(pairs)
        }
    };
    let (path_set, query_set): (EncodeSet, EncodeSet) = if disable_encoding {
        (unsendable, unsendable)
    } else {
        (in_path_set, in_query_set)
    };
    let mut target = String::with_capacity(path.len() + 16);
    if !path.starts_with('/') {
        target.push('/');
    }
    encode_into(&mut target, path, path_set);
    if let Some(query) = query {
        target.push('?');
        encode_into(&mut target, &query, query_set);
    }
    target
}

/// Appends `text` to `out`, percent-encoding bytes in `set` and every non-ASCII byte.
fn encode_into(out: &mut String, text: &str, set: EncodeSet) {
    for byte in text.bytes() {
        if byte >= 0x80 || set(byte) {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(byte as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use url::{Position, Url};

    use super::*;

    fn target(text: &str, disabled: bool) -> String {
        request_target(text, &[], disabled)
    }

    #[test]
    fn ordinary_urls_get_the_target_the_url_crate_also_gives() {
        for text in [
            "http://h/a/b?x=1&y=%20",
            "http://h",
            "http://h?",
            "http://h/get?&&",
            "http://h/%F0%9F%8D%AA?q=caf%C3%A9",
            "http://h/caf\u{e9}?q=\u{e9} x",
            "http://h/{{id}}?a={{b}}#frag",
            "http://h/a\\b",
            "http://h\\a",
            "http:///h/a",
        ] {
            let url = Url::parse(text).unwrap();
            let expected = &url[Position::BeforePath..Position::AfterQuery];
            assert_eq!(target(text, false), expected, "{text}");
        }
    }

    #[test]
    fn backslashes_read_as_slashes_only_before_the_query() {
        assert_eq!(target("http://h/a\\b?q=\\", false), "/a/b?q=\\");
    }

    #[test]
    fn a_trailing_space_is_part_of_the_path() {
        assert_eq!(target("  http://h/a ", false), "/a%20");
    }

    #[test]
    fn dot_segments_are_kept() {
        assert_eq!(target("http://h/a/./b/../c", false), "/a/./b/../c");
        assert_eq!(target("http://h/a/%2e/b", false), "/a/%2e/b");
    }

    #[test]
    fn postman_encodes_the_path_but_leaves_a_lone_percent() {
        assert_eq!(
            target("http://h/ /\"/%/./{x}/`", false),
            "/%20/%22/%/./%7Bx%7D/%60"
        );
    }

    #[test]
    fn disabled_encoding_sends_path_and_query_as_written() {
        assert_eq!(
            target("http://h/\"/<>/{x}/`?q=\"'<>{|}`", true),
            "/\"/<>/{x}/`?q=\"'<>{|}`"
        );
    }

    #[test]
    fn disabled_encoding_still_encodes_what_cannot_stand_on_a_request_line() {
        assert_eq!(
            target("http://h/a b/\u{e9}?q=<a b>", true),
            "/a%20b/%C3%A9?q=<a%20b>"
        );
    }

    #[test]
    fn auth_query_pairs_are_appended() {
        let pairs = [("key".to_string(), "v".to_string())];
        assert_eq!(
            request_target("http://h/./x?a=1", &pairs, false),
            "/./x?a=1&key=v"
        );
        assert_eq!(request_target("http://h/x", &pairs, false), "/x?key=v");
    }
}
