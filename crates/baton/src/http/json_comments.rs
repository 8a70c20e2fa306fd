//! Comments in raw JSON bodies. Postman lets people write `//` and `/* */` comments in a JSON body
//! and removes them before sending, after variables were resolved. The scan only knows strings by
//! their unescaped double quotes, so a substituted value that unbalances the quotes changes what is
//! cut; Newman sends exactly that, and so does Baton.

use std::borrow::Cow;

/// Whether a raw body is JSON for comment removal: its editor language is `json`, or, with no
/// language, the request's Content-Type is `application/json` or `application/...+json`.
pub fn is_json_body(language: Option<&str>, content_type: Option<&str>) -> bool {
    match (language, content_type) {
        (Some(language), _) => language == "json",
        (None, Some(content_type)) => is_json_media_type(content_type),
        (None, None) => false,
    }
}

/// `application/json` or `application/<something>+json` at the start of a Content-Type.
fn is_json_media_type(content_type: &str) -> bool {
    let Some(rest) = content_type.strip_prefix("application/") else {
        return false;
    };
    if rest.starts_with("json") {
        return true;
    }
    // `\S+\+json`: a run without whitespace whose last `+` before a space is followed by `json`.
    let word = rest.split(char::is_whitespace).next().unwrap_or("");
    word.match_indices("+json").any(|(at, _)| at > 0)
}

/// The body with `//` line comments and `/* */` block comments removed (the newline ending a line
/// comment stays). Text between unescaped double quotes is left alone.
pub fn strip_json_comments(text: &str) -> Cow<'_, str> {
    if !text.contains("//") && !text.contains("/*") {
        return Cow::Borrowed(text);
    }
    #[derive(PartialEq)]
    enum State {
        Code,
        Line,
        Block,
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut state = State::Code;
    let mut in_string = false;
    let mut kept_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let current = bytes[i];
        let next = bytes.get(i + 1).copied();
        if state == State::Code && current == b'"' && !escaped(bytes, i) {
            in_string = !in_string;
        }
        if in_string {
            i += 1;
            continue;
        }
        match (&state, current, next) {
            (State::Code, b'/', Some(b'/')) => {
                out.extend_from_slice(&bytes[kept_from..i]);
                state = State::Line;
                i += 2;
                continue;
            }
            (State::Code, b'/', Some(b'*')) => {
                out.extend_from_slice(&bytes[kept_from..i]);
                state = State::Block;
                i += 2;
                continue;
            }
            // A CRLF after a line comment keeps only its LF.
            (State::Line, b'\r', Some(b'\n')) => {
                state = State::Code;
                kept_from = i + 1;
                i += 2;
                continue;
            }
            (State::Line, b'\n', _) => {
                state = State::Code;
                kept_from = i;
            }
            (State::Block, b'*', Some(b'/')) => {
                state = State::Code;
                kept_from = i + 2;
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if state == State::Code {
        out.extend_from_slice(&bytes[kept_from..]);
    }
    // Only ASCII bytes were cut, at ASCII positions, so the text stays UTF-8.
    Cow::Owned(String::from_utf8(out).expect("cuts fall on ASCII characters"))
}

/// Whether the quote at `at` follows an odd number of backslashes.
fn escaped(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_block_comments_go_and_strings_stay() {
        let text = "{\n  // note\n  \"url\": \"http://x//y\", /* old */ \"b\": 2 // end\n}";
        assert_eq!(
            strip_json_comments(text),
            "{\n  \n  \"url\": \"http://x//y\",  \"b\": 2 \n}"
        );
    }

    #[test]
    fn an_unbalanced_quote_from_a_value_shifts_what_is_cut() {
        // What Newman 6.2.2 sent for this body (a value holding `"` was substituted).
        let text = "{\n  // a comment\n  \"a\": \"has // slashes \" quote\", /* block */ \"b\": 2 // tail\n}";
        assert_eq!(
            strip_json_comments(text),
            "{\n  \n  \"a\": \"has // slashes \" quote\", /* block */ \"b\": 2 // tail\n}"
        );
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string_and_crlf_keeps_its_lf() {
        assert_eq!(
            strip_json_comments("{\"a\": \"x\\\" // y\"} // c\r\n"),
            "{\"a\": \"x\\\" // y\"} \n"
        );
        assert_eq!(strip_json_comments("[1] /* open"), "[1] ");
        assert_eq!(strip_json_comments("[1] // open"), "[1] ");
    }

    #[test]
    fn json_is_known_by_language_or_content_type() {
        assert!(is_json_body(Some("json"), Some("text/plain")));
        assert!(!is_json_body(Some("text"), Some("application/json")));
        assert!(is_json_body(None, Some("application/json; charset=utf-8")));
        assert!(is_json_body(None, Some("application/vnd.api+json")));
        assert!(!is_json_body(None, Some("application/+json")));
        assert!(!is_json_body(None, Some("text/json")));
        assert!(!is_json_body(None, None));
    }
}
