// A real, OpenID Certified provider (panva's oidc-provider) for Baton's OAuth 2.0 proof. It
// serves PingOne-style paths: issuer `http://127.0.0.1:PORT/<envId>/as`, token endpoint
// `<issuer>/token`, authorization endpoint `<issuer>/auth`.
//
// For the client_credentials grant, five clients: one per token endpoint authentication method
// and a second private_key_jwt client with an EC P-256 key (made here, for ES256).
//
// For the browser grants and refresh_token, `baton-code-*` clients registered for
// authorization_code and refresh_token with the loopback redirect URI `codeRedirectUri` (nothing
// listens there: Baton reads the redirect and never follows it): one per token endpoint
// authentication method, a public client (`none`, which must use PKCE) and two whose access
// tokens live 1 s (`refresh_basic`, `refresh_public`) so that Baton refreshes them at once. The
// provider's own development sign-in form (devInteractions) is on: a browser, or a test posting
// the form, signs on and gets the `_session` cookie; with that cookie an authorization request
// redirects straight to the redirect URI with a code, because `loadExistingGrant` grants these
// clients `openid api` without a consent page. Refresh tokens: oidc-provider keeps the
// `offline_access` scope only with `prompt=consent`, and that prompt always shows the consent
// page, so `issueRefreshToken` gives one instead to every client registered for the
// refresh_token grant. A public client's refresh token is rotated at each use (the provider's
// default), a confidential client's is kept.
//
// All access tokens are JWTs for the resource `urn:baton:api`, verifiable against `/jwks`.
//
// Usage: node oidc-provider.mjs <public-or-private-key.pem>
// The PEM's public key is registered for the private_key_jwt clients. Prints one JSON line
// when ready: {issuer, port, authPath, envId, tokenEndpoint, authorizationEndpoint, jwksUri,
// grantsUrl, codeRedirectUri, clients: {<name>: {id, secret}}, ecPrivateKey (the EC client's
// throwaway PKCS#8 PEM), ecKeyId}.
//
// Test scaffolding, not part of any provider: `GET <authPath>/test-only/grants` answers the
// token endpoint's successful grants so far, in order, as `["<client_id> <grant_type>", ...]`
// (from the provider's `grant.success` event), so a test can count code exchanges and refreshes.
// Listens on 127.0.0.1 only; stop it by its process id.

import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

// oidc-provider warns on Node < 22 although it works, and notices (on stdout) each default it
// is left with; keep stdout for the ready line only (the test stops reading after it) and drop
// the provider's own notices.
const log = console.warn;
const quiet = (...args) => {
  if (!String(args[0]).startsWith('oidc-provider ')) log(...args);
};
console.warn = quiet;
console.info = quiet;
console.log = quiet;
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

// The browser-grant clients: where the provider sends the browser back (a port nothing listens
// on), and which of them get access tokens that live 1 s.
const codeRedirectUri = 'http://127.0.0.1:9/callback';
const shortLived = new Set(['baton-code-refresh-basic', 'baton-code-refresh-public']);
const codeClient = (name, method) => ({
  client_id: `baton-code-${name}`,
  ...(method === 'none' ? {} : { client_secret: secret() }),
  ...(method === 'private_key_jwt' ? { jwks: { keys: [publicJwk] } } : {}),
  token_endpoint_auth_method: method,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [codeRedirectUri],
  scope: 'openid api',
});
const codeClients = [
  ...methods.map((method) => codeClient(method.replaceAll('_', '-'), method)),
  codeClient('public', 'none'),
  codeClient('refresh-basic', 'client_secret_basic'),
  codeClient('refresh-public', 'none'),
];
clients.push(...codeClients);

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
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:baton:api',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: 'api',
        audience: 'urn:baton:api',
        accessTokenFormat: 'jwt',
        accessTokenTTL: shortLived.has(client.clientId) ? 1 : 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
    devInteractions: { enabled: true },
  },
  // The signed-on account's grant for a browser-grant client, so that no consent page is shown:
  // the one the session already names, else a new one for `openid api`.
  loadExistingGrant: async (ctx) => {
    const { client, session } = ctx.oidc;
    const known = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    const found = known && await provider.Grant.find(known);
    if (found) return found;
    if (!client.clientId.startsWith('baton-code-')) return undefined;
    const grant = new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope('openid api');
    grant.addResourceScope('urn:baton:api', 'api');
    await grant.save();
    return grant;
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
});

// The token endpoint's successful grants, in order, for `/test-only/grants`.
const grants = [];
provider.on('grant.success', (ctx) => {
  grants.push(`${ctx.oidc.client?.clientId} ${ctx.oidc.params?.grant_type}`);
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
  if (req.method === 'GET' && req.url === '/test-only/grants') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(grants));
    return;
  }
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
  authorizationEndpoint: `${issuer}/auth`,
  jwksUri: `${issuer}/jwks`,
  grantsUrl: `${authPath}/test-only/grants`,
  codeRedirectUri,
  // client_credentials clients by method (and `private_key_jwt_ec`); browser-grant clients as
  // `code_<name>`, e.g. `code_client_secret_post`, `code_public`, `code_refresh_basic`.
  clients: Object.fromEntries(clients.map((c) => {
    let name = c.token_endpoint_auth_method;
    if (c.client_id === 'baton-private-key-jwt-ec') name = 'private_key_jwt_ec';
    if (c.client_id.startsWith('baton-code-')) {
      name = `code_${c.client_id.slice('baton-code-'.length).replaceAll('-', '_')}`;
    }
    return [name, { id: c.client_id, secret: c.client_secret ?? null }];
  })),
  ecPrivateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ecKeyId,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
