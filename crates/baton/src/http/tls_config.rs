//! TLS settings for the run's connections: the platform's roots plus `--ssl-extra-ca-certs`, the
//! client identity, and no verification under `--insecure` or `strictSSL: false`. HTTP/1.1 only
//! (ALPN), as Newman speaks.

use std::sync::Arc;

use super::connection::TlsSetupError;

use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    CryptoProvider, aws_lc_rs, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, Error, SignatureScheme};

/// Trust and identity inputs, read once when the client is set up.
#[derive(Clone, Default)]
pub struct TlsInputs {
    /// Roots trusted besides the platform's.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// The client identity as PEM (certificates, then the decrypted key).
    pub identity_pem: Option<String>,
}

impl std::fmt::Debug for TlsInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity holds the decrypted private key: never printed.
        f.debug_struct("TlsInputs")
            .field("extra_roots", &self.extra_roots.len())
            .field(
                "identity",
                &self.identity_pem.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl TlsInputs {
    /// The PEM certificates in `pem`, as extra roots.
    pub fn parse_roots(
        pem: &[u8],
    ) -> Result<Vec<CertificateDer<'static>>, tokio_rustls::rustls::pki_types::pem::Error> {
        CertificateDer::pem_slice_iter(pem).collect()
    }

    /// A client configuration; `insecure` accepts any server certificate.
    pub fn client_config(&self, insecure: bool) -> Result<Arc<ClientConfig>, TlsSetupError> {
        let failed =
            |what: &str, error: &dyn std::fmt::Display| TlsSetupError(format!("{what}: {error}"));
        let provider = Arc::new(aws_lc_rs::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = if insecure {
            Arc::new(AnyServerCertificate(provider.clone()))
        } else {
            Arc::new(
                rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.extra_roots.iter().cloned(),
                    provider.clone(),
                )
                .map_err(|e| failed("cannot load the trusted roots", &e))?,
            )
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed("no TLS protocol version is available", &e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut config = match &self.identity_pem {
            None => builder.with_no_client_auth(),
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| failed("cannot read the client certificate", &e))?;
                let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
                    .map_err(|e| failed("cannot read the client key", &e))?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| failed("cannot use the client identity", &e))?
            }
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// `--insecure`: any certificate is accepted, while handshake signatures are still checked so
/// the connection works with every server.
#[derive(Debug)]
struct AnyServerCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyServerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let inputs = TlsInputs {
            extra_roots: Vec::new(),
            identity_pem: Some("-----BEGIN PRIVATE KEY-----\nsecret".into()),
        };
        let shown = format!("{inputs:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn both_configurations_build_and_speak_http1() {
        let inputs = TlsInputs::default();
        for insecure in [false, true] {
            let config = inputs.client_config(insecure).unwrap();
            assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        }
    }
}
