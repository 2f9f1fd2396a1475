/**
 * Peer: panva's oidc-provider (v9) configured like Tessera's hot paths.
 *
 * - ES256 signing key; access tokens are JWTs (resource indicators, `accessTokenFormat: 'jwt'`) for
 *   the resource `https://graph.microsoft.com`, which is the default resource, so the request bodies
 *   are the same as Tessera's (`scope=https://graph.microsoft.com/.default`).
 * - Clients: `bench-basic` (client_secret_basic), `bench-post` (client_secret_post), both allowed
 *   client_credentials and refresh_token; `bench-public` (auth method none, DPoP-bound tokens).
 * - refresh_token grant with rotation (`rotateRefreshToken: true`), an unbounded in-memory adapter.
 * - DPoP feature on (no server nonce required).
 *
 * Refresh tokens are minted through the provider's own models (one Grant + one RefreshToken per
 * token, exactly what a code exchange stores) by a bench-only route handled before the provider:
 *   POST /__bench/mint?client=ID&count=N[&jkt=THUMBPRINT][&return=0]  → {"tokens":[...]}
 *   GET  /__bench/memory → process.memoryUsage() after a GC (the process runs with --expose-gc)
 * Prints `BENCH_READY {"port":N,...}` when listening.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BenchMemoryAdapter, storeSize } from './memory-adapter.ts';

export const RESOURCE = 'https://graph.microsoft.com';
export const RESOURCE_SCOPE = 'https://graph.microsoft.com/.default';
export const CLIENT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const REFRESH_SCOPE = `openid offline_access ${RESOURCE_SCOPE}`;

// oidc-provider ships no type declarations; type the few members used here.
interface OpModel { save(): Promise<string> }
interface OpGrant extends OpModel { addOIDCScope(s: string): void; addResourceScope(r: string, s: string): void }
interface OpProvider {
  proxy: boolean;
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  Client: { find(id: string): Promise<unknown> };
  Grant: new (p: { accountId: string; clientId: string }) => OpGrant;
  RefreshToken: new (p: Record<string, unknown>) => OpModel;
}
const opModule = 'oidc-provider';
const { default: Provider } = await import(opModule) as { default: new (issuer: string, config: Record<string, unknown>) => OpProvider };

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const issuer = `http://127.0.0.1:${port}`;

const signingJwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };

const confidential = (id: string, method: string) => ({
  client_id: id, client_secret: CLIENT_SECRET, token_endpoint_auth_method: method,
  grant_types: ['client_credentials', 'refresh_token'], response_types: [], redirect_uris: [],
  id_token_signed_response_alg: 'ES256',
});

const provider = new Provider(issuer, {
  adapter: BenchMemoryAdapter,
  clients: [
    confidential('bench-basic', 'client_secret_basic'),
    confidential('bench-post', 'client_secret_post'),
    {
      client_id: 'bench-public', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'],
      response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256',
      dpop_bound_access_tokens: true,
    },
  ],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomUUID()] },
  scopes: ['openid', 'offline_access'],
  claims: { openid: ['sub'] },
  findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  rotateRefreshToken: true,
  enabledJWA: { dPoPSigningAlgValues: ['ES256'] },
  ttl: { AccessToken: 3600, ClientCredentials: 3600, IdToken: 3600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    userinfo: { enabled: false },
    dPoP: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: RESOURCE_SCOPE, audience: RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
provider.proxy = false;

/** One Grant + one RefreshToken per token, as a code exchange with offline_access would store. */
async function mint(clientId: string, count: number, jkt: string | undefined, keep: boolean): Promise<string[]> {
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error(`unknown client ${clientId}`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const accountId = `user-${randomUUID()}`;
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(RESOURCE, RESOURCE_SCOPE);
    const grantId = await grant.save();
    const rt = new provider.RefreshToken({
      accountId, client, grantId, gty: 'authorization_code', scope: REFRESH_SCOPE, resource: RESOURCE,
      authTime: Math.floor(Date.now() / 1000), sessionUid: randomUUID(), ...(jkt ? { jkt } : {}),
    });
    const value = await rt.save();
    if (keep) out.push(value);
  }
  return out;
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  if (!url.pathname.startsWith('/__bench/')) { callback(req, res); return; }
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  req.resume();
  if (url.pathname === '/__bench/memory') {
    (globalThis as { gc?: () => void }).gc?.();
    json(200, { ...process.memoryUsage(), storeEntries: storeSize() });
    return;
  }
  if (url.pathname === '/__bench/mint' && req.method === 'POST') {
    const count = Math.min(10_000, Math.max(1, Number(url.searchParams.get('count') ?? 1)));
    mint(url.searchParams.get('client') ?? 'bench-basic', count, url.searchParams.get('jkt') ?? undefined, url.searchParams.get('return') !== '0')
      .then((tokens) => json(200, { minted: count, tokens }), (e: unknown) => json(400, { error: String(e) }));
    return;
  }
  json(404, { error: 'not found' });
});
server.keepAliveTimeout = 30_000;
process.stdout.write(`BENCH_READY ${JSON.stringify({ port, tokenPath: '/token', issuer })}\n`);
const shutdown = (): void => { server.close(); server.closeAllConnections(); setTimeout(() => process.exit(0), 200).unref(); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The harness holds our stdin open; when it goes away, so do we.
process.stdin.on('end', shutdown).on('error', shutdown).resume();
