//! Sugar.js's names on the built-ins (`'text'.has('x')`, `[1, 2].sum()`), which Postman's sandbox
//! always has. Loading Sugar itself costs more than making the realm, and few scripts touch it,
//! so each name it adds starts as a stub: an accessor that, when first read or written, has the
//! prelude load Sugar (which takes every stub away first) and then reads or writes the name again.
//!
//! The stubs are made here rather than in the prelude because a realm makes about 450 of them as
//! it starts, and in QuickJS's interpreter that loop was more than a quarter of making the realm
//! and chai. One function stands in for every stub of one name, as both its getter (called with
//! no argument) and its setter (called with one).

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use rquickjs::function::{Rest, This};
use rquickjs::object::Filter;
use rquickjs::{Ctx, Function, Object, Persistent, Value};

use super::accessor::SharedAccessor;
use super::host::SharedHost;
use super::libraries::SUGAR_NAMES;

/// What Sugar adds, as (`"String.prototype"`, its names), read once per process.
static NAMES: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    // The file is committed with the bundles; a test below checks what is read from it.
    serde_json::from_str::<BTreeMap<String, Vec<String>>>(SUGAR_NAMES)
        .unwrap_or_default()
        .into_iter()
        .collect()
});

/// The stubs a realm made, kept so that loading Sugar can take them away, and the prelude's
/// function the stubs call. Held in the realm's host and let go before its runtime.
pub struct Stubs {
    /// The prelude's `function (name[, value])`: loads Sugar (through [`unstub`]), then reads
    /// `this[name]` or, given a value, defines it on `this`.
    access: Persistent<Function<'static>>,
    /// Each object given stubs, with the names stubbed on it; emptied once Sugar loads.
    targets: Vec<(Persistent<Object<'static>>, Vec<&'static str>)>,
}

/// Gives the built-ins a stub for each name Sugar adds that they do not have, each calling
/// `access` when touched.
pub fn stub<'js>(ctx: &Ctx<'js>, host: &SharedHost, access: Function<'js>) -> rquickjs::Result<()> {
    let global = ctx.globals();
    let mut stubs: foldhash::HashMap<&'static str, Function<'js>> = Default::default();
    let mut targets = Vec::new();
    for (path, names) in NAMES.iter() {
        let Some(target) = target(&global, path)? else {
            continue;
        };
        let own = own_names(&target)?;
        let mut stubbed = Vec::new();
        for name in names.iter().filter(|name| !own.contains(*name)) {
            let stub = match stubs.get(name.as_str()) {
                Some(stub) => stub.clone(),
                None => {
                    let stub = stub_for(ctx, host, name)?;
                    stubs.insert(name, stub.clone());
                    stub
                }
            };
            // Configurable, so that Sugar can take it away; not enumerable, like the built-ins'
            // own methods.
            let accessor = SharedAccessor {
                get: stub.clone(),
                set: stub,
                enumerable: false,
            };
            target.prop(name.as_str(), accessor)?;
            stubbed.push(name.as_str());
        }
        targets.push((Persistent::save(ctx, target), stubbed));
    }
    host.borrow_mut().sugar = Some(Stubs {
        access: Persistent::save(ctx, access),
        targets,
    });
    Ok(())
}

/// Takes every stub away, so that Sugar can define the names itself; nothing once done.
pub fn unstub(ctx: &Ctx<'_>, host: &SharedHost) -> rquickjs::Result<()> {
    let targets = match host.borrow_mut().sugar.as_mut() {
        Some(stubs) => std::mem::take(&mut stubs.targets),
        None => return Ok(()),
    };
    for (target, names) in targets {
        let target = target.restore(ctx)?;
        for name in names {
            target.remove(name)?;
        }
    }
    Ok(())
}

/// The names of `object`'s own string-keyed properties, enumerable or not.
fn own_names(object: &Object<'_>) -> rquickjs::Result<HashSet<String>> {
    object.own_keys::<String>(Filter::new().string()).collect()
}

/// The object at `path` (`"Date"` or `"Date.prototype"`), if the global has it.
fn target<'js>(global: &Object<'js>, path: &str) -> rquickjs::Result<Option<Object<'js>>> {
    let (name, prototype) = match path.split_once('.') {
        Some((name, _)) => (name, true),
        None => (path, false),
    };
    let Some(object) = global.get::<_, Option<Object>>(name)? else {
        return Ok(None);
    };
    match prototype {
        true => object.get("prototype"),
        false => Ok(Some(object)),
    }
}

/// The stub of `name`: passes its receiver, the name and its argument, if any, to the prelude's
/// access function.
fn stub_for<'js>(
    ctx: &Ctx<'js>,
    host: &SharedHost,
    name: &'static str,
) -> rquickjs::Result<Function<'js>> {
    let host = host.clone();
    Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, this: This<Value<'js>>, value: Rest<Value<'js>>| {
            let access = host.borrow().sugar.as_ref().map(|s| s.access.clone());
            match access {
                Some(access) => access.restore(&ctx)?.call::<_, Value>((this, name, value)),
                // The realm is being let go.
                None => Ok(Value::new_undefined(ctx)),
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_read_for_every_built_in_sugar_extends() {
        let count = |path: &str| {
            NAMES
                .iter()
                .find(|(p, _)| p == path)
                .map_or(0, |(_, names)| names.len())
        };
        assert_eq!(
            NAMES.iter().map(|(_, names)| names.len()).sum::<usize>(),
            443
        );
        assert_eq!(count("String.prototype"), 74);
        assert_eq!(count("Date.prototype"), 111);
    }
}
