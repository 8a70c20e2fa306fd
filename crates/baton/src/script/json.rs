//! JSON text read straight into JavaScript values, for `pm.response.json()`: one pass of
//! serde_json's reader that makes each value as it goes, where QuickJS's `JSON.parse` spends
//! more on tokens, numbers and strings (measured in `benches/script_cost.sh`).
//!
//! It gives what `JSON.parse` gives or nothing: any text it does not read exactly as
//! `JSON.parse` would (a syntax error, a lone surrogate in an escape, a number past the range of
//! a double, nesting deeper than serde_json's limit) returns `None`, and the caller asks
//! `JSON.parse` instead, for its value or its error.

use std::borrow::Cow;
use std::fmt;

use rquickjs::object::Property;
use rquickjs::{Array, Ctx, Object, Value};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The value of JSON `text`, as `JSON.parse(text)` makes it, or `None` to leave it to
/// `JSON.parse`.
pub fn parse<'js>(ctx: &Ctx<'js>, text: &str) -> Option<Value<'js>> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = JsValue(ctx).deserialize(&mut reader);
    match value.and_then(|value| reader.end().map(|()| value)) {
        Ok(value) => Some(value),
        Err(_) => {
            // A failure to make a value (QuickJS out of memory) left its exception pending;
            // `JSON.parse` meets the same failure and reports it.
            let _ = ctx.catch();
            None
        }
    }
}

/// Reads one JSON value into a JavaScript value of `ctx`.
#[derive(Clone, Copy)]
struct JsValue<'a, 'js>(&'a Ctx<'js>);

/// A member's name, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
}

/// A JavaScript failure met while making a value, carried through serde_json as its error.
fn failed<E: serde::de::Error>(error: rquickjs::Error) -> E {
    E::custom(error)
}

impl<'de, 'js> DeserializeSeed<'de> for JsValue<'_, 'js> {
    type Value = Value<'js>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value<'js>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'js> Visitor<'de> for JsValue<'_, 'js> {
    type Value = Value<'js>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value<'js>, E> {
        Ok(Value::new_null(self.0.clone()))
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Value<'js>, E> {
        Ok(Value::new_bool(self.0.clone(), b))
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Value<'js>, E> {
        Ok(match i32::try_from(n) {
            Ok(n) => Value::new_int(self.0.clone(), n),
            // The double nearest the integer, as JSON.parse reads its digits.
            Err(_) => Value::new_float(self.0.clone(), n as f64),
        })
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Value<'js>, E> {
        Ok(match i32::try_from(n) {
            Ok(n) => Value::new_int(self.0.clone(), n),
            Err(_) => Value::new_float(self.0.clone(), n as f64),
        })
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Value<'js>, E> {
        // serde_json reads `-0` as a float, so its sign is kept as JSON.parse keeps it.
        Ok(Value::new_float(self.0.clone(), n))
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value<'js>, E> {
        rquickjs::String::from_str(self.0.clone(), s)
            .map(rquickjs::String::into_value)
            .map_err(failed)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value<'js>, A::Error> {
        let array = Array::new(self.0.clone()).map_err(failed)?;
        let mut index = 0;
        while let Some(item) = items.next_element_seed(self)? {
            array.set(index, item).map_err(failed)?;
            index += 1;
        }
        Ok(array.into_value())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value<'js>, A::Error> {
        let object = Object::new(self.0.clone()).map_err(failed)?;
        while let Some(key) = members.next_key_seed(Key)? {
            let value = members.next_value_seed(self)?;
            // Defined, not assigned: a `__proto__` member is an own property, as in JSON.parse,
            // and a repeated name keeps its first place with the last value.
            object
                .prop(
                    key.as_ref(),
                    Property::from(value).writable().enumerable().configurable(),
                )
                .map_err(failed)?;
        }
        Ok(object.into_value())
    }
}
