// Bundles the sandbox's npm libraries for QuickJS: one CommonJS bundle per library, with Node's
// built-in modules left as `require()` calls that the sandbox's own `require` answers at run time
// (so `buffer` or `events` is shared, not duplicated per library). Also gathers the licence texts of
// every bundled package. Run by build.rs: `node build.mjs <out-dir>`.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: node build.mjs <out-dir>');
mkdirSync(out, { recursive: true });

// sandbox module name -> what the bundle's entry requires
const libraries = {
  lodash: 'lodash/lodash.js',
  lodash3: 'lodash3',
  backbone: 'backbone',
  sugar: 'sugar',
  chai: 'chai',
  moment: 'moment',
  'crypto-js': 'crypto-js',
  ajv: 'ajv',
  tv4: 'tv4',
  xml2js: 'xml2js',
  cheerio: 'cheerio',
  'csv-parse/lib/sync': 'csv-parse/lib/sync',
  'postman-collection': 'postman-collection',
  assert: 'assert/',
  buffer: 'buffer/',
  events: 'events/',
  path: 'path-browserify',
  punycode: 'punycode/',
  querystring: 'querystring-es3',
  string_decoder: 'string_decoder/',
  url: 'url/',
  util: 'util/',
};
const builtins = ['assert', 'buffer', 'events', 'path', 'punycode', 'querystring', 'stream',
  'string_decoder', 'timers', 'url', 'util', 'crypto', 'fs', 'jquery'];

// postman-collection makes ids with the uuid package, which asks the browser's `crypto` for
// random bytes; the sandbox has no such global, so the bundle gets a module-local one.
const banners = {
  'postman-collection': 'var crypto = { getRandomValues: function (a) { for (var i = 0; i < a.length; i++) { a[i] = Math.floor(Math.random() * 256); } return a; } };',
};

for (const [name, entry] of Object.entries(libraries)) {
  const result = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(entry)});`, resolveDir: here },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'es2020',
    external: builtins.filter((b) => b !== name),
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'error',
    banner: { js: banners[name] || '' },
  });
  const file = name.replace(/\//g, '_') + '.js';
  writeFileSync(join(out, file), result.outputFiles[0].text);
}

// The names Sugar adds to the built-in objects, so the sandbox can load Sugar the first time a
// script touches one of them (`'text'.has('x')`) instead of patching every realm up front.
{
  const targets = { Object, Array, String, Number, Date, Function, RegExp, Boolean };
  const snapshot = () => Object.fromEntries(Object.entries(targets).flatMap(([name, ctor]) => [
    [name, new Set(Object.getOwnPropertyNames(ctor))],
    [name + '.prototype', new Set(Object.getOwnPropertyNames(ctor.prototype))],
  ]));
  const before = snapshot();
  const require = (await import('node:module')).createRequire(import.meta.url);
  require('sugar');
  const after = snapshot();
  const added = {};
  for (const key of Object.keys(after)) {
    added[key] = [...after[key]].filter((n) => !before[key].has(n)).sort();
  }
  writeFileSync(join(out, 'sugar-names.json'), JSON.stringify(added));
}

// Licence texts of every installed runtime package (esbuild is a build tool and is not shipped).
const modules = join(here, 'node_modules');
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
let licenses = 'Third-party JavaScript libraries embedded in Baton\'s script sandbox\n';
for (const [path, meta] of Object.entries(lock.packages).sort()) {
  if (!path || meta.dev || meta.optional) continue;
  const dir = join(here, path);
  if (!existsSync(dir)) continue;
  const names = readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f));
  licenses += `\n==== ${path.replace(/^node_modules\//, '')} ${meta.version} (${meta.license || 'see text'}) ====\n`;
  licenses += names.length ? readFileSync(join(dir, names[0]), 'utf8').trim() + '\n'
    : `(no licence file shipped; package.json declares ${meta.license})\n`;
}
writeFileSync(join(out, 'THIRD_PARTY_LICENSES.txt'), licenses);
void modules;
