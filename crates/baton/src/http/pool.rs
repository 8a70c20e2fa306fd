//! Idle kept-alive connections, per scheme, host, port and certificate mode. A connection comes
//! back only when its response was read to the last byte; it is dropped when it has been idle
//! longer than servers commonly keep one, and checked before reuse, so a connection the server
//! closed (or wrote to unasked: a 408, or a stray second response) is not used: a stray response
//! left unread would be taken as the answer to the next request. The check asks the socket
//! itself, as the runtime's idea of readiness is only as fresh as its last look. The connection put back last is taken
//! first, as Node's agent does: a request sent again right after its response (Digest, and NTLM,
//! which authenticates the connection itself) goes out on the connection that answered it.

use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::io::AsyncBufRead;

use super::connection::{Connection, Stream};

/// Which idle connections a request may reuse: scheme, host, port, and whether certificates go
/// unchecked.
pub type PoolKey = (String, String, u16, bool);

/// Below the 5 s keep-alive timeout of Node's and many other servers.
const IDLE_LIMIT: Duration = Duration::from_secs(4);

/// Idle connections kept per key.
const PER_KEY: usize = 4;

/// The run's idle connections.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<HashMap<PoolKey, Vec<(Instant, Connection)>>>,
}

impl Pool {
    /// A live idle connection for `key`, if there is one.
    pub async fn take(&self, key: &PoolKey) -> Option<Connection> {
        loop {
            let mut candidate = {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                let list = idle.get_mut(key)?;
                list.retain(|(since, _)| since.elapsed() < IDLE_LIMIT);
                list.pop()?.1
            };
            if is_quiet(&mut candidate).await {
                return Some(candidate);
            }
        }
    }

    /// Keeps `connection` for the next request to `key`, if nothing is left unread on it.
    pub fn put(&self, key: PoolKey, connection: Connection) {
        if !connection.io.buffer().is_empty() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|_, list| {
            list.retain(|(since, _)| since.elapsed() < IDLE_LIMIT);
            !list.is_empty()
        });
        let list = idle.entry(key).or_default();
        list.push((Instant::now(), connection));
        if list.len() > PER_KEY {
            list.remove(0);
        }
    }
}

/// Whether nothing has arrived on an idle connection: no data, no end, no error.
async fn is_quiet(connection: &mut Connection) -> bool {
    if !connection.io.buffer().is_empty() || !socket_is_quiet(connection.io.get_ref()) {
        return false;
    }
    // One poll of the read, with no timer: ready means something came (for TLS, bytes the
    // session had already taken from the socket).
    std::future::poll_fn(|cx| {
        Poll::Ready(Pin::new(&mut connection.io).poll_fill_buf(cx).is_pending())
    })
    .await
}

/// Whether the socket under `stream` holds no unread byte and no end: a look at the socket
/// itself (a non-blocking peek), which sees bytes that arrived since the runtime last polled.
fn socket_is_quiet(stream: &Stream) -> bool {
    let tcp = match stream {
        Stream::Plain(tcp) => tcp,
        Stream::Tls(tls) => tls.get_ref().0,
    };
    let mut byte = [MaybeUninit::<u8>::uninit()];
    matches!(
        socket2::SockRef::from(tcp).peek(&mut byte),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client connection to `listener`, and the server's end, which must stay open for the
    /// pool to hand the connection out.
    async fn connection(listener: &tokio::net::TcpListener) -> (Connection, tokio::net::TcpStream) {
        let stream = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server_end, _) = listener.accept().await.unwrap();
        let connection = Connection {
            io: tokio::io::BufReader::new(Stream::Plain(stream)),
            via_proxy: None,
        };
        (connection, server_end)
    }

    fn local_addr(connection: &Connection) -> std::net::SocketAddr {
        match connection.io.get_ref() {
            Stream::Plain(stream) => stream.local_addr().unwrap(),
            Stream::Tls(_) => unreachable!(),
        }
    }

    #[tokio::test]
    async fn the_connection_put_back_last_is_taken_first() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let pool = Pool::default();
        let key: PoolKey = ("http".into(), "127.0.0.1".into(), 80, false);
        let (first, _first_server_end) = connection(&listener).await;
        let (second, _second_server_end) = connection(&listener).await;
        let second_addr = local_addr(&second);
        pool.put(key.clone(), first);
        pool.put(key.clone(), second);
        let taken = pool.take(&key).await.expect("an idle connection");
        assert_eq!(local_addr(&taken), second_addr);
    }

    #[tokio::test]
    async fn a_connection_with_unread_bytes_is_not_reused() {
        use std::io::Write;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let pool = Pool::default();
        let key: PoolKey = ("http".into(), "127.0.0.1".into(), 80, false);
        let (stray, server_end) = connection(&listener).await;
        pool.put(key.clone(), stray);
        // A blocking write, so that the runtime has no chance to notice the bytes arriving: the
        // check must see them on the socket itself.
        let mut server_end = server_end.into_std().unwrap();
        server_end.set_nonblocking(false).unwrap();
        server_end
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray")
            .unwrap();
        assert!(pool.take(&key).await.is_none());
        let (closed, server_end) = connection(&listener).await;
        pool.put(key.clone(), closed);
        drop(server_end);
        assert!(pool.take(&key).await.is_none());
    }
}
