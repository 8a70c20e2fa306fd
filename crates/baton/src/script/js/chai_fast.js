// chai's hot paths, made cheaper for QuickJS's interpreter with chai's behaviour kept.
//
// In chai 4, each step of `pm.response.to.have.status(200)` makes a new assertion object behind
// a Proxy of its own and copies the flags onto it, through small helpers (`flag`,
// `transferFlags`, the Proxy's `get` trap) that each read the flags back through the Proxy; in
// QuickJS every call and every trap is costly: one language chain took about 75,000
// instructions, one method call 130,000. The replacements below do the same work with fewer
// calls and no trap on the way: they make objects with the same prototype, the same flags in the
// same order and the same checks on unknown properties, and they leave every failure (and its
// message) to chai's own code. Run once, when chai loads, before Postman's assertions are added,
// so those get the faster helpers too. Returns objects for the caller to keep for the run.
(function (chai) {
    'use strict';

    var config = chai.config, util = chai.util;
    var ChaiAssertion = chai.Assertion, proto = ChaiAssertion.prototype;
    var chaiProxify = util.proxify, chaiAssert = proto.assert;
    function proxyEnabled() {
        return config.useProxy && typeof Proxy !== 'undefined' && typeof Reflect !== 'undefined';
    }
    // chai wraps every assertion in a Proxy whose `get` trap rejects unknown properties
    // (`expect(x).to.be.ture`). Here one Proxy sits in the prototype chain instead, between
    // `Assertion.prototype` and `Object.prototype`: a lookup only reaches it when neither the
    // assertion nor chai's prototype has the property, so a known property costs no trap at all,
    // and an unknown one meets the same check, in chai's order, as before. The error itself (and
    // its "Did you mean" suggestion) is chai's: the name is looked up again through chai's own
    // Proxy. Methods keep chai's proxies, which reject `expect(x).to.equal.foo`.
    // `__flags` is a writable data property of the prototype, so that reading it on a new
    // assertion, and setting it, stop there.
    Object.defineProperty(proto, '__flags', { value: undefined, writable: true, configurable: true });
    var guard = Object.create(Object.getPrototypeOf(proto));
    Object.setPrototypeOf(proto, new Proxy(guard, {
        get: function (target, property, receiver) {
            if (receiver !== proto && typeof property === 'string' && !(property in target) &&
                proxyEnabled() && config.proxyExcludedKeys.indexOf(property) === -1) {
                return chaiProxify(receiver)[property];
            }
            return Reflect.get(target, property, receiver);
        }
    }));
    // An assertion needs no Proxy of its own; anything else chai (or a plugin) asks to wrap still
    // gets chai's.
    util.proxify = function (obj, nonChainableMethodName) {
        return nonChainableMethodName === undefined && proto.isPrototypeOf(obj) ? obj : chaiProxify(obj, nonChainableMethodName);
    };

    // chai's constructor sets its five flags one `flag()` call at a time; this makes them in one
    // object, in the same order. The prototype, and so `instanceof` and every assertion, stays
    // chai's.
    var chaiEql = util.eql;
    // An assertion gets its `__flags`, and a flags object its five properties one at a time:
    // these objects, one per step and returned to the prelude to keep, keep each step's shape
    // alive for the constructor and `successor` (see `shapeKeepers` in sdk.js).
    var assertionShape = Object.create(proto);
    assertionShape.__flags = undefined;
    var SHAPES = [
        assertionShape,
        { __proto__: null, ssfi: 0 },
        { __proto__: null, ssfi: 0, lockSsfi: 0 },
        { __proto__: null, ssfi: 0, lockSsfi: 0, object: 0 },
        { __proto__: null, ssfi: 0, lockSsfi: 0, object: 0, message: 0 },
        { __proto__: null, ssfi: 0, lockSsfi: 0, object: 0, message: 0, eql: 0 }
    ];
    function Assertion(obj, msg, ssfi, lockSsfi) {
        this.__flags = {
            __proto__: null, ssfi: ssfi || ChaiAssertion, lockSsfi: lockSsfi, object: obj, message: msg,
            eql: config.deepEqual || chaiEql
        };
        // Made with `new`, it is an assertion (or a subclass's); called on another object, that
        // object gets chai's Proxy, as chai's constructor gives it.
        return new.target !== undefined || proto.isPrototypeOf(this) ? this : chaiProxify(this);
    }
    Assertion.prototype = proto;
    Object.getOwnPropertyNames(ChaiAssertion).forEach(function (name) {
        if (['prototype', 'length', 'name', 'arguments', 'caller'].indexOf(name) < 0) {
            Object.defineProperty(Assertion, name, Object.getOwnPropertyDescriptor(ChaiAssertion, name));
        }
    });
    chai.Assertion = Assertion;

    // What chai returns after a chain word or a method that returns nothing: a new assertion
    // carrying all of `flags` (chai's `new Assertion()` followed by `transferFlags`, which copies
    // the flags with `for...in`). Every assertion's flags begin with the constructor's five, so
    // copying them all (a flags object has no prototype and no symbol keys, so a spread copies
    // what `for...in` does, in the same order) gives the same object.
    function successor(flags) {
        var next = Object.create(proto);
        next.__flags = { __proto__: null, ...flags };
        return next;
    }

    // `addProperty` and `addMethod` as chai defines them, with the flags read once per call.
    // Chai's own chain words (`to`, `be`, `have`, ...) are redefined the same way, without the
    // call to a getter that does nothing.
    function chainWord() {
        var flags = this.__flags || (this.__flags = Object.create(null));
        // chai's Proxy named itself here; this getter is at the same place in the stack.
        if (!flags.lockSsfi) { flags.ssfi = chainWord; }
        return successor(flags);
    }
    util.addProperty = function (ctx, name, getter) {
        if (getter === undefined) {
            Object.defineProperty(ctx, name, { get: chainWord, configurable: true });
            return;
        }
        Object.defineProperty(ctx, name, {
            get: function propertyGetter() {
                var flags = this.__flags || (this.__flags = Object.create(null));
                if (!flags.lockSsfi) { flags.ssfi = propertyGetter; }
                var result = getter.call(this);
                return result !== undefined ? result : successor(this.__flags);
            },
            configurable: true
        });
    };
    ['to', 'be', 'been', 'is', 'and', 'has', 'have', 'with', 'that', 'which', 'at', 'of', 'same',
        'but', 'does', 'still', 'also'].forEach(function (chain) { util.addProperty(proto, chain); });

    util.addMethod = function (ctx, name, method) {
        var methodWrapper = function () {
            var flags = this.__flags || (this.__flags = Object.create(null));
            if (!flags.lockSsfi) { flags.ssfi = methodWrapper; }
            var result = method.apply(this, arguments);
            return result !== undefined ? result : successor(this.__flags);
        };
        util.addLengthGuard(methodWrapper, name, false);
        ctx[name] = chaiProxify(methodWrapper, name);
    };

    // A passing check does nothing in chai but decide that it passed; only a failing one needs
    // chai's `assert`, which builds the message and throws. The parameters are chai's, so the
    // function's `length` stays 6.
    proto.assert = function assert(expr, msg, negateMsg, expected, actual, showDiff) {
        var flags = this.__flags;
        var ok = flags && flags.negate ? !expr : expr;
        if (!ok) { return chaiAssert.apply(this, arguments); }
    };

    return SHAPES;
})
