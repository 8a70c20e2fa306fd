//! The forms a secret takes in output. A value the run sent or printed may be the secret as it is,
//! or the secret passed through an encoder: percent-encoding (each encoder keeps its own set of
//! characters, writes space as `%20` or `+`, and hex in either case), JSON or JavaScript string
//! escaping, XML/HTML escaping, and base64 (of the secret, of `user:secret` as Basic auth sends
//! it, and of any longer text holding it). Each form is computed once, when the secret is learned.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Secrets with fewer characters than this are masked as whole tokens only.
pub(super) const SHORT: usize = 4;

/// Secrets with at least this many bytes are also masked inside longer base64 text.
const BASE64_INSIDE: usize = 6;

/// One text to find and mask.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Pattern {
    /// The text.
    pub text: String,
    /// Masked only where it stands between non-alphanumeric characters (or the text's ends).
    pub whole_token: bool,
}

/// Which ASCII punctuation a percent-encoder leaves as it is; letters and digits always stay,
/// controls, space and non-ASCII are always encoded.
#[derive(Clone, Copy)]
enum Encoder {
    /// Keeps only these.
    Keeps(&'static [u8]),
    /// Encodes only these.
    Encodes(&'static [u8]),
}

/// The percent-encoders whose output reaches a report: RFC 3986 components (form bodies, OAuth,
/// SigV4), `encodeURIComponent`, `URLSearchParams`, `encodeURI`, and Postman's query, path and
/// URL userinfo sets.
const ENCODERS: [Encoder; 7] = [
    Encoder::Keeps(b"-._~"),
    Encoder::Keeps(b"-_.!~*'()"),
    Encoder::Keeps(b"*-._"),
    Encoder::Keeps(b";,/?:@&=+$-_.!~*'()#"),
    Encoder::Encodes(b"\"#'<>"),
    Encoder::Encodes(b"\"#<>?`{}"),
    Encoder::Encodes(b"\"#<>?`{}/:;=@[\\]^|"),
];

impl Encoder {
    fn keeps(self, byte: u8) -> bool {
        if byte.is_ascii_alphanumeric() {
            return true;
        }
        if !byte.is_ascii_graphic() {
            return false;
        }
        match self {
            Encoder::Keeps(kept) => kept.contains(&byte),
            Encoder::Encodes(encoded) => !encoded.contains(&byte),
        }
    }

    /// `text` percent-encoded; `plus` writes space as `+` (and so encodes `+`).
    fn encode(self, text: &str, plus: bool, upper: bool) -> String {
        let mut out = String::with_capacity(text.len() * 3);
        for byte in text.bytes() {
            if plus && byte == b' ' {
                out.push('+');
            } else if self.keeps(byte) && !(plus && byte == b'+') {
                out.push(byte as char);
            } else if upper {
                out.push_str(&format!("%{byte:02X}"));
            } else {
                out.push_str(&format!("%{byte:02x}"));
            }
        }
        out
    }
}

/// Every form of `secret`, deduplicated; `users` are the user names it may follow in Basic
/// credentials (`user:secret`).
pub(super) fn forms_of(secret: &str, users: &[String]) -> Vec<Pattern> {
    let short = secret.chars().count() < SHORT;
    let mut texts = vec![secret.to_string()];
    for encoder in ENCODERS {
        for plus in [false, true] {
            for upper in [true, false] {
                texts.push(encoder.encode(secret, plus, upper));
            }
        }
    }
    texts.extend(escaped(secret));
    // With and without padding: a text may hold either.
    texts.push(STANDARD.encode(secret));
    texts.push(STANDARD_NO_PAD.encode(secret));
    texts.push(URL_SAFE_NO_PAD.encode(secret));
    texts.extend(base64_inside(secret.as_bytes()));
    let mut forms: Vec<Pattern> = texts
        .into_iter()
        .map(|text| Pattern {
            text,
            whole_token: short,
        })
        .collect();
    // Basic credentials are long enough to be told apart whatever the secret's length.
    forms.extend(users.iter().flat_map(|user| basic_forms(user, secret)));
    dedup(forms)
}

/// The base64 of `user:secret`, as in a Basic `Authorization` header, with and without padding.
pub(super) fn basic_forms(user: &str, secret: &str) -> [Pattern; 2] {
    let credentials = format!("{user}:{secret}");
    [
        STANDARD.encode(&credentials),
        STANDARD_NO_PAD.encode(&credentials),
    ]
    .map(|text| Pattern {
        text,
        whole_token: false,
    })
}

fn dedup(forms: Vec<Pattern>) -> Vec<Pattern> {
    let mut out: Vec<Pattern> = Vec::with_capacity(forms.len());
    for form in forms {
        if !form.text.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// The JSON, JavaScript (single-quoted, as the console shows strings inside objects) and
/// XML/HTML escapings of `text`.
fn escaped(text: &str) -> Vec<String> {
    let json = json_escape(text, false);
    let mut out = vec![
        json.replace('/', "\\/"),
        json_escape(text, true),
        json,
        text.replace('\\', "\\\\")
            .replace('\'', "\\'")
            .replace('\n', "\\n"),
    ];
    let markup = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    for (quote, apostrophe) in [
        ("&quot;", "&#39;"),
        ("&quot;", "&apos;"),
        ("&#34;", "&#39;"),
        ("&quot;", "&#x27;"),
    ] {
        out.push(markup.replace('"', quote).replace('\'', apostrophe));
    }
    out.push(markup);
    out
}

/// `text` as inside a JSON string; `ascii` writes non-ASCII as `\uXXXX` escapes.
fn json_escape(text: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' || (ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The base64 characters that depend on `secret` alone when it sits at each of the three byte
/// offsets inside longer base64-encoded text (a JWT's payload, `user:secret`, `secret:other`), in
/// the standard and the URL-safe alphabets. The characters at its edges also carry bits of its
/// neighbours and are left out, so a short secret has none worth matching.
fn base64_inside(secret: &[u8]) -> Vec<String> {
    if secret.len() < BASE64_INSIDE {
        return Vec::new();
    }
    let mut out = Vec::new();
    for offset in 0..3 {
        let mut bytes = vec![0; offset];
        bytes.extend_from_slice(secret);
        let first = (8 * offset).div_ceil(6);
        let end = 8 * bytes.len() / 6;
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&bytes);
            out.push(encoded[first..end].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(secret: &str, users: &[&str]) -> Vec<String> {
        let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        forms_of(secret, &users)
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    fn has(forms: &[String], text: &str) -> bool {
        forms.iter().any(|f| text.contains(f.as_str()))
    }

    #[test]
    fn percent_encodings_in_both_flavours_and_both_cases() {
        let forms = texts("p@ss w/rd+", &[]);
        for sent in [
            "p%40ss%20w%2Frd%2B",
            "p%40ss+w%2Frd%2B",
            "p%40ss%20w%2frd%2b",
            "p%40ss+w%2frd%2b",
            "p@ss%20w/rd+",
        ] {
            assert!(has(&forms, sent), "{sent}");
        }
    }

    #[test]
    fn json_javascript_and_markup_escapes() {
        let forms = texts("a\"b'c<d>&é\\", &[]);
        for shown in [
            r#"a\"b'c<d>&é\\"#,
            r#"a\"b'c<d>&\u00e9\\"#,
            r#"a"b\'c<d>&é\\"#,
            "a&quot;b&#39;c&lt;d&gt;&amp;é\\",
            "a&quot;b&apos;c&lt;d&gt;&amp;é\\",
            "a&#34;b&#39;c&lt;d&gt;&amp;é\\",
        ] {
            assert!(has(&forms, shown), "{shown}");
        }
    }

    #[test]
    fn base64_of_the_secret_of_basic_credentials_and_inside_longer_text() {
        let forms = texts("s3cret-value", &["admin"]);
        assert!(has(&forms, &STANDARD.encode("s3cret-value")));
        assert!(has(&forms, &STANDARD.encode("admin:s3cret-value")));
        for prefix in ["", "x", "xy", "{\"sub\":\"", "other:"] {
            let text = format!("{prefix}s3cret-value\"}}");
            assert!(has(&forms, &STANDARD.encode(&text)), "{prefix}");
            assert!(has(&forms, &URL_SAFE_NO_PAD.encode(&text)), "{prefix}");
        }
    }

    #[test]
    fn every_form_of_a_short_secret_is_a_whole_token_except_basic_credentials() {
        let forms = forms_of("ab", &["u".to_string()]);
        for form in &forms {
            let basic = form.text.starts_with(&STANDARD_NO_PAD.encode("u:ab"));
            assert_eq!(form.whole_token, !basic, "{}", form.text);
        }
        assert!(forms_of("abcd", &[]).iter().all(|f| !f.whole_token));
    }

    #[test]
    fn an_alphanumeric_secret_has_few_forms() {
        assert_eq!(texts("abcd", &[]), ["abcd", "YWJjZA==", "YWJjZA"]);
    }
}
