//! A connection wrapper that replaces the request line hyper writes with one given up front, so a
//! request target `http::Uri` would refuse (`<`, `>`, `` ` ``, dot segments kept) still goes on
//! the wire exactly as written. Only the first line is touched; everything after it passes
//! through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection that replaces the first line written to it (the request line) with `line`.
pub struct RequestLine<S> {
    inner: S,
    /// The replacement, until the original line has been seen.
    line: Option<Vec<u8>>,
    /// Bytes accepted from the writer and not yet written to `inner`.
    pending: Vec<u8>,
    written: usize,
}

impl<S> RequestLine<S> {
    /// Wraps `inner`; `line` (with its CRLF) replaces the first line written.
    pub fn new(inner: S, line: Vec<u8>) -> Self {
        RequestLine {
            inner,
            line: Some(line),
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> RequestLine<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RequestLine<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        let Some(line) = &this.line else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        // Bytes of the original request line are dropped; at its end the replacement and the
        // rest of the buffer go out instead.
        if let Some(end) = buf.iter().position(|&b| b == b'\n') {
            this.pending.extend_from_slice(line);
            this.pending.extend_from_slice(&buf[end + 1..]);
            this.line = None;
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RequestLine<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(flavor = "current_thread")]
    async fn the_request_line_is_replaced_across_split_writes() {
        let (client, mut server) = tokio::io::duplex(1024);
        let mut conn = RequestLine::new(client, b"GET /a/./<b> HTTP/1.1\r\n".to_vec());
        conn.write_all(b"GET / HT").await.unwrap();
        conn.write_all(b"TP/1.1\r\nHost: h\r\n").await.unwrap();
        conn.write_all(b"\r\n").await.unwrap();
        conn.shutdown().await.unwrap();
        let mut sent = String::new();
        server.read_to_string(&mut sent).await.unwrap();
        assert_eq!(sent, "GET /a/./<b> HTTP/1.1\r\nHost: h\r\n\r\n");
    }
}
