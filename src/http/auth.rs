//! Auth helpers: turning a resolved auth definition into headers or query parameters. Digest needs
//! the server's challenge and is completed by the client after a 401.

use base64::Engine;

use crate::collection::Auth;

use super::HttpError;

/// What an auth helper adds to a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthParts {
    /// Headers to add (skipped when the request already has a header of that name).
    pub headers: Vec<(String, String)>,
    /// Query parameters to append.
    pub query: Vec<(String, String)>,
    /// Digest credentials, used when the server answers 401 with a Digest challenge.
    pub digest: Option<DigestCredentials>,
}

/// Username and password for a Digest challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestCredentials {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The headers and parameters a resolved auth helper contributes.
pub fn apply_auth(auth: Option<&Auth>) -> Result<AuthParts, HttpError> {
    let Some(auth) = auth else {
        return Ok(AuthParts::default());
    };
    let param = |key: &str| auth.param(key).unwrap_or_default();
    let mut parts = AuthParts::default();
    match auth.kind.as_str() {
        "noauth" => {}
        "basic" => {
            let credentials = format!("{}:{}", param("username"), param("password"));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            parts
                .headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        "bearer" => parts
            .headers
            .push(("Authorization".into(), format!("Bearer {}", param("token")))),
        "apikey" => {
            let key = auth.param("key").unwrap_or_else(|| "x-api-key".into());
            if auth.param("in").as_deref() == Some("query") {
                parts.query.push((key, param("value")));
            } else {
                parts.headers.push((key, param("value")));
            }
        }
        "oauth2" => {
            let token = param("accessToken");
            if !token.is_empty() {
                if auth.param("addTokenTo").as_deref() == Some("queryParams") {
                    parts.query.push(("access_token".into(), token));
                } else {
                    let prefix = auth
                        .param("headerPrefix")
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| "Bearer".into());
                    parts
                        .headers
                        .push(("Authorization".into(), format!("{prefix} {token}")));
                }
            }
        }
        "digest" => {
            parts.digest = Some(DigestCredentials {
                username: param("username"),
                password: param("password"),
            })
        }
        other => {
            return Err(HttpError::UnsupportedAuth {
                kind: other.to_string(),
            });
        }
    }
    Ok(parts)
}

/// The `Authorization` header answering a `WWW-Authenticate: Digest ...` challenge (RFC 7616 with
/// MD5 and `qop=auth`, as Postman sends it).
pub fn digest_authorization(
    credentials: &DigestCredentials,
    challenge: &str,
    method: &str,
    uri: &str,
) -> Option<String> {
    let rest = challenge.trim().strip_prefix("Digest")?.trim();
    let field = |name: &str| challenge_field(rest, name);
    let realm = field("realm").unwrap_or_default();
    let nonce = field("nonce")?;
    let qop = field("qop").filter(|q| q.split(',').any(|v| v.trim() == "auth"));
    let opaque = field("opaque");
    let md5 = |text: String| format!("{:x}", <md5::Md5 as md5::Digest>::digest(text.as_bytes()));
    let ha1 = md5(format!(
        "{}:{realm}:{}",
        credentials.username, credentials.password
    ));
    let ha2 = md5(format!("{method}:{uri}"));
    let cnonce = &uuid::Uuid::new_v4().simple().to_string()[..16];
    let (response, qop_part) = match qop {
        Some(_) => (
            md5(format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")),
            format!(", qop=auth, nc=00000001, cnonce=\"{cnonce}\""),
        ),
        None => (md5(format!("{ha1}:{nonce}:{ha2}")), String::new()),
    };
    let mut header = format!(
        "Digest username=\"{}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=\"MD5\", response=\"{response}\"{qop_part}",
        credentials.username
    );
    if let Some(opaque) = opaque {
        header.push_str(&format!(", opaque=\"{opaque}\""));
    }
    Some(header)
}

fn challenge_field(challenge: &str, name: &str) -> Option<String> {
    let mut rest = challenge;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(value.to_string());
        }
        rest = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth(kind: &str, params: &[(&str, &str)]) -> Auth {
        Auth {
            kind: kind.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        }
    }

    #[test]
    fn basic_encodes_username_and_password() {
        let parts = apply_auth(Some(&auth(
            "basic",
            &[("username", "app"), ("password", "s3cret")],
        )))
        .unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Basic YXBwOnMzY3JldA==".into())]
        );
    }

    #[test]
    fn apikey_can_go_to_the_query() {
        let parts = apply_auth(Some(&auth(
            "apikey",
            &[("key", "k"), ("value", "v"), ("in", "query")],
        )))
        .unwrap();
        assert_eq!(parts.query, vec![("k".into(), "v".into())]);
        assert!(parts.headers.is_empty());
    }

    #[test]
    fn oauth2_injects_the_given_token() {
        let parts = apply_auth(Some(&auth("oauth2", &[("accessToken", "t")]))).unwrap();
        assert_eq!(
            parts.headers,
            vec![("Authorization".into(), "Bearer t".into())]
        );
    }

    #[test]
    fn unsupported_auth_types_are_errors() {
        let err = apply_auth(Some(&auth("hawk", &[]))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("auth type `hawk` is not supported")
        );
    }

    #[test]
    fn digest_answers_the_rfc_2617_example() {
        // RFC 2617 section 3.5, computed without qop-specific cnonce by leaving qop out.
        let credentials = DigestCredentials {
            username: "Mufasa".into(),
            password: "Circle Of Life".into(),
        };
        let challenge = r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let header =
            digest_authorization(&credentials, challenge, "GET", "/dir/index.html").unwrap();
        assert!(
            header.contains("response=\"670fd8c2df070c60b045671b8b24ff02\""),
            "{header}"
        );
        assert!(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }
}
