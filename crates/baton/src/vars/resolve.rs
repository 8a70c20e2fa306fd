//! The `{{name}}` substitution Postman applies to URLs, headers, bodies and `replaceIn`.
//!
//! Behaviour pinned against postman-collection 4.4.0 as bundled by Newman 6.2.2:
//!
//! - A token is `{{`, then the longest run of characters that are neither `{` nor `}`, then `}}`.
//!   Because a name cannot contain a brace, `{{a{{b}}}}` first resolves the inner `{{b}}`, and the
//!   next pass sees the new token `{{a1}}`.
//! - Names are used verbatim: `{{ a }}` looks up ` a `, and `{{}}` looks up the empty name
//!   (it stays literal unless a variable really has an empty key, as in Postman).
//! - The whole string is re-scanned in passes, at most [`MAX_PASSES`] of them. Postman counts a pass
//!   even when every token it met stayed literal; a pass that changes nothing would only repeat
//!   itself, so stopping there gives the same text sooner.
//! - A `null` value is not special: Newman 6.2.2 substitutes the text `null` (observed).
//! - No escaping of any kind happens: the value's text goes in as it is.
//! - Unlike Postman, the text may not grow past [`MAX_RESOLVED_LEN`]: variables that each hold the
//!   previous one several times would otherwise expand to gigabytes and abort the run.

use serde_json::Value;

use super::dynamic::dynamic_value;

/// Postman's `VARS_SUBREPLACE_LIMIT`: the most whole-string passes one resolution makes.
///
/// A chain `v1 = {{v2}}`, `v2 = {{v3}}`, ... resolved from `{{v1}}` therefore ends as `{{v20}}`:
/// each pass follows one link (observed with Newman 6.2.2 on a 25-long chain). The "stops at
/// `{{v19}}`" in the team notes is the same limit seen from a chain that starts one link earlier.
pub const MAX_PASSES: usize = 19;

/// The longest text a resolution may produce (64 MiB), unless the input was longer already.
pub const MAX_RESOLVED_LEN: usize = 64 << 20;

/// A resolution stopped because the text grew past its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{{{{{name}}}}}` expands past {} MiB: its value holds variables that expand without bound",
    limit >> 20
)]
pub struct ExpansionTooLong {
    /// The variable whose value pushed the text past the limit.
    pub name: String,
    /// The limit in bytes.
    pub limit: usize,
}

/// A `{{name}}` token found in a string: its byte range and the name between the braces.
struct Token<'a> {
    start: usize,
    end: usize,
    name: &'a str,
}

/// The tokens of `text`, left to right and non-overlapping, as Postman's `/{{([^{}]*?)}}/g` finds them.
fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at + 1 < bytes.len() {
            let start = at;
            if bytes[start] != b'{' || bytes[start + 1] != b'{' {
                at += 1;
                continue;
            }
            let name_start = start + 2;
            let name_len = bytes[name_start..]
                .iter()
                .take_while(|&&b| b != b'{' && b != b'}')
                .count();
            let close = name_start + name_len;
            if bytes[close..].starts_with(b"}}") {
                at = close + 2;
                // Braces are ASCII, so every boundary here is a char boundary.
                return Some(Token {
                    start,
                    end: at,
                    name: &text[name_start..close],
                });
            }
            // No match can start here; the regex engine would retry from the next character.
            at += 1;
        }
        None
    })
}

/// One pass over `text`: every token the lookup (or a dynamic variable) knows is replaced, as
/// long as the result stays within `limit` bytes.
fn substitute_once(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    limit: usize,
) -> Result<String, ExpansionTooLong> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for token in tokens(text) {
        let value = lookup(token.name).or_else(|| {
            // Only a miss reaches the built-ins, so a user variable named `$guid` wins.
            token
                .name
                .starts_with('$')
                .then(|| dynamic_value(token.name))
                .flatten()
        });
        if let Some(value) = value {
            // What is left of `text` after this token is copied too, so count it now.
            if out.len() + (token.start - copied) + value.len() + (text.len() - token.end) > limit {
                return Err(ExpansionTooLong {
                    name: token.name.to_owned(),
                    limit,
                });
            }
            out.push_str(&text[copied..token.start]);
            out.push_str(&value);
            copied = token.end;
        }
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// Substitutes `{{name}}` tokens exactly as Postman does.
///
/// `lookup` gives the rendered value of a user variable; names starting with `$` that it does not
/// know fall back to [`dynamic_value`], evaluated afresh for each occurrence. Unknown names stay
/// literally `{{name}}`, and self-references such as `x = {{x}}` stop after [`MAX_PASSES`]. A text
/// that would grow past [`MAX_RESOLVED_LEN`] is an error naming the variable that overflowed it.
pub fn resolve(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ExpansionTooLong> {
    resolve_within(input, lookup, MAX_RESOLVED_LEN.max(input.len()))
}

/// [`resolve`] with the limit given.
fn resolve_within(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    limit: usize,
) -> Result<String, ExpansionTooLong> {
    // Most strings (header names, plain values) hold no token: no pass needed.
    if !input.contains("{{") {
        return Ok(input.to_owned());
    }
    let mut text = input.to_owned();
    for _ in 0..MAX_PASSES {
        let next = substitute_once(&text, lookup, limit)?;
        if next == text {
            break;
        }
        text = next;
    }
    Ok(text)
}

/// The names of the `{{tokens}}` a resolved string still contains (for --verbose warnings).
///
/// Each name appears once, in order of first occurrence; the empty token `{{}}` names nothing
/// and is skipped.
pub fn unresolved_names(resolved: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for token in tokens(resolved) {
        if !token.name.is_empty() && !names.iter().any(|n| n == token.name) {
            names.push(token.name.to_owned());
        }
    }
    names
}

/// Renders a variable value as Postman substitutes it.
///
/// Strings go in as they are, numbers as JavaScript prints them (`1.0` is `1`, `1e21` is `1e+21`),
/// booleans as `true`/`false`, objects as `[object Object]`, arrays as JavaScript's `join(",")`
/// (nested `null` elements become empty), and `null` as `null` (observed in Newman 6.2.2). Every
/// JSON value renders; the `Option` lets a lookup chain it with a scope miss
/// (`scope.get(k).and_then(render_value)`).
pub fn render_value(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".to_owned(),
        other => js_string(other),
    })
}

/// JavaScript's `String(value)` for a JSON value inside an array join or at top level.
fn js_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// JavaScript's `Number.prototype.toString()` for a finite number (ECMAScript's Number::toString).
fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if x < 0.0 {
        return format!("-{}", js_number(-x));
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, which is what ECMAScript asks for.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // ECMAScript's n: the value is 0.digits × 10^n.
    let n = exponent.parse::<i32>().unwrap_or(0) + 1;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(n as usize);
        format!("{whole}.{fraction}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", (n - 1).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Resolves `input` against a fixed table of string variables.
    fn with(vars: &[(&str, &str)], input: &str) -> String {
        resolve(input, &|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
    }

    /// A random text over the characters that matter to the resolver.
    fn random_text(rng: &mut rand::rngs::StdRng, longest: usize) -> String {
        use rand::Rng;
        const PIECES: [&str; 9] = ["{{", "}}", "{", "}", "a", "b", "$guid", " ", "é"];
        (0..rng.random_range(0..=longest))
            .map(|_| PIECES[rng.random_range(0..PIECES.len())])
            .collect()
    }

    #[test]
    fn random_templates_resolve_within_the_limit_or_name_a_variable() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_0004);
        const LIMIT: usize = 4096;
        for _ in 0..3000 {
            let table: Vec<(String, String)> = ["a", "b", "ab", "", " a"]
                .iter()
                .map(|k| (k.to_string(), random_text(&mut rng, 6)))
                .collect();
            let lookup = |name: &str| {
                table
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            let input = random_text(&mut rng, 20);
            match resolve_within(&input, &lookup, LIMIT) {
                Ok(text) => {
                    assert!(text.len() <= LIMIT, "{input:?} gave {} bytes", text.len());
                    if !input.contains("{{") {
                        assert_eq!(text, input, "a text without tokens is left alone");
                    }
                }
                Err(error) => {
                    assert_eq!(error.limit, LIMIT);
                    assert!(
                        lookup(&error.name).is_some() || error.name.starts_with('$'),
                        "{input:?}: `{}` is not a variable",
                        error.name
                    );
                }
            }
        }
    }

    #[test]
    fn nested_expansion_stops_at_the_limit_naming_the_variable() {
        let lookup = |name: &str| match name {
            "v0" => Some("x".repeat(10)),
            _ => {
                let n: usize = name.strip_prefix('v')?.parse().ok()?;
                Some(format!("{{{{v{}}}}}", n - 1).repeat(4))
            }
        };
        let error = resolve_within("a{{v19}}b", &lookup, 1000).unwrap_err();
        assert_eq!(error.limit, 1000);
        assert!(error.name.starts_with('v'), "{error:?}");
        assert!(error.to_string().contains("expands past"), "{error}");
        let small = resolve_within("{{v2}}", &lookup, 1000).unwrap();
        assert_eq!(small, "x".repeat(160), "below the limit nothing changes");
        assert_eq!(resolve_within("{{v2}}", &lookup, 160).unwrap().len(), 160);
        assert!(resolve_within("{{v2}}", &lookup, 159).is_err());
    }

    #[test]
    fn innermost_token_resolves_first() {
        assert_eq!(with(&[("b", "1"), ("a1", "OK")], "{{a{{b}}}}"), "OK");
    }

    #[test]
    fn names_are_not_trimmed() {
        assert_eq!(
            with(&[(" a ", "spaced"), ("a", "bare")], "{{ a }}"),
            "spaced"
        );
    }

    #[test]
    fn dashes_dots_slashes_and_spaces_are_legal_in_names() {
        let vars = [("a-b", "1"), ("c.d", "2"), ("e/f", "3"), ("g h", "4")];
        assert_eq!(with(&vars, "{{a-b}}{{c.d}}{{e/f}}{{g h}}"), "1234");
    }

    #[test]
    fn chain_longer_than_nineteen_passes_stops_at_v20() {
        let names: Vec<String> = (1..=25).map(|i| format!("v{i}")).collect();
        let values: Vec<String> = (2..=26).map(|i| format!("{{{{v{i}}}}}")).collect();
        let vars: Vec<(&str, &str)> = names
            .iter()
            .zip(&values)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(with(&vars, "{{v1}}"), "{{v20}}");
        assert_eq!(with(&vars, "{{v7}}"), "{{v26}}");
    }

    #[test]
    fn self_reference_stays_literal() {
        assert_eq!(with(&[("x", "{{x}}")], "a{{x}}b"), "a{{x}}b");
    }

    #[test]
    fn unresolved_names_stay_literal() {
        assert_eq!(with(&[("a", "1")], "{{a}}/{{missing}}"), "1/{{missing}}");
    }

    #[test]
    fn empty_name_stays_literal() {
        assert_eq!(with(&[("a", "1")], "x{{}}y"), "x{{}}y");
    }

    #[test]
    fn empty_name_is_still_looked_up_as_postman_does() {
        // postman-collection 4.4.0 substitutes a variable whose key is the empty string.
        assert_eq!(with(&[("", "blank")], "x{{}}y"), "xblanky");
    }

    #[test]
    fn missing_dollar_name_falls_back_to_dynamic_variable() {
        let guid = with(&[], "{{$guid}}");
        assert_eq!(guid.len(), 36);
        assert_eq!(with(&[], "{{$notDynamic}}"), "{{$notDynamic}}");
    }

    #[test]
    fn lookup_beats_dynamic_variable() {
        assert_eq!(with(&[("$guid", "mine")], "{{$guid}}"), "mine");
    }

    #[test]
    fn each_dynamic_occurrence_is_evaluated_separately() {
        let out = with(&[], "{{$guid}} {{$guid}}");
        let (first, second) = out.split_once(' ').unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn values_holding_tokens_resolve_recursively() {
        let vars = [("apiPath", "https://api.pingone.{{tld}}/v1"), ("tld", "eu")];
        assert_eq!(
            with(&vars, "{{apiPath}}/environments"),
            "https://api.pingone.eu/v1/environments"
        );
    }

    #[test]
    fn values_are_not_html_escaped() {
        assert_eq!(
            with(&[("q", "<a href=\"x\">&</a>")], "{{q}}"),
            "<a href=\"x\">&</a>"
        );
    }

    #[test]
    fn handlebars_like_text_is_untouched_except_real_tokens() {
        let body = r#"{"t": "{{#if ok}}yes{{/if}}", "raw": "{{{b}}}", "v": "{{b}}"}"#;
        let expected = r#"{"t": "{{#if ok}}yes{{/if}}", "raw": "{1}", "v": "1"}"#;
        assert_eq!(with(&[("b", "1")], body), expected);
    }

    #[test]
    fn multibyte_text_around_tokens_survives() {
        assert_eq!(with(&[("é", "ü")], "ß{{é}}€{"), "ßü€{");
    }

    #[test]
    fn unresolved_names_lists_each_remaining_token_once() {
        let names = unresolved_names("{{a}}/{{b}}/{{a}}/{{}}/{{{c}}}");
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn render_value_follows_javascript_string_conversion() {
        assert_eq!(render_value(&json!("text")).as_deref(), Some("text"));
        assert_eq!(render_value(&json!(true)).as_deref(), Some("true"));
        assert_eq!(render_value(&json!(42)).as_deref(), Some("42"));
        assert_eq!(
            render_value(&json!({"a": 1})).as_deref(),
            Some("[object Object]")
        );
        let array = json!([1, null, "a", [2, 3], {"b": 1}]);
        assert_eq!(
            render_value(&array).as_deref(),
            Some("1,,a,2,3,[object Object]")
        );
    }

    #[test]
    fn null_renders_as_the_text_null() {
        assert_eq!(render_value(&Value::Null).as_deref(), Some("null"));
    }

    #[test]
    fn numbers_render_like_javascript() {
        let cases = [
            (1.0, "1"),
            (0.1, "0.1"),
            (-0.0, "0"),
            (-2.5, "-2.5"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1e-7, "1e-7"),
            (1.23e-18, "1.23e-18"),
            (0.000001, "0.000001"),
            (2.5e-6, "0.0000025"),
            (12345678901234567890.0, "12345678901234567000"),
        ];
        for (x, expected) in cases {
            assert_eq!(js_number(x), expected, "{x}");
        }
    }
}
