//! `--verbose` warnings about `{{variables}}` a request still holds after resolution, with a
//! suggestion of the closest defined name.

use crate::collection::Request;
use crate::vars::{Scopes, did_you_mean, unresolved_names};

use super::Reporter;
use super::mask::Masker;

/// Warns once per unresolved name in the request's URL, headers, body and auth.
pub(super) fn warn_unresolved(
    request: &Request,
    scopes: &Scopes,
    masker: &Masker,
    reporter: &mut dyn Reporter,
) {
    let mut texts = vec![request.url.to_unresolved_string()];
    texts.extend(
        request
            .headers
            .iter()
            .filter(|h| h.is_active())
            .map(|h| format!("{}: {}", h.key, h.value.clone().unwrap_or_default())),
    );
    if let Some(body) = &request.body {
        texts.push(body.to_json().to_string());
    }
    if let Some(auth) = &request.auth {
        texts.push(auth.to_json().to_string());
    }
    let known = scopes.known_names();
    let mut seen = Vec::new();
    for text in &texts {
        for name in unresolved_names(text) {
            if seen.contains(&name) {
                continue;
            }
            let hint = did_you_mean(&name, known.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            reporter.warning(&format!(
                "{}: `{{{{{name}}}}}` is not defined in any scope{hint}",
                masker.mask(&request.url.to_unresolved_string())
            ));
            seen.push(name);
        }
    }
}
