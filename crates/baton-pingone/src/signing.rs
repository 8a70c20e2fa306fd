//! The server's token-signing key. At start the stand-in generates an EC P-256 key with
//! aws-lc-rs (cheap, unlike RSA generation) and signs access and ID tokens with ES256 through
//! `jsonwebtoken`; `/as/jwks` publishes the public half, and the management API verifies
//! Bearer tokens against it, so tokens need no server-side record.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

use super::clock::unix_now;

/// Why a presented access token was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// Not a JWT, or not signed by this server's key.
    #[error("the access token was not issued by this server or its signature does not verify")]
    NotIssuedHere,
    /// Signed here but past its `exp`.
    #[error("the access token has expired")]
    Expired,
}

/// The ES256 key pair that signs tokens, with its key id.
pub(crate) struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    x: String,
    y: String,
}

impl Signer {
    /// Generates a new P-256 key pair named `kid`.
    pub(crate) fn generate(kid: String) -> std::io::Result<Self> {
        let alg = &ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new())
            .map_err(|_| std::io::Error::other("could not generate the token-signing key"))?;
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref())
            .map_err(|_| std::io::Error::other("could not load the token-signing key"))?;
        // An uncompressed SEC1 point: 0x04, then 32 bytes of x, then 32 bytes of y.
        let point = pair.public_key().as_ref();
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
        let decoding = DecodingKey::from_ec_components(&x, &y)
            .map_err(|_| std::io::Error::other("could not load the token-verifying key"))?;
        Ok(Signer {
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            decoding,
            kid,
            x,
            y,
        })
    }

    /// Signs a claims object as an ES256 JWT carrying this key's `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        // Encoding a JSON object with a key we generated ourselves cannot fail.
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies a token's signature and `exp`, returning its claims.
    pub(crate) fn verify(&self, token: &str) -> Result<Map<String, Value>, TokenError> {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::NotIssuedHere)?;
        let exp = data.claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        if exp <= unix_now() {
            return Err(TokenError::Expired);
        }
        Ok(data.claims)
    }

    /// The public key as a JWK set, for `/as/jwks`.
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y,
            "kid": self.kid, "use": "sig", "alg": "ES256",
        }]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_token_verifies_and_returns_claims() {
        let signer = Signer::generate("k1".into()).expect("key");
        let token = signer.sign(&json!({"client_id": "c", "exp": unix_now() + 60}));
        let claims = signer.verify(&token).expect("valid");
        assert_eq!(claims["client_id"], "c");
        assert_eq!(
            jsonwebtoken::decode_header(&token)
                .expect("header")
                .kid
                .as_deref(),
            Some("k1")
        );
    }

    #[test]
    fn expired_token_is_rejected_as_expired() {
        let signer = Signer::generate("k".into()).expect("key");
        let token = signer.sign(&json!({"exp": unix_now() - 1}));
        assert_eq!(signer.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn token_of_another_key_is_not_issued_here() {
        let ours = Signer::generate("a".into()).expect("key");
        let theirs = Signer::generate("b".into()).expect("key");
        let token = theirs.sign(&json!({"exp": unix_now() + 60}));
        assert_eq!(ours.verify(&token), Err(TokenError::NotIssuedHere));
        assert_eq!(ours.verify("not-a-jwt"), Err(TokenError::NotIssuedHere));
    }

    #[test]
    fn jwks_publishes_the_public_point() {
        let signer = Signer::generate("k".into()).expect("key");
        let jwks = signer.jwks();
        assert_eq!(jwks["keys"][0]["kty"], "EC");
        assert_eq!(jwks["keys"][0]["kid"], "k");
    }
}
