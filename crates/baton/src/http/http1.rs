//! HTTP/1.1 messages as Baton writes and reads them. The request goes out as Newman sends it: the
//! request line with Postman's target, header names as the collection spells them, a repeated
//! name's values together at its first place, then the body. The response head is parsed by
//! httparse, with its header names as the server sent them and its bytes read as Latin-1, as
//! Node gives them to Newman; the body framing is Baton's. HTTP client crates normalise each of
//! these (see ARCHITECTURE.md, "HTTP on the wire").

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use super::HttpError;

/// The request bytes: `METHOD target HTTP/1.1`, the headers, a blank line and the body.
pub fn encode_request(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<u8>, HttpError> {
    if method.is_empty() || !method.bytes().all(is_token) {
        return Err(HttpError::InvalidMethod {
            method: method.to_string(),
        });
    }
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let merged = merge_headers(headers)?;
    let chunked = merged.iter().any(|(name, values)| {
        name.eq_ignore_ascii_case("transfer-encoding")
            && values
                .iter()
                .any(|v| v.to_ascii_lowercase().contains("chunked"))
    });
    for (name, values) in merged {
        for value in values {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    if chunked {
        // The request itself asked for chunked framing, as Node would then frame it.
        if !body.is_empty() {
            out.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// The headers as Newman's HTTP layer sends them: values of one exactly-spelt name together at
/// its first place; then a name that differs only in case replaces the earlier one (name and
/// values) in place, as Node's `setHeader` does.
fn merge_headers(headers: &[(String, String)]) -> Result<Vec<(&str, Vec<&str>)>, HttpError> {
    let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
    for header in headers {
        check_header(header)?;
        let (name, value) = header;
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => grouped.push((name, vec![value])),
        }
    }
    let mut merged: Vec<(&str, Vec<&str>)> = Vec::with_capacity(grouped.len());
    for (name, values) in grouped {
        match merged
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => *slot = (name, values),
            None => merged.push((name, values)),
        }
    }
    Ok(merged)
}

fn check_header((name, value): &(String, String)) -> Result<(), HttpError> {
    let invalid = |reason: &str| HttpError::InvalidHeader {
        name: name.clone(),
        reason: reason.to_string(),
    };
    if name.is_empty() || !name.bytes().all(is_token) {
        return Err(invalid("the name is not a valid HTTP token"));
    }
    if value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
        return Err(invalid(
            "the value holds a line break or another control character",
        ));
    }
    Ok(())
}

/// RFC 9110 token characters (method and header names).
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// A response as read from the connection.
#[derive(Debug, Default)]
pub struct RawResponse {
    /// Status code.
    pub code: u16,
    /// The reason phrase as the server sent it (may be empty).
    pub reason: String,
    /// Headers in received order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body as framed on the wire, before content decoding.
    pub body: Vec<u8>,
    /// Whether the connection may carry another request.
    pub reusable: bool,
}

impl RawResponse {
    /// Whether a header holds `token` in its comma-separated list.
    fn lists(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

/// The most a response may make Baton read and keep.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Bytes of one response head (status line and headers), and of one chunk-size line or
    /// trailer section.
    pub head: usize,
    /// Bytes of the body as framed on the wire; the chunk-size lines and trailers of a chunked
    /// body may take as much again.
    pub body: u64,
}

/// The default cap on a response head, 1 MiB.
pub const MAX_HEAD: usize = 1024 * 1024;

/// Why an exchange on a connection failed.
#[derive(Debug)]
pub enum ReadError {
    /// The connection closed before any byte of a response: a kept-alive connection the server
    /// had already closed, so the request may be sent again on a new one.
    ClosedBeforeResponse,
    /// The request cannot be written (an invalid method or header).
    Http(HttpError),
    /// The server broke HTTP/1.1: a bad status line, header line, length or chunk size, or a
    /// head over its cap.
    Protocol(String),
    /// The body is larger than [`ReadLimits::body`].
    TooLarge,
    /// Anything else.
    Io(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

/// At most this many interim `1xx` responses before the final one.
const MAX_INTERIM: usize = 16;

/// Reads one response to a request with `method`, skipping interim `1xx` responses.
pub async fn read_response<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    method: &str,
    limits: ReadLimits,
) -> Result<RawResponse, ReadError> {
    for interim in 0..=MAX_INTERIM {
        let Head {
            code,
            reason,
            http10,
            headers,
        } = match read_head(reader, limits.head).await? {
            Some(head) => head,
            None if interim == 0 => return Err(ReadError::ClosedBeforeResponse),
            None => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
        };
        if (100..200).contains(&code) && code != 101 {
            continue;
        }
        let mut response = RawResponse {
            code,
            reason,
            headers,
            body: Vec::new(),
            reusable: code != 101,
        };
        if response.lists("connection", "close")
            || (http10 && !response.lists("connection", "keep-alive"))
        {
            response.reusable = false;
        }
        let bodyless = method.eq_ignore_ascii_case("HEAD") || matches!(code, 101..=199 | 204 | 304);
        if bodyless {
            return Ok(response);
        }
        response.body = read_body(reader, &mut response, limits).await?;
        return Ok(response);
    }
    Err(protocol(format!(
        "more than {MAX_INTERIM} interim (1xx) responses"
    )))
}

/// The body as the headers frame it (RFC 9112, section 6.3).
async fn read_body<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    response: &mut RawResponse,
    limits: ReadLimits,
) -> Result<Vec<u8>, ReadError> {
    let encodings: Vec<String> = response
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    let lengths: Vec<&str> = response
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect();
    let mut body = Vec::new();
    if !encodings.is_empty() {
        // With a Transfer-Encoding any Content-Length is ignored, and the connection is not
        // trusted again when both came.
        if !lengths.is_empty() {
            response.reusable = false;
        }
        if encodings.last().map(String::as_str) == Some("chunked") {
            read_chunked(reader, &mut body, limits).await?;
        } else {
            read_to_close(reader, &mut body, limits.body).await?;
            response.reusable = false;
        }
    } else if let Some(first) = lengths.first() {
        if lengths.iter().any(|l| l != first) {
            return Err(protocol(format!(
                "conflicting Content-Length values: {}",
                shown(&lengths.join(", "))
            )));
        }
        let length = parse_length(first)?;
        if length > limits.body {
            return Err(ReadError::TooLarge);
        }
        read_exactly(reader, length, &mut body).await?;
    } else {
        read_to_close(reader, &mut body, limits.body).await?;
        response.reusable = false;
    }
    Ok(body)
}

fn protocol(what: String) -> ReadError {
    ReadError::Protocol(what)
}

/// Server text for an error message: at most 120 characters of it, control characters escaped.
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(130));
    for (at, c) in text.chars().enumerate() {
        if at == 120 {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A Content-Length: decimal digits only.
fn parse_length(text: &str) -> Result<u64, ReadError> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| protocol(format!("invalid Content-Length `{}`", shown(text))))
}

/// Appends exactly `length` bytes; the buffer grows with what arrives, not with what is claimed.
async fn read_exactly<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    length: u64,
    body: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let read = reader.take(length).read_to_end(body).await? as u64;
    if read < length {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the body ended after {read} of {length} bytes"),
        )
        .into());
    }
    Ok(())
}

/// A body that ends with the connection, up to `limit` bytes. A TLS peer that closes without
/// `close_notify` ends it too: many servers do, and browsers and Node accept the body.
async fn read_to_close<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    body: &mut Vec<u8>,
    limit: u64,
) -> Result<(), ReadError> {
    // One byte past the limit tells a body of exactly `limit` bytes from a larger one.
    match reader.take(limit.saturating_add(1)).read_to_end(body).await {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {}
        other => {
            other?;
        }
    }
    if body.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(())
}

fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

/// A response's status line and headers.
struct Head {
    code: u16,
    reason: String,
    http10: bool,
    headers: Vec<(String, String)>,
}

/// The status line and headers, in at most `limit` bytes; `None` if the connection closed (or
/// was reset) before a status line.
async fn read_head<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    limit: usize,
) -> Result<Option<Head>, ReadError> {
    let mut budget = limit as u64;
    let too_long = || {
        format!(
            "the response head is larger than {}",
            size_text(limit as u64)
        )
    };
    let mut head = Vec::new();
    // Empty lines before the status line are skipped, as Node and httparse do.
    loop {
        head.clear();
        match read_line(reader, &mut head, &mut budget, too_long).await {
            Ok(0) => return Ok(None),
            Err(ReadError::Io(e)) if is_reset(&e) && head.is_empty() => return Ok(None),
            Err(e) => return Err(e),
            Ok(_) if !is_blank(&head) => break,
            Ok(_) => {}
        }
    }
    let mut header_lines = 0;
    loop {
        let start = head.len();
        if read_line(reader, &mut head, &mut budget, too_long).await? == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
        }
        if is_blank(&head[start..]) {
            return parse_head(head, header_lines).map(Some);
        }
        header_lines += 1;
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\r\n" || line == b"\n"
}

/// Parses a whole head (status line to blank line) with httparse, then applies what Node's
/// parser adds: CRLF line ends, status codes from 100 to 599 (Baton's own rule), and every byte
/// of a reason phrase or header value read as one Latin-1 character.
fn parse_head(mut bytes: Vec<u8>, header_lines: usize) -> Result<Head, ReadError> {
    let status_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(0, |at| at + 1);
    let status_line = latin1(without_line_end(&bytes[..status_end]));
    // `HTTP/1.x NNN ` is 13 bytes; the reason phrase is the rest of the line.
    let reason = latin1(
        without_line_end(&bytes[..status_end])
            .get(13..)
            .unwrap_or_default(),
    );
    mask_reason_controls(&mut bytes[..status_end]);
    // A head has at most one header per line, so this array is never too small.
    let mut slots = vec![httparse::EMPTY_HEADER; header_lines];
    let mut response = httparse::Response::new(&mut slots);
    match response.parse(&bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(protocol("the response head ended early".into()));
        }
        Err(httparse::Error::Version) => {
            return Err(protocol(format!(
                "expected an HTTP/1.1 status line, got `{}`",
                shown(&status_line)
            )));
        }
        Err(httparse::Error::Status) => return Err(status_error(&status_line)),
        Err(
            httparse::Error::HeaderName
            | httparse::Error::HeaderValue
            | httparse::Error::NewLine
            | httparse::Error::Token
            | httparse::Error::TooManyHeaders,
        ) => return Err(header_error(&bytes[status_end..])),
    }
    let code = response.code.unwrap_or_default();
    if !(100..=599).contains(&code) {
        return Err(status_error(&status_line));
    }
    if let Some(line) = bytes
        .split_inclusive(|b| *b == b'\n')
        .find(|line| !line.ends_with(b"\r\n"))
    {
        return Err(protocol(format!(
            "a line of the response head ends in LF without CR: `{}`",
            shown(&latin1(without_line_end(line)))
        )));
    }
    let headers = response
        .headers
        .iter()
        .map(|header| (header.name.to_string(), latin1(header.value)))
        .collect();
    Ok(Head {
        code,
        reason,
        http10: response.version == Some(0),
        headers,
    })
}

/// Bytes as Node's HTTP parser gives them to JavaScript: each byte one character, U+0000 to
/// U+00FF (Latin-1), so `é` sent as UTF-8 reads as `Ã©`, as in Newman.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().copied().map(char::from).collect()
}

fn without_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Node keeps control characters in a reason phrase, which httparse refuses: for the parse they
/// become spaces (the reason itself was taken from the line as sent). A CR stays, so a bare CR
/// is still refused, as Node refuses it.
fn mask_reason_controls(status_line: &mut [u8]) {
    let reason_end = without_line_end(status_line).len();
    if let Some(reason) = status_line.get_mut(13..reason_end) {
        for byte in reason {
            if (*byte < b' ' && *byte != b'\t' && *byte != b'\r') || *byte == 0x7f {
                *byte = b' ';
            }
        }
    }
}

/// A status line httparse refused, or whose code is outside 100 to 599.
fn status_error(status_line: &str) -> ReadError {
    let code = status_line.split(' ').nth(1).unwrap_or_default();
    let code_ok = code.len() == 3
        && code.bytes().all(|b| b.is_ascii_digit())
        && code.parse().is_ok_and(|n: u16| (100..=599).contains(&n));
    if code_ok {
        return protocol(format!("invalid status line `{}`", shown(status_line)));
    }
    protocol(format!(
        "the status code must be three digits from 100 to 599, got `{}` in the status line `{}`",
        shown(code),
        shown(status_line)
    ))
}

/// The first header line httparse refuses, named in the error: it does not say where it stopped,
/// so each line is parsed alone (this runs only once the head was refused).
fn header_error(lines: &[u8]) -> ReadError {
    for line in lines.split_inclusive(|b| *b == b'\n') {
        let alone = [without_line_end(line), b"\r\n\r\n"].concat();
        if let Err(error) = httparse::parse_headers(&alone, &mut [httparse::EMPTY_HEADER; 1]) {
            let what = match line.first() {
                Some(b' ' | b'\t') => "a folded header line (obs-fold)".to_string(),
                _ => error.to_string(),
            };
            return protocol(format!(
                "{what} in the response head: `{}`",
                shown(&latin1(without_line_end(line)))
            ));
        }
    }
    protocol("invalid response head".into())
}

/// A byte count as people write it: `256 MiB`, `64 KiB` or `1000 bytes`.
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match bytes {
        0 => "0 bytes".into(),
        b if b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// Reads one line (with its end) into `line`, taking its bytes from `budget`; a line that would
/// not fit is the error `too_long` names.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    budget: &mut u64,
    too_long: impl Fn() -> String,
) -> Result<usize, ReadError> {
    let n = reader.take(*budget).read_until(b'\n', line).await?;
    *budget -= n as u64;
    if *budget == 0 {
        return Err(protocol(too_long()));
    }
    Ok(n)
}

/// A `Transfer-Encoding: chunked` body, without its framing and trailers. Chunk sizes are plain
/// hex digits (RFC 9112, section 7.1), optionally followed by `;` extensions.
async fn read_chunked<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    body: &mut Vec<u8>,
    limits: ReadLimits,
) -> Result<(), ReadError> {
    // The framing (size lines, line ends and trailers) has a budget of its own besides the body:
    // one-byte chunks with long extensions must not make the read endless.
    let mut framing = limits.body.max(limits.head as u64);
    let line_cap = limits.head as u64;
    let too_long = || "a chunk-size line or the trailers are too long".to_string();
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut budget = line_cap.min(framing);
        let n = read_line(reader, &mut line, &mut budget, too_long).await?;
        framing -= n as u64;
        if n == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
        }
        let size = parse_chunk_size(&line)?;
        if size == 0 {
            let mut budget = line_cap.min(framing);
            loop {
                line.clear();
                let n = read_line(reader, &mut line, &mut budget, too_long).await?;
                if n == 0 || line == b"\r\n" || line == b"\n" {
                    return Ok(());
                }
            }
        }
        if body.len() as u64 + size > limits.body {
            return Err(ReadError::TooLarge);
        }
        read_exactly(reader, size, body).await?;
        line.clear();
        let mut budget = 3u64.min(framing);
        let n = read_line(reader, &mut line, &mut budget, || {
            "a chunk is longer than its size".to_string()
        })
        .await?;
        framing -= n as u64;
        if line != b"\r\n" && line != b"\n" {
            return Err(protocol("a chunk is longer than its size".into()));
        }
    }
}

/// The size on a chunk-size line: hex digits, then optional whitespace and `;` extensions.
fn parse_chunk_size(line: &[u8]) -> Result<u64, ReadError> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\r', '\n']);
    let digits = text.split(';').next().unwrap_or_default();
    let digits = digits.trim_end_matches([' ', '\t']);
    let plain_hex = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit());
    plain_hex
        .then(|| u64::from_str_radix(digits, 16).ok())
        .flatten()
        .ok_or_else(|| protocol(format!("invalid chunk size `{}`", shown(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn read(bytes: &[u8], method: &str) -> Result<RawResponse, ReadError> {
        let mut reader = tokio::io::BufReader::new(bytes);
        let limits = ReadLimits {
            head: MAX_HEAD,
            body: 1024 * 1024,
        };
        block_on(read_response(&mut reader, method, limits))
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn names_keep_their_case_and_repeated_names_go_together() {
        let headers = pairs(&[
            ("x-lower", "1"),
            ("X-Dup", "a"),
            ("Accept", "*/*"),
            ("X-Dup", "b"),
        ]);
        let bytes = encode_request("POST", "/a/./<b>", &headers, b"hi").unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "POST /a/./<b> HTTP/1.1\r\nx-lower: 1\r\nX-Dup: a\r\nX-Dup: b\r\nAccept: */*\r\n\r\nhi"
        );
    }

    #[test]
    fn a_name_in_other_case_replaces_the_earlier_one_in_place() {
        let headers = pairs(&[
            ("X-Dup", "a"),
            ("Accept", "*/*"),
            ("x-dup", "b"),
            ("X-Dup", "c"),
        ]);
        let bytes = encode_request("GET", "/", &headers, b"").unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "GET / HTTP/1.1\r\nx-dup: b\r\nAccept: */*\r\n\r\n"
        );
    }

    #[test]
    fn unsendable_headers_and_methods_are_named() {
        let bad_value = pairs(&[("X-A", "a\r\nInjected: 1")]);
        let error = encode_request("GET", "/", &bad_value, b"").unwrap_err();
        assert!(error.to_string().contains("`X-A`"), "{error}");
        let bad_name = pairs(&[("X A", "1")]);
        assert!(encode_request("GET", "/", &bad_name, b"").is_err());
        assert!(encode_request("GE T", "/", &[], b"").is_err());
    }

    #[test]
    fn content_length_body_and_original_header_case() {
        let response = read(
            b"HTTP/1.1 201 Created\r\nContent-type: text/plain\r\nX-Mixed: 1\r\nContent-Length: 5\r\n\r\nhello",
            "POST",
        )
        .unwrap();
        assert_eq!((response.code, response.reason.as_str()), (201, "Created"));
        assert_eq!(
            response.headers,
            pairs(&[
                ("Content-type", "text/plain"),
                ("X-Mixed", "1"),
                ("Content-Length", "5")
            ])
        );
        assert_eq!(response.body, b"hello");
        assert!(response.reusable);
    }

    #[test]
    fn chunked_bodies_interim_responses_and_trailers() {
        let response = read(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
            "GET",
        )
        .unwrap();
        assert_eq!(response.code, 200);
        assert_eq!(response.body, b"hello world");
        assert!(response.reusable);
    }

    #[test]
    fn a_body_to_the_end_of_the_connection_ends_reuse() {
        let response = read(b"HTTP/1.0 200 OK\r\n\r\nall of it", "GET").unwrap();
        assert_eq!(response.body, b"all of it");
        assert!(!response.reusable);
        let close = read(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            "GET",
        )
        .unwrap();
        assert!(!close.reusable);
    }

    #[test]
    fn head_204_and_304_have_no_body() {
        let head = read(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", "HEAD").unwrap();
        assert!(head.body.is_empty() && head.reusable);
        let none = read(b"HTTP/1.1 204 No Content\r\n\r\n", "DELETE").unwrap();
        assert!(none.body.is_empty());
    }

    #[test]
    fn claimed_lengths_do_not_allocate_and_overflowing_chunks_are_errors() {
        assert!(matches!(
            read(
                b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nab",
                "GET"
            ),
            Err(ReadError::TooLarge)
        ));
        assert!(matches!(
            read(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab",
                "GET"
            ),
            Err(ReadError::TooLarge)
        ));
    }

    #[test]
    fn loose_framing_is_refused_or_ends_reuse() {
        let both = read(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
            "GET",
        )
        .unwrap();
        assert_eq!(both.body, b"hi");
        assert!(!both.reusable);
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n",
        ] {
            assert!(
                matches!(read(bad, "GET"), Err(ReadError::Protocol(_))),
                "{bad:?}"
            );
        }
        let upgraded = read(b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "GET").unwrap();
        assert!(!upgraded.reusable);
    }

    #[test]
    fn a_request_asking_for_chunked_framing_gets_it() {
        let headers = pairs(&[("Transfer-Encoding", "chunked")]);
        let bytes = encode_request("POST", "/", &headers, b"hello").unwrap();
        assert!(bytes.ends_with(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        let empty = encode_request("POST", "/", &headers, b"").unwrap();
        assert!(empty.ends_with(b"\r\n\r\n0\r\n\r\n"));
    }

    #[test]
    fn a_closed_connection_before_any_byte_may_be_retried() {
        assert!(matches!(
            read(b"", "GET"),
            Err(ReadError::ClosedBeforeResponse)
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", "GET"),
            Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read(b"SSH-2.0-x\r\n\r\n", "GET"),
            Err(ReadError::Protocol(_))
        ));
        // Once the status line came, the request was answered: not sent again.
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n", "POST"),
            Err(ReadError::Io(_))
        ));
    }

    fn protocol_error(bytes: &[u8]) -> String {
        match read(bytes, "GET") {
            Err(ReadError::Protocol(message)) => message,
            other => panic!("expected a protocol error, got {other:?}"),
        }
    }

    #[test]
    fn status_codes_are_three_digits_from_100_to_599() {
        for line in [
            "HTTP/1.1 0 Zero",
            "HTTP/1.1 999 Nine",
            "HTTP/1.1 65535 Big",
            "HTTP/1.1 099 Low",
            "HTTP/1.1 600 High",
            "HTTP/1.1 +20 Sign",
            "HTTP/1.1 2000 Long",
        ] {
            let message = protocol_error(format!("{line}\r\nContent-Length: 0\r\n\r\n").as_bytes());
            assert!(
                message.contains(&format!("status line `{line}`")),
                "{message}"
            );
        }
        for (line, code) in [
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 599 Edge", 599),
            ("HTTP/1.0 200", 200),
        ] {
            let response = read(
                format!("{line}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
                "GET",
            )
            .unwrap();
            assert_eq!(response.code, code);
        }
    }

    #[test]
    fn header_bytes_are_latin1_characters_as_node_gives_them() {
        let response = read(
            b"HTTP/1.1 200 Caf\xe9\r\nX-Latin: caf\xe9 \xfc\r\nContent-Length: 0\r\n\r\n",
            "GET",
        )
        .unwrap();
        assert_eq!(response.reason, "Caf\u{e9}");
        assert_eq!(response.headers[0].1, "caf\u{e9} \u{fc}");
        assert_eq!(response.headers[0].1.chars().count(), 6);
    }

    #[test]
    fn utf8_header_bytes_read_as_two_latin1_characters_each() {
        let response = read(
            "HTTP/1.1 200 OK\r\nX-Utf8: caf\u{e9} \u{fc}\r\nContent-Length: 0\r\n\r\n".as_bytes(),
            "GET",
        )
        .unwrap();
        assert_eq!(response.headers[0].1, "caf\u{c3}\u{a9} \u{c3}\u{bc}");
    }

    #[test]
    fn reason_phrases_may_be_missing_empty_or_hold_controls() {
        for (line, reason) in [
            ("HTTP/1.1 201", ""),
            ("HTTP/1.1 201 ", ""),
            ("HTTP/1.1 201 Made\x01It", "Made\u{1}It"),
            ("HTTP/1.1 201 Tab\tAnd  Spaces ", "Tab\tAnd  Spaces "),
        ] {
            let response = read(
                format!("{line}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
                "GET",
            )
            .unwrap();
            assert_eq!((response.code, response.reason.as_str()), (201, reason));
        }
        let message = protocol_error(b"HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n");
        assert!(
            message.contains("invalid status line `HTTP/1.1 200 O\\rK`"),
            "{message}"
        );
    }

    #[test]
    fn empty_lines_before_the_status_line_are_skipped() {
        let response = read(
            b"\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            "GET",
        )
        .unwrap();
        assert_eq!(response.body, b"hi");
        assert!(matches!(
            read(b"\r\n\r\n", "GET"),
            Err(ReadError::ClosedBeforeResponse)
        ));
    }

    // Newman (Node 20's llhttp without `insecureHTTPParser`) refuses each of these heads.
    #[test]
    fn heads_newman_refuses_are_protocol_errors_naming_the_line() {
        for (head, expected) in [
            (
                "HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 0\n\n",
                "ends in LF without CR: `HTTP/1.1 200 OK`",
            ),
            (
                "HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 0\r\n\r\n",
                "ends in LF without CR: `X-A: 1`",
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n",
                "a folded header line (obs-fold) in the response head: `  b`",
            ),
            (
                "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n",
                "invalid header name in the response head: `X-A : 1`",
            ),
            (
                "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n",
                "invalid header name in the response head: `NoColonHere`",
            ),
            (
                "HTTP/1.1 200 OK\r\n: empty name\r\nContent-Length: 0\r\n\r\n",
                "invalid header name in the response head: `: empty name`",
            ),
            (
                "HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n",
                "invalid header value in the response head: `X-A: a\\u{1}b`",
            ),
            (
                "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
                "invalid header value in the response head: `X-A: a\\rb`",
            ),
            (
                "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
                "expected an HTTP/1.1 status line, got `HTTP/1.2 200 OK`",
            ),
            (
                "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n",
                "status line `HTTP/1.1  200 OK`",
            ),
        ] {
            let message = protocol_error(head.as_bytes());
            assert!(message.contains(expected), "{head:?}: {message}");
        }
    }

    #[test]
    fn a_thousand_headers_are_all_kept_in_order() {
        let mut head = String::from("HTTP/1.1 200 OK\r\n");
        for n in 0..1000 {
            head.push_str(&format!("X-{n}: {n}\r\n"));
        }
        head.push_str("Content-Length: 2\r\n\r\nhi");
        let response = read(head.as_bytes(), "GET").unwrap();
        assert_eq!(response.headers.len(), 1001);
        assert_eq!(response.headers[999], ("X-999".into(), "999".into()));
        assert_eq!(response.body, b"hi");
    }

    #[test]
    fn header_values_lose_surrounding_whitespace_and_may_be_empty() {
        let response = read(
            b"HTTP/1.1 200 OK\r\nX-A:   1 \t\r\nX-B:\r\nX-C: \r\nContent-Length: 0\r\n\r\n",
            "GET",
        )
        .unwrap();
        assert_eq!(
            response.headers,
            pairs(&[
                ("X-A", "1"),
                ("X-B", ""),
                ("X-C", ""),
                ("Content-Length", "0")
            ])
        );
    }

    #[test]
    fn chunk_sizes_are_plain_hex_with_optional_extensions() {
        for size in ["+5", "0x5", " 5", "-1", "5 5", "", "g"] {
            let bytes = format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
            );
            let message = protocol_error(bytes.as_bytes());
            assert!(message.contains("invalid chunk size"), "{size}: {message}");
        }
        for size in ["5", "05", "5;name=value", "5 ;ext", "0000000000000005"] {
            let bytes = format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
            );
            assert_eq!(
                read(bytes.as_bytes(), "GET").unwrap().body,
                b"hello",
                "{size}"
            );
        }
    }

    #[test]
    fn bodies_over_the_limit_stop_the_read() {
        let limits = ReadLimits {
            head: 1024,
            body: 4,
        };
        let read_limited = |bytes: &[u8]| {
            let mut reader = tokio::io::BufReader::new(bytes);
            block_on(read_response(&mut reader, "GET", limits))
        };
        for bytes in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..],
            b"HTTP/1.1 200 OK\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        ] {
            assert!(matches!(read_limited(bytes), Err(ReadError::TooLarge)), "{bytes:?}");
        }
        let exact = read_limited(b"HTTP/1.1 200 OK\r\n\r\nhell").unwrap();
        assert_eq!(exact.body, b"hell");
        let head =
            read_limited(format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(2000)).as_bytes());
        assert!(matches!(head, Err(ReadError::Protocol(m)) if m.contains("larger than 1 KiB")));
    }
}
