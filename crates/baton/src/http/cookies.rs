//! The run's cookie jar: shared by every request and `pm.sendRequest`, readable by scripts
//! (`pm.cookies`, `pm.cookies.jar()`) and exportable with `--export-cookie-jar`.
//!
//! The jar is bounded as browsers bound theirs, so a server cannot make every later request
//! carry (and the jar hold) an ever-growing pile of cookies: at most [`MAX_COOKIES_PER_DOMAIN`]
//! per domain and [`MAX_COOKIES`] in all, the least recently used (stored or sent) going first;
//! a cookie from a server whose name and value take more than [`MAX_COOKIE_SIZE`] bytes is
//! ignored. Newman's jar has no bounds.

use std::collections::HashMap;
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

/// The most cookies the jar keeps for one domain (as Chrome).
pub const MAX_COOKIES_PER_DOMAIN: usize = 180;

/// The most cookies the jar keeps in all (as Chrome).
pub const MAX_COOKIES: usize = 3000;

/// The most bytes of a server's cookie, name and value together; a larger one is ignored (as
/// browsers ignore it).
pub const MAX_COOKIE_SIZE: usize = 4096;

/// A thread-safe cookie store that requests read and write and scripts inspect.
#[derive(Debug, Default)]
pub struct CookieJar {
    inner: Mutex<Jar>,
}

/// A cookie's place in the store: domain, path and name.
type CookieKey = (String, String, String);

/// The store, and when each of its cookies was last used.
#[derive(Debug, Default)]
struct Jar {
    store: cookie_store::CookieStore,
    /// The tick at which each cookie was last stored or sent; eviction takes the lowest first.
    used: HashMap<CookieKey, u64>,
    /// Counts up at each use.
    clock: u64,
}

/// Why a cookie was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    /// The cookie does not suit the URL (another domain, a public suffix, a bad path).
    #[error("{0}")]
    Rejected(String),
    /// A `--cookie-jar` file that is not an exported jar.
    #[error("expected an object with a `cookies` array")]
    NotAJar,
    /// An entry of a `--cookie-jar` file that cannot be a cookie.
    #[error("{at}: {reason}")]
    Entry {
        /// Where, e.g. `cookies[2].expires`.
        at: String,
        /// What is wrong.
        reason: String,
    },
}

impl Jar {
    /// Stores `cookie` as `url` set it, as the cookie most recently used.
    fn insert(&mut self, cookie: &cookie::Cookie<'_>, url: &Url) -> Result<(), CookieError> {
        let rejected = |e: &dyn std::fmt::Display| CookieError::Rejected(e.to_string());
        let cookie = cookie_store::Cookie::try_from_raw_cookie(cookie, url)
            .map_err(|e| rejected(&e))?
            .into_owned();
        let key = key_of(&cookie);
        self.store.insert(cookie, url).map_err(|e| rejected(&e))?;
        self.touch(key);
        Ok(())
    }

    fn touch(&mut self, key: CookieKey) {
        self.clock += 1;
        self.used.insert(key, self.clock);
    }

    /// Removes expired cookies, then the least recently used of a domain over
    /// [`MAX_COOKIES_PER_DOMAIN`], then the least recently used over [`MAX_COOKIES`].
    fn evict_over_bounds(&mut self) {
        let mut stored: Vec<(CookieKey, bool, u64)> = self
            .store
            .iter_any()
            .map(|c| {
                let key = key_of(c);
                let used = self.used.get(&key).copied().unwrap_or(0);
                (key, c.is_expired(), used)
            })
            .collect();
        stored.sort_by_key(|(_, _, used)| *used);
        let mut doomed: Vec<bool> = stored.iter().map(|(_, expired, _)| *expired).collect();
        let mut per_domain: HashMap<&str, usize> = HashMap::new();
        for ((domain, ..), ..) in stored.iter().filter(|(_, expired, _)| !expired) {
            *per_domain.entry(domain).or_default() += 1;
        }
        for (at, ((domain, ..), ..)) in stored.iter().enumerate() {
            let count = per_domain.entry(domain).or_default();
            if !doomed[at] && *count > MAX_COOKIES_PER_DOMAIN {
                doomed[at] = true;
                *count -= 1;
            }
        }
        let mut kept = doomed.iter().filter(|d| !**d).count();
        for slot in doomed.iter_mut() {
            if kept <= MAX_COOKIES {
                break;
            }
            if !*slot {
                *slot = true;
                kept -= 1;
            }
        }
        let mut used = HashMap::with_capacity(kept);
        for ((key, _, tick), doomed) in stored.into_iter().zip(doomed) {
            if doomed {
                self.store.remove(&key.0, &key.1, &key.2);
            } else {
                used.insert(key, tick);
            }
        }
        // Only the cookies still stored keep a tick, so the map stays as small as the jar.
        self.used = used;
    }
}

fn key_of(cookie: &cookie_store::Cookie<'_>) -> CookieKey {
    (
        String::from(&cookie.domain),
        String::from(&cookie.path),
        cookie.name().to_string(),
    )
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Jar> {
        // A panic while holding the lock leaves the store usable: cookies are plain data.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cookies a request to `url` would carry, in the order it carries them.
    pub fn cookies_for(&self, url: &Url) -> Vec<CookieRecord> {
        in_request_order(self.lock().store.matches(url))
            .into_iter()
            .map(record)
            .collect()
    }

    /// Whether the jar holds no cookie at all (expired ones included).
    pub fn is_empty(&self) -> bool {
        self.lock().store.iter_any().next().is_none()
    }

    /// Every unexpired cookie in the jar.
    pub fn all(&self) -> Vec<CookieRecord> {
        self.lock().store.iter_unexpired().map(record).collect()
    }

    /// Stores `name=value` as if `url` had set it.
    pub fn set(&self, url: &Url, name: &str, value: &str) -> Result<(), CookieError> {
        let cookie = cookie::Cookie::new(name.to_string(), value.to_string());
        let mut jar = self.lock();
        let stored = jar.insert(&cookie, url);
        jar.evict_over_bounds();
        stored
    }

    /// Removes the cookie `name` visible to `url`.
    pub fn unset(&self, url: &Url, name: &str) {
        let mut jar = self.lock();
        let store = &mut jar.store;
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
    pub fn load_json(&self, document: &Value) -> Result<(), CookieError> {
        let cookies = document
            .get("cookies")
            .and_then(Value::as_array)
            .ok_or(CookieError::NotAJar)?;
        for (index, cookie) in cookies.iter().enumerate() {
            let field = |name: &str| cookie.get(name).and_then(Value::as_str).unwrap_or("");
            let domain = field("domain").trim_start_matches('.');
            let scheme = if cookie.get("secure").and_then(Value::as_bool) == Some(true) {
                "https"
            } else {
                "http"
            };
            let entry = |reason: String| CookieError::Entry {
                at: format!("cookies[{index}]"),
                reason,
            };
            let url = Url::parse(&format!("{scheme}://{domain}{}", field("path")))
                .map_err(|e| entry(e.to_string()))?;
            let mut raw = cookie::Cookie::new(field("key").to_string(), field("value").to_string());
            raw.set_path(field("path").to_string());
            raw.set_http_only(cookie.get("httpOnly").and_then(Value::as_bool));
            raw.set_secure(cookie.get("secure").and_then(Value::as_bool));
            if let Some(expires) = cookie.get("expires").and_then(Value::as_str) {
                let when = time::OffsetDateTime::parse(
                    expires,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|e| CookieError::Entry {
                    at: format!("cookies[{index}].expires"),
                    reason: format!("expected an RFC 3339 time: {e}"),
                })?;
                raw.set_expires(when);
            }
            if cookie.get("hostOnly").and_then(Value::as_bool) != Some(true) {
                raw.set_domain(domain.to_string());
            }
            self.lock()
                .insert(&raw, &url)
                .map_err(|e| entry(e.to_string()))?;
        }
        self.lock().evict_over_bounds();
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
        let mut store = self.lock();
        let sent = in_request_order(store.store.matches(url));
        let keys: Vec<CookieKey> = sent.iter().map(|c| key_of(c)).collect();
        let jar = sent
            .into_iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        for key in keys {
            store.touch(key);
        }
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

    /// Keeps the cookies a response to `url` sets, within the jar's bounds.
    pub(super) fn keep_response_cookies(&self, headers: &[(String, String)], url: &Url) {
        let set: Vec<&str> = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect();
        // Only the newest `MAX_COOKIES` could outlast eviction: the others are not even parsed.
        let newest = &set[set.len().saturating_sub(MAX_COOKIES)..];
        let cookies = newest
            .iter()
            .filter_map(|text| cookie::Cookie::parse(text.to_string()).ok())
            .filter(|c| c.name().len() + c.value().len() <= MAX_COOKIE_SIZE);
        let mut jar = self.lock();
        let mut stored = false;
        for cookie in cookies {
            // As the store's own `store_response_cookies`: a cookie it refuses is left out.
            stored |= jar.insert(&cookie, url).is_ok();
        }
        if stored {
            jar.evict_over_bounds();
        }
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

    fn set_cookies(names: impl Iterator<Item = String>) -> Vec<(String, String)> {
        names
            .map(|name| ("Set-Cookie".to_string(), format!("{name}=v; Path=/")))
            .collect()
    }

    #[test]
    fn the_jar_keeps_the_newest_180_cookies_of_a_domain() {
        let jar = CookieJar::new();
        let site = url("http://h.test/");
        jar.keep_response_cookies(&set_cookies((0..500).map(|i| format!("c{i}"))), &site);
        jar.keep_response_cookies(
            &set_cookies((0..5).map(|i| format!("other{i}"))),
            &url("http://o.test/"),
        );
        let sent = sent_to(&jar, "http://h.test/", Vec::new()).unwrap();
        let names: Vec<&str> = sent
            .split("; ")
            .map(|p| p.split('=').next().unwrap())
            .collect();
        assert_eq!(names.len(), MAX_COOKIES_PER_DOMAIN);
        assert_eq!(names.first(), Some(&"c320"));
        assert_eq!(names.last(), Some(&"c499"));
        assert_eq!(jar.cookies_for(&url("http://o.test/")).len(), 5);
    }

    #[test]
    fn the_jar_keeps_at_most_3000_cookies_in_all() {
        let jar = CookieJar::new();
        for host in 0..20 {
            let site = url(&format!("http://h{host}.test/"));
            jar.keep_response_cookies(&set_cookies((0..200).map(|i| format!("c{i}"))), &site);
        }
        assert_eq!(jar.all().len(), MAX_COOKIES);
        // The oldest went first: the first hosts lost theirs.
        assert!(jar.cookies_for(&url("http://h0.test/")).is_empty());
        assert_eq!(
            jar.cookies_for(&url("http://h19.test/")).len(),
            MAX_COOKIES_PER_DOMAIN
        );
    }

    #[test]
    fn a_cookie_over_4096_bytes_is_ignored() {
        let jar = CookieJar::new();
        let site = url("http://h.test/");
        let big = format!("big={}", "x".repeat(MAX_COOKIE_SIZE));
        let fits = format!("fits={}", "x".repeat(MAX_COOKIE_SIZE - 4));
        jar.keep_response_cookies(
            &[("Set-Cookie".into(), big), ("Set-Cookie".into(), fits)],
            &site,
        );
        let names: Vec<String> = jar.all().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["fits"]);
    }

    #[test]
    fn a_cookie_sent_recently_outlasts_older_unused_ones() {
        let jar = CookieJar::new();
        let site = url("http://h.test/");
        jar.keep_response_cookies(&response_setting("keep=1; Path=/keep"), &site);
        let others = (0..MAX_COOKIES_PER_DOMAIN - 1)
            .map(|i| ("Set-Cookie".to_string(), format!("c{i}=v; Path=/other")))
            .collect::<Vec<_>>();
        jar.keep_response_cookies(&others, &site);
        assert_eq!(
            sent_to(&jar, "http://h.test/keep", Vec::new()).as_deref(),
            Some("keep=1")
        );
        jar.keep_response_cookies(&response_setting("new=1; Path=/other"), &site);
        let names: Vec<String> = jar.all().into_iter().map(|c| c.name).collect();
        assert_eq!(names.len(), MAX_COOKIES_PER_DOMAIN);
        assert!(names.contains(&"keep".to_string()));
        assert!(!names.contains(&"c0".to_string()));
    }
}
