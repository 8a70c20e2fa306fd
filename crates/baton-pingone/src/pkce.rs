//! PKCE (RFC 7636): which challenge methods are accepted, and checking a `code_verifier`
//! against the challenge the authorize request carried.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Whether `method` is a challenge method this server accepts.
pub(crate) fn is_supported_method(method: &str) -> bool {
    matches!(method, "S256" | "plain")
}

/// Whether `verifier` answers `challenge` under `method` (`S256` or `plain`).
pub(crate) fn verifier_matches(verifier: &str, challenge: &str, method: &str) -> bool {
    match method {
        "S256" => URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes())) == challenge,
        "plain" => verifier == challenge,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_example_verifies() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches(verifier, challenge, "S256"));
        assert!(!verifier_matches("other", challenge, "S256"));
    }

    #[test]
    fn plain_compares_directly_and_unknown_methods_fail() {
        assert!(verifier_matches("abc", "abc", "plain"));
        assert!(!verifier_matches("abc", "abc", "S512"));
        assert!(is_supported_method("S256") && !is_supported_method("S512"));
    }
}
