//! Keeping secrets out of output: values of `secret` variables, of variables whose names say they
//! hold credentials, and Authorization headers are replaced by `********` unless `--show-secrets`.

use crate::vars::{Scopes, Variable, render_value};

use super::Execution;

/// What replaces a secret in output.
pub const MASK: &str = "********";

/// Replaces known secret values in text.
#[derive(Debug, Clone)]
pub struct Masker {
    enabled: bool,
    values: Vec<String>,
}

/// Whether a variable's value is kept out of output: typed `secret`, or named like a credential.
pub fn is_masked(variable: &Variable) -> bool {
    variable.is_secret() || is_sensitive_name(&variable.key)
}

/// Variable names that hold credentials even when not typed `secret`.
fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
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
    .any(|word| lower.contains(word))
}

impl Default for Masker {
    /// Masks credential headers and nothing else until secrets are added: masking is the default.
    fn default() -> Self {
        Masker {
            enabled: true,
            values: Vec::new(),
        }
    }
}

/// Auth parameters that carry credentials.
const SECRET_AUTH_PARAMS: [&str; 6] = [
    "password",
    "token",
    "accessToken",
    "value",
    "clientSecret",
    "privateKey",
];

impl Masker {
    /// The masker after an item ran: the secrets now in `scopes`, those of `previous`, and the
    /// credentials the item sent (its auth parameters and its `Authorization` header).
    pub fn after_item(scopes: &Scopes, execution: &Execution, previous: Option<&Masker>) -> Masker {
        let mut masker = Masker::from_scopes(scopes);
        if let Some(previous) = previous {
            masker.extend(previous);
        }
        let auth = execution.request.as_ref().and_then(|r| r.auth.as_ref());
        for (key, value) in auth.map(|a| a.params.as_slice()).unwrap_or_default() {
            let credential = SECRET_AUTH_PARAMS.contains(&key.as_str())
                && !(key == "value" && auth.is_some_and(|a| a.kind != "apikey"));
            if let (true, Some(text)) = (credential, render_value(value)) {
                masker.values.push(text);
            }
        }
        if let Some(value) = execution
            .wire
            .as_ref()
            .and_then(|w| w.header("authorization"))
        {
            masker
                .values
                .push(value.split_once(' ').map_or(value, |(_, c)| c).to_string());
        }
        masker.normalize();
        masker
    }

    /// Masks nothing (`--show-secrets`).
    pub fn disabled() -> Self {
        Masker {
            enabled: false,
            values: Vec::new(),
        }
    }

    /// Masks the secrets currently held in `scopes`.
    pub fn from_scopes(scopes: &Scopes) -> Self {
        let values = [
            &scopes.local,
            &scopes.data,
            &scopes.environment,
            &scopes.collection,
            &scopes.globals,
        ]
        .into_iter()
        .flat_map(|scope| scope.values())
        .filter(|v| v.enabled && is_masked(v))
        .filter_map(|v| render_value(&v.value))
        .collect();
        let mut masker = Masker {
            enabled: true,
            values,
        };
        masker.normalize();
        masker
    }

    /// Adds the secrets another masker knows (values seen earlier in the run stay masked after a
    /// script unsets them).
    pub fn extend(&mut self, other: &Masker) {
        if self.enabled {
            self.values.extend(other.values.iter().cloned());
            self.normalize();
        }
    }

    fn normalize(&mut self) {
        // Short values would mask ordinary words; longest first so a secret containing another is
        // replaced whole.
        self.values.retain(|v| v.len() >= 4);
        self.values
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.values.dedup();
    }

    /// `text` with every secret replaced.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        out
    }

    /// A header value, masked whole when the header carries credentials.
    pub fn header(&self, name: &str, value: &str) -> String {
        let credentials = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        if credentials && self.enabled {
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {MASK}"),
                None => MASK.to_string(),
            };
        }
        self.mask(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vars::{Variable, VariableScope};
    use serde_json::json;

    #[test]
    fn secret_typed_and_credential_named_variables_are_masked() {
        let mut typed = Variable::new("clientKey", json!("abcd-1234"));
        typed.kind = Some("secret".into());
        let scopes = Scopes {
            environment: VariableScope::from_values(vec![
                typed,
                Variable::new("adminAppSecret", json!("s3cr3t-value")),
                Variable::new("envID", json!("env-1")),
            ]),
            ..Default::default()
        };
        let masker = Masker::from_scopes(&scopes);
        assert_eq!(
            masker.mask("abcd-1234 s3cr3t-value env-1"),
            "******** ******** env-1"
        );
    }

    #[test]
    fn literal_auth_credentials_of_an_item_are_masked() {
        let request = crate::collection::request_from_json(&json!({"url": "http://h",
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "admin"},
                {"key": "password", "value": "literal-pw"}]}}))
        .unwrap();
        let execution = Execution {
            request: Some(request),
            ..Default::default()
        };
        let masker = Masker::after_item(&Scopes::default(), &execution, None);
        assert_eq!(masker.mask("admin:literal-pw"), "admin:********");
    }

    #[test]
    fn show_secrets_masks_nothing() {
        let masker = Masker::disabled();
        assert_eq!(
            masker.header("Authorization", "Bearer t0ken"),
            "Bearer t0ken"
        );
    }

    #[test]
    fn authorization_headers_keep_only_the_scheme() {
        let masker = Masker::from_scopes(&Scopes::default());
        assert_eq!(
            masker.header("Authorization", "Basic YWJjOmRlZg=="),
            "Basic ********"
        );
        assert_eq!(masker.header("Accept", "*/*"), "*/*");
    }
}
