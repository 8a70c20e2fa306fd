'use strict';
// Test support, loaded with `node --require`: Newman's counterpart of Baton's `--connect-to`.
// `BATON_CONNECT_TO` lists `HOST:PORT=LOCALPORT` pairs separated by commas; a connection to a
// listed HOST:PORT goes to 127.0.0.1:LOCALPORT instead, while the request URL, the Host header and
// the TLS server name stay HOST's. Any other host that is not loopback fails to resolve, so a
// fixture can never reach the internet from the tests.

const http = require('http');
const net = require('net');
const tls = require('tls');

const mappings = new Map();
for (const entry of (process.env.BATON_CONNECT_TO || '').split(',').filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    mappings.set(entry.slice(0, at).toLowerCase(), Number(entry.slice(at + 1)));
}

function isLoopback (host) {
    return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

function blocked (host) {
    return function (_name, _options, callback) {
        process.nextTick(callback, new Error('connect-to.cjs: ' + host + ' is not mapped to a local server'));
    };
}

// The options a connection really uses: mapped, left alone (loopback), or made to fail (elsewhere).
function reroute (options, defaultPort) {
    const host = String(options.host || options.hostname || 'localhost').replace(/^\[|\]$/g, '').toLowerCase();
    const port = Number(options.port || defaultPort);
    const local = mappings.get(host + ':' + port);

    if (local !== undefined) {
        return Object.assign({}, options, {
            host: '127.0.0.1',
            hostname: '127.0.0.1',
            port: local,
            servername: options.servername || (net.isIP(host) ? undefined : host),
            lookup: undefined
        });
    }
    if (isLoopback(host)) {
        return options;
    }

    return Object.assign({}, options, { lookup: blocked(host) });
}

// Plain HTTP: `http.Agent` keeps its own reference to `net.createConnection`, so wrap the agent.
const createConnection = http.Agent.prototype.createConnection;
http.Agent.prototype.createConnection = function (options, callback) {
    return createConnection.call(this, reroute(options, 80), callback);
};

// HTTPS: `https.Agent` calls `tls.connect` through the module object on every connection.
const connect = tls.connect;
tls.connect = function (...args) {
    if (args[0] !== null && typeof args[0] === 'object') {
        args[0] = reroute(args[0], 443);
    }

    return connect.apply(this, args);
};
