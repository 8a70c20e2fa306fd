// chai's hot paths, made cheaper for QuickJS's interpreter with chai's behaviour kept.
//
// Each step of `pm.response.to.have.status(200)` makes a new assertion object behind a Proxy and
// copies the flags onto it. chai 4 does that through small helpers (`flag`, `transferFlags`, the
// Proxy's `get` trap) that each read the flags back through the Proxy, and in QuickJS every call
// and every trap is costly: one language chain took about 75,000 instructions, one method call
// 130,000. The replacements below do the same work with fewer calls and trap hits: they make
// objects with the same prototype, the same flags in the same order and the same Proxy checks,
// and they leave every failure (and its message) to chai's own code. Run once, when chai loads,
// before Postman's assertions are added, so those get the faster helpers too.
(function (chai) {
    'use strict';

    var config = chai.config, util = chai.util;
    var ChaiAssertion = chai.Assertion, proto = ChaiAssertion.prototype;
    var chaiProxify = util.proxify, chaiAssert = proto.assert;
    function proxyEnabled() {
        return config.useProxy && typeof Proxy !== 'undefined' && typeof Reflect !== 'undefined';
    }
    function flagsOf(object) {
        return object.__flags || (object.__flags = Object.create(null));
    }

    // The Proxy around each assertion: it rejects unknown properties (`expect(x).to.be.ture`) and
    // records the last caller, with chai's checks in chai's order. One handler serves every
    // assertion instead of a new one per object; an unknown property goes to chai's own Proxy,
    // so the error and its "Did you mean" suggestion are chai's. Methods keep chai's proxies.
    function proxyGetter(target, property) {
        switch (property) {
            // What chai lets through without recording the caller (`ssfi`): when present, these
            // pass every check and change nothing.
            case '__flags': case '__methods': case '_obj': case 'assert':
                if (property in target) { return target[property]; }
                break;
            default:
                if (typeof property === 'string' && !(property in target) && config.proxyExcludedKeys.indexOf(property) === -1) {
                    return chaiProxify(target)[property];
                }
                var flags = flagsOf(target);
                if (!flags.lockSsfi) { flags.ssfi = proxyGetter; }
                return target[property];
        }
        // One of those, missing: chai rejects it unless it is an excluded key.
        return config.proxyExcludedKeys.indexOf(property) === -1 ? chaiProxify(target)[property] : target[property];
    }
    var sharedHandler = { get: proxyGetter };
    util.proxify = function (obj, nonChainableMethodName) {
        if (nonChainableMethodName !== undefined || !proxyEnabled()) { return chaiProxify(obj, nonChainableMethodName); }
        return new Proxy(obj, sharedHandler);
    };

    // chai's constructor sets its five flags one `flag()` call at a time; this sets them directly,
    // in the same order. The prototype, and so `instanceof` and every assertion, stays chai's.
    function fillFlags(object, obj, msg, ssfi, lockSsfi) {
        var flags = flagsOf(object);
        flags.ssfi = ssfi || ChaiAssertion;
        flags.lockSsfi = lockSsfi;
        flags.object = obj;
        flags.message = msg;
        flags.eql = config.deepEqual || util.eql;
        return flags;
    }
    function Assertion(obj, msg, ssfi, lockSsfi) {
        fillFlags(this, obj, msg, ssfi, lockSsfi);
        return util.proxify(this);
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
    // the flags with `for...in`: for a flags object, which has no prototype and no symbol keys,
    // `Object.assign` copies the same keys in the same order).
    function successor(flags) {
        var next = Object.create(proto);
        Object.assign(fillFlags(next), flags);
        return util.proxify(next);
    }

    // `addProperty` and `addMethod` as chai defines them, with the flags read once per call.
    // Chai's own chain words (`to`, `be`, `have`, ...) are redefined the same way.
    util.addProperty = function (ctx, name, getter) {
        getter = getter === undefined ? function () {} : getter;
        Object.defineProperty(ctx, name, {
            get: function propertyGetter() {
                if (!proxyEnabled()) {
                    var flags = flagsOf(this);
                    if (!flags.lockSsfi) { flags.ssfi = propertyGetter; }
                }
                var result = getter.call(this);
                return result !== undefined ? result : successor(flagsOf(this));
            },
            configurable: true
        });
    };
    ['to', 'be', 'been', 'is', 'and', 'has', 'have', 'with', 'that', 'which', 'at', 'of', 'same',
        'but', 'does', 'still', 'also'].forEach(function (chain) { util.addProperty(proto, chain); });

    util.addMethod = function (ctx, name, method) {
        var methodWrapper = function () {
            var flags = flagsOf(this);
            if (!flags.lockSsfi) { flags.ssfi = methodWrapper; }
            var result = method.apply(this, arguments);
            return result !== undefined ? result : successor(flagsOf(this));
        };
        util.addLengthGuard(methodWrapper, name, false);
        ctx[name] = chaiProxify(methodWrapper, name);
    };

    // A passing check does nothing in chai but decide that it passed; only a failing one needs
    // chai's `assert`, which builds the message and throws. The parameters are chai's, so the
    // function's `length` stays 6.
    proto.assert = function assert(expr, msg, negateMsg, expected, actual, showDiff) {
        var ok = flagsOf(this).negate ? !expr : expr;
        if (!ok) { return chaiAssert.apply(this, arguments); }
    };
})
