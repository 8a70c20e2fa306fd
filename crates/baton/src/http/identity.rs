//! The TLS client identity (`--ssl-client-cert`, `--ssl-client-key`, `--ssl-client-passphrase`):
//! PEM certificate and key, with a passphrase-protected PKCS#8 key decrypted in memory.

use std::path::Path;

use pkcs8::der::Decode;
use pkcs8::{EncryptedPrivateKeyInfo, LineEnding};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::ClientSetupError;

const ENCRYPTED_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const ENCRYPTED_END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// Reads the certificate (and the key, from `key` or from the certificate file itself) and
/// returns them as one PEM text, with an `ENCRYPTED PRIVATE KEY` decrypted with `passphrase`.
pub fn load_identity(
    cert: &Path,
    key: Option<&Path>,
    passphrase: Option<&str>,
) -> Result<String, ClientSetupError> {
    let read = |path: &Path, what: &str| {
        crate::input_file::read(path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| ClientSetupError(format!("{}: cannot read {what}: {e}", path.display())))
    };
    let mut pem = read(cert, "the client certificate")?;
    let key_source = key.unwrap_or(cert);
    if let Some(key) = key {
        pem.push('\n');
        pem.push_str(&read(key, "the client key")?);
    }
    let pem = decrypt_key(&pem, passphrase, key_source)?;
    let has_cert = CertificateDer::pem_slice_iter(pem.as_bytes()).any(|c| c.is_ok());
    if !has_cert || PrivateKeyDer::from_pem_slice(pem.as_bytes()).is_err() {
        return Err(ClientSetupError(format!(
            "{}: expected a PEM certificate and a PEM key",
            cert.display()
        )));
    }
    Ok(pem)
}

/// `pem` with an encrypted PKCS#8 key block replaced by the decrypted key; errors name `source`.
fn decrypt_key(
    pem: &str,
    passphrase: Option<&str>,
    source: &Path,
) -> Result<String, ClientSetupError> {
    let failed = |message: &str| ClientSetupError(format!("{}: {message}", source.display()));
    let Some(start) = pem.find(ENCRYPTED_BEGIN) else {
        return Ok(pem.to_string());
    };
    let end = pem[start..]
        .find(ENCRYPTED_END)
        .map(|at| start + at + ENCRYPTED_END.len())
        .ok_or_else(|| failed("the encrypted key has no END line"))?;
    let passphrase = passphrase.ok_or_else(|| {
        failed("the key is encrypted: give its passphrase with --ssl-client-passphrase")
    })?;
    let (_, document) = pkcs8::Document::from_pem(&pem[start..end])
        .map_err(|e| failed(&format!("cannot read the encrypted key: {e}")))?;
    let info = EncryptedPrivateKeyInfo::from_der(document.as_bytes())
        .map_err(|e| failed(&format!("cannot read the encrypted key: {e}")))?;
    let key = info
        .decrypt(passphrase)
        .map_err(|_| failed("cannot decrypt the key: wrong passphrase or unsupported cipher"))?;
    let decrypted = key
        .to_pem("PRIVATE KEY", LineEnding::LF)
        .map_err(|e| failed(&format!("cannot write the decrypted key: {e}")))?;
    Ok(format!(
        "{}{}{}",
        &pem[..start],
        decrypted.as_str(),
        &pem[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENCRYPTED: &str = include_str!("../../../../tests/fixtures/tls/client-encrypted.key");

    #[test]
    fn an_encrypted_key_is_decrypted_with_its_passphrase() {
        let pem =
            decrypt_key(ENCRYPTED, Some("baton-test-passphrase"), Path::new("k.pem")).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    }

    #[test]
    fn a_wrong_or_missing_passphrase_is_explained() {
        let wrong = decrypt_key(ENCRYPTED, Some("nope"), Path::new("k.pem"))
            .unwrap_err()
            .to_string();
        assert!(
            wrong.starts_with("k.pem: cannot decrypt the key: wrong passphrase"),
            "{wrong}"
        );
        let missing = decrypt_key(ENCRYPTED, None, Path::new("k.pem"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("--ssl-client-passphrase"), "{missing}");
    }

    #[test]
    fn an_unencrypted_key_passes_through() {
        assert_eq!(
            decrypt_key("plain", None, Path::new("k.pem")).unwrap(),
            "plain"
        );
    }
}
