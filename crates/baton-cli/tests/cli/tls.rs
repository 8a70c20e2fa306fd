//! TLS options against a loopback HTTPS server signed by the test-only CA: `--ssl-extra-ca-certs`,
//! `-k`, per-item `strictSSL`, and a client certificate (`--ssl-client-cert`/`--ssl-client-key`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

use crate::support::{Scratch, baton, collection, serve_connections};

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("tests/fixtures/tls")
        .join(name)
}

/// An HTTPS server on 127.0.0.1 answering every request it can read with its request line; with
/// `require_client_cert`, the handshake needs a certificate signed by `client-ca.pem`.
fn serve(require_client_cert: bool) -> SocketAddr {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("echo.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("echo.key")).unwrap();
    let builder = ServerConfig::builder();
    let config = if require_client_cert {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(fixture("client-ca.pem")).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .unwrap();
        builder
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .unwrap()
    } else {
        builder
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap()
    };
    let mut config = config;
    // Offering HTTP/2 first: a client that took it would send the HTTP/2 preface, not the
    // HTTP/1.1 request line the tests expect (Newman speaks HTTP/1.1 only).
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    // Every connection is answered and closed.
    serve_connections(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let mut buffer = vec![0; 16 * 1024];
            let n = tls.read(&mut buffer).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buffer[..n]);
            let line = head.lines().next().unwrap_or_default();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{line}",
                line.len()
            );
            let _ = tls.write_all(reply.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    })
}

/// A collection with two requests to the server, the second with a `.` path segment that must
/// reach it as written; both must pass the TLS settings.
fn one_request(s: &Scratch, addr: SocketAddr, behavior: serde_json::Value) {
    let item = |name: &str, path: &str| {
        json!({"name": name, "request": format!("https://localhost:{}{path}", addr.port()),
        "protocolProfileBehavior": behavior,
        "event": [{"listen": "test", "script": {"exec": [format!(
            "pm.test('request line', () => pm.expect(pm.response.text()).to.equal('GET {path} HTTP/1.1'));"
        )]}}]})
    };
    s.json(
        "c.json",
        &collection(json!([
            item("TLS", "/"),
            item("TLS exact target", "/./exact")
        ])),
    );
}

#[test]
fn extra_ca_certificates_are_trusted_and_unknown_ones_refused() {
    let addr = serve(false);
    let s = Scratch::new("tls-ca");
    one_request(&s, addr, json!({}));
    let ca = fixture("ca.pem");
    let trusted = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--ssl-extra-ca-certs",
            ca.to_str().unwrap(),
        ],
    );
    assert_eq!(trusted.code, 0, "{}", trusted.stdout);
    let refused = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(refused.code, 1);
    assert_eq!(
        refused.stdout.matches("[errored]").count(),
        2,
        "both requests are refused: {}",
        refused.stdout
    );
    let insecure = baton(&s.dir, &["run", "c.json", "-k"]);
    assert_eq!(insecure.code, 0, "{}", insecure.stdout);
}

#[test]
fn strict_ssl_false_on_an_item_skips_verification_for_that_item() {
    let addr = serve(false);
    let s = Scratch::new("tls-strict");
    one_request(&s, addr, json!({"strictSSL": false}));
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn client_certificate_is_presented_when_given() {
    let addr = serve(true);
    let s = Scratch::new("tls-client");
    one_request(&s, addr, json!({}));
    let ca = fixture("ca.pem");
    let without = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--ssl-extra-ca-certs",
            ca.to_str().unwrap(),
        ],
    );
    assert_eq!(without.code, 1, "the server requires a client certificate");
    assert_eq!(
        without.stdout.matches("[errored]").count(),
        2,
        "both requests fail without the certificate: {}",
        without.stdout
    );
    let with = baton(
        &s.dir,
        &[
            "run",
            "c.json",
            "--ssl-extra-ca-certs",
            ca.to_str().unwrap(),
            "--ssl-client-cert",
            fixture("client.pem").to_str().unwrap(),
            "--ssl-client-key",
            fixture("client.key").to_str().unwrap(),
        ],
    );
    assert_eq!(with.code, 0, "{}", with.stdout);
}

#[test]
fn unreadable_client_certificate_is_a_usage_error() {
    let s = Scratch::new("tls-bad-cert");
    s.json("c.json", &collection(json!([])));
    s.write("not-a-cert.pem", "hello");
    let run = baton(
        &s.dir,
        &["run", "c.json", "--ssl-client-cert", "not-a-cert.pem"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("not-a-cert.pem: expected a PEM certificate"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_ca_file_without_certificates_is_a_usage_error() {
    let s = Scratch::new("tls-bad-ca");
    s.json("c.json", &collection(json!([])));
    s.write("not-a-ca.pem", "hello");
    let run = baton(
        &s.dir,
        &["run", "c.json", "--ssl-extra-ca-certs", "not-a-ca.pem"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "not-a-ca.pem: expected PEM certificates (`-----BEGIN CERTIFICATE-----`): found none"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_encrypted_client_key_is_used_with_its_passphrase() {
    let addr = serve(true);
    let s = Scratch::new("tls-client-encrypted");
    one_request(&s, addr, json!({}));
    let ca = fixture("ca.pem");
    let cert = fixture("client.pem");
    let key = fixture("client-encrypted.key");
    let args = |passphrase: &'static str| {
        vec![
            "run".to_string(),
            "c.json".into(),
            "--ssl-extra-ca-certs".into(),
            ca.to_str().unwrap().into(),
            "--ssl-client-cert".into(),
            cert.to_str().unwrap().into(),
            "--ssl-client-key".into(),
            key.to_str().unwrap().into(),
            "--ssl-client-passphrase".into(),
            passphrase.into(),
        ]
    };
    let right = args("baton-test-passphrase");
    let run = baton(
        &s.dir,
        &right.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let wrong = args("wrong");
    let run = baton(
        &s.dir,
        &wrong.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("client-encrypted.key: cannot decrypt the key: wrong passphrase"),
        "{}",
        run.stderr
    );
}
