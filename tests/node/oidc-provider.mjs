// A real, OpenID Certified provider (panva's oidc-provider) for Baton's client authentication
// proof. It serves PingOne-style paths: issuer `http://127.0.0.1:PORT/<envId>/as`, token
// endpoint `<issuer>/token`. Five clients are registered, one per token endpoint
// authentication method and a second private_key_jwt client with an EC P-256 key (made here, for
// ES256), for the client_credentials grant with JWT access tokens.
//
// Usage: node oidc-provider.mjs <public-or-private-key.pem>
// The PEM's public key is registered for the private_key_jwt client. Prints one JSON line
// when ready: {issuer, port, authPath, envId, tokenEndpoint, jwksUri, clients: {<method>: {id, secret}},
// ecPrivateKey (the EC client's throwaway PKCS#8 PEM), ecKeyId}.
// Listens on 127.0.0.1 only; stop it by its process id.

import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

// oidc-provider warns on Node < 22 although it works; keep stdout for the ready line only.
const log = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).startsWith('oidc-provider ')) log(...args);
};
const { default: Provider } = await import('oidc-provider');

const pem = readFileSync(process.argv[2], 'utf8');
const publicJwk = createPublicKey(pem).export({ format: 'jwk' });
// RFC 7638 thumbprint, the `kid` the collections put in their assertions' header.
publicJwk.kid = createHash('sha256')
  .update(JSON.stringify({ e: publicJwk.e, kty: 'RSA', n: publicJwk.n }))
  .digest('base64url');
publicJwk.use = 'sig';

const envId = 'b0a7c1e2-5f0d-4c6a-9e3b-0123456789ab';
const secret = () => randomBytes(48).toString('base64url');
const methods = ['client_secret_post', 'client_secret_basic', 'client_secret_jwt', 'private_key_jwt'];
const clients = methods.map((method) => ({
  client_id: `baton-${method.replaceAll('_', '-')}`,
  ...(method === 'private_key_jwt' ? { jwks: { keys: [publicJwk] } } : { client_secret: secret() }),
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api',
}));
// The ES256 client: a P-256 key registered under its own kid.
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecKeyId = 'baton-ec-key';
clients.push({
  client_id: 'baton-private-key-jwt-ec',
  jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: ecKeyId, use: 'sig' }] },
  token_endpoint_auth_method: 'private_key_jwt',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api',
});

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const authPath = `http://127.0.0.1:${port}`;
const prefix = `/${envId}/as`;
const issuer = `${authPath}${prefix}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'provider-signing', use: 'sig', alg: 'RS256' }] },
  scopes: ['api'],
  enabledJWA: {
    clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:baton:api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: 'urn:baton:api',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});

// oidc-provider lets client_secret_basic clients authenticate with post and vice versa; a
// strict provider must not. Checked after the route, once the client is known.
provider.use(async (ctx, next) => {
  await next();
  const client = ctx.oidc?.client;
  // Paths are seen without the mount prefix.
  if (ctx.path !== '/token' || !client || ctx.status !== 200) return;
  const basic = /^basic /i.test(ctx.get('authorization'));
  const method = client.tokenEndpointAuthMethod;
  if ((method === 'client_secret_basic' && !basic) || (method === 'client_secret_post' && basic)) {
    ctx.status = 401;
    ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' };
  }
});

const callback = provider.callback();
server.on('request', (req, res) => {
  if (!req.url.startsWith(`${prefix}/`)) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
    return;
  }
  // Mounted under the prefix: oidc-provider works out its mount path from originalUrl.
  req.originalUrl = req.url;
  req.url = req.url.slice(prefix.length);
  callback(req, res);
});

const ready = {
  issuer,
  port,
  authPath,
  envId,
  tokenEndpoint: `${issuer}/token`,
  jwksUri: `${issuer}/jwks`,
  clients: Object.fromEntries(clients.map((c) => [
    c.client_id === 'baton-private-key-jwt-ec' ? 'private_key_jwt_ec' : c.token_endpoint_auth_method,
    { id: c.client_id, secret: c.client_secret ?? null },
  ])),
  ecPrivateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ecKeyId,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
