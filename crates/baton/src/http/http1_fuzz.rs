//! A bounded mutation test of the response reader (`http1.rs`) and the body decoder: valid
//! responses, mutated (bytes flipped, cut short, huge numbers and framing edge cases inserted,
//! lines repeated, ranges removed) and followed by an endless tail, must give a response or a
//! typed error, never a panic, and the reader must stop within a bound of bytes read however
//! much the peer would send. A seeded RNG keeps each run the same, and the case count keeps it
//! to a few seconds.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncRead, ReadBuf};

use super::decode::decode;
use super::http1::{ReadError, ReadLimits, read_response};

/// How many mutated responses a run tries.
const CASES: usize = 4000;

const LIMITS: ReadLimits = ReadLimits {
    head: 2048,
    body: 8192,
};

/// The reader's buffer: bytes it may have taken past the point where it stopped.
const BUFFER: usize = 1024;

/// The most bytes one response may make the reader take: seventeen heads (sixteen interim ones
/// and the final one), the body, as much framing again, the trailers, and one buffer besides.
const BOUND: usize = 18 * LIMITS.head + 2 * LIMITS.body as usize + 2 * BUFFER;

/// A peer that sends `bytes`, then `tail` again and again (or closes, without a tail), at most
/// 700 bytes a read, counting what was taken.
struct Peer {
    bytes: Vec<u8>,
    tail: Option<&'static [u8]>,
    at: usize,
    taken: usize,
}

impl AsyncRead for Peer {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let peer = self.get_mut();
        let room = buf.remaining().min(700);
        let mut given = 0;
        while given < room {
            let (source, at) = match (peer.at < peer.bytes.len(), peer.tail) {
                (true, _) => (&peer.bytes[..], peer.at),
                (false, Some(tail)) => (tail, (peer.at - peer.bytes.len()) % tail.len()),
                (false, None) => break,
            };
            let n = (source.len() - at).min(room - given);
            buf.put_slice(&source[at..at + n]);
            peer.at += n;
            given += n;
        }
        peer.taken += given;
        Poll::Ready(Ok(()))
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Valid responses to start from.
fn seeds() -> Vec<Vec<u8>> {
    let mut compressed =
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let body = gzip(&[b'z'; 20_000]);
    compressed.extend(format!("{:x}\r\n", body.len()).as_bytes());
    compressed.extend(body);
    compressed.extend(b"\r\n0\r\n\r\n");
    vec![
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n".to_vec(),
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n".to_vec(),
        b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end".to_vec(),
        b"\r\nHTTP/1.1 301 Moved\r\nLocation: /x\r\nX-Latin: caf\xe9\r\nContent-Length: 0\r\n\r\n".to_vec(),
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nConnection: close\r\n\r\nabc".to_vec(),
        compressed,
    ]
}

/// Text a mutation may insert: huge or signed numbers and framing pieces.
const INSERTS: [&[u8]; 16] = [
    b"18446744073709551616",
    b"99999999999999999999999999",
    b"ffffffffffffffffff",
    b"-1",
    b"+5",
    b"0x5",
    b"65535",
    b"0\r\n\r\n",
    b";ext=\"x\"",
    b"\r\n",
    b"\r\n\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Content-Length: 100000000\r\n",
    b"Content-Encoding: gzip\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"\xff\x00",
];

/// What a peer may go on sending after the response.
const TAILS: [Option<&[u8]>; 6] = [
    None,
    Some(b"a"),
    Some(b"\r\n"),
    Some(b"1\r\nx\r\n"),
    Some(b"HTTP/1.1 100 Continue\r\n\r\n"),
    Some(b"X-More: y\r\n"),
];

fn mutate(rng: &mut StdRng, bytes: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..4) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..6) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] = rng.random();
            }
            1 => bytes.truncate(at),
            2 => {
                let insert = INSERTS[rng.random_range(0..INSERTS.len())];
                bytes.splice(at..at, insert.iter().copied());
            }
            3 => {
                // A line again, right after itself (a repeated header, size line or status line).
                let start = bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |p| at + p + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            4 => {
                let end = rng.random_range(at..=bytes.len().min(at + 8));
                bytes.drain(at..end);
            }
            _ => {
                // A digit run made huge.
                if let Some(digit) = bytes.iter().skip(at).position(u8::is_ascii_digit) {
                    let at = at + digit;
                    bytes.splice(at..at, b"9999999999999999999".iter().copied());
                }
            }
        }
    }
}

#[test]
fn mutated_responses_give_a_response_or_an_error_within_a_bound() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(0x0062_6174_6f6e);
    let (mut answered, mut refused) = (0, 0);
    for case in 0..CASES {
        let mut bytes = seeds[case % seeds.len()].clone();
        mutate(&mut rng, &mut bytes);
        let tail = TAILS[rng.random_range(0..TAILS.len())];
        let method = if rng.random_range(0..8) == 0 {
            "HEAD"
        } else {
            "GET"
        };
        let mut reader = tokio::io::BufReader::with_capacity(
            BUFFER,
            Peer {
                bytes: bytes.clone(),
                tail,
                at: 0,
                taken: 0,
            },
        );
        let outcome = runtime.block_on(read_response(&mut reader, method, LIMITS));
        let taken = reader.get_ref().taken;
        let shown = String::from_utf8_lossy(&bytes);
        assert!(
            taken <= BOUND,
            "case {case}: read {taken} bytes of {shown:?} + {tail:?}"
        );
        match outcome {
            Ok(response) => {
                answered += 1;
                assert!(
                    (100..=599).contains(&response.code),
                    "case {case}: {shown:?}"
                );
                assert!(response.body.len() as u64 <= LIMITS.body, "case {case}");
                if let Ok(decoded) = decode(&response.headers, response.body, LIMITS.body) {
                    assert!(decoded.len() as u64 <= LIMITS.body, "case {case}");
                }
            }
            Err(
                ReadError::ClosedBeforeResponse
                | ReadError::Protocol(_)
                | ReadError::TooLarge
                | ReadError::Io(_),
            ) => refused += 1,
            Err(ReadError::Http(e)) => panic!("case {case}: a read gave a request error: {e}"),
        }
    }
    // The mutations leave some responses readable and break others.
    assert!(
        answered > CASES / 20 && refused > CASES / 20,
        "{answered} answered, {refused} refused"
    );
}
