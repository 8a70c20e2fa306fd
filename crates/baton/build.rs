//! Compiles the sandbox's JavaScript to QuickJS bytecode at build time, so a run loads bytecode
//! instead of parsing source: the pm API (`src/script/js/`) and the bundled npm libraries
//! (`src/script/bundled/`, committed, see `js/build.mjs`). The compiler is rquickjs itself, as a
//! build dependency of the same version as the runtime's (one lockfile entry), so the bytecode
//! format always matches the engine that reads it; only Rust is needed to build.
//!
//! Each file becomes an ES module whose default export is a function: the pm API files are one
//! function expression each, and a library's CommonJS bundle is wrapped in
//! `function (module, exports, require, process, global)`. The wrappers add nothing before the
//! first line break, so line numbers in errors and stacks are the files' own. Debug information
//! (file names and line numbers) is kept, so stacks read as when the engine compiles source; the
//! source text is not. QuickJS keeps every function's own text for `Function.prototype.toString`,
//! nested functions again inside their parents', which made chai's bytecode 472 KB instead of
//! 90 KB; loading it made the first scripted request touch 160 more pages of memory and run
//! 2 million more instructions. Such a function now prints as QuickJS prints a native one. The
//! output is deterministic: the same sources give the same bytes.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rquickjs::module::{WriteOptions, WriteOptionsEndianness};
use rquickjs::{Context, Module, Runtime};

/// Library name (what scripts `require`) -> file in `src/script/bundled/`.
const LIBRARIES: &[(&str, &str)] = &[
    ("lodash", "lodash.js"),
    ("lodash3", "lodash3.js"),
    ("backbone", "backbone.js"),
    ("sugar", "sugar.js"),
    ("chai", "chai.js"),
    ("moment", "moment.js"),
    ("crypto-js", "crypto-js.js"),
    ("ajv", "ajv.js"),
    ("tv4", "tv4.js"),
    ("xml2js", "xml2js.js"),
    ("cheerio", "cheerio.js"),
    ("csv-parse/lib/sync", "csv-parse_lib_sync.js"),
    ("postman-collection", "postman-collection.js"),
    ("assert", "assert.js"),
    ("buffer", "buffer.js"),
    ("events", "events.js"),
    ("path", "path.js"),
    ("punycode", "punycode.js"),
    ("querystring", "querystring.js"),
    ("string_decoder", "string_decoder.js"),
    ("url", "url.js"),
    ("util", "util.js"),
];

/// The pm API's files in `src/script/js/`.
const API: &[&str] = &["prelude.js", "sdk.js", "chai_fast.js", "assertions.js"];

/// What every module name starts with (`baton:chai`, `baton:prelude.js`).
const PREFIX: &str = "baton:";

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/script/js");
    println!("cargo:rerun-if-changed=src/script/bundled");
    // Written for the target's byte order, which a cross build may not share with this host.
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN")? == "big";

    let runtime = Runtime::new()?;
    let context = Context::full(&runtime)?;
    let mut table = String::from(
        "/// Module name -> bytecode: the pm API (`baton:prelude.js`, ...) and the libraries \
         (`baton:chai`, ...).\nconst BYTECODE: &[(&str, &[u8])] = &[\n",
    );
    let mut compile = |name: String, source: String| -> Result<(), Box<dyn Error>> {
        let bytes = context.with(|ctx| {
            let module = Module::declare(ctx.clone(), name.as_str(), source)
                .map_err(|e| describe(&ctx, e))?;
            module
                .write(WriteOptions {
                    endianness: if big_endian {
                        WriteOptionsEndianness::Big
                    } else {
                        WriteOptionsEndianness::Little
                    },
                    // See the module's documentation.
                    strip_source: true,
                    ..WriteOptions::default()
                })
                .map_err(|e| describe(&ctx, e))
        })?;
        let file = out.join(format!("{}.qjsbc", name.replace([':', '/'], "_")));
        std::fs::write(&file, bytes)?;
        writeln!(table, "    ({name:?}, include_bytes!({file:?})),")?;
        Ok(())
    };
    for file in API {
        let source = read(&manifest.join("src/script/js").join(file))?;
        compile(
            format!("{PREFIX}{file}"),
            format!("export default {source}"),
        )?;
    }
    for (name, file) in LIBRARIES {
        let source = read(&manifest.join("src/script/bundled").join(file))?;
        compile(
            format!("{PREFIX}{name}"),
            format!(
                "export default function (module, exports, require, process, global) {{{source}\n}}"
            ),
        )?;
    }
    table.push_str("];\n");
    std::fs::write(out.join("bytecode.rs"), table)?;
    Ok(())
}

fn read(path: &Path) -> Result<String, Box<dyn Error>> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// A compile error with QuickJS's message and position, not only "exception".
fn describe(ctx: &rquickjs::Ctx<'_>, error: rquickjs::Error) -> Box<dyn Error> {
    if let rquickjs::Error::Exception = error {
        let value = ctx.catch();
        if let Some(exception) = value.as_exception() {
            return format!(
                "{} {}",
                exception.message().unwrap_or_default(),
                exception.stack().unwrap_or_default()
            )
            .into();
        }
        return format!("{value:?}").into();
    }
    error.into()
}
