//! The Postman API as an input source, by Newman's rules: which text is a UID, which hosts are the
//! API (they get the `X-Api-Key` header), the URL a UID stands for, what the API says when it
//! refuses, and the "Run in Postman" link that names a collection by its id.

use url::Url;

/// Where Newman sends a bare UID.
const API_BASE: &str = "https://api.postman.com";

/// Hosts that get the key, as in Newman.
const API_HOSTS: [&str; 2] = ["api.postman.com", "api.getpostman.com"];

/// The header the Postman API reads the key from.
pub const API_KEY_HEADER: &str = "X-Api-Key";

/// Whether `text` is a Postman UID: an owner id, a dash, and a UUID (`12345-1a2b3c4d-...`),
/// letters in any case. The Postman API validates UIDs the same way.
pub fn is_uid(text: &str) -> bool {
    let Some((owner, uuid)) = text.split_once('-') else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    !owner.is_empty()
        && owner.bytes().all(|b| b.is_ascii_alphanumeric())
        && groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The API URL of a collection or environment (`kind` is `collections` or `environments`).
pub fn resource_url(kind: &str, id: &str) -> Url {
    let text = format!("{API_BASE}/{kind}/{}", encode_segment(id));
    Url::parse(&text).expect("the API base and an encoded segment form a URL")
}

/// Whether `url` points at the Postman API.
pub fn is_api_host(url: &Url) -> bool {
    url.host_str()
        .is_some_and(|host| API_HOSTS.iter().any(|api| host.eq_ignore_ascii_case(api)))
}

/// Takes a key given in the URL itself (`?apikey=...`, which Newman accepts for API URLs) out of
/// the query, so it is sent only as a header and never shown.
pub fn take_query_key(url: &mut Url) -> Option<String> {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let key = pairs.iter().find(|(k, _)| k == "apikey")?.1.clone();
    let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "apikey").collect();
    if rest.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(rest);
    }
    Some(key)
}

/// The API's own explanation in an error body: `{"error": {"name": ..., "message": ...}}`.
pub fn error_message(body: &[u8]) -> Option<String> {
    let document: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = document.get("error")?.get("message")?.as_str()?.trim();
    (!message.is_empty()).then(|| message.to_string())
}

/// A "Run in Postman" link (`https://app.getpostman.com/run-collection/<id>#?env[Name]=...`).
#[derive(Debug, PartialEq)]
pub struct RunLink {
    /// The collection's id or UID, as the link names it.
    pub collection_id: String,
    /// Whether the link also carries an environment (`env[...]`).
    pub has_environment: bool,
}

impl RunLink {
    /// Reads a link on any `postman.com` host whose path starts with `/run-collection/`.
    pub fn parse(text: &str) -> Option<RunLink> {
        let url = Url::parse(text.trim()).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        let postman = host == "postman.com"
            || host.ends_with(".postman.com")
            || host == "getpostman.com"
            || host.ends_with(".getpostman.com");
        if !postman || !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let mut segments = url.path_segments()?;
        if segments.next()? != "run-collection" {
            return None;
        }
        let collection_id = segments.next().unwrap_or_default().to_string();
        Some(RunLink {
            collection_id,
            has_environment: has_environment_parameter(text),
        })
    }
}

/// Whether `text` holds a "Run in Postman" `env[...]` parameter (as written or percent-encoded).
pub fn has_environment_parameter(text: &str) -> bool {
    text.contains("env[") || text.to_ascii_lowercase().contains("env%5b")
}

fn encode_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UID: &str = "12345678-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

    #[test]
    fn uid_is_an_owner_and_a_uuid_in_any_case() {
        assert!(is_uid(UID));
        assert!(is_uid(&UID.to_uppercase()));
        assert!(is_uid("ab12-1A2B3C4D-5E6F-7A8B-9C0D-1E2F3A4B5C6D"));
    }

    #[test]
    fn paths_and_bare_uuids_are_not_uids() {
        assert!(!is_uid("1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"));
        assert!(!is_uid("collection.json"));
        assert!(!is_uid(&format!("./{UID}")));
        assert!(!is_uid("12345678-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6"));
        assert!(!is_uid("12345678-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6g"));
    }

    #[test]
    fn a_uid_stands_for_its_api_url() {
        assert_eq!(
            resource_url("collections", UID).as_str(),
            format!("https://api.postman.com/collections/{UID}")
        );
    }

    #[test]
    fn both_api_hosts_are_recognised_in_any_case() {
        for url in [
            "https://api.getpostman.com/collections/x",
            "https://API.postman.com/environments/x",
        ] {
            assert!(is_api_host(&Url::parse(url).unwrap()), "{url}");
        }
        assert!(!is_api_host(
            &Url::parse("https://example.com/collections/x").unwrap()
        ));
    }

    #[test]
    fn a_key_in_the_query_is_taken_out() {
        let mut url = Url::parse("https://api.getpostman.com/collections/x?apikey=SECRET").unwrap();
        assert_eq!(take_query_key(&mut url).as_deref(), Some("SECRET"));
        assert_eq!(url.as_str(), "https://api.getpostman.com/collections/x");
        let mut url = Url::parse("https://api.postman.com/c?a=1&apikey=K&b=2").unwrap();
        assert_eq!(take_query_key(&mut url).as_deref(), Some("K"));
        assert_eq!(url.query(), Some("a=1&b=2"));
        let mut url = Url::parse("https://api.postman.com/c?a=1").unwrap();
        assert_eq!(take_query_key(&mut url), None);
        assert_eq!(url.query(), Some("a=1"));
    }

    #[test]
    fn the_apis_error_message_is_read() {
        let body = br#"{"error":{"name":"AuthenticationError","message":"Invalid API Key."}}"#;
        assert_eq!(error_message(body).as_deref(), Some("Invalid API Key."));
        assert_eq!(error_message(b"<html>"), None);
        assert_eq!(error_message(br#"{"error":"x"}"#), None);
    }

    #[test]
    fn run_in_postman_links_name_the_collection() {
        let link = format!("https://app.getpostman.com/run-collection/{UID}#?env%5BT%5D=W10%3D");
        assert_eq!(
            RunLink::parse(&link),
            Some(RunLink {
                collection_id: UID.into(),
                has_environment: true
            })
        );
        let bare = RunLink::parse("https://god.gw.postman.com/run-collection/abc?action=x");
        assert_eq!(
            bare.map(|l| (l.collection_id, l.has_environment)),
            Some(("abc".into(), false))
        );
        assert_eq!(
            RunLink::parse("https://example.com/run-collection/abc"),
            None
        );
        assert_eq!(RunLink::parse("https://app.getpostman.com/other/abc"), None);
    }
}
