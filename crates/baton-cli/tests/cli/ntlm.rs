//! NTLM against Newman: a loopback server that speaks NTLM on kept-alive connections (a fixed
//! challenge, the NTLMv2 response checked with the known password, authentication only on the
//! connection that was challenged) sees the same sequence of requests from Newman and Baton. The
//! authenticate messages are compared with their random parts (client challenge, timestamp and
//! the proofs made from them) zeroed.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;
use md4::Digest;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::echo::read_request;
use crate::node::newman;
use crate::on_the_wire::without_random_parts;
use crate::support::{Scratch, baton, collection, serve_connections};

/// Unicode, extended security and target info (DOMAIN, SERVER); server challenge
/// 0123456789abcdef.
const CHALLENGE: &str = "TlRMTVNTUAACAAAADAAMADgAAAAFgoiiASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgGxHQAAAA9EAE8ATQBBAEkATgACAAwARABPAE0AQQBJAE4AAQAMAFMARQBSAFYARQBSAAAAAAA=";
const PASSWORD: &str = "s3cret";

/// A request as the server saw it: the connection it came on and its raw text.
type Seen = (usize, String);

struct NtlmServer {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl NtlmServer {
    fn start() -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        let connections = Arc::new(Mutex::new(0usize));
        let addr = serve_connections(move |mut socket| {
            let log = log.clone();
            let id = {
                let mut count = connections.lock().unwrap();
                *count += 1;
                *count
            };
            async move {
                let mut challenged = false;
                while let Some(raw) = read_request(&mut socket).await {
                    let text = String::from_utf8_lossy(&raw).into_owned();
                    log.lock().unwrap().push((id, text.clone()));
                    let path = text.split(' ').nth(1).unwrap_or("").to_string();
                    let message = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Authorization: NTLM "))
                        .map(|m| BASE64.decode(m.trim()).unwrap());
                    let (status, headers, body) = match message {
                        _ if path == "/basic-only" => (
                            "401 Unauthorized",
                            "WWW-Authenticate: Basic realm=\"x\"\r\n".to_string(),
                            "basic",
                        ),
                        None => (
                            "401 Unauthorized",
                            "WWW-Authenticate: NTLM\r\nWWW-Authenticate: Negotiate\r\n".into(),
                            "who",
                        ),
                        Some(m) if m[8] == 1 && path == "/no-type2" => (
                            "401 Unauthorized",
                            "WWW-Authenticate: NTLM\r\n".into(),
                            "no challenge",
                        ),
                        Some(m) if m[8] == 1 => {
                            challenged = true;
                            (
                                "401 Unauthorized",
                                format!("WWW-Authenticate: NTLM {CHALLENGE}\r\n"),
                                "challenge",
                            )
                        }
                        Some(m) if m[8] == 3 && challenged && verifies(&m) => {
                            ("200 OK", String::new(), "welcome")
                        }
                        Some(_) => ("401 Unauthorized", String::new(), "denied"),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
                        body.len()
                    );
                    if socket.write_all(head.as_bytes()).await.is_err()
                        || socket.write_all(body.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            }
        });
        NtlmServer {
            port: addr.port(),
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A field of an NTLM message: the bytes its security buffer at `at` points to.
fn field(message: &[u8], at: usize) -> (usize, usize) {
    let len = usize::from(u16::from_le_bytes([message[at], message[at + 1]]));
    let offset = u32::from_le_bytes(message[at + 4..at + 8].try_into().unwrap()) as usize;
    (offset, len)
}

fn hmac_md5(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<md5::Md5>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).unwrap()
}

/// Whether an authenticate message's NTLMv2 response proves the password.
fn verifies(message: &[u8]) -> bool {
    let text = |at| {
        let (offset, len) = field(message, at);
        utf16(&message[offset..offset + len])
    };
    let (domain, user) = (text(28), text(36));
    let (offset, len) = field(message, 20);
    let nt = &message[offset..offset + len];
    let password: Vec<u8> = PASSWORD.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let identity: Vec<u8> = format!("{}{domain}", user.to_uppercase())
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let key = hmac_md5(&md4::Md4::digest(password), &identity);
    let server = BASE64.decode(CHALLENGE).unwrap()[24..32].to_vec();
    len > 16 && hmac_md5(&key, &[&server[..], &nt[16..]].concat()) == nt[..16]
}

/// The request with an authenticate message's random parts zeroed: the LM response, and the NT
/// response's proof, timestamp and client challenge.
fn comparable(raw: &str) -> String {
    without_random_parts(raw)
        .lines()
        .map(|line| {
            let Some(encoded) = line.strip_prefix("Authorization: NTLM ") else {
                return line.to_string();
            };
            let mut message = BASE64.decode(encoded).unwrap();
            if message[8] == 3 {
                let (lm, lm_len) = field(&message, 12);
                message[lm..lm + lm_len].fill(0);
                let (nt, _) = field(&message, 20);
                message[nt..nt + 16].fill(0);
                message[nt + 24..nt + 40].fill(0);
            }
            format!("Authorization: NTLM {}", BASE64.encode(message))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn item(name: &str, url: String, auth: Value, status: u16) -> Value {
    let params: Vec<Value> = auth
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    json!({
        "name": name,
        "request": {"method": "GET", "url": url, "auth": {"type": "ntlm", "ntlm": params},
            "header": [{"key": "authorization", "value": "Basic old"}]},
        "event": [{"listen": "test", "script": {"exec": [
            format!("pm.test('status', () => pm.response.to.have.status({status}));")
        ]}}]
    })
}

/// Connection ids renumbered in order of first use, so two runs can be compared.
fn renumbered(seen: &[Seen]) -> Vec<usize> {
    let mut order = Vec::new();
    seen.iter()
        .map(|(id, _)| match order.iter().position(|o| o == id) {
            Some(at) => at,
            None => {
                order.push(*id);
                order.len() - 1
            }
        })
        .collect()
}

#[test]
fn the_ntlm_handshake_is_newmans() {
    let server = NtlmServer::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let credentials =
        json!({"username": "CORP\\alice", "password": PASSWORD, "workstation": "ws-1"});
    let mut retry_disabled = credentials.clone();
    retry_disabled["disableRetryRequest"] = json!(true);
    let items = json!([
        item(
            "handshake",
            format!("{base}/ntlm?x=1"),
            credentials.clone(),
            200
        ),
        item(
            "wrong password",
            format!("{base}/ntlm"),
            json!({"username": "alice", "password": "nope", "domain": "Corp"}),
            401
        ),
        item(
            "no NTLM offered",
            format!("{base}/basic-only"),
            credentials.clone(),
            401
        ),
        item(
            "no challenge",
            format!("{base}/no-type2"),
            credentials.clone(),
            401
        ),
        item(
            "retry disabled",
            format!("{base}/ntlm"),
            retry_disabled,
            401
        ),
    ]);
    let s = Scratch::new("ntlm");
    s.json("c.json", &collection(items));
    let by_newman = newman(&s.dir, &["run", "c.json"]);
    let served = server.seen().len();
    let by_baton = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(by_newman.code, 0, "{}", by_newman.stdout);
    assert_eq!(by_baton.code, 0, "{}{}", by_baton.stdout, by_baton.stderr);
    // Newman wraps its console box, so only a part that stays on one line is looked for.
    let warning = "server did not send NTLM type 2 message";
    assert!(by_newman.stdout.contains(warning), "{}", by_newman.stdout);
    assert!(
        by_baton.stdout.contains(warning) || by_baton.stderr.contains(warning),
        "{}{}",
        by_baton.stdout,
        by_baton.stderr
    );
    // Every request of a handshake counts, as Newman counts each replay.
    let requests = |out: &str| {
        out.lines()
            .find(|l| l.contains(" requests "))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(requests(&by_baton.stdout), requests(&by_newman.stdout));
    let seen = server.seen();
    let (newman_seen, baton_seen) = seen.split_at(served);
    let lines =
        |seen: &[Seen]| -> Vec<String> { seen.iter().map(|(_, raw)| comparable(raw)).collect() };
    assert_eq!(lines(baton_seen), lines(newman_seen));
    assert_eq!(renumbered(baton_seen), renumbered(newman_seen));
    // A replay keeps the Postman-Token of the request it repeats.
    let token = |raw: &str| {
        raw.lines()
            .find_map(|l| l.strip_prefix("Postman-Token: "))
            .map(str::to_string)
    };
    let same_token_as_before = |seen: &[Seen]| -> Vec<bool> {
        seen.windows(2)
            .map(|pair| token(&pair[0].1) == token(&pair[1].1))
            .collect()
    };
    assert_eq!(
        same_token_as_before(baton_seen),
        same_token_as_before(newman_seen)
    );
    // handshake 3 (the last one authenticated), wrong password 3, basic 1, no type 2 2, retry 1.
    assert_eq!(newman_seen.len(), 10);
}
