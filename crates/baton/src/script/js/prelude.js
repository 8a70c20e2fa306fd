// The sandbox's global environment, built once per realm: `pm`, the legacy globals, `console`,
// timers, `require` and the library globals. Every job refreshes only the small per-job state
// behind these objects (`beginJob`); the data itself stays in Rust and is reached through `host`.
// Returns the control object the engine drives (begin/end job and script, timers, deliveries).
(function (host, sdkFactory, chaiFastFactory, assertionsFactory, WRAP, SCOPES) {
    'use strict';

    var global = globalThis;
    // Asked by each script's wrapper when the script threw null or undefined: true when there is
    // room for a small buffer (the script's own throw), false when QuickJS ran out of memory.
    Object.defineProperty(global, '__batonThrewNothing', {
        value: function () {
            try { return new ArrayBuffer(1 << 20).byteLength > 0; } catch (e) { return false; }
        },
        enumerable: false, writable: false, configurable: false
    });
    var sdk = sdkFactory(host.parseJson);
    // Objects kept for the run only so that QuickJS keeps their shapes (see `shapeKeepers` in
    // sdk.js): objects built the same way then cost less to make.
    var baton = { shapes: [sdk.shapes] };
    var hasOwn = Object.prototype.hasOwnProperty;
    // The current job's and script's state, reset when a job or script begins, so that nothing
    // one job or script cached reaches the next. Closure variables, not an object's properties:
    // QuickJS sets a closure variable without looking a name up, and every script sets them.
    var jobEvent, jobIteration, jobRequestName, jobRequestId;
    var jobRequest, jobRequestSnapshot, jobResponse, jobCookies, jobLegacyRequest, jobLocation;
    var scriptFile = '', scriptCurrent = '', scriptTests, scriptError, scriptOverrides, scriptSkipped = false;
    var callbacks = new Map();

    function define(target, name, get, set) {
        Object.defineProperty(target, name, {
            get: get,
            set: set || function (value) {
                Object.defineProperty(target, name, { value: value, writable: true, configurable: true, enumerable: false });
            },
            configurable: true,
            enumerable: false
        });
    }

    function reportError(error) {
        if (scriptError === undefined) { scriptError = error === undefined ? new Error('undefined') : error; }
    }

    // ---- console -----------------------------------------------------------------------------
    var IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

    function quote(s) {
        return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n') + "'";
    }

    function inspect(value, depth, seen, indent) {
        switch (typeof value) {
            case 'string': return quote(value);
            case 'number': return Object.is(value, -0) ? '-0' : String(value);
            case 'bigint': return value + 'n';
            case 'undefined': return 'undefined';
            case 'boolean': return String(value);
            case 'symbol': return value.toString();
            case 'function': {
                var source = Function.prototype.toString.call(value);
                if (/^class[\s{]/.test(source)) { return '[class ' + (value.name || '(anonymous)') + ']'; }
                return '[Function' + (value.name ? ': ' + value.name : ' (anonymous)') + ']';
            }
        }
        if (value === null) { return 'null'; }
        if (value instanceof Error) {
            // Newman shows errors as the plain objects its sandbox serialises them to.
            return inspect({ type: value.constructor && value.constructor.name || 'Error', name: value.name, message: value.message }, depth, seen, indent);
        }
        if (value instanceof Date) { return isNaN(value) ? 'Invalid Date' : value.toISOString(); }
        if (value instanceof RegExp) { return String(value); }
        if (seen.indexOf(value) >= 0) { return '[Circular *1]'; }
        var isArray = Array.isArray(value);
        if (depth > 2) { return isArray ? '[Array]' : '[Object]'; }
        seen.push(value);
        var entries = [], braces, prefix = '';
        try {
            if (isArray) {
                braces = ['[', ']'];
                var shown = Math.min(value.length, 100);
                for (var i = 0; i < shown; i++) {
                    entries.push(i in value ? inspect(value[i], depth + 1, seen, indent + 2) : '<1 empty item>');
                }
                if (value.length > shown) { entries.push('... ' + (value.length - shown) + ' more items'); }
            }
            else if (value instanceof Map) {
                braces = ['{', '}']; prefix = 'Map(' + value.size + ') ';
                value.forEach(function (v, k) {
                    entries.push(inspect(k, depth + 1, seen, indent + 2) + ' => ' + inspect(v, depth + 1, seen, indent + 2));
                });
            }
            else if (value instanceof Set) {
                braces = ['{', '}']; prefix = 'Set(' + value.size + ') ';
                value.forEach(function (v) { entries.push(inspect(v, depth + 1, seen, indent + 2)); });
            }
            else {
                braces = ['{', '}'];
                var proto = Object.getPrototypeOf(value);
                if (proto === null) { prefix = '[Object: null prototype] '; }
                else if (proto !== Object.prototype && proto.constructor && proto.constructor.name && proto.constructor.name !== 'Object') {
                    prefix = proto.constructor.name + ' ';
                }
                Object.keys(value).forEach(function (key) {
                    var shownKey = IDENTIFIER.test(key) ? key : quote(key);
                    var item;
                    try { item = inspect(value[key], depth + 1, seen, indent + 2); }
                    catch (e) { item = '[Getter]'; }
                    entries.push(shownKey + ': ' + item);
                });
            }
        }
        finally { seen.pop(); }
        if (entries.length === 0) { return prefix + braces[0] + braces[1]; }
        var length = entries.reduce(function (n, e) { return n + e.length; }, entries.length);
        var multiline = entries.some(function (e) { return e.indexOf('\n') >= 0; });
        if (!multiline && length + indent + prefix.length + 10 <= 80) {
            return prefix + braces[0] + ' ' + entries.join(', ') + ' ' + braces[1];
        }
        var pad = new Array(indent + 3).join(' ');
        return prefix + braces[0] + '\n' + pad + entries.join(',\n' + pad) + '\n' + new Array(indent + 1).join(' ') + braces[1];
    }

    function format(args) {
        var out = [], start = 0;
        if (typeof args[0] === 'string' && args.length > 1 && args[0].indexOf('%') >= 0) {
            var index = 1;
            out.push(args[0].replace(/%([sdifjoOc%])/g, function (match, kind) {
                if (kind === '%') { return '%'; }
                if (index >= args.length) { return match; }
                var arg = args[index++];
                switch (kind) {
                    case 's': return typeof arg === 'string' ? arg : inspect(arg, 1, [], 0);
                    case 'd': case 'i': return typeof arg === 'object' ? 'NaN' : String(kind === 'i' ? parseInt(arg, 10) : Number(arg));
                    case 'f': return String(parseFloat(arg));
                    case 'j': try { return JSON.stringify(arg); } catch (e) { return '[Circular]'; }
                    case 'c': return '';
                    default: return inspect(arg, 0, [], 0);
                }
            }));
            start = index;
        }
        for (var i = start; i < args.length; i++) {
            out.push(typeof args[i] === 'string' ? args[i] : inspect(args[i], 0, [], 0));
        }
        return out.join(' ');
    }

    var console = {};
    ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
        console[level] = function () { host.console(level, format(Array.prototype.slice.call(arguments))); };
    });
    console.trace = console.debug;
    console.dir = function (v) { host.console('log', inspect(v, 0, [], 0)); };
    console.clear = function () {};
    console.time = console.timeEnd = console.timeLog = console.count = console.countReset = console.group = console.groupEnd = console.table = function () {};

    // ---- timers ------------------------------------------------------------------------------
    var timers = new Map(), timerSeq = 0;

    function addTimer(fn, ms, args, repeat) {
        if (typeof fn !== 'function') { throw new TypeError('The "callback" argument must be of type function'); }
        // As Node does: a delay that is not a number, below 1 or above 2^31 - 1 ms is 1 ms.
        var delay = Number(ms);
        if (!(delay >= 1 && delay <= 2147483647)) { delay = 1; }
        var id = ++timerSeq;
        timers.set(id, { id: id, fn: fn, args: args, due: Date.now() + delay, delay: delay, repeat: repeat });
        return id;
    }
    function clearTimer(id) { timers.delete(typeof id === 'object' && id ? id.id : id); }
    var timerApi = {
        setTimeout: function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false); },
        setInterval: function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true); },
        setImmediate: function (fn) { return addTimer(fn, 0, Array.prototype.slice.call(arguments, 1), false); },
        clearTimeout: clearTimer,
        clearInterval: clearTimer,
        clearImmediate: clearTimer
    };

    // Fires the earliest due timer: 1 when one fired, 0 when none is due, -1 when there is no
    // timer at all (then the engine does not ask `nextTimer`).
    baton.fireTimers = function () {
        if (scriptSkipped) { timers.clear(); callbacks.clear(); return -1; }
        // Asked after every script: most set no timer, and then no callback is made.
        if (timers.size === 0) { return -1; }
        var now = Date.now(), first;
        timers.forEach(function (t) {
            if (t.due <= now && (!first || t.due < first.due || (t.due === first.due && t.id < first.id))) { first = t; }
        });
        if (!first) { return 0; }
        if (first.repeat) { first.due = now + Math.max(1, first.delay); }
        else { timers.delete(first.id); }
        try { first.fn.apply(undefined, first.args); }
        catch (e) { reportError(e); }
        return 1;
    };
    baton.nextTimer = function () {
        if (timers.size === 0) { return -1; }
        var next = -1;
        timers.forEach(function (t) { if (next < 0 || t.due < next) { next = t.due; } });
        return next < 0 ? -1 : Math.max(0, next - Date.now());
    };

    // ---- require -----------------------------------------------------------------------------
    var LIBRARIES = ['lodash', 'lodash3', 'backbone', 'sugar', 'chai', 'moment', 'crypto-js', 'ajv', 'tv4', 'xml2js', 'cheerio', 'csv-parse/lib/sync',
        'postman-collection', 'assert', 'buffer', 'events', 'path', 'punycode', 'querystring', 'string_decoder', 'url', 'util'];
    var processShim = {
        env: {}, argv: [], version: '', versions: {}, platform: 'linux', browser: true, title: 'browser',
        nextTick: function (fn) {
            var args = Array.prototype.slice.call(arguments, 1);
            Promise.resolve().then(function () { fn.apply(undefined, args); });
        },
        cwd: function () { return '/'; },
        emitWarning: function () {}
    };
    var modules = Object.create(null);
    var builtins = {
        timers: function () { return timerApi; },
        // As in the Postman sandbox: `fs` is an empty module (scripts cannot reach the file
        // system) and `os` describes a browser-like host rather than the machine.
        fs: function () { return {}; },
        os: function () {
            var zero = function () { return 0; };
            var none = function () { return {}; };
            var unlimited = function () { return Number.MAX_VALUE; };
            return {
                EOL: '\n',
                arch: function () { return 'javascript'; },
                cpus: function () { return []; },
                endianness: function () { return 'LE'; },
                freemem: unlimited,
                getNetworkInterfaces: none,
                homedir: function () { return '/'; },
                hostname: function () { return ''; },
                loadavg: function () { return []; },
                networkInterfaces: none,
                platform: function () { return 'browser'; },
                release: function () { return ''; },
                tmpDir: function () { return '/tmp'; },
                tmpdir: function () { return '/tmp'; },
                totalmem: unlimited,
                type: function () { return 'Browser'; },
                uptime: zero
            };
        },
        atob: function () { return global.atob; },
        btoa: function () { return global.btoa; },
        uuid: function () {
            var v4 = function () { return host.uuid(); };
            v4.v4 = v4;
            return v4;
        },
        stream: function () {
            // Enough of Node's stream classes for libraries that subclass them (csv-parse, sax);
            // no piping or buffering.
            var EventEmitter = requireModule('events');
            function make(name) {
                var Class = function (options) { EventEmitter.call(this); this._options = options; };
                Object.defineProperty(Class, 'name', { value: name });
                Class.prototype = Object.create(EventEmitter.prototype);
                Class.prototype.constructor = Class;
                return Class;
            }
            var Stream = make('Stream');
            ['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough'].forEach(function (name) { Stream[name] = make(name); });
            Stream.Stream = Stream;
            return Stream;
        }
    };

    function notFound(name) {
        var error = new Error("Cannot find module '" + name + "'");
        error.code = 'MODULE_NOT_FOUND';
        return error;
    }

    function requireModule(name) {
        if (typeof name !== 'string') { throw new TypeError('The "id" argument must be of type string'); }
        var id = name.indexOf('node:') === 0 ? name.slice(5) : name;
        if (id === 'csv-parse/lib/sync.js') { id = 'csv-parse/lib/sync'; }
        if (id.charAt(id.length - 1) === '/') { id = id.slice(0, -1); }
        var cached = modules[id];
        if (cached) { return cached.exports; }
        var module = { exports: {} };
        if (hasOwn.call(builtins, id)) {
            module.exports = builtins[id]();
            modules[id] = module;
            return module.exports;
        }
        if (LIBRARIES.indexOf(id) < 0) { throw notFound(name); }
        var factory = host.library(id);
        modules[id] = module;
        var load = id === 'chai' ? chaiRequire : requireModule;
        try { factory.call(module.exports, module, module.exports, load, processShim, global); }
        catch (e) { delete modules[id]; throw e; }
        if (id === 'chai') {
            module.exports.use(function (chai) {
                baton.shapes.push(chaiFastFactory(chai));
                assertionsFactory(chai, sdk, lodash, loadAjv);
            });
        }
        return module.exports;
    }
    // chai's inspector (loupe) requires `util` as it loads, only to read `util.inspect.custom`,
    // which the bundled util (0.12.5, the version Postman's sandbox has) does not define. Loading
    // all of util for that was more than half of chai's load time, so chai is given what it would
    // read there instead, unless a script loaded util already. A test keeps `custom` undefined.
    var UTIL_AS_CHAI_SEES_IT = { inspect: {} };
    function chaiRequire(name) {
        return name === 'util' && !modules.util ? UTIL_AS_CHAI_SEES_IT : requireModule(name);
    }
    var INTERNAL = ['lodash3', 'sugar'];
    function publicRequire(name) {
        if (INTERNAL.indexOf(name) >= 0) { throw notFound(name); }
        return requireModule(name);
    }
    function lodash() { return requireModule('lodash'); }
    function loadAjv() { return requireModule('ajv'); }
    var chaiExports;
    function chai() { return chaiExports || (chaiExports = requireModule('chai')); }

    function xml2Json(text) {
        var result = {};
        requireModule('xml2js').parseString(text, { explicitArray: false, async: false, trim: true, mergeAttrs: false },
            function (error, parsed) { result = parsed; });
        return result;
    }

    // ---- variable scopes ---------------------------------------------------------------------
    function Scope(index) { Object.defineProperty(this, '_i', { value: index }); }
    Scope.prototype.get = function (key) { return host.sget(this._i, String(key)); };
    Scope.prototype.has = function (key) { return host.shas(this._i, String(key)); };
    Scope.prototype.set = function (key, value) {
        if (key && typeof key === 'object') {
            for (var k in key) { host.sset(this._i, k, key[k]); }
            return;
        }
        host.sset(this._i, typeof key === 'string' ? key : String(key), value);
    };
    Scope.prototype.unset = function (key) { host.sunset(this._i, String(key)); };
    Scope.prototype.clear = function () { host.sclear(this._i); };
    Scope.prototype.toObject = function () { return host.sobj(this._i); };
    Scope.prototype.replaceIn = function (template) {
        return template === undefined || template === null ? template : host.sresolve(this._i, String(template));
    };
    Scope.prototype.toJSON = function () {
        var values = this.toObject();
        return { values: Object.keys(values).map(function (k) { return { key: k, value: values[k] }; }) };
    };

    function Variables() {}
    Variables.prototype.get = function (key) { return host.vget(String(key)); };
    Variables.prototype.has = function (key) { return host.vhas(String(key)); };
    Variables.prototype.set = function (key, value) { host.sset(SCOPES.local, String(key), value); };
    Variables.prototype.unset = function (key) { host.sunset(SCOPES.local, String(key)); };
    Variables.prototype.clear = function () { host.sclear(SCOPES.local); };
    Variables.prototype.toObject = function () { return host.vobj(); };
    Variables.prototype.replaceIn = function (template) {
        return template === undefined || template === null ? template : host.resolve(String(template));
    };
    Variables.prototype.toJSON = function () { return this.toObject(); };

    function IterationData() { Scope.call(this, 1); }
    IterationData.prototype = Object.create(Scope.prototype);
    IterationData.prototype.set = function () {};
    IterationData.prototype.clear = function () {};
    IterationData.prototype.toJSON = function () { return this.toObject(); };

    function scopeProxy(index) {
        return new Proxy({}, {
            get: function (target, key) { return typeof key === 'string' ? host.sget(index, key) : undefined; },
            set: function (target, key, value) { host.sset(index, String(key), value); return true; },
            has: function (target, key) { return typeof key === 'string' && host.shas(index, key); },
            deleteProperty: function (target, key) { host.sunset(index, String(key)); return true; },
            ownKeys: function () { return Object.keys(host.sobj(index)); },
            getOwnPropertyDescriptor: function (target, key) {
                if (typeof key !== 'string' || !host.shas(index, key)) { return undefined; }
                return { value: host.sget(index, key), writable: true, enumerable: true, configurable: true };
            }
        });
    }

    // ---- pm ----------------------------------------------------------------------------------
    // `pm.response.to` is `expect(pm.response).to`: an assertion with the same flags, built once
    // instead of twice (chai's `to` is a language chain that copies them onto a new one).
    function to() { return new (chai().Assertion)(this); }
    Object.defineProperty(sdk.Request.prototype, 'to', { get: to, configurable: true });
    Object.defineProperty(sdk.Response.prototype, 'to', { get: to, configurable: true });

    // What a thrown value says about itself. A getter, `toString` or Proxy trap that throws must
    // not hide the error (nor be taken for something else): each part falls back on its own.
    function errorData(e, line) {
        var isObject = e !== null && (typeof e === 'object' || typeof e === 'function');
        var name = 'Error', message;
        try {
            if (isObject && e.name) { name = String(e.name); }
        } catch (ignored) { /* keep 'Error' */ }
        try {
            message = isObject && e.message !== undefined ? String(e.message) : String(e);
        } catch (ignored) {
            message = 'a thrown value that cannot be shown (reading it threw)';
        }
        return { name: name, message: v8Wording(e, message), line: line };
    }

    // The engine's own TypeErrors about reading or setting a property of null or undefined, in
    // the words V8 (and so Newman) uses, so that failures read the same.
    var PROPERTY_OF_NOTHING = /^cannot (read|set) property '(.*)' of (null|undefined)$/;
    function v8Wording(e, message) {
        var match;
        try { match = e instanceof TypeError && PROPERTY_OF_NOTHING.exec(message); }
        catch (ignored) { return message; }
        if (!match) { return message; }
        var verb = match[1] === 'read' ? 'reading' : 'setting';
        return 'Cannot ' + match[1] + ' properties of ' + match[3] + ' (' + verb + " '" + match[2] + "')";
    }

    var FRAME = /\(?(script-\d+):(\d+):(\d+)\)?/g;

    function position(stack, file) {
        var match, fallback;
        FRAME.lastIndex = 0;
        while ((match = FRAME.exec(String(stack || '')))) {
            var pos = { file: match[1], line: Number(match[2]), column: Number(match[3]) };
            if (pos.line === 1) { pos.column = Math.max(1, pos.column - WRAP); }
            if (!file || pos.file === file) { return pos; }
            if (!fallback) { fallback = pos; }
        }
        return fallback;
    }

    function callerLine() {
        var pos = position(new Error().stack, scriptFile);
        return pos ? pos.line : undefined;
    }

    function record(name, skipped, error) {
        host.assertion(typeof name === 'string' ? name : String(name), !!skipped, error);
    }

    // Whether a test's function returned a promise (or another thenable). The usual return
    // value is a chai assertion (`() => pm.expect(x).to.equal(1)`), which has no `then`; asking
    // with `in` first skips chai's check of an unknown property, the costliest step of a test.
    function isThenable(value) {
        if (value === undefined || value === null) { return false; }
        if (typeof value === 'object' && !('then' in value)) { return false; }
        return typeof value.then === 'function';
    }

    // A test that takes a callback, or returns a promise, is recorded once, when it settles.
    function recordOnce(name) {
        var settled = false;
        return function (error) {
            if (settled) { return; }
            settled = true;
            record(name, false, error);
        };
    }

    function test(name, fn) {
        // Newman counts a test without a function as passed.
        if (typeof fn !== 'function') { record(name, false); return pm; }
        var finish, ran = false;
        try {
            if (fn.length > 0) {
                var line = callerLine();
                finish = recordOnce(name);
                fn(function (error) { finish(error ? errorData(error, line) : undefined); });
                return pm;
            }
            var result = fn();
            if (isThenable(result)) {
                var asyncLine = callerLine();
                finish = recordOnce(name);
                result.then(function () { finish(); }, function (e) { finish(errorData(e, asyncLine)); });
                return pm;
            }
            ran = true;
            record(name, false);
        }
        catch (e) {
            // A failure to record a test that ran is not the test's failure.
            if (!ran) { (finish || recordOnce(name))(errorData(e, callerLine())); }
        }
        return pm;
    }
    test.skip = function (name) { record(name, true); return pm; };

    var expect = function (value, message) { return chai().expect(value, message); };
    expect.fail = function () { var e = chai().expect; return e.fail.apply(e, arguments); };

    var pm = {
        info: {},
        globals: new Scope(SCOPES.globals),
        environment: new Scope(SCOPES.environment),
        collectionVariables: new Scope(SCOPES.collection),
        variables: new Variables(),
        iterationData: new IterationData(),
        test: test,
        expect: expect,
        visualizer: { set: function () {}, clear: function () {} },
        execution: {
            setNextRequest: function (target) { host.next(target); },
            skipRequest: function () {
                if (jobEvent !== 'prerequest') { throw new TypeError('pm.execution.skipRequest is not a function'); }
                host.skip();
                // Like Postman: pending timers and callbacks of this script are dropped.
                scriptSkipped = true;
            },
            location: undefined
        },
        sendRequest: sendRequest
    };
    // The names of the folders above the item and the item's own, with the current script's
    // place as `current`; asked of the host the first time a job's scripts read it.
    Object.defineProperty(pm.execution, 'location', {
        get: function () {
            var location = jobLocation || (jobLocation = host.location());
            location.current = scriptCurrent;
            return location;
        },
        set: function (value) { jobLocation = value; },
        enumerable: true,
        configurable: true
    });
    define(pm, 'request', function () {
        if (!jobRequest) {
            jobRequest = new sdk.Request(host.request());
            // Kept to tell a request a script changed from one it only read.
            jobRequestSnapshot = JSON.stringify(jobRequest);
        }
        return jobRequest;
    }, function (value) { jobRequest = value instanceof sdk.Request ? value : new sdk.Request(value); });
    var RESPONSE_SHAPE = sdk.responseShape.concat([host.responseHeaders]);
    define(pm, 'response', function () {
        if (jobResponse === undefined) {
            // The host makes the job's response as `sdk.Response` would (see `response_object`
            // in host.rs). After a network error Newman still gives test scripts a response,
            // with every field empty, so reading `pm.response.code` does not throw.
            jobResponse = host.response(RESPONSE_SHAPE) ||
                (jobEvent === 'test' ? new sdk.Response() : null);
        }
        return jobResponse || undefined;
    }, function (value) { jobResponse = value; });
    define(pm, 'cookies', function () {
        if (!jobCookies) {
            jobCookies = new sdk.CookieList(host.cookies());
            jobCookies.jar = jar;
        }
        return jobCookies;
    }, function (value) { jobCookies = value; });

    function later(id, callback) { callbacks.set(id, callback); }

    function safely(fn, args) {
        if (typeof fn !== 'function') { return; }
        try { fn.apply(undefined, args); }
        catch (e) { reportError(e); }
    }

    function jar() {
        function call(method, url, name, value, callback) {
            var id = host.cookieOp(method, String(url), name === undefined ? undefined : String(name), value);
            later(id, function (error, data) {
                var result = data;
                if (method === 'getAll' && Array.isArray(data)) { result = data.map(function (c) { return new sdk.Cookie(c); }); }
                if (result === null) { result = undefined; }
                safely(callback, [error ? new Error(error) : null, result]);
            });
        }
        return {
            set: function (url, name, value, callback) {
                if (name && typeof name === 'object') { callback = value; value = name.value; name = name.name !== undefined ? name.name : name.key; }
                if (typeof value === 'function') { callback = value; value = undefined; }
                call('set', url, name, value, callback);
            },
            get: function (url, name, callback) { call('get', url, name, undefined, callback); },
            getAll: function (url, options, callback) {
                if (typeof options === 'function') { callback = options; }
                call('getAll', url, undefined, undefined, callback);
            },
            unset: function (url, name, callback) { call('unset', url, name, undefined, callback); },
            clear: function (url, callback) { call('clear', url, undefined, undefined, callback); }
        };
    }

    function sendRequest(request, callback) {
        var definition = request instanceof sdk.Request ? request : new sdk.Request(request);
        var id = host.send(definition.toJSON());
        return new Promise(function (resolve, reject) {
            later(id, function (error, data) {
                // A request that got no response gives the fields of Node's error object (its
                // message is not one of them), as Newman's sandbox hands it over; one that could
                // not be made gives an Error with Baton's reason.
                var failure = null, response;
                if (error) { failure = typeof error === 'string' ? new Error(error) : error; }
                // A failed request's callback gets the error and an empty response, as in Newman.
                response = new sdk.Response(error ? undefined : data);
                if (typeof callback === 'function') {
                    safely(callback, [failure, response]);
                    resolve(response);
                }
                else if (failure) { reject(failure); }
                else { resolve(response); }
            });
        });
    }

    baton.deliver = function (id, error, data) {
        var callback = callbacks.get(id);
        callbacks.delete(id);
        if (callback) { callback(error, data); }
    };

    // ---- legacy interface --------------------------------------------------------------------
    function legacyResponse() { return pm.response; }
    var legacy = {
        tests: function () { return scriptTests || (scriptTests = {}); },
        responseBody: function () { var r = legacyResponse(); return r ? r.text() : undefined; },
        responseCode: function () {
            var r = legacyResponse();
            return r ? { code: r.code, name: r.status, detail: r.status } : { code: NaN, name: '', detail: '' };
        },
        responseHeaders: function () {
            var r = legacyResponse(), out = {};
            if (!r) { return undefined; }
            r.headers.each(function (h) { out[h.key] = h.value; });
            return out;
        },
        responseTime: function () { var r = legacyResponse(); return r ? r.responseTime : NaN; },
        responseCookies: function () {
            var r = legacyResponse();
            return r ? pm.cookies.all().map(function (c) { return c.toJSON(); }) : undefined;
        },
        iteration: function () { return jobIteration; },
        request: function () {
            if (!jobLegacyRequest) {
                var def = host.request() || {}, r = new sdk.Request(def), data = {};
                if (r.body && !r.body.isEmpty()) {
                    if (r.body.mode === 'raw') { data = r.body.raw; }
                    else if (r.body.mode === 'urlencoded' || r.body.mode === 'formdata') { data = r.body[r.body.mode].toObject(true, true, true); }
                }
                jobLegacyRequest = {
                    id: jobRequestId, name: jobRequestName, description: def.description,
                    url: r.url.toString(), method: r.method, headers: r.headers.toObject(true, false, true), data: data
                };
            }
            return jobLegacyRequest;
        },
        environment: (function (p) { return function () { return p; }; })(scopeProxy(SCOPES.environment)),
        globals: (function (p) { return function () { return p; }; })(scopeProxy(SCOPES.globals)),
        data: (function (p) { return function () { return p; }; })(scopeProxy(SCOPES.data))
    };
    // Like Postman, the response globals exist only in test scripts (a pre-request script that
    // reads `responseCode` gets a ReferenceError).
    var RESPONSE_GLOBALS = ['responseBody', 'responseCode', 'responseHeaders', 'responseTime', 'responseCookies'];
    function defineLegacy(name) {
        Object.defineProperty(global, name, {
            get: function () { var o = scriptOverrides; return o && hasOwn.call(o, name) ? o[name] : legacy[name](); },
            set: function (value) { (scriptOverrides || (scriptOverrides = {}))[name] = value; },
            configurable: true,
            enumerable: false
        });
    }
    Object.keys(legacy).forEach(defineLegacy);
    var responseGlobals = true;
    function showResponseGlobals(show) {
        if (show === responseGlobals) { return; }
        responseGlobals = show;
        RESPONSE_GLOBALS.forEach(function (name) {
            if (show) { defineLegacy(name); }
            else { delete global[name]; }
        });
    }

    function findCookie(name) {
        var r = legacyResponse();
        if (!r) { return undefined; }
        var c = r.cookies.one(name) || pm.cookies.one(name);
        return c ? c.toJSON() : undefined;
    }

    // The legacy setters store text, as Postman's always did.
    function legacyValue(v) { return (v === false || v) && typeof (v && v.toString) === 'function' ? v.toString() : v; }

    var postman = {
        setEnvironmentVariable: function (k, v) { pm.environment.set(k, legacyValue(v)); },
        getEnvironmentVariable: function (k) { return pm.environment.get(k); },
        clearEnvironmentVariable: function (k) { pm.environment.unset(k); },
        clearEnvironmentVariables: function () { pm.environment.clear(); },
        setGlobalVariable: function (k, v) { pm.globals.set(k, legacyValue(v)); },
        getGlobalVariable: function (k) { return pm.globals.get(k); },
        clearGlobalVariable: function (k) { pm.globals.unset(k); },
        clearGlobalVariables: function () { pm.globals.clear(); },
        getResponseHeader: function (name) { var r = legacyResponse(); return r ? r.headers.get(name) : undefined; },
        getResponseCookie: function (name) { return findCookie(name); },
        setNextRequest: function (target) { host.next(target); }
    };

    // ---- globals -----------------------------------------------------------------------------
    var values = {
        pm: pm, postman: postman, console: console, require: publicRequire, xml2Json: xml2Json,
        atob: host.atob, btoa: host.btoa
    };
    Object.keys(timerApi).forEach(function (k) { values[k] = timerApi[k]; });
    Object.keys(values).forEach(function (k) {
        Object.defineProperty(global, k, { value: values[k], writable: true, configurable: true, enumerable: false });
    });
    // As in Newman 6 (postman-sandbox 4), the global `_` is lodash 3; `require('lodash')` is lodash 4.
    var lazy = {
        _: 'lodash3', CryptoJS: 'crypto-js', cheerio: 'cheerio', tv4: 'tv4', Backbone: 'backbone',
        Buffer: function () { return requireModule('buffer').Buffer; }
    };
    Object.keys(lazy).forEach(function (name) {
        var source = lazy[name];
        define(global, name, function () {
            var value = typeof source === 'function' ? source() : requireModule(source);
            Object.defineProperty(global, name, { value: value, writable: true, configurable: true, enumerable: false });
            return value;
        });
    });

    // ---- Sugar -------------------------------------------------------------------------------
    // Postman's sandbox always has Sugar.js patched into the built-ins (`'text'.has('x')`). Here
    // each name Sugar adds starts as a stub (made by the engine, `sugar.rs`) that calls this with
    // the name, and the value when it is a write: Sugar loads, the stubs step aside, and the name
    // is read or written again.
    baton.sugarAccess = function (name, value) {
        host.unstubSugar();
        requireModule('sugar');
        if (arguments.length < 2) { return this[name]; }
        Object.defineProperty(this, name, { value: value, writable: true, enumerable: true, configurable: true });
    };

    // ---- lifecycle ---------------------------------------------------------------------------
    function clearJob() {
        jobRequest = jobRequestSnapshot = jobResponse = jobCookies = jobLegacyRequest = jobLocation = undefined;
    }
    function beginJob(eventName, iteration, iterationCount, requestName, requestId) {
        // What the prelude knows of the job, apart from `pm.info`, which scripts may change.
        jobEvent = eventName;
        jobIteration = iteration;
        jobRequestName = requestName;
        jobRequestId = requestId;
        clearJob();
        if ((eventName === 'test') !== responseGlobals) { showResponseGlobals(eventName === 'test'); }
        var i = pm.info;
        i.eventName = eventName;
        i.iteration = iteration;
        i.iterationCount = iterationCount;
        i.requestName = requestName;
        i.requestId = requestId;
    }
    // Runs one script (`fn`, its compiled function) in one call from the engine: the job begins
    // with its first script (`eventName` and the rest are left out for the others), then the
    // script's own state. Returns what the script returned when that is an object (an async
    // script's promise, or a plain script's `return`ed one), else whether a timer is pending:
    // `false` tells the engine that, unless a request, cookie call or promise job is waiting,
    // there is nothing to settle.
    baton.runScript = function (fn, file, current, eventName, iteration, iterationCount, requestName, requestId) {
        if (eventName !== undefined) { beginJob(eventName, iteration, iterationCount, requestName, requestId); }
        // `tests` (the legacy results object) is made when the script first reads it, and
        // `overrides` (legacy globals a script assigned) on the first assignment.
        scriptFile = file;
        scriptCurrent = current;
        scriptTests = scriptError = scriptOverrides = undefined;
        scriptSkipped = false;
        var value = fn();
        return value !== null && (typeof value === 'object' || typeof value === 'function') ? value : timers.size !== 0;
    };
    baton.endScript = function () {
        var tests = scriptTests;
        if (tests && typeof tests === 'object') {
            var names = Object.keys(tests);
            for (var i = 0; i < names.length; i++) {
                var value = tests[names[i]];
                record(names[i], false, value ? undefined : { name: 'AssertionError', message: 'expected ' + inspect(value, 0, [], 0) + ' to be truthy' });
            }
        }
        var error = scriptError;
        if (timers.size) { timers.clear(); }
        if (callbacks.size) { callbacks.clear(); }
        return error === undefined ? undefined : baton.describe(error, scriptFile);
    };
    // Ends a pre-request job: the request as its scripts left it, when they changed it. A test
    // job needs no end of its own: the next job's first script clears what it left.
    baton.endJob = function () {
        var request = jobRequest, snapshot = jobRequestSnapshot;
        clearJob();
        if (!request) { return undefined; }
        var json = request.toJSON ? request.toJSON() : request;
        return JSON.stringify(json) === snapshot ? undefined : json;
    };
    baton.abandon = function () {
        timers.clear();
        callbacks.clear();
    };
    baton.describe = function (e, file) {
        var data = errorData(e), stack;
        try {
            stack = e !== null && typeof e === 'object' ? e.stack : undefined;
        } catch (ignored) { /* no position then */ }
        var pos = position(stack, file);
        data.line = pos ? pos.line : undefined;
        data.column = pos ? pos.column : undefined;
        return data;
    };
    baton.inspect = function (v) { return inspect(v, 0, [], 0); };
    // Loads chai ahead of the first script that uses it (see `warm.rs`): the same module, loaded
    // the same way, only sooner.
    baton.loadChai = function () { chai(); };
    return baton;
})
