//! Typed variables: a variable whose `type` is `string`, `number` or `boolean` holds its value
//! converted to that type, as postman-collection's `Variable` converts every value it is given
//! (`String(value)`, `Number(value)`, `Boolean(value)`), when it is loaded and whenever a script
//! sets it. Other types (`default`, `secret`, `text`, `any`, ...) keep values as they are.
//! `array` and `object` are left as they are too: no collection seen so far uses them.

use serde_json::{Number, Value};

use super::resolve::render_value;

/// `value` (`None`: JavaScript's `undefined`) as a variable of type `kind` holds it; `None` when it
/// stays `undefined`.
pub fn cast_in(kind: Option<&str>, value: Option<Value>) -> Option<Value> {
    let kind = kind.map(str::to_ascii_lowercase);
    match kind.as_deref() {
        Some("string") => Some(Value::String(match &value {
            Some(value) => render_value(value).unwrap_or_default(),
            None => "undefined".to_string(),
        })),
        Some("boolean") => Some(Value::Bool(value.as_ref().is_some_and(truthy))),
        Some("number") => Some(number_value(value.as_ref().map_or(f64::NAN, to_number))),
        _ => value,
    }
}

/// JavaScript's `Boolean(value)`.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0 && !x.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// JavaScript's `Number(value)`.
fn to_number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(_) => string_to_number(&render_value(value).unwrap_or_default()),
        Value::Object(_) => f64::NAN,
    }
}

/// JavaScript's conversion of a string to a number: blank is 0; decimal with an optional sign and
/// exponent, `Infinity`, or `0x`/`0o`/`0b` integers; anything else is `NaN`.
fn string_to_number(text: &str) -> f64 {
    let text = text.trim();
    if text.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        let digits = text
            .strip_prefix(prefix)
            .or_else(|| text.strip_prefix(&prefix.to_ascii_uppercase()));
        if let Some(digits) = digits {
            return match u128::from_str_radix(digits, radix) {
                Ok(n) if !digits.starts_with('+') => n as f64,
                _ => f64::NAN,
            };
        }
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned == "Infinity" && text.len() - unsigned.len() <= 1 {
        return if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    // Rust reads a few spellings JavaScript does not (`inf`, `nan`, `infinity`).
    let plain = unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || ".eE+-".contains(c));
    match plain && unsigned.chars().any(|c| c.is_ascii_digit()) {
        true => text.parse().unwrap_or(f64::NAN),
        false => f64::NAN,
    }
}

/// A number as JSON: whole numbers as integers (`5`, not `5.0`); `NaN` and the infinities, which
/// JSON cannot hold, as `null` (what `JSON.stringify` writes for them).
fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        return Value::Number(Number::from(x as i64));
    }
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cast(kind: &str, value: Value) -> Option<Value> {
        cast_in(Some(kind), Some(value))
    }

    #[test]
    fn string_variables_hold_javascripts_string_of_the_value() {
        assert_eq!(cast("string", json!(123)), Some(json!("123")));
        assert_eq!(cast("String", json!(1.5)), Some(json!("1.5")));
        assert_eq!(cast("string", json!(true)), Some(json!("true")));
        assert_eq!(cast("string", json!(null)), Some(json!("null")));
        assert_eq!(cast("string", json!([1, "a"])), Some(json!("1,a")));
        assert_eq!(
            cast("string", json!({"a": 1})),
            Some(json!("[object Object]"))
        );
        assert_eq!(cast_in(Some("string"), None), Some(json!("undefined")));
    }

    #[test]
    fn number_and_boolean_variables_convert_as_javascript_does() {
        assert_eq!(cast("number", json!("42")), Some(json!(42)));
        assert_eq!(cast("number", json!(" 1e3 ")), Some(json!(1000)));
        assert_eq!(cast("number", json!("0x1A")), Some(json!(26)));
        assert_eq!(cast("number", json!("")), Some(json!(0)));
        assert_eq!(cast("number", json!("2.5")), Some(json!(2.5)));
        assert_eq!(cast("number", json!("abc")), Some(Value::Null));
        assert_eq!(cast("number", json!("inf")), Some(Value::Null));
        assert_eq!(cast("number", json!(true)), Some(json!(1)));
        assert_eq!(cast("boolean", json!("false")), Some(json!(true)));
        assert_eq!(cast("boolean", json!("")), Some(json!(false)));
        assert_eq!(cast("boolean", json!(0)), Some(json!(false)));
        assert_eq!(cast_in(Some("boolean"), None), Some(json!(false)));
    }

    #[test]
    fn other_types_keep_the_value() {
        for kind in ["default", "secret", "text", "any", "array", "object"] {
            assert_eq!(cast(kind, json!(5)), Some(json!(5)), "{kind}");
        }
        assert_eq!(cast_in(None, Some(json!(5))), Some(json!(5)));
        assert_eq!(cast_in(Some("default"), None), None);
    }
}
