//! The npm libraries scripts can `require` (see `LIBRARIES.md`): bundled by `js/build.mjs` into the
//! committed `bundled/` directory, embedded in the binary, compiled to QuickJS bytecode the first
//! time any realm in the process needs one, and loaded from that bytecode afterwards. Nothing is
//! parsed until a script asks.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rquickjs::loader::bundle::Bundle;
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Ctx, Error, Function, Module, Object, Promise};

macro_rules! bundled {
    ($($name:literal => $file:literal),* $(,)?) => {
        /// Library name -> bundled CommonJS source.
        const SOURCES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("bundled/", $file)))),*
        ];
    };
}

bundled! {
    "lodash" => "lodash.js",
    "lodash3" => "lodash3.js",
    "backbone" => "backbone.js",
    "sugar" => "sugar.js",
    "chai" => "chai.js",
    "moment" => "moment.js",
    "crypto-js" => "crypto-js.js",
    "ajv" => "ajv.js",
    "tv4" => "tv4.js",
    "xml2js" => "xml2js.js",
    "cheerio" => "cheerio.js",
    "csv-parse/lib/sync" => "csv-parse_lib_sync.js",
    "postman-collection" => "postman-collection.js",
    "assert" => "assert.js",
    "buffer" => "buffer.js",
    "events" => "events.js",
    "path" => "path.js",
    "punycode" => "punycode.js",
    "querystring" => "querystring.js",
    "string_decoder" => "string_decoder.js",
    "url" => "url.js",
    "util" => "util.js",
}

/// The licence texts of every embedded JavaScript package, for `baton licenses`.
pub fn third_party_licenses() -> &'static str {
    include_str!("bundled/THIRD_PARTY_LICENSES.txt")
}

/// What Sugar adds to the built-ins, as `{"String.prototype": ["has", ...], ...}` (see `build.mjs`).
pub const SUGAR_NAMES: &str = include_str!("bundled/sugar-names.json");

/// Whether `name` is one of the embedded libraries.
pub fn is_bundled(name: &str) -> bool {
    SOURCES.iter().any(|(n, _)| *n == name)
}

const PREFIX: &str = "baton:";

/// Bytecode of the libraries compiled so far in this process, shared by every realm. Entries are
/// leaked on purpose: at most one per library for the life of the process.
type Cache = Mutex<HashMap<&'static str, &'static [(&'static str, &'static [u8])]>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Loads library `name` into the realm and returns its CommonJS factory
/// `function (module, exports, require, process, global)`.
pub fn factory<'js>(ctx: &Ctx<'js>, name: &str) -> rquickjs::Result<Function<'js>> {
    if !is_bundled(name) {
        return Err(Error::new_loading(name));
    }
    let promise: Promise<'js> = Module::import(ctx, format!("{PREFIX}{name}"))?;
    let namespace: Object<'js> = promise.finish()?;
    namespace.get("default")
}

/// Resolves and loads `baton:<library>` modules: from cached bytecode when another realm already
/// compiled it, else by compiling the embedded source (and caching the bytecode).
pub struct LibraryLoader;

impl Resolver for LibraryLoader {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        match name.strip_prefix(PREFIX) {
            Some(lib) if is_bundled(lib) => Ok(name.to_string()),
            _ => Err(Error::new_resolving(base, name)),
        }
    }
}

impl Loader for LibraryLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let lib = name.strip_prefix(PREFIX).unwrap_or(name);
        let cached = cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(lib)
            .copied();
        if let Some(compiled) = cached {
            return Bundle(compiled).load(ctx, name, attributes);
        }
        let (lib, source) = SOURCES
            .iter()
            .find(|(n, _)| *n == lib)
            .ok_or_else(|| Error::new_loading(name))?;
        // The whole bundle sits on the wrapper's first line so error positions stay readable.
        let wrapped = format!(
            "export default function (module, exports, require, process, global) {{{source}\n}}"
        );
        let module = Module::declare(ctx.clone(), name, wrapped)?;
        let bytes = module.write(WriteOptions::default())?;
        let entry: &'static [(&'static str, &'static [u8])] = Box::leak(Box::new([(
            Box::leak(name.to_string().into_boxed_str()) as &'static str,
            Box::leak(bytes.into_boxed_slice()) as &'static [u8],
        )]));
        cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(lib, entry);
        Ok(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGENERATE: &str =
        "npm --prefix crates/baton/js ci --ignore-scripts && node crates/baton/js/build.mjs";

    #[test]
    fn the_committed_bundles_match_the_pinned_versions() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../../js/package.json")).unwrap();
        let licenses = third_party_licenses();
        for (name, version) in manifest["dependencies"].as_object().unwrap() {
            let heading = format!("==== {name} {} (", version.as_str().unwrap());
            assert!(
                licenses.contains(&heading),
                "{name} {version} is not in the committed bundles; regenerate them: {REGENERATE}"
            );
        }
    }

    #[test]
    fn every_bundle_says_it_is_generated() {
        for (name, source) in SOURCES {
            assert!(
                source.starts_with("/* Generated by crates/baton/js/build.mjs"),
                "{name}"
            );
        }
        let names: serde_json::Value = serde_json::from_str(SUGAR_NAMES).unwrap();
        assert!(names["String.prototype"].as_array().unwrap().len() > 50);
    }
}
