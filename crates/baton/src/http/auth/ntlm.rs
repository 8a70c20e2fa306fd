//! NTLM (`ntlm`), as postman-runtime runs it with the `httpntlm` library: the request first goes
//! out without an `Authorization` header; a 401 or 403 that offers NTLM is answered with a
//! negotiate (type 1) message, and the server's challenge (type 2) with an authenticate (type 3)
//! message, each on the same kept-alive connection. This file builds and reads the messages; the
//! client runs the exchange.
//!
//! The library's choices are kept, quirks included: names are upper-cased and passed through
//! JavaScript's `escape()`, the negotiate flags are fixed, and the response is NTLMv2 when the
//! challenge asks for extended session security and carries target info, NTLM2 session response
//! when it asks for it without target info, and NTLMv1 with the LM hash otherwise.

use base64::Engine;
use des::cipher::{BlockEncrypt, KeyInit};
use hmac::Mac;
use md4::Digest;

use super::{Entropy, Params};

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const NEGOTIATE_OEM_DOMAIN_SUPPLIED: u32 = 0x0000_1000;
const NEGOTIATE_EXTENDED_SECURITY: u32 = 0x0008_0000;
const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
/// Unicode, OEM, request target, NTLM, OEM domain and workstation supplied, always sign,
/// extended security, version, 128 and 56 bit.
const TYPE1_FLAGS: u32 = 0xA208_B207;
/// What the library writes in every type 3 message, whatever the server offered: Unicode (left
/// out for an OEM server), request target, NTLM, always sign, extended security, target info,
/// version, 128 and 56 bit.
const TYPE3_FLAGS: u32 = 0xA288_8205;
/// Windows XP SP2 (5.1, build 2600), NTLM revision 15: the version the library claims.
const VERSION: [u8; 8] = [5, 1, 0x28, 0x0A, 0, 0, 0, 15];
/// 100-nanosecond intervals between 1601-01-01 and the Unix epoch, in milliseconds.
const FILETIME_EPOCH_MILLIS: u64 = 11_644_473_600_000;

/// The credentials of an `ntlm` auth block, a domain taken from the user name when none is
/// given (`DOMAIN\user` or `user@DOMAIN`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NtlmParams {
    /// User name, without the domain.
    pub username: String,
    /// Password.
    pub password: String,
    /// Domain, possibly empty.
    pub domain: String,
    /// Workstation, possibly empty.
    pub workstation: String,
}

impl NtlmParams {
    pub(super) fn from_params(params: Params<'_>) -> Self {
        let username = params.text_or_empty("username");
        let mut domain = params.text_or_empty("domain");
        let username = if domain.is_empty() {
            let (user, parsed) = split_username(&username);
            domain = parsed;
            user
        } else {
            username
        };
        NtlmParams {
            username,
            password: params.text_or_empty("password"),
            domain,
            workstation: params.text_or_empty("workstation"),
        }
    }

    /// `NTLM <base64>`: the negotiate message.
    pub fn negotiate(&self) -> String {
        let domain = js_escape(&self.domain.to_uppercase());
        let workstation = js_escape(&self.workstation.to_uppercase());
        let mut flags = TYPE1_FLAGS;
        if domain.is_empty() {
            flags &= !NEGOTIATE_OEM_DOMAIN_SUPPLIED;
        }
        let mut out = Vec::with_capacity(40 + domain.len() + workstation.len());
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        // The workstation comes first in the payload, the domain after it.
        security_buffer(&mut out, domain.len(), 40 + workstation.len());
        security_buffer(&mut out, workstation.len(), 40);
        out.extend_from_slice(&VERSION);
        out.extend_from_slice(workstation.as_bytes());
        out.extend_from_slice(domain.as_bytes());
        format!(
            "NTLM {}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// `NTLM <base64>`: the authenticate message answering `challenge` (a `WWW-Authenticate`
    /// value starting `NTLM `), or `None` when it holds no type 2 message. The client challenge
    /// and the NTLMv2 timestamp come from `entropy`.
    pub fn authenticate(&self, challenge: &str, entropy: &mut dyn Entropy) -> Option<String> {
        let challenge = Challenge::parse(challenge)?;
        let unicode = challenge.flags & NEGOTIATE_UNICODE != 0;
        let encode = |text: &str| -> Vec<u8> {
            if unicode {
                text.encode_utf16().flat_map(u16::to_le_bytes).collect()
            } else {
                latin1(text)
            }
        };
        let domain = js_escape(&self.domain.to_uppercase());
        let domain_bytes = encode(&domain);
        let user_bytes = encode(&self.username);
        let workstation_bytes = encode(&js_escape(&self.workstation.to_uppercase()));

        let nt_hash = nt_hash(&self.password);
        let server = &challenge.server_challenge;
        let (lm_response, nt_response) = if challenge.flags & NEGOTIATE_EXTENDED_SECURITY != 0 {
            let client: [u8; 8] = entropy.random_bytes(8).try_into().expect("8 random bytes");
            match &challenge.target_info {
                Some(target_info) => {
                    let key = hmac_md5(
                        &nt_hash,
                        &utf16le(&format!("{}{domain}", self.username.to_uppercase())),
                    );
                    let mut lm = hmac_md5(&key, &[&server[..], &client].concat());
                    lm.extend_from_slice(&client);
                    let filetime = (entropy.now_millis() + FILETIME_EPOCH_MILLIS) * 10_000;
                    let mut blob = vec![1, 1, 0, 0, 0, 0, 0, 0];
                    blob.extend_from_slice(&filetime.to_le_bytes());
                    blob.extend_from_slice(&client);
                    blob.extend_from_slice(&[0; 4]);
                    blob.extend_from_slice(target_info);
                    blob.extend_from_slice(&[0; 4]);
                    let mut nt = hmac_md5(&key, &[&server[..], &blob].concat());
                    nt.extend_from_slice(&blob);
                    (lm, nt)
                }
                None => {
                    let mut lm = client.to_vec();
                    lm.extend_from_slice(&[0; 16]);
                    let session = md5::Md5::digest([&server[..], &client].concat());
                    (lm, des_response(&nt_hash, &session[..8]))
                }
            }
        } else {
            (
                des_response(&lm_hash(&self.password), server),
                des_response(&nt_hash, server),
            )
        };

        let header = 72;
        let mut offset = header;
        let mut out = Vec::with_capacity(header + 256);
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&3u32.to_le_bytes());
        let strings = domain_bytes.len() + user_bytes.len() + workstation_bytes.len();
        security_buffer(&mut out, lm_response.len(), header + strings);
        security_buffer(
            &mut out,
            nt_response.len(),
            header + strings + lm_response.len(),
        );
        for part in [&domain_bytes, &user_bytes, &workstation_bytes] {
            security_buffer(&mut out, part.len(), offset);
            offset += part.len();
        }
        // No session key: an empty buffer after the responses.
        security_buffer(
            &mut out,
            0,
            header + strings + lm_response.len() + nt_response.len(),
        );
        let flags = if unicode {
            TYPE3_FLAGS
        } else {
            TYPE3_FLAGS & !NEGOTIATE_UNICODE
        };
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&VERSION);
        for part in [
            &domain_bytes,
            &user_bytes,
            &workstation_bytes,
            &lm_response,
            &nt_response,
        ] {
            out.extend_from_slice(part);
        }
        Some(format!(
            "NTLM {}",
            base64::engine::general_purpose::STANDARD.encode(out)
        ))
    }
}

/// Whether a 401 or 403 asks for NTLM: a `WWW-Authenticate` that is exactly `NTLM` or
/// `Negotiate`, or a last one that mentions `NTLM` anywhere (the library compares case-sensitively).
pub fn offers_ntlm(www_authenticate: &[&str]) -> bool {
    www_authenticate
        .iter()
        .any(|value| *value == "NTLM" || *value == "Negotiate")
        || www_authenticate.last().is_some_and(|v| v.contains("NTLM"))
}

/// `DOMAIN\user` or `user@DOMAIN` split as postman-runtime does; anything else is all user name.
fn split_username(username: &str) -> (String, String) {
    let down_level: Vec<&str> = username.split('\\').collect();
    let principal: Vec<&str> = username.split('@').collect();
    let nonempty_pair = |parts: &[&str]| parts.len() == 2 && parts.iter().all(|p| !p.is_empty());
    if down_level.len() > 1 && principal.len() > 1 {
        (username.to_string(), String::new())
    } else if nonempty_pair(&down_level) {
        (down_level[1].to_string(), down_level[0].to_string())
    } else if nonempty_pair(&principal) {
        (principal[0].to_string(), principal[1].to_string())
    } else {
        (username.to_string(), String::new())
    }
}

/// What a type 2 message tells the client.
struct Challenge {
    flags: u32,
    server_challenge: [u8; 8],
    /// Present whenever the flags announce it, even when empty.
    target_info: Option<Vec<u8>>,
}

impl Challenge {
    /// The message after `NTLM ` in a header value; `None` when there is none or it is not a
    /// type 2 message.
    fn parse(header: &str) -> Option<Challenge> {
        let at = header.find("NTLM ")?;
        let encoded = header[at + 5..].lines().next().unwrap_or("");
        let bytes = lenient_base64(encoded);
        if bytes.len() < 32 || bytes[8..10] != [2, 0] {
            return None;
        }
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let flags = u32::from_le_bytes(bytes[20..24].try_into().ok()?);
        let target_info = if flags & NEGOTIATE_TARGET_INFO != 0 {
            if bytes.len() < 48 {
                return None;
            }
            let len = u16_at(40);
            let start = u32::from_le_bytes(bytes[44..48].try_into().ok()?) as usize;
            // Like a Buffer slice: clamped to the message.
            let start = start.min(bytes.len());
            let end = (start + len).min(bytes.len());
            Some(bytes[start..end].to_vec())
        } else {
            None
        };
        Some(Challenge {
            flags,
            server_challenge: bytes[24..32].try_into().ok()?,
            target_info,
        })
    }
}

/// Base64 decoded as Node's `Buffer.from(text, 'base64')` does: characters outside the
/// alphabet (either alphabet) are skipped, the first `=` ends the data, a partial byte is dropped.
fn lenient_base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Length, allocated length and offset of a payload field.
fn security_buffer(out: &mut Vec<u8>, len: usize, offset: usize) {
    let len = (len as u16).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&len);
    out.extend_from_slice(&(offset as u32).to_le_bytes());
}

/// JavaScript's `escape()`: letters, digits and `@*_+-./` as they are, other UTF-16 units as
/// `%XX` or `%uXXXX`.
fn js_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for unit in text.encode_utf16() {
        match u8::try_from(unit) {
            Ok(byte) if byte.is_ascii_alphanumeric() || b"@*_+-./".contains(&byte) => {
                out.push(char::from(byte));
            }
            Ok(byte) => out.push_str(&format!("%{byte:02X}")),
            Err(_) => out.push_str(&format!("%u{unit:04X}")),
        }
    }
    out
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Node's `ascii`/`latin1` encoding: the low byte of each UTF-16 unit.
fn latin1(text: &str) -> Vec<u8> {
    text.encode_utf16().map(|unit| unit as u8).collect()
}

/// MD4 of the UTF-16LE password.
fn nt_hash(password: &str) -> Vec<u8> {
    md4::Md4::digest(utf16le(password)).to_vec()
}

/// The LM hash: the upper-cased password's first 14 bytes, in two halves, each the DES key that
/// encrypts `KGS!@#$%`.
fn lm_hash(password: &str) -> Vec<u8> {
    let mut padded = [0u8; 14];
    for (slot, byte) in padded.iter_mut().zip(latin1(&password.to_uppercase())) {
        *slot = byte;
    }
    [&padded[..7], &padded[7..]]
        .iter()
        .flat_map(|half| des_encrypt(half, b"KGS!@#$%"))
        .collect()
}

/// The 24-byte DES response: the hash padded to 21 bytes, as three keys encrypting the challenge.
fn des_response(hash: &[u8], challenge: &[u8]) -> Vec<u8> {
    let mut padded = [0u8; 21];
    padded[..hash.len().min(21)].copy_from_slice(&hash[..hash.len().min(21)]);
    padded
        .chunks(7)
        .flat_map(|key| des_encrypt(key, &challenge[..8]))
        .collect()
}

/// One DES block under a 56-bit key, spread over eight bytes with a zero low bit each.
fn des_encrypt(key7: &[u8], block: &[u8]) -> [u8; 8] {
    let bits = key7.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let key: [u8; 8] = std::array::from_fn(|i| (((bits >> (49 - 7 * i)) & 0x7F) << 1) as u8);
    let cipher = des::Des::new_from_slice(&key).expect("an 8-byte DES key");
    let mut block = des::cipher::generic_array::GenericArray::clone_from_slice(block);
    cipher.encrypt_block(&mut block);
    block.into()
}

fn hmac_md5(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <hmac::Hmac<md5::Md5> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::super::Params;
    use super::super::entropy::FixedEntropy;
    use super::super::testing::auth;
    use super::*;
    use serde_json::json;

    // Expected messages: what httpntlm 1.8.13 (the library postman-runtime 7.39.1 uses) builds
    // for these inputs, with Math.random fixed to give the client challenge bytes 0, 1, ... 7
    // and Date.now to 1700000000123 (a throwaway Node script, kept out of the repository).

    /// Unicode, extended security and target info (DOMAIN, SERVER); server challenge
    /// 0123456789abcdef.
    const CHALLENGE_V2: &str = "NTLM TlRMTVNTUAACAAAADAAMADgAAAAFgoiiASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgGxHQAAAA9EAE8ATQBBAEkATgACAAwARABPAE0AQQBJAE4AAQAMAFMARQBSAFYARQBSAAAAAAA=";
    /// Unicode and extended security, without target info.
    const CHALLENGE_ESS: &str = "NTLM TlRMTVNTUAACAAAADAAMADgAAAAFAggAASNFZ4mrze8AAAAAAAAAAAAAAABEAAAABgGxHQAAAA9EAE8ATQBBAEkATgA=";
    /// OEM only, no extended security: NTLMv1 with the LM response.
    const CHALLENGE_V1: &str = "NTLM TlRMTVNTUAACAAAADAAMADgAAAAGAgAAASNFZ4mrze8AAAAAAAAAAAAAAABEAAAABgGxHQAAAA9EAE8ATQBBAEkATgA=";

    fn params(username: &str, password: &str, domain: &str, workstation: &str) -> NtlmParams {
        NtlmParams::from_params(Params(&auth(
            "ntlm",
            json!({"username": username, "password": password, "domain": domain,
                "workstation": workstation}),
        )))
    }

    fn answer(params: &NtlmParams, challenge: &str) -> String {
        let mut entropy = FixedEntropy {
            now_millis: 1_700_000_000_123,
            uuid: String::new(),
        };
        params.authenticate(challenge, &mut entropy).unwrap()
    }

    #[test]
    fn negotiate_without_names_drops_the_domain_flag() {
        assert_eq!(
            params("u", "p", "", "").negotiate(),
            "NTLM TlRMTVNTUAABAAAAB6IIogAAAAAoAAAAAAAAACgAAAAFASgKAAAADw=="
        );
    }

    #[test]
    fn negotiate_names_are_upper_cased_and_escaped() {
        assert_eq!(
            params("u", "p", "Dom ain", "wörk").negotiate(),
            "NTLM TlRMTVNTUAABAAAAB7IIogkACQAuAAAABgAGACgAAAAFASgKAAAAD1clRDZSS0RPTSUyMEFJTg=="
        );
    }

    #[test]
    fn ntlmv2_when_the_challenge_has_target_info() {
        let expected = "NTLM TlRMTVNTUAADAAAAGAAYAGwAAABUAFQAhAAAAAwADABIAAAACAAIAFQAAAAQABAAXAAAAAAAAADYAAAABYKIogUBKAoAAAAPRABPAE0AQQBJAE4AVQBzAGUAcgBDAE8ATQBQAFUAVABFAFIAnSw5viHG/h0H11UQ+hMbYgABAgMEBQYHsbKeHoadZoMzWPjtPJ/Y7AEBAAAAAAAAsMR/xkcX2gEAAQIDBAUGBwAAAAACAAwARABPAE0AQQBJAE4AAQAMAFMARQBSAFYARQBSAAAAAAAAAAAA";
        let credentials = params("User", "Password", "Domain", "COMPUTER");
        assert_eq!(answer(&credentials, CHALLENGE_V2), expected);
    }

    #[test]
    fn ntlmv2_escapes_the_domain_but_not_the_user_name() {
        let expected = "NTLM TlRMTVNTUAADAAAAGAAYAGAAAABUAFQAeAAAABAAEABIAAAACAAIAFgAAAAAAAAAYAAAAAAAAADMAAAABYKIogUBKAoAAAAPRAAlAEMAOQAlADIAMABNANwAcwBlAHIAl8CcNC0k+0AZDZYxTnicuAABAgMEBQYHRdqKTPfKtCcGREPuKx/3DgEBAAAAAAAAsMR/xkcX2gEAAQIDBAUGBwAAAAACAAwARABPAE0AQQBJAE4AAQAMAFMARQBSAFYARQBSAAAAAAAAAAAA";
        let credentials = params("Üser", "pässwörd", "dé m", "");
        assert_eq!(answer(&credentials, CHALLENGE_V2), expected);
    }

    #[test]
    fn ntlm2_session_response_without_target_info() {
        let expected = "NTLM TlRMTVNTUAADAAAAGAAYAGwAAAAYABgAhAAAAAwADABIAAAACAAIAFQAAAAQABAAXAAAAAAAAACcAAAABYKIogUBKAoAAAAPRABPAE0AQQBJAE4AVQBzAGUAcgBDAE8ATQBQAFUAVABFAFIAAAECAwQFBgcAAAAAAAAAAAAAAAAAAAAAyOI8RIyIOKO74Ubhr2sF7r+wmVZgd9ij";
        let credentials = params("User", "Password", "Domain", "COMPUTER");
        assert_eq!(answer(&credentials, CHALLENGE_ESS), expected);
    }

    #[test]
    fn ntlmv1_with_lm_for_an_oem_server() {
        let expected = "NTLM TlRMTVNTUAADAAAAGAAYAFoAAAAYABgAcgAAAAYABgBIAAAABAAEAE4AAAAIAAgAUgAAAAAAAACKAAAABIKIogUBKAoAAAAPRE9NQUlOVXNlckNPTVBVVEVSmN73uH+Iql2v4t93loihct7xHH1cze8TZ8QwEfMCmKKtNezmTxYzHES9vtknhB+U";
        let credentials = params("User", "Password", "Domain", "COMPUTER");
        assert_eq!(answer(&credentials, CHALLENGE_V1), expected);
    }

    #[test]
    fn ntlmv1_truncates_a_long_password_for_lm() {
        let expected = "NTLM TlRMTVNTUAADAAAAGAAYAEoAAAAYABgAYgAAAAAAAABIAAAAAQABAEgAAAABAAEASQAAAAAAAAB6AAAABIKIogUBKAoAAAAPdVe80fyoFoyY/tooLZjYIXLCbo1nSmpbET4OpxpsnXD0rUFyUSPGLTh0fzKdgu7vFW4=";
        let credentials = params("u", "pässwörd-longer-than-14", "", "w");
        assert_eq!(answer(&credentials, CHALLENGE_V1), expected);
    }

    #[test]
    fn the_domain_can_come_from_the_user_name() {
        let split = |name: &str| {
            let p = params(name, "", "", "");
            (p.username, p.domain)
        };
        assert_eq!(split("CORP\\alice"), ("alice".into(), "CORP".into()));
        assert_eq!(
            split("alice@corp.example"),
            ("alice".into(), "corp.example".into())
        );
        assert_eq!(
            split("CORP\\alice@x"),
            ("CORP\\alice@x".into(), String::new())
        );
        assert_eq!(split("\\alice"), ("\\alice".into(), String::new()));
        let given = params("CORP\\alice", "", "OTHER", "");
        assert_eq!(given.username, "CORP\\alice");
    }

    #[test]
    fn only_a_type_2_message_is_a_challenge() {
        let credentials = params("u", "p", "", "");
        let mut entropy = FixedEntropy {
            now_millis: 0,
            uuid: String::new(),
        };
        assert!(credentials.authenticate("NTLM ", &mut entropy).is_none());
        let type1 = credentials.negotiate();
        assert!(credentials.authenticate(&type1, &mut entropy).is_none());
    }

    #[test]
    fn challenges_that_ask_for_ntlm() {
        assert!(offers_ntlm(&["NTLM"]));
        assert!(offers_ntlm(&["Negotiate", "Basic realm=x"]));
        assert!(offers_ntlm(&["Basic realm=x", "Negotiate, NTLM"]));
        assert!(!offers_ntlm(&["Basic realm=x"]));
        assert!(!offers_ntlm(&["ntlm"]));
        assert!(!offers_ntlm(&[]));
    }
}
