//! The primitives signers need, on aws-lc-rs (already linked by rustls): hashes, HMAC, and RSA
//! and ECDSA signing with keys given as PEM. RSA with SHA-1, which aws-lc-rs will not sign, is done
//! with the `rsa` crate.

use aws_lc_rs::{digest, hmac, rand::SystemRandom, signature};
use base64::Engine;

use super::SignFailure;

/// A hash function named by an auth helper's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// `sha1`, `SHA256`, ...: Node's `createHash` takes the names in any case.
    pub(super) fn from_name(name: &str) -> Option<Hash> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Some(Hash::Sha1),
            "sha256" => Some(Hash::Sha256),
            "sha384" => Some(Hash::Sha384),
            "sha512" => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn digest_algorithm(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    fn hmac_algorithm(self) -> hmac::Algorithm {
        match self {
            Hash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => hmac::HMAC_SHA256,
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 => hmac::HMAC_SHA512,
        }
    }
}

/// The digest of `data`.
pub(super) fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    digest::digest(hash.digest_algorithm(), data)
        .as_ref()
        .to_vec()
}

/// HMAC of `data` under `key`.
pub(super) fn hmac(hash: Hash, key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hash.hmac_algorithm(), key);
    hmac::sign(&key, data).as_ref().to_vec()
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How an asymmetric signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeySignature {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(Hash),
    /// RSASSA-PSS with the hash's length as salt (JOSE's PS*).
    RsaPss(Hash),
    /// ECDSA with the fixed-width `r || s` output JOSE uses, on the hash's curve.
    Ecdsa(Hash),
}

/// A PEM block's label and DER contents.
fn pem_to_der(pem: &str) -> Result<(String, Vec<u8>), SignFailure> {
    let begin = pem
        .find("-----BEGIN ")
        .ok_or("the key is not in PEM form")?;
    let after = &pem[begin + 11..];
    let label_end = after.find("-----").ok_or("the PEM header is not closed")?;
    let label = after[..label_end].to_string();
    let body = &after[label_end + 5..];
    let end = body
        .find("-----END ")
        .ok_or("the PEM block has no end line")?;
    let text: String = body[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("the PEM block is not base64: {e}"))?;
    Ok((label, der))
}

/// Signs `message` with a PEM private key. `pkcs8_only` refuses PKCS#1 RSA keys, as jose's
/// `importPKCS8` does; Node's `crypto.sign` takes both.
pub(super) fn sign_with_key(
    pem: &str,
    how: KeySignature,
    message: &[u8],
    pkcs8_only: bool,
) -> Result<Vec<u8>, SignFailure> {
    let (label, der) = pem_to_der(pem)?;
    let rng = SystemRandom::new();
    match how {
        KeySignature::RsaPkcs1(hash) | KeySignature::RsaPss(hash) => {
            let key = match label.as_str() {
                "PRIVATE KEY" => signature::RsaKeyPair::from_pkcs8(&der),
                "RSA PRIVATE KEY" if !pkcs8_only => signature::RsaKeyPair::from_der(&der),
                other => {
                    return Err(format!("a `{other}` PEM block is not a usable RSA key").into());
                }
            }
            .map_err(|e| format!("invalid RSA private key: {e}"))?;
            let encoding: &'static dyn signature::RsaEncoding = match (how, hash) {
                (KeySignature::RsaPss(_), Hash::Sha256) => &signature::RSA_PSS_SHA256,
                (KeySignature::RsaPss(_), Hash::Sha384) => &signature::RSA_PSS_SHA384,
                (KeySignature::RsaPss(_), Hash::Sha512) => &signature::RSA_PSS_SHA512,
                (_, Hash::Sha256) => &signature::RSA_PKCS1_SHA256,
                (_, Hash::Sha384) => &signature::RSA_PKCS1_SHA384,
                (_, Hash::Sha512) => &signature::RSA_PKCS1_SHA512,
                (KeySignature::RsaPss(_), Hash::Sha1) => {
                    return Err("RSA-PSS signatures with SHA-1 are not supported".into());
                }
                (_, Hash::Sha1) => return rsa_pkcs1_sha1(&label, &der, message),
            };
            let mut out = vec![0; key.public_modulus_len()];
            key.sign(encoding, &rng, message, &mut out)
                .map_err(|_| "RSA signing failed".to_string())?;
            Ok(out)
        }
        KeySignature::Ecdsa(hash) => {
            if label != "PRIVATE KEY" {
                return Err(format!("a `{label}` PEM block is not a PKCS#8 EC key").into());
            }
            let algorithm = match hash {
                Hash::Sha256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                Hash::Sha384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                Hash::Sha512 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                Hash::Sha1 => return Err("ECDSA with SHA-1 is not supported".into()),
            };
            let key = signature::EcdsaKeyPair::from_pkcs8(algorithm, &der)
                .map_err(|e| format!("invalid EC private key for this algorithm: {e}"))?;
            let sig = key
                .sign(&rng, message)
                .map_err(|_| "ECDSA signing failed".to_string())?;
            Ok(sig.as_ref().to_vec())
        }
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-1 (OAuth 1.0's `RSA-SHA1`), from a PKCS#8 or PKCS#1 DER key.
fn rsa_pkcs1_sha1(label: &str, der: &[u8], message: &[u8]) -> Result<Vec<u8>, SignFailure> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use sha1::Digest;

    let key = match label {
        "PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| e.to_string()),
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|e| e.to_string()),
        other => return Err(format!("a `{other}` PEM block is not a usable RSA key").into()),
    }
    .map_err(|e| format!("invalid RSA private key: {e}"))?;
    let hashed = sha1::Sha1::digest(message);
    key.sign(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &hashed)
        .map_err(|e| SignFailure::from(format!("RSA signing failed: {e}")))
}
