//! The run's cookie jar: shared by every request and `pm.sendRequest`, readable by scripts
//! (`pm.cookies`, `pm.cookies.jar()`) and exportable with `--export-cookie-jar`.

use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};
use url::Url;

/// A cookie as scripts and exports see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CookieRecord {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
    /// Domain it applies to.
    pub domain: String,
    /// Path it applies to.
    pub path: String,
    /// `Secure` attribute.
    pub secure: bool,
    /// `HttpOnly` attribute.
    pub http_only: bool,
    /// Expiry as an RFC 3339 timestamp, if persistent.
    pub expires: Option<String>,
}

/// A thread-safe cookie store that requests read and write and scripts inspect.
#[derive(Debug, Default)]
pub struct CookieJar {
    store: Mutex<cookie_store::CookieStore>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, cookie_store::CookieStore> {
        // A panic while holding the lock leaves the store usable: cookies are plain data.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cookies a request to `url` would carry, in the order it carries them.
    pub fn cookies_for(&self, url: &Url) -> Vec<CookieRecord> {
        in_request_order(self.lock().matches(url))
            .into_iter()
            .map(record)
            .collect()
    }

    /// Every unexpired cookie in the jar.
    pub fn all(&self) -> Vec<CookieRecord> {
        self.lock().iter_unexpired().map(record).collect()
    }

    /// Stores `name=value` as if `url` had set it.
    pub fn set(&self, url: &Url, name: &str, value: &str) -> Result<(), String> {
        let cookie = cookie::Cookie::new(name.to_string(), value.to_string());
        self.lock()
            .insert_raw(&cookie, url)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Removes the cookie `name` visible to `url`.
    pub fn unset(&self, url: &Url, name: &str) {
        let mut store = self.lock();
        let found: Vec<(String, String)> = store
            .matches(url)
            .into_iter()
            .filter(|c| c.name() == name)
            .map(|c| {
                (
                    String::from(&c.domain).trim_start_matches('.').to_string(),
                    String::from(&c.path),
                )
            })
            .collect();
        for (domain, path) in found {
            store.remove(&domain, &path, name);
        }
    }

    /// Removes every cookie visible to `url`.
    pub fn clear_for(&self, url: &Url) {
        let names: Vec<String> = self.cookies_for(url).into_iter().map(|c| c.name).collect();
        for name in names {
            self.unset(url, &name);
        }
    }

    /// Replaces the jar's contents with cookies previously exported by [`CookieJar::to_json`].
    pub fn load_json(&self, document: &Value) -> Result<(), String> {
        let cookies = document
            .get("cookies")
            .and_then(Value::as_array)
            .ok_or("expected an object with a `cookies` array")?;
        for (index, cookie) in cookies.iter().enumerate() {
            let field = |name: &str| cookie.get(name).and_then(Value::as_str).unwrap_or("");
            let domain = field("domain").trim_start_matches('.');
            let scheme = if cookie.get("secure").and_then(Value::as_bool) == Some(true) {
                "https"
            } else {
                "http"
            };
            let url = Url::parse(&format!("{scheme}://{domain}{}", field("path")))
                .map_err(|e| format!("cookies[{index}]: {e}"))?;
            let mut raw = cookie::Cookie::new(field("key").to_string(), field("value").to_string());
            raw.set_path(field("path").to_string());
            raw.set_http_only(cookie.get("httpOnly").and_then(Value::as_bool));
            raw.set_secure(cookie.get("secure").and_then(Value::as_bool));
            if let Some(expires) = cookie.get("expires").and_then(Value::as_str) {
                let when = time::OffsetDateTime::parse(
                    expires,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|e| format!("cookies[{index}].expires: expected an RFC 3339 time: {e}"))?;
                raw.set_expires(when);
            }
            if cookie.get("hostOnly").and_then(Value::as_bool) != Some(true) {
                raw.set_domain(domain.to_string());
            }
            self.lock()
                .insert_raw(&raw, &url)
                .map_err(|e| format!("cookies[{index}]: {e}"))?;
        }
        Ok(())
    }

    /// The jar in the tough-cookie JSON shape Newman writes for `--export-cookie-jar`.
    pub fn to_json(&self) -> Value {
        let cookies: Vec<Value> = self
            .all()
            .into_iter()
            .map(|c| {
                let mut cookie = json!({
                    "key": c.name, "value": c.value, "domain": c.domain, "path": c.path,
                    "secure": c.secure, "httpOnly": c.http_only,
                });
                if let Some(expires) = c.expires {
                    cookie["expires"] = Value::String(expires);
                }
                cookie
            })
            .collect();
        json!({"version": "tough-cookie@4.1.4", "storeType": "MemoryCookieStore",
               "rejectPublicSuffixes": true, "cookies": cookies})
    }
}

/// tough-cookie's order (Newman's): longer paths first, then older cookies first. The store keeps
/// insertion order (`preserve_order`), and a replaced cookie keeps its place, as tough-cookie keeps
/// its creation time; only cookies of different domains or paths with paths of equal length follow
/// the order their domain and path were first seen rather than their own age.
fn in_request_order<'a>(
    mut cookies: Vec<&'a cookie_store::Cookie<'static>>,
) -> Vec<&'a cookie_store::Cookie<'static>> {
    cookies.sort_by_key(|c| std::cmp::Reverse(String::from(&c.path).len()));
    cookies
}

fn record(cookie: &cookie_store::Cookie<'_>) -> CookieRecord {
    CookieRecord {
        name: cookie.name().to_string(),
        value: cookie.value().to_string(),
        domain: String::from(&cookie.domain),
        path: String::from(&cookie.path),
        secure: cookie.secure().unwrap_or(false),
        http_only: cookie.http_only().unwrap_or(false),
        expires: cookie.expires_datetime().and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
    }
}

impl CookieJar {
    /// Adds the jar's cookies for `url` to the `Cookie` header: after the request's own cookies
    /// when it sets some (`own; jar`), as Newman does.
    pub(super) fn add_request_cookies(&self, headers: &mut Vec<(String, String)>, url: &Url) {
        let store = self.lock();
        let jar = in_request_order(store.matches(url))
            .into_iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        drop(store);
        if jar.is_empty() {
            return;
        }
        match headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        {
            Some((_, own)) => {
                own.push_str("; ");
                own.push_str(&jar);
            }
            None => headers.push(("Cookie".to_string(), jar)),
        }
    }

    /// Keeps the cookies a response to `url` sets.
    pub(super) fn keep_response_cookies(&self, headers: &[(String, String)], url: &Url) {
        let cookies = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, text)| cookie::Cookie::parse(text.clone()).ok());
        self.lock().store_response_cookies(cookies, url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn response_setting(cookie: &str) -> Vec<(String, String)> {
        vec![("Set-Cookie".to_string(), cookie.to_string())]
    }

    fn sent_to(jar: &CookieJar, to: &str, mut headers: Vec<(String, String)>) -> Option<String> {
        jar.add_request_cookies(&mut headers, &url(to));
        headers
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .map(|(_, v)| v)
    }

    #[test]
    fn response_cookies_are_sent_back_to_the_same_host() {
        let jar = CookieJar::new();
        jar.keep_response_cookies(
            &response_setting("ST=abc; Path=/; HttpOnly"),
            &url("http://127.0.0.1:9/env/flows/1"),
        );
        let sent = sent_to(&jar, "http://127.0.0.1:9/env/as/token", Vec::new());
        assert_eq!(sent.as_deref(), Some("ST=abc"));
        assert_eq!(sent_to(&jar, "http://other.test/", Vec::new()), None);
    }

    #[test]
    fn the_jar_adds_to_a_cookie_header_the_request_sets() {
        let jar = CookieJar::new();
        jar.keep_response_cookies(&response_setting("ST=abc"), &url("http://h.test/"));
        let own = vec![("cookie".to_string(), "mine=1".to_string())];
        assert_eq!(
            sent_to(&jar, "http://h.test/", own).as_deref(),
            Some("mine=1; ST=abc")
        );
    }

    #[test]
    fn cookies_go_out_longest_path_first_then_oldest_first() {
        let jar = CookieJar::new();
        let site = url("http://h.test/a/b");
        jar.keep_response_cookies(
            &[
                ("Set-Cookie".to_string(), "z=1; Path=/".to_string()),
                ("Set-Cookie".to_string(), "y=2; Path=/".to_string()),
                ("Set-Cookie".to_string(), "deep=3; Path=/a".to_string()),
                ("Set-Cookie".to_string(), "x=4; Path=/".to_string()),
            ],
            &site,
        );
        // Replacing a cookie keeps its place.
        jar.keep_response_cookies(&response_setting("z=5; Path=/"), &site);
        assert_eq!(
            sent_to(&jar, "http://h.test/a/b", Vec::new()).as_deref(),
            Some("deep=3; z=5; y=2; x=4")
        );
    }

    #[test]
    fn scripts_can_set_and_unset_cookies() {
        let jar = CookieJar::new();
        let site = url("http://example.test/");
        jar.set(&site, "a", "1").unwrap();
        assert_eq!(jar.cookies_for(&site)[0].value, "1");
        jar.unset(&site, "a");
        assert!(jar.cookies_for(&site).is_empty());
    }

    #[test]
    fn export_then_load_round_trips() {
        let jar = CookieJar::new();
        jar.set(&url("http://example.test/p"), "k", "v").unwrap();
        jar.keep_response_cookies(
            &response_setting("keep=1; Path=/; HttpOnly; Expires=Wed, 01 Jan 2098 00:00:00 GMT"),
            &url("http://example.test/"),
        );
        let exported = jar.to_json();
        let other = CookieJar::new();
        other.load_json(&exported).unwrap();
        let mut names: Vec<String> = other.all().into_iter().map(|c| c.name).collect();
        names.sort();
        assert_eq!(names, ["k", "keep"]);
        let keep = other.all().into_iter().find(|c| c.name == "keep").unwrap();
        assert!(keep.http_only);
        assert_eq!(keep.expires.as_deref(), Some("2098-01-01T00:00:00Z"));
    }
}
