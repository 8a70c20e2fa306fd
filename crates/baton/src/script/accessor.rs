//! Accessor properties whose getter and setter functions exist already, defined by the engine
//! directly. rquickjs's own `Accessor` makes new functions for every property it defines, and
//! `Object.defineProperty` called from Rust takes a descriptor object and a trip through the
//! interpreter; every response's `headers` and each of Sugar's 443 stubs are defined this way
//! instead.

use rquickjs::object::{AsProperty, PropertyFlags};
use rquickjs::{Ctx, Function, Value, qjs};

/// A configurable accessor property with the given getter and setter.
pub(super) struct SharedAccessor<'js> {
    /// Called to read the property.
    pub get: Function<'js>,
    /// Called with the value to write the property.
    pub set: Function<'js>,
    /// Whether loops over the object (`for...in`, `Object.keys`) see the property.
    pub enumerable: bool,
}

impl<'js> AsProperty<'js, ()> for SharedAccessor<'js> {
    fn config(
        self,
        ctx: &Ctx<'js>,
    ) -> rquickjs::Result<(PropertyFlags, Value<'js>, Value<'js>, Value<'js>)> {
        let mut flags = qjs::JS_PROP_HAS_GET
            | qjs::JS_PROP_HAS_SET
            | qjs::JS_PROP_HAS_CONFIGURABLE
            | qjs::JS_PROP_CONFIGURABLE
            | qjs::JS_PROP_HAS_ENUMERABLE;
        if self.enumerable {
            flags |= qjs::JS_PROP_ENUMERABLE;
        }
        Ok((
            flags as PropertyFlags,
            Value::new_undefined(ctx.clone()),
            self.get.into_value(),
            self.set.into_value(),
        ))
    }
}
