//! A reader for the JSON parser that knows where it is: it hands out a text's bytes from a buffer
//! of its own, counting them, and checks each chunk it reads is UTF-8 before handing any of it
//! out. The collection reader asks it, between values, at which byte of the file a value started
//! and ended, which is how a request item is found again in the file when it runs.
//!
//! serde_json reads from an `io::Read` one byte at a time and looks at most one byte ahead, so the
//! count is exact: just after it has read an object's `{`, the count is one past that `{`, and
//! once it has read the object's `}`, one past that.

use std::cell::Cell;
use std::io::{self, Read};

/// How much of the file is read at once.
const CHUNK: usize = 64 * 1024;

/// Where the reader is in the text, shared with the parser's visitors.
#[derive(Debug, Default)]
pub(super) struct Position {
    /// Offset in the file of the next byte to hand out.
    pub offset: Cell<u64>,
    /// Offset of the first byte that is not UTF-8, once one is found.
    pub invalid: Cell<Option<u64>>,
}

/// Hands out `inner`'s bytes, counting them in `position` and checking they are UTF-8.
pub(super) struct TextReader<'a, R> {
    inner: R,
    buffer: Box<[u8]>,
    /// The next byte to hand out.
    next: usize,
    /// The end of the bytes checked to be UTF-8; the bytes after it, up to `filled`, start a
    /// character that the next read completes.
    checked: usize,
    /// The end of the bytes read.
    filled: usize,
    position: &'a Position,
}

impl<'a, R: Read> TextReader<'a, R> {
    /// A reader of `inner`, whose first byte is at `offset` in the file (past a BOM).
    pub fn new(inner: R, offset: u64, position: &'a Position) -> Self {
        Self::with_chunk(inner, offset, position, CHUNK)
    }

    fn with_chunk(inner: R, offset: u64, position: &'a Position, chunk: usize) -> Self {
        position.offset.set(offset);
        TextReader {
            inner,
            buffer: vec![0; chunk.max(4)].into_boxed_slice(),
            next: 0,
            checked: 0,
            filled: 0,
            position,
        }
    }

    /// Reads the next chunk after what is left of an unfinished character; returns with nothing
    /// checked only at the end of the text.
    fn refill(&mut self) -> io::Result<()> {
        self.buffer.copy_within(self.checked..self.filled, 0);
        self.filled -= self.checked;
        self.next = 0;
        self.checked = 0;
        loop {
            let read = match self.inner.read(&mut self.buffer[self.filled..]) {
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if read == 0 {
                return match self.filled {
                    0 => Ok(()),
                    // The text ends inside a character.
                    _ => Err(self.not_utf8(0)),
                };
            }
            self.filled += read;
            match std::str::from_utf8(&self.buffer[..self.filled]) {
                Ok(_) => self.checked = self.filled,
                Err(error) if error.error_len().is_none() => self.checked = error.valid_up_to(),
                Err(error) => return Err(self.not_utf8(error.valid_up_to())),
            }
            if self.checked > 0 {
                return Ok(());
            }
        }
    }

    /// The error for bytes that are not UTF-8 at `at` in the buffer, whose place is kept.
    fn not_utf8(&self, at: usize) -> io::Error {
        let offset = self.position.offset.get() + at as u64;
        self.position.invalid.set(Some(offset));
        io::Error::new(io::ErrorKind::InvalidData, "invalid UTF-8")
    }
}

impl<R: Read> Read for TextReader<'_, R> {
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.next == self.checked {
            self.refill()?;
        }
        // serde_json asks for one byte at a time.
        if let ([slot], Some(&byte)) = (&mut *out, self.buffer[..self.checked].get(self.next)) {
            *slot = byte;
            self.next += 1;
            let offset = &self.position.offset;
            offset.set(offset.get() + 1);
            return Ok(1);
        }
        let count = out.len().min(self.checked - self.next);
        out[..count].copy_from_slice(&self.buffer[self.next..self.next + count]);
        self.next += count;
        let offset = &self.position.offset;
        offset.set(offset.get() + count as u64);
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything `reader` hands out, one byte per read as serde_json asks.
    fn drain<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut byte = [0];
        while reader.read(&mut byte)? == 1 {
            out.push(byte[0]);
        }
        Ok(out)
    }

    #[test]
    fn characters_split_between_chunks_are_handed_out_whole_and_counted() {
        let text = "{\"é\": \"日本語 ✓\", \"emoji\": \"🎉\"}";
        for chunk in 4..12 {
            let position = Position::default();
            let mut reader = TextReader::with_chunk(text.as_bytes(), 3, &position, chunk);
            assert_eq!(
                drain(&mut reader).unwrap(),
                text.as_bytes(),
                "chunk {chunk}"
            );
            assert_eq!(position.offset.get(), 3 + text.len() as u64);
        }
    }

    #[test]
    fn the_first_byte_that_is_not_utf8_is_found_wherever_the_chunks_end() {
        // A bad byte in the middle, and a text that ends inside a character.
        let cases: [(&[u8], u64); 2] = [(b"{\"a\": \"ok \xC3\x28\"}", 10), (b"\"abc\xE6\x97", 4)];
        for (bytes, at) in cases {
            for chunk in 4..8 {
                let position = Position::default();
                let mut reader = TextReader::with_chunk(bytes, 0, &position, chunk);
                let error = drain(&mut reader).unwrap_err();
                assert_eq!(error.kind(), io::ErrorKind::InvalidData);
                assert_eq!(position.invalid.get(), Some(at), "chunk {chunk}");
            }
        }
    }

    #[test]
    fn the_count_says_where_serde_json_is_between_values() {
        let text = "  [ {\"a\": [1, {}]} ,\n\t{\"b\": \"}\"} ]";
        let position = Position::default();
        let reader = TextReader::new(text.as_bytes(), 0, &position);
        let mut deserializer = serde_json::Deserializer::from_reader(reader);
        let mut ends = Vec::new();
        let visitor = Ends {
            position: &position,
            ends: &mut ends,
        };
        serde::Deserializer::deserialize_seq(&mut deserializer, visitor).unwrap();
        let parts: Vec<&str> = ends.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(parts, ["{\"a\": [1, {}]}", "{\"b\": \"}\"}"]);
    }

    /// Records where each element of an array of objects starts and ends.
    struct Ends<'a> {
        position: &'a Position,
        ends: &'a mut Vec<(usize, usize)>,
    }

    impl<'de> serde::de::Visitor<'de> for Ends<'_> {
        type Value = ();

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("an array")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            loop {
                let mut start = None;
                let seed = Start {
                    position: self.position,
                    start: &mut start,
                };
                if seq.next_element_seed(seed)?.is_none() {
                    return Ok(());
                }
                let end = self.position.offset.get() as usize;
                self.ends.push((start.unwrap(), end));
            }
        }
    }

    /// Reads an object, noting where its `{` was.
    struct Start<'a> {
        position: &'a Position,
        start: &'a mut Option<usize>,
    }

    impl<'de> serde::de::DeserializeSeed<'de> for Start<'_> {
        type Value = ();

        fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> serde::de::Visitor<'de> for Start<'_> {
        type Value = ();

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("an object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            *self.start = Some(self.position.offset.get() as usize - 1);
            while map.next_entry::<String, serde::de::IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }
}
