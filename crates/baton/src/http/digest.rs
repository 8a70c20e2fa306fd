//! HTTP Digest auth as Postman does it. With `realm` and `nonce` among the auth's parameters the
//! request is signed before it is sent; without them it goes out unsigned, and a 401 or 403 with a
//! `WWW-Authenticate: Digest` challenge teaches the parameters and sends it again. What was learned
//! stays with the auth block it came from (the item's, a folder's or the collection's), so later
//! requests under the same block are signed at once, as in Newman.

use std::cell::RefCell;
use std::collections::HashMap;

use aws_lc_rs::digest;

use crate::collection::Auth;

use super::HttpError;

/// The parameters of a Digest auth block, as given or as learned from a challenge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigestParams {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// The protection space.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// `MD5` (the default), `MD5-sess`, `SHA-256`, `SHA-256-sess`, `SHA-512-256`, `SHA-512-256-sess`.
    pub algorithm: String,
    /// `auth`, `auth-int` or empty.
    pub qop: String,
    /// The nonce count, `00000001` once learned.
    pub nonce_count: String,
    /// The client nonce.
    pub client_nonce: String,
    /// The server's opaque value, returned as is.
    pub opaque: String,
}

/// A Digest auth block and where it came from, carried by a wire request.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// Identifies the auth block (see [`DigestMemory`]); `None` for one-off requests.
    pub origin: Option<usize>,
    /// Its parameters.
    pub params: DigestParams,
}

impl DigestParams {
    /// The parameters of a resolved `digest` auth block.
    pub fn from_auth(auth: &Auth) -> Self {
        let param = |key: &str| auth.param(key).unwrap_or_default();
        DigestParams {
            username: param("username"),
            password: param("password"),
            realm: param("realm"),
            nonce: param("nonce"),
            algorithm: param("algorithm"),
            qop: param("qop"),
            nonce_count: param("nonceCount"),
            client_nonce: param("clientNonce"),
            opaque: param("opaque"),
        }
    }

    /// Whether the request can be signed before it is sent.
    pub fn is_ready(&self) -> bool {
        !self.nonce.is_empty() && !self.realm.is_empty()
    }

    /// The `Authorization` value for a request, or `None` when the user name or realm is missing
    /// (the request then goes out unsigned). `uri` is the request target; `body` is hashed for
    /// `qop=auth-int`.
    pub fn authorization(
        &self,
        method: &str,
        uri: &str,
        body: &[u8],
    ) -> Result<Option<String>, HttpError> {
        if self.username.is_empty() || self.realm.is_empty() {
            return Ok(None);
        }
        let algorithm = if self.algorithm.is_empty() {
            "MD5"
        } else {
            self.algorithm.as_str()
        };
        let hash: fn(&[u8]) -> String = match algorithm {
            "MD5" | "MD5-sess" => |data| hex(&<md5::Md5 as md5::Digest>::digest(data)),
            "SHA-256" | "SHA-256-sess" => {
                |data| hex(digest::digest(&digest::SHA256, data).as_ref())
            }
            "SHA-512-256" | "SHA-512-256-sess" => {
                |data| hex(digest::digest(&digest::SHA512_256, data).as_ref())
            }
            other => {
                return Err(HttpError::UnsupportedAuth {
                    kind: format!("digest with algorithm `{other}`"),
                });
            }
        };
        let h = |text: &str| hash(text.as_bytes());
        let (user, realm, password) = (&self.username, &self.realm, &self.password);
        let (nonce, cnonce, nc, qop) = (
            &self.nonce,
            &self.client_nonce,
            &self.nonce_count,
            &self.qop,
        );
        let a1 = if algorithm.ends_with("-sess") {
            format!(
                "{}:{nonce}:{cnonce}",
                h(&format!("{user}:{realm}:{password}"))
            )
        } else {
            format!("{user}:{realm}:{password}")
        };
        let a2 = if qop == "auth-int" {
            format!("{method}:{uri}:{}", hash(body))
        } else {
            format!("{method}:{uri}")
        };
        let with_qop = qop == "auth" || qop == "auth-int";
        let response = if with_qop {
            h(&format!(
                "{}:{nonce}:{nc}:{cnonce}:{qop}:{}",
                h(&a1),
                h(&a2)
            ))
        } else {
            h(&format!("{}:{nonce}:{}", h(&a1), h(&a2)))
        };
        let mut fields = vec![
            format!("username=\"{user}\""),
            format!("realm=\"{realm}\""),
            format!("nonce=\"{nonce}\""),
            format!("uri=\"{uri}\""),
            format!("algorithm=\"{algorithm}\""),
        ];
        if with_qop {
            fields.push(format!("qop={qop}"));
        }
        if with_qop || algorithm == "MD5-sess" {
            if !nc.is_empty() {
                fields.push(format!("nc={nc}"));
            }
            fields.push(format!("cnonce=\"{cnonce}\""));
        }
        fields.push(format!("response=\"{response}\""));
        if !self.opaque.is_empty() {
            fields.push(format!("opaque=\"{}\"", self.opaque));
        }
        Ok(Some(format!("Digest {}", fields.join(", "))))
    }

    /// Takes what a `WWW-Authenticate` challenge tells (only quoted `nonce`, `realm`, `qop` and
    /// `opaque`, as Postman reads them). Returns whether the request should be sent again: not when
    /// every value the challenge brought was already known.
    pub fn learn(&mut self, challenge: &str) -> bool {
        let nonce = quoted_field(challenge, "nonce");
        let realm = quoted_field(challenge, "realm");
        let qop = quoted_field(challenge, "qop").filter(|q| !q.is_empty());
        let opaque = quoted_field(challenge, "opaque").filter(|o| !o.is_empty());
        let counts = qop.is_some() || !self.qop.is_empty();
        let known = !self.nonce.is_empty()
            && !self.realm.is_empty()
            && (opaque.is_none() || !self.opaque.is_empty())
            && (qop.is_none() || !self.qop.is_empty())
            && (!counts || (!self.client_nonce.is_empty() && !self.nonce_count.is_empty()));
        if known {
            return false;
        }
        self.nonce = nonce.unwrap_or_default();
        self.realm = realm.unwrap_or_default();
        if let Some(opaque) = opaque {
            self.opaque = opaque;
        }
        if let Some(qop) = qop {
            self.qop = qop;
        }
        if counts {
            self.client_nonce = client_nonce();
            self.nonce_count = "00000001".into();
        }
        true
    }
}

/// What Digest auth blocks learned during an iteration, by block: what a challenge taught, and the
/// nonce count, which goes up after each answered request (Newman keeps both on the block).
#[derive(Debug, Default)]
pub struct DigestMemory {
    learned: RefCell<HashMap<usize, Vec<(&'static str, String)>>>,
}

impl DigestMemory {
    /// The auth block with what it learned earlier written over its parameters.
    pub fn recall(&self, origin: usize, auth: &Auth) -> Auth {
        let learned = self.learned.borrow();
        let Some(learned) = learned.get(&origin) else {
            return auth.clone();
        };
        let mut recalled = auth.clone();
        for (key, value) in learned {
            let value = serde_json::Value::String(value.clone());
            match recalled.params.iter_mut().find(|(k, _)| k == key) {
                Some((_, old)) => *old = value,
                None => recalled.params.push((key.to_string(), value)),
            }
        }
        recalled
    }

    /// Forgets everything learned (a new iteration starts).
    pub fn forget(&self) {
        self.learned.borrow_mut().clear();
    }

    /// Remembers what the block learned from a challenge.
    pub fn remember(&self, origin: usize, params: &DigestParams) {
        let mut learned = self.learned.borrow_mut();
        let entry = learned.entry(origin).or_default();
        for (key, value) in [
            ("realm", &params.realm),
            ("nonce", &params.nonce),
            ("qop", &params.qop),
            ("opaque", &params.opaque),
            ("nonceCount", &params.nonce_count),
            ("clientNonce", &params.client_nonce),
        ] {
            set(entry, key, value);
        }
    }

    /// Counts one more answered request for the block: the nonce count goes up by one.
    pub fn count(&self, origin: usize, params: &DigestParams) {
        let mut learned = self.learned.borrow_mut();
        set(
            learned.entry(origin).or_default(),
            "nonceCount",
            &next_count(&params.nonce_count),
        );
    }
}

fn set(entry: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    match entry.iter_mut().find(|(k, _)| *k == key) {
        Some((_, old)) => *old = value.to_string(),
        None => entry.push((key, value.to_string())),
    }
}

/// The next nonce count: `00000001` after anything that is not a number, else one more, in eight
/// digits.
fn next_count(count: &str) -> String {
    let digits: String = count
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<u64>() {
        Ok(n) => format!("{:08}", n + 1),
        Err(_) => "00000001".into(),
    }
}

/// `name="value"` anywhere in the challenge, the name in any case.
fn quoted_field(challenge: &str, name: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let needle = format!("{name}=\"");
    let at = lower.find(&needle)? + needle.len();
    let end = challenge[at..].find('"')?;
    Some(challenge[at..at + end].to_string())
}

/// Eight random letters and digits.
fn client_nonce() -> String {
    use rand::Rng;
    const SOURCE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(SOURCE[rng.random_range(0..SOURCE.len())]))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mufasa() -> DigestParams {
        DigestParams {
            username: "Mufasa".into(),
            password: "Circle Of Life".into(),
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: "5ccc069c403ebaf9f0171e9517f40e41".into(),
            ..Default::default()
        }
    }

    #[test]
    fn answers_the_rfc_2617_example_without_qop_and_names_md5() {
        let header = mufasa()
            .authorization("GET", "/dir/index.html", b"")
            .unwrap()
            .unwrap();
        assert_eq!(
            header,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", \
             algorithm=\"MD5\", response=\"670fd8c2df070c60b045671b8b24ff02\", \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
    }

    #[test]
    fn answers_the_rfc_2617_example_with_qop_auth() {
        let params = DigestParams {
            qop: "auth".into(),
            nonce_count: "00000001".into(),
            client_nonce: "0a4f113b".into(),
            ..mufasa()
        };
        let header = params
            .authorization("GET", "/dir/index.html", b"")
            .unwrap()
            .unwrap();
        assert!(header.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\""), "{header}");
    }

    #[test]
    fn an_empty_opaque_is_left_out_and_no_realm_means_unsigned() {
        let params = DigestParams {
            opaque: String::new(),
            ..mufasa()
        };
        let header = params.authorization("GET", "/", b"").unwrap().unwrap();
        assert!(!header.contains("opaque"));
        let unsigned = DigestParams {
            realm: String::new(),
            ..mufasa()
        };
        assert_eq!(unsigned.authorization("GET", "/", b"").unwrap(), None);
    }

    #[test]
    fn a_challenge_teaches_once_and_then_is_known() {
        let mut params = DigestParams {
            username: "u".into(),
            ..Default::default()
        };
        let challenge = r#"Digest realm="Users", nonce="abc", qop="auth""#;
        assert!(params.learn(challenge));
        assert_eq!(
            (params.realm.as_str(), params.nonce.as_str()),
            ("Users", "abc")
        );
        assert_eq!(params.nonce_count, "00000001");
        assert_eq!(params.client_nonce.len(), 8);
        assert!(
            !params.learn(challenge),
            "a second challenge with known values is final"
        );
    }

    #[test]
    fn each_answered_request_counts_one_more_nonce() {
        assert_eq!(next_count(""), "00000001");
        assert_eq!(next_count("00000001"), "00000002");
        assert_eq!(next_count("00000099"), "00000100");
        let memory = DigestMemory::default();
        let auth = Auth {
            kind: "digest".into(),
            params: vec![("nonceCount".into(), serde_json::json!("00000001"))],
        };
        memory.count(3, &DigestParams::from_auth(&auth));
        let recalled = DigestParams::from_auth(&memory.recall(3, &auth));
        assert_eq!(recalled.nonce_count, "00000002");
    }

    #[test]
    fn memory_keeps_what_a_block_learned_but_not_its_credentials() {
        let memory = DigestMemory::default();
        let learned = DigestParams {
            username: "old".into(),
            ..mufasa()
        };
        memory.remember(7, &learned);
        let given = Auth {
            kind: "digest".into(),
            params: vec![("username".into(), serde_json::json!("new"))],
        };
        let recalled = DigestParams::from_auth(&memory.recall(7, &given));
        assert_eq!(recalled.username, "new");
        assert_eq!(recalled.nonce, learned.nonce);
        assert!(recalled.is_ready());
        assert_eq!(memory.recall(8, &given), given);
    }
}
