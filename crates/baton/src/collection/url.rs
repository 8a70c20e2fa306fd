//! Postman's URL rules: parsing a URL string into its parts, and writing the parts back as the
//! string that gets variables resolved and is then sent.

use std::borrow::Cow;

use super::model::{KeyValue, Url};

impl Url {
    /// Parses a URL string the way Postman splits it: `protocol://auth@host:port/path?query#hash`.
    /// Nothing is decoded or validated here; `{{variables}}` may stand anywhere.
    pub fn parse(text: &str) -> Url {
        let mut url = Url::default();
        let (rest, hash) = split_once_opt(text, '#');
        url.hash = hash.map(str::to_string);
        let (rest, query) = split_once_opt(rest, '?');
        if let Some(query) = query {
            url.query = parse_query(query);
        }
        let rest = match rest.find("://") {
            Some(at) if !rest[..at].contains('/') => {
                url.protocol = Some(rest[..at].to_string());
                &rest[at + 3..]
            }
            _ => rest,
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let host_port = match authority.rfind('@') {
            Some(at) => {
                url.auth = Some(authority[..at].to_string());
                &authority[at + 1..]
            }
            None => authority,
        };
        match split_port(host_port) {
            Some((host, port)) => {
                url.host = host.to_string();
                url.port = Some(port.to_string());
            }
            None => url.host = host_port.to_string(),
        }
        if let Some(path) = path {
            url.path = path.split('/').map(str::to_string).collect();
        }
        url
    }

    /// The URL as text with path variables filled in and disabled query parameters left out,
    /// still holding `{{variables}}`.
    pub fn to_unresolved_string(&self) -> String {
        let mut out = String::new();
        if let Some(protocol) = &self.protocol {
            out.push_str(protocol);
            out.push_str("://");
        }
        if let Some(auth) = &self.auth {
            out.push_str(auth);
            out.push('@');
        }
        out.push_str(&self.host);
        if let Some(port) = &self.port {
            out.push(':');
            out.push_str(port);
        }
        for segment in &self.path {
            out.push('/');
            out.push_str(&self.path_segment(segment));
        }
        if self.query.iter().any(|p| !p.disabled) {
            out.push('?');
            out.push_str(&self.query_string());
        }
        if let Some(hash) = &self.hash {
            out.push('#');
            out.push_str(hash);
        }
        out
    }

    /// The enabled query parameters as `k=v&k2` text.
    /// Empty members are kept (`?&&`, `?foo&`): Newman sends the query as written. A `&` or `#`
    /// inside a key or value (and `=` inside a key) is percent-encoded so it stays part of its
    /// parameter, as are control characters; `{{variable}}` tokens are left intact.
    pub fn query_string(&self) -> String {
        self.query
            .iter()
            .filter(|p| !p.disabled)
            .map(|param| {
                let key = encode_outside_tokens(&param.key, &['&', '#', '=']);
                match &param.value {
                    Some(value) => format!("{key}={}", encode_outside_tokens(value, &['&', '#'])),
                    None => key,
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// A `:name` segment with its variable's value in place of `:name`. As in Newman, the name
    /// ends at the first `.` (`:id.json` fills `id` and keeps `.json`), and a variable that is
    /// missing or empty leaves the segment as written.
    fn path_segment<'a>(&'a self, segment: &'a str) -> Cow<'a, str> {
        let Some(rest) = segment.strip_prefix(':') else {
            return Cow::Borrowed(segment);
        };
        let name = rest.split('.').next().unwrap_or_default();
        let value = self
            .variables
            .iter()
            .rev()
            .find(|v| v.key == name && !v.disabled)
            .and_then(|v| v.value.as_deref());
        match value {
            Some(value) if !name.is_empty() && !value.is_empty() => {
                Cow::Owned(format!("{value}{}", &rest[name.len()..]))
            }
            _ => Cow::Borrowed(segment),
        }
    }
}

/// Percent-encodes `special` characters and control characters in `text`, except inside
/// `{{variable}}` tokens (whose names may hold `&` or `#`).
fn encode_outside_tokens(text: &str, special: &[char]) -> String {
    let needs = |c: char| c.is_ascii_control() || special.contains(&c);
    if !text.contains(needs) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(token_len) = token_at(rest) {
            out.push_str(&rest[..token_len]);
            rest = &rest[token_len..];
            continue;
        }
        let c = rest.chars().next().expect("rest is not empty");
        if needs(c) {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of a `{{name}}` token at the start of `text` (name without braces), if there is one.
fn token_at(text: &str) -> Option<usize> {
    let inner = text.strip_prefix("{{")?;
    let end = inner.find(['{', '}'])?;
    inner[end..].starts_with("}}").then_some(2 + end + 2)
}

/// Splits `k=v&k2&k3=` into parameters, keeping empty values distinct from missing ones.
pub fn parse_query(query: &str) -> Vec<KeyValue> {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => KeyValue::new(key, value),
            None => KeyValue {
                key: pair.to_string(),
                value: None,
                disabled: false,
            },
        })
        .collect()
}

fn split_once_opt(text: &str, separator: char) -> (&str, Option<&str>) {
    match text.split_once(separator) {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    }
}

/// `host:8080` or `host:{{port}}` -> (`host`, port); IPv6 brackets and bare hosts give `None`.
fn split_port(host_port: &str) -> Option<(&str, &str)> {
    let at = host_port.rfind(':')?;
    let (host, port) = (&host_port[..at], &host_port[at + 1..]);
    let numeric = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    let variable = port.starts_with("{{") && port.ends_with("}}");
    (numeric || variable).then_some((host, port))
}

/// Decodes `%XX` sequences; anything else, a malformed `%` included, is kept as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(byte))) = (bytes[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_malformed_sequences() {
        assert_eq!(percent_decode("%41%zz%4"), "A%zz%4");
        assert_eq!(percent_decode("us%40r"), "us@r");
    }

    #[test]
    fn parse_then_write_round_trips_common_urls() {
        for text in [
            "https://api.pingone.com/v1/environments?limit=10&expand#top",
            "{{apiPath}}/environments/{{envID}}/applications",
            "http://user:pw@localhost:8080/a//b/",
            "http://h",
            "http://h/",
            "{{host}}:{{port}}/x?a=&b",
            "postman-echo.com/get?k=v",
            "http://h/get?",
            "http://h/get?&&",
            "http://h/get?foo&",
            "http://h/get?get&=bar&=&baz=&&",
        ] {
            assert_eq!(Url::parse(text).to_unresolved_string(), text);
        }
    }

    #[test]
    fn parse_splits_the_parts() {
        let url = Url::parse("https://u@h.example:8443/p/:id?q=1#f");
        assert_eq!(url.protocol.as_deref(), Some("https"));
        assert_eq!(url.auth.as_deref(), Some("u"));
        assert_eq!(url.host, "h.example");
        assert_eq!(url.port.as_deref(), Some("8443"));
        assert_eq!(url.path, vec!["p", ":id"]);
        assert_eq!(url.query, vec![KeyValue::new("q", "1")]);
        assert_eq!(url.hash.as_deref(), Some("f"));
    }

    #[test]
    fn path_variables_fill_colon_segments() {
        let mut url = Url::parse("http://h/users/:id/:other");
        url.variables.push(KeyValue::new("id", "42"));
        assert_eq!(url.to_unresolved_string(), "http://h/users/42/:other");
    }

    #[test]
    fn empty_path_variable_leaves_its_segment_as_written() {
        let mut url = Url::parse("http://h/v2/pet/:petId");
        url.variables.push(KeyValue::new("petId", ""));
        assert_eq!(url.to_unresolved_string(), "http://h/v2/pet/:petId");
    }

    #[test]
    fn path_variable_name_ends_at_a_dot_and_the_rest_is_kept() {
        let mut url = Url::parse("http://h/items/:id.json");
        url.variables.push(KeyValue::new("id", "7"));
        assert_eq!(url.to_unresolved_string(), "http://h/items/7.json");
    }

    #[test]
    fn separators_inside_query_members_are_encoded_but_tokens_kept() {
        let mut url = Url::parse("http://h/get");
        url.query = vec![
            KeyValue::new("q", "%23{{foo&bar}}%23"),
            KeyValue::new("x", "\nbar"),
            KeyValue {
                key: "b#a&r".into(),
                value: None,
                disabled: false,
            },
        ];
        assert_eq!(
            url.to_unresolved_string(),
            "http://h/get?q=%23{{foo&bar}}%23&x=%0Abar&b%23a%26r"
        );
    }

    #[test]
    fn disabled_query_parameters_are_left_out() {
        let mut url = Url::parse("http://h/?a=1&b=2");
        url.query[0].disabled = true;
        assert_eq!(url.to_unresolved_string(), "http://h/?b=2");
    }
}
