//! The members of a JSON object whose text serde_json has read already, found by their quotes and
//! brackets alone. A request item's text is read again each time the request runs, and reading it
//! through serde_json spent most of that time skipping what is not built there: the scripts,
//! which the loaded collection keeps apart, and the saved responses. Here a member's value is
//! only delimited, so the caller parses just the members it builds from.
//!
//! The text must be JSON that was read before (a part of a document that parsed): what this finds
//! in text that is not JSON is unspecified, but it never panics.

use std::borrow::Cow;

use serde::Deserialize;

/// Reads an object's text member by member: after each [`name`](Self::name), the member's value
/// is either read ([`value`](Self::value)) or skipped ([`skip_value`](Self::skip_value)).
pub(super) struct ObjectReader<'a> {
    scan: Scan<'a>,
    /// Whether no member has been read yet.
    first: bool,
}

impl<'a> ObjectReader<'a> {
    /// A reader of `text`, or `None` when it is not an object.
    pub fn new(text: &'a str) -> Option<Self> {
        let mut scan = Scan { text, at: 0 };
        scan.skip_space();
        scan.eat(b'{')?;
        Some(ObjectReader { scan, first: true })
    }

    /// The next member's name (its escapes decoded), or `None` after the last member.
    pub fn name(&mut self) -> Result<Option<Cow<'a, str>>, serde_json::Error> {
        let scan = &mut self.scan;
        scan.skip_space();
        if scan.eat(b'}').is_some() {
            return match scan.at_end() {
                true => Ok(None),
                false => Err(malformed(scan.text)),
            };
        }
        if !std::mem::replace(&mut self.first, false) {
            scan.eat(b',').ok_or_else(|| malformed(scan.text))?;
            scan.skip_space();
        }
        let quoted = scan
            .delimited(Scan::string)
            .ok_or_else(|| malformed(scan.text))?;
        scan.skip_space();
        scan.eat(b':').ok_or_else(|| malformed(scan.text))?;
        let inner = &quoted[1..quoted.len() - 1];
        match inner.contains('\\') {
            false => Ok(Some(Cow::Borrowed(inner))),
            true => serde_json::from_str(quoted).map(|name| Some(Cow::Owned(name))),
        }
    }

    /// The current member's value, read.
    pub fn value<T: Deserialize<'a>>(&mut self) -> Result<T, serde_json::Error> {
        let scan = &mut self.scan;
        let rest = scan.text.get(scan.at..).unwrap_or_default();
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = values.next().unwrap_or_else(|| Err(malformed(scan.text)))?;
        scan.at += values.byte_offset();
        Ok(value)
    }

    /// The text of the current member's value, skipped unread.
    pub fn skip_value(&mut self) -> Result<&'a str, serde_json::Error> {
        let scan = &mut self.scan;
        scan.skip_space();
        scan.delimited(Scan::value)
            .ok_or_else(|| malformed(scan.text))
    }
}

/// The error for `text`, which is not JSON: serde_json's, which says where.
fn malformed(text: &str) -> serde_json::Error {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(error) => error,
        Ok(_) => serde::de::Error::custom("an object member's text is not JSON"),
    }
}

/// A position in a text, moved past its JSON tokens.
struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Whether only white space is left.
    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.at == self.text.len()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.byte() == Some(byte)).then(|| self.at += 1)
    }

    /// The text of what `step` moves past.
    fn delimited(&mut self, step: fn(&mut Self) -> Option<()>) -> Option<&'a str> {
        let start = self.at;
        step(self)?;
        self.text.get(start..self.at)
    }

    /// Past the string that starts here.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        let bytes = self.text.as_bytes();
        loop {
            let found = self.at + memchr::memchr2(b'"', b'\\', bytes.get(self.at..)?)?;
            if bytes[found] == b'"' {
                self.at = found + 1;
                return Some(());
            }
            // Past the escaped character: one byte in JSON (`\u` is followed by plain hex digits).
            self.at = found + 2;
        }
    }

    /// Past the value that starts here.
    fn value(&mut self) -> Option<()> {
        match self.byte()? {
            b'"' => self.string(),
            b'{' | b'[' => self.nested(),
            // A number, `true`, `false` or `null`: up to what may follow a value.
            _ => {
                let start = self.at;
                while !matches!(
                    self.byte(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                (self.at > start).then_some(())
            }
        }
    }

    /// Past the object or array that starts here, to its closing bracket.
    fn nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.byte()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.at += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// The object `text` read member by member, each value read when `read` says so for its
    /// name and otherwise skipped and then read from its text.
    fn rebuilt(text: &str, read: fn(&str) -> bool) -> Result<Option<Value>, serde_json::Error> {
        let Some(mut reader) = ObjectReader::new(text) else {
            return Ok(None);
        };
        let mut object = Map::new();
        while let Some(name) = reader.name()? {
            let value = match read(&name) {
                true => reader.value()?,
                false => serde_json::from_str(reader.skip_value()?)?,
            };
            object.insert(name.into_owned(), value);
        }
        Ok(Some(Value::Object(object)))
    }

    const OBJECTS: [&str; 8] = [
        r#"{}"#,
        " \n{ }\t",
        r#"{"name":"a","request":{"url":"http://x/{{a}}","header":[]}}"#,
        r#"{ "n" : -1.5e3 , "t":true,"f" :false, "z": null ,"s":"" }"#,
        r#"{"event":[{"script":{"exec":["a \"quoted\" ]}", "back\\slash\\", "}"]}}],"x":[[],{}]}"#,
        r#"{"na\u006De":"\u00e9\"","\\":"\\\\","é":"ünï"}"#,
        r#"{"a":1,"a":2}"#,
        "{\"deep\":[[[[{\"a\":[{}]}]]]],\n\"last\":\"}\"\r\n}",
    ];

    #[test]
    fn members_read_or_skipped_make_what_serde_json_reads() {
        let ways: [fn(&str) -> bool; 3] = [|_| true, |_| false, |name| name.len() % 2 == 0];
        for text in OBJECTS {
            let expected: Value = serde_json::from_str(text).unwrap();
            for read in ways {
                assert_eq!(
                    rebuilt(text, read).unwrap(),
                    Some(expected.clone()),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn a_skipped_value_is_its_text_as_written() {
        let mut reader = ObjectReader::new(r#"{"event" : [ {"listen":"test"} ] ,"n":12}"#).unwrap();
        assert_eq!(reader.name().unwrap().as_deref(), Some("event"));
        assert_eq!(reader.skip_value().unwrap(), r#"[ {"listen":"test"} ]"#);
        assert_eq!(reader.name().unwrap().as_deref(), Some("n"));
        assert_eq!(reader.skip_value().unwrap(), "12");
        assert_eq!(reader.name().unwrap(), None);
    }

    #[test]
    fn text_that_is_not_an_object_has_no_reader() {
        for text in ["[]", "\"{}\"", "12", "null", ""] {
            assert!(ObjectReader::new(text).is_none(), "{text}");
        }
    }

    #[test]
    fn text_that_is_not_json_fails_whichever_way_it_is_read() {
        let texts = [
            "{",
            "{\"a\":1",
            "{\"a\":1}x",
            "{\"a\"}",
            "{\"a\":1,}",
            "{,\"a\":1}",
            "{\"\\é\":1}",
            "{\"a\":\"\\",
            "{\"a\":]}",
            "{\"a\":[}}",
            "{\"a\":{]]}",
        ];
        for text in texts {
            for read in [|_: &str| true, |_: &str| false] {
                let error = rebuilt(text, read).unwrap_err();
                assert!(error.is_syntax() || error.is_eof(), "{text}: {error}");
            }
        }
    }
}
