// The parts of postman-collection's object model that scripts touch: property lists (headers,
// query parameters, cookies), Url, Request and Response. Returns the classes; `prelude.js` builds
// `pm.request`, `pm.response`, `pm.cookies` and `pm.sendRequest` results from them. Takes the
// host's JSON reader (`parseJson` in host.rs), which `Response.json` asks first.
(function (parseJson) {
    'use strict';

    var hasOwn = Object.prototype.hasOwnProperty;

    function str(v) { return v === undefined || v === null ? '' : String(v); }

    // ---- Property ----------------------------------------------------------------------------
    function Property(def) {
        if (typeof def === 'string') {
            var at = def.indexOf(':');
            def = at < 0 ? { key: def.trim(), value: '' } : { key: def.slice(0, at).trim(), value: def.slice(at + 1).trim() };
        }
        def = def || {};
        this.key = def.key !== undefined ? def.key : def.name;
        this.value = def.value;
        if (def.disabled) { this.disabled = true; }
        if (def.type !== undefined) { this.type = def.type; }
        if (def.src !== undefined) { this.src = def.src; }
        if (def.contentType !== undefined) { this.contentType = def.contentType; }
        if (def.description !== undefined) { this.description = def.description; }
    }
    Property.prototype.toString = function () { return str(this.key) + ': ' + str(this.value); };
    Property.prototype.valueOf = function () { return this.value; };
    Property.prototype.toJSON = function () {
        var out = { key: this.key, value: this.value };
        if (this.disabled) { out.disabled = true; }
        if (this.type !== undefined) { out.type = this.type; }
        if (this.src !== undefined) { out.src = this.src; }
        if (this.contentType !== undefined) { out.contentType = this.contentType; }
        return out;
    };
    Property.prototype.update = function (def) {
        if (def && typeof def === 'object') {
            if ('key' in def) { this.key = def.key; }
            if ('value' in def) { this.value = def.value; }
            if ('disabled' in def) { this.disabled = def.disabled; }
        }
    };

    function QueryParam(def) {
        if (typeof def === 'string') {
            var at = def.indexOf('=');
            def = at < 0 ? { key: def, value: null } : { key: def.slice(0, at), value: def.slice(at + 1) };
        }
        Property.call(this, def);
    }
    QueryParam.prototype = Object.create(Property.prototype);
    QueryParam.prototype.constructor = QueryParam;
    // A parameter without a value (`?flag`) reads as empty text.
    QueryParam.prototype.valueOf = function () { return typeof this.value === 'string' ? this.value : ''; };
    QueryParam.prototype.toString = function () {
        return this.value === null || this.value === undefined ? str(this.key) : str(this.key) + '=' + str(this.value);
    };

    // ---- PropertyList ------------------------------------------------------------------------
    function PropertyList(Type, items, caseInsensitive) {
        Object.defineProperty(this, '_type', { value: Type, writable: true });
        Object.defineProperty(this, '_ci', { value: !!caseInsensitive, writable: true });
        this.members = [];
        if (items) { this.populate(items); }
    }
    var PL = PropertyList.prototype;
    PL._key = function (k) { return this._ci && typeof k === 'string' ? k.toLowerCase() : k; };
    PL._match = function (member, key) { return this._key(member.key) === this._key(key); };
    PL._make = function (item) {
        return item instanceof Property ? item : new this._type(item);
    };
    PL.populate = function (items) {
        if (typeof items === 'string') {
            items = this._type === QueryParam ? items.split('&').filter(Boolean) : items.split(/\r?\n/).filter(Boolean);
        }
        if (Array.isArray(items)) {
            for (var i = 0; i < items.length; i++) { this.add(items[i]); }
        }
        else if (items && typeof items === 'object') {
            for (var k in items) { this.add({ key: k, value: items[k] }); }
        }
    };
    PL.repopulate = function (items) { this.clear(); this.populate(items); };
    PL.add = function (item) { if (item !== undefined && item !== null) { this.members.push(this._make(item)); } };
    PL.append = PL.add;
    PL.prepend = function (item) { this.members.unshift(this._make(item)); };
    PL.upsert = function (item) {
        if (!item) { return; }
        var made = this._make(item), existing = this.one(made.key);
        if (existing) { existing.value = made.value; if (made.disabled !== undefined) { existing.disabled = made.disabled; } return false; }
        this.members.push(made);
        return true;
    };
    PL.remove = function (predicate, context) {
        var self = this, match;
        if (typeof predicate === 'function') { match = function (m) { return predicate.call(context, m); }; }
        else if (predicate instanceof Property) { match = function (m) { return m === predicate; }; }
        else { match = function (m) { return self._match(m, predicate); }; }
        this.members = this.members.filter(function (m) { return !match(m); });
    };
    PL.clear = function () { this.members = []; };
    PL.one = function (key) {
        for (var i = this.members.length - 1; i >= 0; i--) {
            if (this._match(this.members[i], key)) { return this.members[i]; }
        }
        return undefined;
    };
    PL.get = function (key) { var m = this.one(key); return m === undefined ? undefined : m.valueOf(); };
    PL.has = function (key, value) {
        var self = this, checkValue = arguments.length > 1;
        if (key instanceof Property) { return this.members.indexOf(key) >= 0; }
        return this.members.some(function (m) { return self._match(m, key) && (!checkValue || m.value === value); });
    };
    PL.all = function () { return this.members.slice(); };
    PL.idx = function (i) { return this.members[i]; };
    PL.count = function () { return this.members.length; };
    PL.indexOf = function (item) { return this.members.indexOf(typeof item === 'string' ? this.one(item) : item); };
    PL.each = function (fn, context) { this.members.forEach(fn, context); };
    PL.filter = function (fn, context) { return this.members.filter(fn, context); };
    PL.find = function (fn, context) { return this.members.find(fn, context); };
    PL.map = function (fn, context) { return this.members.map(fn, context); };
    PL.reduce = function (fn, acc, context) { return this.members.reduce(fn.bind(context), acc); };
    PL.toObject = function (excludeDisabled, caseSensitive, multiValue) {
        var out = {}, self = this;
        this.members.forEach(function (m) {
            if (excludeDisabled && m.disabled) { return; }
            var key = !caseSensitive && self._ci && typeof m.key === 'string' ? m.key.toLowerCase() : m.key;
            var value = m.valueOf();
            if (multiValue && Object.prototype.hasOwnProperty.call(out, key)) {
                out[key] = [].concat(out[key], value);
            }
            else { out[key] = value; }
        });
        return out;
    };
    PL.toJSON = function () { return this.members.map(function (m) { return m.toJSON ? m.toJSON() : m; }); };
    PL.toString = function () {
        var enabled = this.members.filter(function (m) { return !m.disabled; });
        if (this._type === QueryParam) { return enabled.map(String).join('&'); }
        return enabled.map(String).join('\n');
    };
    PL.eachParent = function () {};
    Object.defineProperty(PL, 'length', { get: function () { return this.members.length; } });

    function HeaderList(items) { PropertyList.call(this, Property, items, true); }
    HeaderList.prototype = Object.create(PL);
    HeaderList.prototype.constructor = HeaderList;
    function QueryList(items) { PropertyList.call(this, QueryParam, items, false); }
    QueryList.prototype = Object.create(PL);
    QueryList.prototype.constructor = QueryList;

    // ---- Cookies -----------------------------------------------------------------------------
    function Cookie(def) {
        def = def || {};
        this.name = def.name !== undefined ? def.name : def.key;
        this.value = def.value;
        this.domain = def.domain;
        this.path = def.path;
        this.secure = !!def.secure;
        this.httpOnly = !!def.httpOnly;
        if (def.expires) { this.expires = def.expires; }
    }
    Cookie.prototype = Object.create(Property.prototype);
    Cookie.prototype.constructor = Cookie;
    Object.defineProperty(Cookie.prototype, 'key', { get: function () { return this.name; }, set: function (v) { this.name = v; } });
    Cookie.prototype.toString = function () { return str(this.name) + '=' + str(this.value); };
    Cookie.prototype.toJSON = function () {
        var out = { name: this.name, value: this.value, domain: this.domain, path: this.path, secure: this.secure, httpOnly: this.httpOnly };
        if (this.expires) { out.expires = this.expires; }
        return out;
    };
    function CookieList(items) { PropertyList.call(this, Cookie, items, false); }
    CookieList.prototype = Object.create(PL);
    CookieList.prototype.constructor = CookieList;

    // ---- Url ---------------------------------------------------------------------------------
    function parseUrl(text) {
        var out = { protocol: undefined, auth: undefined, host: [], port: undefined, path: [], query: [], hash: undefined };
        text = str(text);
        var hashAt = text.indexOf('#');
        if (hashAt >= 0) { out.hash = text.slice(hashAt + 1); text = text.slice(0, hashAt); }
        var queryAt = text.indexOf('?');
        if (queryAt >= 0) { out.query = text.slice(queryAt + 1).split('&').filter(function (q) { return q !== ''; }); text = text.slice(0, queryAt); }
        var proto = /^([^:/?#]+):\/\//.exec(text);
        if (proto) { out.protocol = proto[1]; text = text.slice(proto[0].length); }
        var slash = text.indexOf('/'), authority = slash < 0 ? text : text.slice(0, slash);
        if (slash >= 0) { out.path = text.slice(slash + 1).split('/'); }
        var at = authority.lastIndexOf('@');
        if (at >= 0) {
            var cred = authority.slice(0, at), colon = cred.indexOf(':');
            out.auth = colon < 0 ? { user: cred } : { user: cred.slice(0, colon), password: cred.slice(colon + 1) };
            authority = authority.slice(at + 1);
        }
        var port = /:(\d+|\{\{[^{}]*\}\})$/.exec(authority);
        if (port) { out.port = port[1]; authority = authority.slice(0, port.index); }
        out.host = authority ? authority.split('.') : [];
        return out;
    }

    function Url(def) { this.update(def); }
    Url.parse = parseUrl;
    Url.prototype.update = function (def) {
        if (typeof def === 'string' || def === undefined || def === null) { def = parseUrl(def); }
        else if (def.raw !== undefined && def.host === undefined && def.path === undefined) {
            var parsed = parseUrl(def.raw); parsed.variable = def.variable; def = parsed;
        }
        this.protocol = def.protocol;
        this.auth = def.auth;
        this.host = Array.isArray(def.host) ? def.host.slice() : (def.host ? String(def.host).split('.') : []);
        this.port = def.port;
        this.path = Array.isArray(def.path) ? def.path.slice() : (def.path ? String(def.path).replace(/^\//, '').split('/') : []);
        this.hash = def.hash;
        this.query = new QueryList(def.query || []);
        this.variables = new PropertyList(Property, def.variable || [], false);
    };
    Url.prototype.getHost = function () { return this.host.join('.'); };
    Url.prototype.getRemote = function (forcePort) {
        var port = this.port || (forcePort ? (this.protocol === 'https' ? '443' : '80') : '');
        return this.getHost() + (port ? ':' + port : '');
    };
    Url.prototype.getPath = function (unresolved) {
        var self = this;
        if (!this.path.length) { return '/'; }
        return '/' + this.path.map(function (segment) {
            if (!unresolved && typeof segment === 'string' && segment.charAt(0) === ':') {
                var v = self.variables.one(segment.slice(1));
                if (v && v.value !== undefined && v.value !== null) { return String(v.value); }
            }
            return segment;
        }).join('/');
    };
    Url.prototype.getQueryString = function () { return this.query.toString(); };
    Url.prototype.getPathWithQuery = function () {
        var q = this.getQueryString();
        return this.getPath() + (q ? '?' + q : '');
    };
    Url.prototype.addQueryParams = function (params) { this.query.populate(params); };
    Url.prototype.removeQueryParams = function (params) {
        var self = this;
        [].concat(params).forEach(function (p) { self.query.remove(p && p.key !== undefined ? p.key : p); });
    };
    Url.prototype.getRaw = function () { return this.toString(); };
    // The base URL an OAuth 1.0 signature covers: lower-case scheme and host, a port only when
    // it is not 80 or 443, the path without its query.
    Url.prototype.getOAuth1BaseUrl = function () {
        var protocol = this.protocol || 'http', port = this.port ? String(this.port) : undefined;
        var host = this.getHost() + (port === undefined || port === '80' || port === '443' ? '' : ':' + port);
        protocol = /:\/\/$/.test(protocol) ? protocol : protocol + '://';
        return protocol.toLowerCase() + host.toLowerCase() + this.getPath();
    };
    Url.prototype.toString = function (forceProtocol) {
        var out = '';
        if (this.protocol) { out += this.protocol + '://'; }
        else if (forceProtocol) { out += 'http://'; }
        if (this.auth && (this.auth.user !== undefined || this.auth.password !== undefined)) {
            out += str(this.auth.user) + (this.auth.password !== undefined ? ':' + this.auth.password : '') + '@';
        }
        out += this.getHost();
        if (this.port) { out += ':' + this.port; }
        if (this.path.length) { out += this.getPath(); }
        var q = this.getQueryString();
        if (q) { out += '?' + q; }
        if (this.hash !== undefined && this.hash !== null) { out += '#' + this.hash; }
        return out;
    };
    Url.prototype.toJSON = function () {
        var out = { raw: this.toString(), host: this.host.slice(), path: this.path.slice() };
        if (this.protocol) { out.protocol = this.protocol; }
        if (this.port) { out.port = String(this.port); }
        if (this.hash !== undefined) { out.hash = this.hash; }
        if (this.auth) { out.auth = this.auth; }
        if (this.query.count()) { out.query = this.query.toJSON(); }
        if (this.variables.count()) { out.variable = this.variables.toJSON(); }
        return out;
    };

    // ---- Request -----------------------------------------------------------------------------
    function RequestBody(def) { this.update(def || {}); }
    RequestBody.prototype.update = function (def) {
        if (typeof def === 'string') { def = { mode: 'raw', raw: def }; }
        var self = this;
        Object.keys(this).forEach(function (k) { delete self[k]; });
        this.mode = def.mode;
        if (def.raw !== undefined) { this.raw = typeof def.raw === 'string' ? def.raw : JSON.stringify(def.raw); }
        if (def.urlencoded !== undefined) { this.urlencoded = new QueryList(def.urlencoded); }
        if (def.formdata !== undefined) { this.formdata = new PropertyList(Property, def.formdata, false); }
        if (def.file !== undefined) { this.file = def.file; }
        if (def.graphql !== undefined) { this.graphql = def.graphql; }
        if (def.options !== undefined) { this.options = def.options; }
        if (def.disabled !== undefined) { this.disabled = def.disabled; }
    };
    RequestBody.prototype.isEmpty = function () {
        var data = this.mode && this[this.mode];
        if (!data) { return true; }
        if (data instanceof PropertyList) { return data.count() === 0; }
        if (typeof data === 'string') { return data.length === 0; }
        return false;
    };
    RequestBody.prototype.toString = function () {
        if (this.mode === 'raw') { return str(this.raw); }
        if (this.mode === 'urlencoded' && this.urlencoded) { return this.urlencoded.toString(); }
        if (this.mode === 'graphql' && this.graphql) { return JSON.stringify(this.graphql); }
        return '';
    };
    RequestBody.prototype.toJSON = function () {
        var out = { mode: this.mode };
        if (this.raw !== undefined) { out.raw = this.raw; }
        if (this.urlencoded) { out.urlencoded = this.urlencoded.toJSON(); }
        if (this.formdata) { out.formdata = this.formdata.toJSON(); }
        if (this.file !== undefined) { out.file = this.file; }
        if (this.graphql !== undefined) { out.graphql = this.graphql; }
        if (this.options !== undefined) { out.options = this.options; }
        return out;
    };

    function RequestAuth(def) { this.update(def || {}); }
    RequestAuth.prototype.update = function (def, type) {
        if (Array.isArray(def) || (type && def)) {
            this.type = type || this.type;
            this[this.type] = new PropertyList(Property, def, false);
            return;
        }
        this.type = def.type;
        if (def.type && def[def.type] !== undefined) { this[def.type] = new PropertyList(Property, def[def.type], false); }
    };
    RequestAuth.prototype.use = function (type, options) { this.update(options || [], type); };
    RequestAuth.prototype.parameters = function () { return this[this.type]; };
    RequestAuth.prototype.current = function () { return this.type; };
    RequestAuth.prototype.toJSON = function () {
        var out = { type: this.type }, params = this[this.type];
        if (params && this.type !== 'noauth') { out[this.type] = params.toJSON ? params.toJSON() : params; }
        return out;
    };

    function Request(def) {
        if (typeof def === 'string') { def = { url: def }; }
        def = def || {};
        this.url = new Url(def.url);
        this.method = def.method ? String(def.method).toUpperCase() : 'GET';
        this.headers = new HeaderList(def.header || def.headers || []);
        this.body = def.body ? new RequestBody(def.body) : undefined;
        this.auth = def.auth ? new RequestAuth(def.auth) : undefined;
    }
    Request.isRequest = function (r) { return r instanceof Request; };
    var RP = Request.prototype;
    RP.getHeaders = function (options) {
        options = options || {};
        var out = {};
        this.headers.each(function (h) {
            if (options.enabled && h.disabled) { return; }
            var key = options.ignoreCase ? String(h.key).toLowerCase() : h.key;
            if (Object.prototype.hasOwnProperty.call(out, key)) { out[key] = [].concat(out[key], h.value); }
            else { out[key] = h.value; }
        });
        return out;
    };
    RP.addHeader = function (h) { this.headers.add(h); };
    RP.upsertHeader = function (h) { this.headers.upsert(h); };
    RP.removeHeader = function (h) { this.headers.remove(h && h.key !== undefined ? h.key : h); };
    RP.forEachHeader = function (fn) { this.headers.each(fn); };
    RP.addQueryParams = function (p) { this.url.addQueryParams(p); };
    RP.removeQueryParams = function (p) { this.url.removeQueryParams(p); };
    RP.authorizeUsing = function (type, options) {
        if (type && typeof type === 'object') { this.auth = new RequestAuth(type); return; }
        if (type === null) { this.auth = undefined; return; }
        this.auth = new RequestAuth({ type: type });
        this.auth.use(type, options);
    };
    RP.update = function (def) { Request.call(this, Object.assign(this.toJSON(), def)); };
    RP.clone = function () { return new Request(this.toJSON()); };
    // As postman-collection counts it: the body from a numeric Content-Length, else from the body's
    // UTF-8 length; the head as `METHOD target HTTP/X.X` plus each enabled `key: value` line.
    RP.size = function () {
        var length = this.headers.get('Content-Length'), body = 0, source = 'COMPUTED';
        if (length && !isNaN(parseFloat(length)) && isFinite(length)) { body = parseInt(length, 10); source = 'CONTENT-LENGTH'; }
        else if (this.body) { body = Buffer.byteLength(this.body.toString()); }
        var header = (this.method + ' ' + this.url.getPathWithQuery() + ' HTTP/X.X\r\n\r\n').length;
        this.headers.each(function (h) { if (!h.disabled) { header += (h.key + ': ' + h.value + '\r\n').length; } });
        return { body: body, header: header, total: body + header, source: source };
    };
    RP.toJSON = function () {
        var out = {
            url: typeof this.url === 'string' ? this.url : (this.url && this.url.toJSON ? this.url.toJSON() : this.url),
            method: this.method,
            header: this.headers && this.headers.toJSON ? this.headers.toJSON() : this.headers
        };
        if (this.body !== undefined && this.body !== null) {
            out.body = this.body.toJSON ? this.body.toJSON() : (typeof this.body === 'string' ? { mode: 'raw', raw: this.body } : this.body);
        }
        if (this.auth !== undefined && this.auth !== null) { out.auth = this.auth.toJSON ? this.auth.toJSON() : this.auth; }
        return out;
    };
    RP.toString = function () { return this.method + ' ' + String(this.url); };

    // QuickJS shares one shape (prototype, property names and flags) among objects built the
    // same way, but only while an object of that shape lives: otherwise every property added to
    // every new object allocates and grows a shape of its own, which costs more than the
    // property itself. The objects this returns, one per step of building an object of `proto`
    // with `steps` (each adds one property), keep every step's shape alive while they are kept,
    // so that objects built the same way (a response, in the host too) only follow them.
    function shapeKeepers(proto, steps) {
        return steps.map(function (step, last) {
            var o = Object.create(proto);
            for (var i = 0; i <= last; i++) { steps[i](o); }
            return o;
        });
    }

    // ---- Response ----------------------------------------------------------------------------
    // Shaped as a data property once read; most scripts never read the headers, so the list is
    // made on first use.
    function ownValue(target, name, value) {
        Object.defineProperty(target, name, { value: value, writable: true, enumerable: true, configurable: true });
    }
    // What the host gave for each response (the body, the sizes, how to load the headers), kept
    // under a symbol that scripts do not hold, in a property that is neither enumerable nor
    // writable.
    var DATA = Symbol('response data');
    function dataOf(response) { return (response !== null && response !== undefined && response[DATA]) || {}; }
    // The getter and setter are shared by every response, so making one makes no functions.
    // `loadHeaders` stands in for a header list the host left out until it is read.
    var HEADERS = {
        get: function () {
            var data = dataOf(this), list = new HeaderList(data.headers || (data.loadHeaders ? data.loadHeaders() : []));
            ownValue(this, 'headers', list);
            return list;
        },
        set: function (value) { ownValue(this, 'headers', value); },
        enumerable: true,
        configurable: true
    };
    // A response that never came (a network error) has headers but no code, status, time or
    // size at all, as in Postman: `'code' in pm.response` is false, and a status check fails
    // because the response has no `code`.
    function Response(data) {
        if (data) {
            this.code = data.code;
            this.status = data.status;
        }
        Object.defineProperty(this, 'headers', HEADERS);
        if (data) {
            this.responseTime = data.responseTime;
            this.responseSize = data.bodySize;
        }
        Object.defineProperty(this, DATA, { value: data || {} });
    }
    Response.isResponse = function (r) { return r instanceof Response; };
    var RS = Response.prototype;
    // Parsed from the Set-Cookie headers on first use.
    function responseCookies() {
        var cookies = [];
        this.headers.each(function (h) {
            if (String(h.key).toLowerCase() !== 'set-cookie') { return; }
            var parts = String(h.value).split(';'), first = parts.shift(), eq = first.indexOf('=');
            var cookie = { name: eq < 0 ? first.trim() : first.slice(0, eq).trim(), value: eq < 0 ? '' : first.slice(eq + 1).trim() };
            parts.forEach(function (p) {
                var at = p.indexOf('='), k = (at < 0 ? p : p.slice(0, at)).trim().toLowerCase(), v = at < 0 ? true : p.slice(at + 1).trim();
                if (k === 'domain') { cookie.domain = v; }
                else if (k === 'path') { cookie.path = v; }
                else if (k === 'expires') { cookie.expires = v; }
                else if (k === 'secure') { cookie.secure = true; }
                else if (k === 'httponly') { cookie.httpOnly = true; }
            });
            cookies.push(cookie);
        });
        return new CookieList(cookies);
    }
    Object.defineProperty(RS, 'cookies', {
        get: function () {
            if (!hasOwn.call(this, '_cookies')) { Object.defineProperty(this, '_cookies', { value: responseCookies.call(this), writable: true }); }
            return this._cookies;
        },
        set: function (v) { Object.defineProperty(this, '_cookies', { value: v, writable: true }); },
        configurable: true
    });
    RS.text = function () {
        var body = dataOf(this).body;
        return body === undefined ? undefined : str(body);
    };
    // Plain JSON (after a byte order mark, which Newman's parser drops) is parsed at once; anything
    // else goes to postman-collection's own parser (liquid-json, in the bundled SDK loaded on first
    // use), so that a body that is not JSON fails with Newman's JSONError and its message
    // (`Unexpected token '<' at 1:1`, the line, a caret).
    RS.json = function (reviver, strict) {
        // The body as `text()` gives it, read directly unless a script replaced `text`.
        var body = dataOf(this).body;
        var text = this.text === RS.text && typeof body === 'string' ? body : String(this.text());
        var bom = text.charCodeAt(0) === 0xFEFF;
        if (!strict || !bom) {
            var plain = bom ? text.slice(1) : text, value;
            // Read by the host when no reviver is called, with JSON.parse's result; `undefined`
            // when JSON.parse should read it.
            if (typeof reviver !== 'function' && (value = parseJson(plain)) !== undefined) { return value; }
            try { return JSON.parse(plain, reviver); }
            catch (ignored) { /* the SDK's parser says why */ }
        }
        return this._sdk().json(reviver, strict);
    };
    RS.reason = function () { return this.status; };
    // The standard reason phrases and their descriptions are postman-collection's own tables, and
    // so is the serialised shape (an id, the body as a Buffer's JSON, the cookies): its bundled SDK
    // (loaded on first use) answers both.
    RS.details = function () { return this._sdk().details(); };
    RS.size = function () {
        var data = dataOf(this), body = data.bodySize || 0, header = data.headerSize || 0;
        return { body: body, header: header, total: body + header };
    };
    RS.dataURI = function () {
        var type = this.contentInfo().contentType;
        return type ? 'data:' + type + ';base64, ' + this.stream.toString('base64') : '';
    };
    RS.encoding = function () {
        var format = this.headers.get('content-encoding'), body = this.stream;
        if (format) { return { format: format, source: 'header' }; }
        if (body && body[0] === 0x1F && body[1] === 0x8B && body[2] === 0x8) { return { format: 'gzip', source: 'body' }; }
        return { format: format, source: undefined };
    };
    // So are the MIME databases and the sniffing of a body without a Content-Type.
    RS.contentInfo = function () { return this._sdk().contentInfo(); };
    RS.toJSON = function () { return this._sdk().toJSON(); };
    RS._sdk = function () {
        var sdk = require('postman-collection');
        return new sdk.Response({
            code: this.code, status: this.status, header: this.headers.toJSON(), stream: this.stream,
            responseTime: this.responseTime, responseSize: this.responseSize,
            cookie: this.cookies && this.cookies.toJSON ? this.cookies.toJSON() : []
        });
    };
    Object.defineProperty(RS, 'stream', { get: function () { return typeof Buffer === 'function' ? Buffer.from(this.text() || '') : (this.text() || ''); } });

    // Named as postman-collection names them, which is what a failure message or
    // `constructor.name` shows (`expected PostmanResponse{ … } to have property 'code'`).
    [[Request, 'PostmanRequest'], [Response, 'PostmanResponse'], [Url, 'PostmanUrl']].forEach(function (pair) {
        Object.defineProperty(pair[0], 'name', { value: pair[1], configurable: true });
    });

    // The job's response is made by the host in one call, with the constructor's shape (see
    // `ResponseShape` in host.rs): the prototype, the `headers` accessor and the data key.
    var responseShape = [RS, HEADERS.get, HEADERS.set, DATA];
    // Steps for `shapeKeepers`: each adds one property as the constructor (and the host) does.
    function assigns(name) { return function (o) { o[name] = 0; }; }
    function defines(name, descriptor) { return function (o) { Object.defineProperty(o, name, descriptor); }; }
    var shapes = shapeKeepers(RS, [assigns('code'), assigns('status'), defines('headers', HEADERS),
        assigns('responseTime'), assigns('responseSize'), defines(DATA, { value: {} })])
        .concat(shapeKeepers(Object.prototype,
            [assigns('body'), assigns('bodySize'), assigns('headerSize'), assigns('loadHeaders')]));

    return {
        responseShape: responseShape,
        shapes: shapes,
        Property: Property, QueryParam: QueryParam, PropertyList: PropertyList, HeaderList: HeaderList,
        QueryList: QueryList, Cookie: Cookie, CookieList: CookieList, Url: Url, RequestBody: RequestBody,
        RequestAuth: RequestAuth, Request: Request, Response: Response
    };
})
