//! Keeping secrets out of output. The masker learns secrets as the run goes: values of `secret`
//! variables and of variables whose names say they hold credentials, the credentials of auth
//! helpers, `Authorization` headers and URL passwords, and any variable that holds a copy of one.
//! A secret once learned stays masked for the rest of the run, in every form it may take in
//! output (see [`forms`]); unless `--show-secrets`, every output replaces them with `********`.

mod forms;
mod scan;

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::collection::{Request, percent_decode};
use crate::vars::{Scopes, Variable};

use super::Execution;
use forms::{Pattern, basic_forms, forms_of};
use scan::Patterns;

/// What replaces a secret in output.
pub const MASK: &str = "********";

/// A copy of a secret longer than this is not learned whole: the secret inside it is masked
/// anyway, and a large value (a whole response kept in a variable) would cost more to search for
/// than it is worth.
const COPY_LIMIT: usize = 4096;

/// Replaces known secrets in text.
#[derive(Debug, Clone)]
pub struct Masker {
    enabled: bool,
    /// The secrets learned, as they are.
    secrets: HashSet<String>,
    /// User names of Basic credentials and URLs: `user:secret` in base64 is masked for each.
    users: Vec<String>,
    patterns: Patterns,
}

/// Whether a variable's value is kept out of output: typed `secret`, or named like a credential.
pub fn is_masked(variable: &Variable) -> bool {
    variable.is_secret() || is_sensitive_name(&variable.key)
}

/// Variable names that hold credentials even when not typed `secret`.
///
/// Asked for every variable after every item, so it compares bytes in place (ASCII letters in
/// any case) instead of making a lowercase copy and a substring searcher per word.
fn is_sensitive_name(name: &str) -> bool {
    let name = name.as_bytes();
    // Names that say something about a credential rather than hold one: `tokenUrl`,
    // `tokenEndpointAuthMethod`, `tokenType` ("Bearer" masked everywhere would hide every header).
    const ABOUT: [&str; 14] = [
        "url",
        "uri",
        "endpoint",
        "path",
        "type",
        "method",
        "expiry",
        "expires",
        "expiresin",
        "lifetime",
        "ttl",
        "length",
        "algorithm",
        "name",
    ];
    if ABOUT
        .iter()
        .any(|suffix| ends_with_ignoring_case(name, suffix))
    {
        return false;
    }
    [
        "secret",
        "password",
        "token",
        "privatekey",
        "private_key",
        "assertion",
        "apikey",
        "api_key",
    ]
    .iter()
    .any(|word| contains_ignoring_case(name, word))
}

/// Whether `text` ends with `suffix` (lowercase ASCII), in any case.
fn ends_with_ignoring_case(text: &[u8], suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Whether `text` contains `word` (lowercase ASCII), in any case.
fn contains_ignoring_case(text: &[u8], word: &str) -> bool {
    text.windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

/// Auth helper parameters that carry credentials (an `apikey` helper's `value` too).
const SECRET_AUTH_PARAMS: [&str; 15] = [
    "password",
    "token",
    "accessToken",
    "refreshToken",
    "idToken",
    "clientSecret",
    "clientToken",
    "privateKey",
    "secret",
    "secretKey",
    "sessionToken",
    "consumerSecret",
    "tokenSecret",
    "authKey",
    "clientAssertionPrivateKey",
];

impl Default for Masker {
    /// Masks credential headers and nothing else until secrets are learned: masking is the
    /// default.
    fn default() -> Self {
        Masker {
            enabled: true,
            secrets: HashSet::new(),
            users: Vec::new(),
            patterns: Patterns::default(),
        }
    }
}

/// Secrets and user names found in one look, turned into patterns together.
#[derive(Default)]
struct Found {
    secrets: Vec<String>,
    users: Vec<String>,
}

impl Found {
    fn secret(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.secrets.push(text.to_string());
        }
    }

    fn user(&mut self, text: &str) {
        if !text.is_empty() {
            self.users.push(text.to_string());
        }
    }

    /// A URL's `user:password` part, as written and percent-decoded.
    fn userinfo(&mut self, userinfo: &str) {
        if let Some((user, password)) = userinfo.split_once(':') {
            self.user(user);
            self.user(&percent_decode(user));
            self.secret(password);
            self.secret(&percent_decode(password));
        }
    }

    /// The credentials of an `Authorization` header: what follows the scheme, and for Basic the
    /// password and user name it encodes.
    fn authorization(&mut self, value: &str) {
        let Some((scheme, credentials)) = value.split_once(' ') else {
            self.secret(value);
            return;
        };
        let credentials = credentials.trim();
        self.secret(credentials);
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD
                .decode(credentials)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            if let Some((user, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                self.user(user);
                self.secret(password);
            }
        }
    }

    /// The credentials a request carried: its auth helper's, its URL's and its headers'.
    fn request(&mut self, request: &Request) {
        if let Some(auth) = &request.auth {
            for (key, value) in &auth.params {
                let credential = SECRET_AUTH_PARAMS.contains(&key.as_str())
                    || (key == "value" && auth.kind == "apikey");
                if credential {
                    texts_of(value, &mut |text| self.secret(text));
                } else if key == "username" && auth.kind == "basic" {
                    texts_of(value, &mut |text| self.user(text));
                }
            }
        }
        if let Some(userinfo) = &request.url.auth {
            self.userinfo(userinfo);
        }
        for header in request
            .headers
            .iter()
            .filter(|h| is_credential_header(&h.key))
        {
            self.authorization(header.value.as_deref().unwrap_or_default());
        }
    }
}

/// Every string (and number) inside a variable's value.
fn texts_of(value: &Value, each: &mut dyn FnMut(&str)) {
    match value {
        Value::String(text) => each(text),
        Value::Number(number) => each(&number.to_string()),
        Value::Array(items) => items.iter().for_each(|v| texts_of(v, each)),
        Value::Object(map) => map.values().for_each(|v| texts_of(v, each)),
        Value::Null | Value::Bool(_) => {}
    }
}

fn is_credential_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization")
}

/// Cookie names that carry a session or a credential: whoever holds the value is signed on.
fn is_session_cookie(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_sensitive_name(name)
        || ["session", "sess", "auth", "jwt", "csrf", "xsrf"]
            .iter()
            .any(|word| lower.contains(word))
        || lower == "sid"
        || lower.ends_with("_sid")
        || lower.ends_with(".sid")
}

/// `pairs` (`a=1; b=2`, as in a `Cookie` header or a `Set-Cookie` header's first part) with the
/// values of session cookies masked.
fn mask_cookie_pairs(pairs: &str) -> String {
    pairs
        .split("; ")
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_session_cookie(name.trim()) => {
                format!("{name}={MASK}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Masker {
    /// Masks nothing (`--show-secrets`).
    pub fn disabled() -> Self {
        Masker {
            enabled: false,
            ..Masker::default()
        }
    }

    /// Learns the secrets held in `scopes`: values of secret and credential-named variables, then
    /// every other variable whose value holds a secret already known (a copy, `Bearer <token>`).
    pub fn learn_scopes(&mut self, scopes: &Scopes) {
        if !self.enabled {
            return;
        }
        let all = || {
            [
                &scopes.local,
                &scopes.data,
                &scopes.environment,
                &scopes.collection,
                &scopes.globals,
            ]
            .into_iter()
            .flat_map(|scope| scope.values())
        };
        let mut found = Found::default();
        for variable in all().filter(|v| is_masked(v)) {
            texts_of(&variable.value, &mut |text| found.secret(text));
        }
        self.add(found);
        if self.patterns.is_empty() {
            return;
        }
        let mut copies = Found::default();
        for variable in all().filter(|v| !is_masked(v)) {
            texts_of(&variable.value, &mut |text| {
                if text.len() <= COPY_LIMIT
                    && !self.secrets.contains(text)
                    && self.patterns.found_in(text)
                {
                    copies.secret(text);
                }
            });
        }
        self.add(copies);
    }

    /// Learns the secrets in `scopes` and the credentials `execution` sent: its auth helper's,
    /// its URL's password, its `Authorization` headers (also those of an auth replay and of
    /// `pm.sendRequest` calls).
    pub fn learn_item(&mut self, scopes: &Scopes, execution: &Execution) {
        if !self.enabled {
            return;
        }
        let mut found = Found::default();
        if let Some(request) = &execution.request {
            found.request(request);
        }
        if let Some(wire) = &execution.wire {
            if let Some(password) = wire.url.password() {
                found.userinfo(&format!("{}:{password}", wire.url.username()));
            }
            for (_, value) in wire.headers.iter().filter(|(k, _)| is_credential_header(k)) {
                found.authorization(value);
            }
        }
        if let Some(replayed) = execution
            .response
            .as_ref()
            .and_then(|r| r.replay_authorization.as_deref())
        {
            found.authorization(replayed);
        }
        for sent in execution.sent() {
            found.request(&sent.request);
        }
        self.add(found);
        self.learn_scopes(scopes);
    }

    /// What the masker knows, as something that changes whenever it learns (it never forgets):
    /// whether it is on, and how many secrets and user names it holds.
    pub(crate) fn knowledge(&self) -> (bool, usize) {
        (self.enabled, self.secrets.len() + self.users.len())
    }

    /// Learns secrets the run made itself and no variable or request holds (a fetched OAuth 2.0
    /// token, a signed client assertion).
    pub fn learn_secrets(&mut self, secrets: &[String]) {
        if !self.enabled {
            return;
        }
        let mut found = Found::default();
        secrets.iter().for_each(|secret| found.secret(secret));
        self.add(found);
    }

    /// Learns everything `other` knows (an iteration run in parallel from a copy of this one).
    pub(crate) fn absorb(&mut self, other: &Masker) {
        if !self.enabled {
            return;
        }
        let found = Found {
            secrets: other
                .secrets
                .iter()
                .filter(|s| !self.secrets.contains(*s))
                .cloned()
                .collect(),
            users: other
                .users
                .iter()
                .filter(|u| !self.users.contains(u))
                .cloned()
                .collect(),
        };
        self.add(found);
    }

    /// Turns what was found into patterns, once per new secret or user name.
    fn add(&mut self, found: Found) {
        let mut patterns: Vec<Pattern> = Vec::new();
        for user in found.users {
            if !self.users.contains(&user) {
                patterns.extend(self.secrets.iter().flat_map(|s| basic_forms(&user, s)));
                self.users.push(user);
            }
        }
        for secret in found.secrets {
            if !self.secrets.contains(&secret) {
                patterns.extend(forms_of(&secret, &self.users));
                self.secrets.insert(secret);
            }
        }
        let mut seen = HashSet::new();
        patterns.retain(|p| seen.insert(p.clone()));
        self.patterns.add(patterns);
    }

    /// `text` with every secret, in any of its forms, replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        if !self.enabled || self.patterns.is_empty() {
            return text.to_string();
        }
        let spans = self.patterns.spans(text);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            out.push_str(&text[at..span.start]);
            out.push_str(MASK);
            at = span.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// A header value: masked whole when the header carries credentials (`Authorization`, keeping
    /// its scheme), with the values of session cookies masked in `Cookie` and `Set-Cookie`, and
    /// every learned secret masked otherwise.
    pub fn header(&self, name: &str, value: &str) -> String {
        if is_credential_header(name) && self.enabled {
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {MASK}"),
                None => MASK.to_string(),
            };
        }
        if self.enabled && name.eq_ignore_ascii_case("cookie") {
            return self.mask(&mask_cookie_pairs(value));
        }
        if self.enabled && name.eq_ignore_ascii_case("set-cookie") {
            let (cookie, attributes) = match value.split_once("; ") {
                Some((cookie, attributes)) => (cookie, Some(attributes)),
                None => (value, None),
            };
            let cookie = mask_cookie_pairs(cookie);
            let whole = match attributes {
                Some(attributes) => format!("{cookie}; {attributes}"),
                None => cookie,
            };
            return self.mask(&whole);
        }
        self.mask(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vars::{Variable, VariableScope};
    use serde_json::json;

    fn scopes(values: Vec<Variable>) -> Scopes {
        Scopes {
            environment: VariableScope::from_values(values),
            ..Default::default()
        }
    }

    fn learned(values: Vec<Variable>) -> Masker {
        let mut masker = Masker::default();
        masker.learn_scopes(&scopes(values));
        masker
    }

    #[test]
    fn secret_typed_and_credential_named_variables_are_masked() {
        let mut typed = Variable::new("clientKey", json!("abcd-1234"));
        typed.kind = Some("secret".into());
        let masker = learned(vec![
            typed,
            Variable::new("adminAppSecret", json!("s3cr3t-value")),
            Variable::new("envID", json!("env-1")),
        ]);
        assert_eq!(
            masker.mask("abcd-1234 s3cr3t-value env-1"),
            "******** ******** env-1"
        );
    }

    #[test]
    fn names_about_a_credential_are_not_credentials() {
        for name in [
            "clientSecret",
            "adminAppSecret",
            "password",
            "accessToken",
            "apiKey",
            "CLIENT_SECRET",
            "x_API_KEY",
            "éclair_Token",
            "Private_Key_PEM",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "tokenUrl",
            "tokenEndpointAuthMethod",
            "tokenType",
            "secretExpiresIn",
            "ACCESS_TOKEN_URL",
            "id",
            "",
            "tok",
        ] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn every_encoding_of_a_secret_is_masked() {
        let secret = "p@ss w\"rd<&>";
        let masker = learned(vec![Variable::new("password", json!(secret))]);
        for shown in [
            secret.to_string(),
            "p%40ss%20w%22rd%3C%26%3E".into(),
            "p%40ss+w%22rd%3c%26%3e".into(),
            "p@ss%20w%22rd%3C&%3E".into(),
            "p@ss w\\\"rd<&>".into(),
            "p@ss w&quot;rd&lt;&amp;&gt;".into(),
            STANDARD.encode(secret),
        ] {
            assert_eq!(masker.mask(&format!("[{shown}]")), "[********]", "{shown}");
        }
        let inside = STANDARD.encode(format!("{{\"password\":\"{secret}\"}}"));
        let masked = masker.mask(&inside);
        assert!(
            masked.contains(MASK) && masked.len() < inside.len(),
            "{masked}"
        );
    }

    #[test]
    fn a_short_secret_masks_whole_tokens_only() {
        let masker = learned(vec![Variable::new("token", json!("ab"))]);
        assert_eq!(
            masker.mask("ab about tab ab-c x=ab&y=(ab) Ab"),
            "******** about tab ********-c x=********&y=(********) Ab"
        );
    }

    #[test]
    fn a_copy_of_a_secret_is_learned_whole() {
        let masker = learned(vec![
            Variable::new("clientSecret", json!("xyz-secret-42")),
            Variable::new("authHeader", json!("Bearer xyz-secret-42")),
            Variable::new("plain", json!("Bearer nothing")),
        ]);
        assert_eq!(masker.mask("Bearer xyz-secret-42"), MASK);
        assert_eq!(
            masker.mask(&STANDARD.encode("Bearer xyz-secret-42")),
            MASK,
            "the copy's own encodings are masked"
        );
        assert_eq!(masker.mask("Bearer nothing"), "Bearer nothing");
    }

    #[test]
    fn a_secret_stays_masked_after_it_is_unset() {
        let mut masker = learned(vec![Variable::new("token", json!("t0k3n-value"))]);
        masker.learn_scopes(&Scopes::default());
        assert_eq!(masker.mask("t0k3n-value"), MASK);
    }

    #[test]
    fn literal_auth_credentials_and_url_passwords_of_an_item_are_masked() {
        let request = crate::collection::request_from_json(&json!({
            "url": "http://admin:url%20pw@h/",
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "admin"},
                {"key": "password", "value": "literal-pw"}]}}))
        .unwrap();
        let execution = Execution {
            request: Some(request),
            ..Default::default()
        };
        let mut masker = Masker::default();
        masker.learn_item(&Scopes::default(), &execution);
        assert_eq!(masker.mask("admin:literal-pw"), "admin:********");
        assert_eq!(masker.mask(&STANDARD.encode("admin:literal-pw")), MASK);
        assert_eq!(
            masker.mask("http://admin:url%20pw@h/"),
            "http://admin:********@h/"
        );
        assert_eq!(masker.mask("url pw"), MASK);
    }

    #[test]
    fn basic_credentials_in_a_header_teach_the_password() {
        let request = crate::collection::request_from_json(&json!({"url": "http://h/",
            "header": [{"key": "Authorization", "value": format!("Basic {}", STANDARD.encode("me:hunter22"))}]}))
        .unwrap();
        let execution = Execution {
            request: Some(request),
            ..Default::default()
        };
        let mut masker = Masker::default();
        masker.learn_item(&Scopes::default(), &execution);
        assert_eq!(masker.mask("password=hunter22"), "password=********");
    }

    #[test]
    fn show_secrets_masks_nothing() {
        let mut masker = Masker::disabled();
        masker.learn_scopes(&scopes(vec![Variable::new("token", json!("t0k3n"))]));
        assert_eq!(masker.mask("t0k3n"), "t0k3n");
        assert_eq!(
            masker.header("Authorization", "Bearer t0ken"),
            "Bearer t0ken"
        );
    }

    #[test]
    fn authorization_headers_keep_only_the_scheme() {
        let masker = Masker::default();
        assert_eq!(
            masker.header("Authorization", "Basic YWJjOmRlZg=="),
            "Basic ********"
        );
        assert_eq!(masker.header("Accept", "*/*"), "*/*");
    }

    #[test]
    fn session_cookies_are_masked_in_cookie_headers_and_others_are_kept() {
        let masker = Masker::default();
        assert_eq!(
            masker.header("Cookie", "_session=abc123; theme=dark; connect.sid=s%3Axyz"),
            format!("_session={MASK}; theme=dark; connect.sid={MASK}")
        );
        assert_eq!(
            masker.header("set-cookie", "_session=abc123; path=/; HttpOnly"),
            format!("_session={MASK}; path=/; HttpOnly")
        );
        assert_eq!(
            masker.header("Set-Cookie", "lang=en; Path=/"),
            "lang=en; Path=/"
        );
        assert_eq!(
            Masker::disabled().header("Cookie", "_session=abc123"),
            "_session=abc123"
        );
    }
}
