// Postman's chai assertions (`pm.response.to.have.status(201)`, `pm.expect(x).to.be.jsonSchema(s)`),
// written for this sandbox's own Request/Response classes. The failure messages are the ones
// chai-postman 2.0.1 produces, so reports read the same as Newman's.
(function (chai, sdk, lodash, loadAjv) {
    'use strict';

    var Assertion = chai.Assertion, flag = chai.util.flag;
    var FIRST_LINE = /(.*?)\n.*/g;

    function kindOf(o) {
        return sdk.Request.isRequest(o) ? 'request' : sdk.Response.isResponse(o) ? 'response' : undefined;
    }

    // The nested assertions below only run when they would fail, so a passing check costs one
    // chai assertion instead of three, while a failing one reports exactly what chai-postman does.
    // The asserted object is read from the flags, as chai's `_obj` getter reads it, without the
    // getter's extra call.
    function response(assertion) {
        var flags = assertion.__flags, obj = flags ? flags.object : flag(assertion, 'object');
        if (!(obj instanceof sdk.Response)) { new Assertion(obj).to.be.postmanResponse; }
        return obj;
    }

    // chai-postman's checks before any status assertion: the response has a `code`, and it is a
    // number. Each runs as its own chai assertion only when it would fail, for its message.
    function numericCode(res) {
        if (!('code' in res)) { new Assertion(res).to.have.property('code'); }
        if (typeof res.code !== 'number') { new Assertion(res.code).to.be.a('number'); }
    }

    function parseError(res) {
        try { res.json(); return undefined; }
        catch (e) {
            return e.name === 'JSONError' && e.message ? e.message.replace(FIRST_LINE, '$1') : e.name + ': ' + e.message;
        }
    }

    Assertion.addProperty('postmanRequest', function () {
        this.assert(sdk.Request.isRequest(this._obj),
            'expecting a postman request object but got #{this}', 'not expecting a postman request object');
    });
    Assertion.addProperty('postmanResponse', function () {
        this.assert(sdk.Response.isResponse(this._obj),
            'expecting a postman response object but got #{this}', 'not expecting a postman response object');
    });
    Assertion.addProperty('postmanRequestOrResponse', function () {
        this.assert(kindOf(this._obj) !== undefined,
            'expecting a postman request or response object but got #{this}',
            'not expecting a postman request or response object');
    });

    function statusClass(assertion, wanted) {
        var res = response(assertion);
        numericCode(res);
        var found = Math.floor(res.code / 100);
        assertion.assert(found === wanted, 'expected response code to be #{exp}XX but found #{act}',
            'expected response code to not be #{exp}XX', wanted, res.code);
    }
    Assertion.addMethod('statusCodeClass', function (wanted) { statusClass(this, wanted); });
    [['info', 1], ['success', 2], ['redirection', 3], ['clientError', 4], ['serverError', 5]].forEach(function (pair) {
        Assertion.addProperty(pair[0], function () { statusClass(this, pair[1]); });
    });
    Assertion.addProperty('error', function () {
        var res = response(this);
        numericCode(res);
        var found = Math.floor(res.code / 100);
        this.assert(found === 4 || found === 5, 'expected response code to be 4XX or 5XX but found #{act}',
            'expected response code to not be 4XX or 5XX', null, res.code);
    });

    // The most common check of all (`pm.response.to.have.status(200)`) decides a pass itself:
    // chai's `assert` (as chai_fast.js leaves it) does nothing else when a check passes.
    var passOrFail = Assertion.prototype.assert;
    function hasCode(assertion, code) {
        var res = response(assertion);
        if (typeof res.code !== 'number') { numericCode(res); }
        var wanted = typeof code === 'number' ? code : Number(code), actual = res.code;
        var flags = assertion.__flags, ok = actual === wanted;
        if (assertion.assert === passOrFail && (flags && flags.negate ? !ok : ok)) { return; }
        assertion.assert(ok, 'expected response to have status code #{exp} but got #{act}',
            'expected response to not have status code #{act}', wanted, actual);
    }
    function hasReason(assertion, reason) {
        var res = response(assertion);
        assertion.assert(res.reason() === reason, 'expected response to have status reason #{exp} but got #{act}',
            'expected response to not have status reason #{act}', reason, res.reason());
    }
    Assertion.addMethod('statusCode', function (code) { hasCode(this, code); });
    Assertion.addMethod('statusReason', function (reason) { hasReason(this, String(reason)); });
    Assertion.addMethod('status', function (codeOrReason) {
        if (typeof codeOrReason === 'number') { hasCode(this, codeOrReason); }
        else { hasReason(this, codeOrReason); }
    });

    function named(assertion, code, reason) {
        var res = response(assertion);
        var wanted = reason.toUpperCase(), actual = String(res.reason()).toUpperCase(), actualCode = Number(res.details().code);
        assertion.assert(actual === wanted, 'expected response to have status reason #{exp} but got #{act}',
            'expected response to not have status reason #{act}', wanted, actual);
        assertion.assert(actualCode === code, 'expected response to have status code #{exp} but got #{act}',
            'expected response to not have status code #{act}', code, actualCode);
    }
    [['accepted', 202, 'Accepted'], ['withoutContent', 204, 'No Content'], ['badRequest', 400, 'Bad Request'],
        ['unauthorised', 401, 'Unauthorised'], ['unauthorized', 401, 'Unauthorized'], ['forbidden', 403, 'Forbidden'],
        ['notFound', 404, 'Not Found'], ['notAcceptable', 406, 'Acceptable'], ['rateLimited', 429, 'Too Many Requests']
    ].forEach(function (entry) {
        Assertion.addProperty(entry[0], function () { named(this, entry[1], entry[2]); });
    });
    Assertion.addProperty('ok', function () {
        if (!sdk.Response.isResponse(this._obj)) {
            this.assert(flag(this, 'object'), 'expected #{this} to be truthy', 'expected #{this} to be falsy');
            return;
        }
        named(this, 200, 'OK');
    });

    Assertion.addMethod('header', function (key, value) {
        if (kindOf(this._obj) === undefined) { new Assertion(this._obj).to.be.postmanRequestOrResponse; }
        var kind = kindOf(this._obj), headers = this._obj.headers, present = headers.has(key);
        this.assert(present, 'expected ' + kind + ' to have header with key \'' + String(key) + '\'',
            'expected ' + kind + ' to not have header with key \'' + String(key) + '\'', true, present);
        if (arguments.length < 2) { return; }
        var actual = headers.one(key).value;
        this.assert(actual === value, 'expected \'' + String(key) + '\' ' + kind + ' header to be #{exp} but got #{act}',
            'expected \'' + String(key) + '\' ' + kind + ' header to not be #{act}', value, actual);
    });

    Assertion.addProperty('withBody', function () {
        var text = response(this).text();
        this.assert(typeof text === 'string' && text.length, 'expected response to have content in body',
            'expected response to not have content in body');
    });
    Assertion.addProperty('json', function () {
        var error = parseError(response(this));
        this.assert(!error, 'expected response body to be a valid json but got error ' + error,
            'expected response body not to be a valid json');
    });
    ['html', 'xml'].forEach(function (kind) {
        Assertion.addProperty(kind, function () {
            var type = String(response(this).headers.get('content-type') || '');
            this.assert(type.indexOf(kind) >= 0, 'expected response to be ' + kind + ' but got content type #{act}',
                'expected response to not be ' + kind, kind, type);
        });
    });

    Assertion.addMethod('body', function (content) {
        var res = response(this), body;
        if (lodash().isPlainObject(content)) {
            try { body = res.json(); } catch (e) { /* compared as undefined */ }
            this.assert(lodash().isEqual(body, content), 'expected response body json to equal #{exp} but got #{act}',
                'expected response body json to not equal #{exp} but got #{act}', content, body);
            return;
        }
        body = res.text();
        if (arguments.length === 0) {
            this.assert(typeof body === 'string' && body.length, 'expected response to have content in body',
                'expected response to not have content in body');
            return;
        }
        if (content instanceof RegExp) {
            this.assert(content.exec(body) !== null, 'expected response body text to match #{exp} but got #{act}',
                'expected response body text #{act} to not match #{exp}', content, body);
            return;
        }
        this.assert(lodash().isEqual(body, content), 'expected response body to equal #{exp} but got #{act}',
            'expected response body to not equal #{exp}', content, body);
    });

    Assertion.addMethod('jsonBody', function (path, value) {
        var res = response(this), body, error;
        try { body = res.json(); }
        catch (e) { error = e.name === 'JSONError' && e.message ? e.message.replace(FIRST_LINE, '$1') : e.name + ': ' + e.message; }
        if (arguments.length === 0) {
            this.assert(!error, 'expected response body to be a valid json but got error ' + error,
                'expected response body not to be a valid json');
            return;
        }
        if (typeof path === 'string') {
            this.assert(lodash().has(body, path), 'expected #{act} in response to contain property #{exp}',
                'expected #{act} in response to not contain property #{exp}', path, body);
            if (arguments.length > 1) {
                var found = lodash().get(body, path);
                this.assert(lodash().isEqual(found, value), 'expected response body json at "' + path + '" to contain #{exp} but got #{act}',
                    'expected response body json at "' + path + '" to not contain #{exp} but got #{act}', value, found);
            }
        }
    });

    Assertion.addChainableMethod('responseTime', function (value) {
        var time = flag(this, 'number');
        this.assert(typeof time === 'number', 'expected response to have a valid response time but got #{act}',
            'expected response to not have a valid response time but got #{act}', null, time);
        if (arguments.length) {
            this.assert(lodash().isEqual(time, value), 'expected response to have a valid response time but got #{act}',
                'expected response to not have a valid response time but got #{act}', null, time);
        }
    }, function () {
        var res = response(this);
        flag(this, 'number', res.responseTime);
        this._obj = res.responseTime;
    });
    Assertion.addChainableMethod('responseSize', function (value) {
        var size = flag(this, 'number');
        this.assert(typeof size === 'number', 'expected response to have a valid response size but got #{act}',
            'expected response to not have a valid response size but got #{act}', null, size);
        if (arguments.length) {
            this.assert(lodash().isEqual(size, value), 'expected response size to equal #{act} but got #{exp}',
                'expected response size to not equal #{act} but got #{exp}', value, size);
        }
    }, function () {
        var size = response(this).size(), total = (size.header || 0) + (size.body || 0);
        flag(this, 'number', total);
        this._obj = total;
    });

    Assertion.addMethod('jsonSchema', function (schema, options) {
        new Assertion(schema).to.be.an('object');
        var Ajv = loadAjv(), data = this._obj;
        if (sdk.Response.isResponse(data)) { data = data.json(); }
        var ajv = new Ajv(Object.assign({ allErrors: true, logger: false }, options));
        var valid = ajv.validate(schema, data);
        this.assert(valid && !ajv.errors, 'expected data to satisfy schema but found following errors: \n' + ajv.errorsText(),
            'expected data to not satisfy schema', true, valid);
    });
})
