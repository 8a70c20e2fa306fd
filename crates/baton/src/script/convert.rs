//! Moving values between `serde_json` and JavaScript: scalars directly, objects and arrays through
//! QuickJS's own JSON parser and serializer (faster than walking properties one by one).

use rquickjs::{Ctx, Value};
use serde_json::Value as Json;

/// A JSON value as a JavaScript value.
pub fn to_js<'js>(ctx: &Ctx<'js>, value: &Json) -> rquickjs::Result<Value<'js>> {
    Ok(match value {
        Json::Null => Value::new_null(ctx.clone()),
        Json::Bool(b) => Value::new_bool(ctx.clone(), *b),
        Json::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Value::new_int(ctx.clone(), i),
            None => Value::new_float(ctx.clone(), n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
        other => ctx.json_parse(serde_json::to_string(other).unwrap_or_default())?,
    })
}

/// A JavaScript value as JSON, as `JSON.stringify` sees it; `undefined` and functions become null.
pub fn from_js<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> rquickjs::Result<Json> {
    if let Some(b) = value.as_bool() {
        return Ok(Json::Bool(b));
    }
    if let Some(i) = value.as_int() {
        return Ok(Json::from(i));
    }
    if let Some(f) = value.as_float() {
        return Ok(number(f));
    }
    if let Some(s) = value.as_string() {
        return Ok(Json::String(s.to_string()?));
    }
    if value.is_null() || value.is_undefined() || value.is_function() {
        return Ok(Json::Null);
    }
    let Some(text) = ctx.json_stringify(value)? else {
        return Ok(Json::Null);
    };
    // Whatever JSON.stringify wrote parses, except past serde_json's nesting limit: a value
    // nested that deep is refused aloud rather than kept as null.
    serde_json::from_str(&text.to_string()?).map_err(|_| {
        rquickjs::Exception::throw_range(
            ctx,
            "the value is nested deeper than 128 levels, more than Baton keeps",
        )
    })
}

/// Integral floats stay integers (`5`, not `5.0`), as JSON written by Node shows them.
fn number(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}
