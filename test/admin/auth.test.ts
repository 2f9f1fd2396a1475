// Authentication of Graph requests: tokens minted with the server's own signing key, so expiry,
// audience, tenant and DPoP binding can each be tested on its own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createDpopProofWithKey } from '../../sdk/device/dpop.ts';
import { jwkThumbprint, exportPublicJwk } from '../../src/crypto/jwk.ts';
import { adminToken, CLIENT_ID, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { GLOBAL_ADMIN } from './helpers.ts';

describe('Graph request authentication', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.stop(); });

  const mint = (claims: Record<string, unknown> = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    return s.app.keys.signer().sign({
      iss: `${s.authority}/v2.0`, aud: 'https://graph.microsoft.com', tid: s.tenantId, sub: randomUUID(), oid: randomUUID(), idtyp: 'app',
      appid: CLIENT_ID, azp: CLIENT_ID, client_id: CLIENT_ID, wids: [GLOBAL_ADMIN], iat: now, nbf: now, exp: now + 600, jti: randomUUID(), ...claims,
    }, { typ: 'at+jwt' });
  };

  function unauthorized(r: { status: number; body: any; headers: Headers }, what: string, scheme = 'Bearer'): void {
    assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'InvalidAuthenticationToken', what);
    assert.ok((r.headers.get('www-authenticate') ?? '').startsWith(`${scheme} `), `${what}: ${r.headers.get('www-authenticate')}`);
  }

  it('accepts a well-formed token and names the caller in audit records', async () => {
    assert.equal((await graph(s, mint(), 'GET', '/v1.0/users')).status, 200);
    const created = await graph(s, await adminToken(s), 'POST', '/v1.0/groups', { displayName: 'Audited', mailEnabled: false, mailNickname: 'audited', securityEnabled: true });
    const [record] = await s.app.store.audit.list(s.tenantId, { limit: 1 });
    assert.equal(record?.activity, 'Add group');
    assert.equal((record?.initiatedBy as any).app.appId, CLIENT_ID);
    assert.equal((record?.initiatedBy as any).app.displayName, 'Tessera automation');
    assert.equal(record?.correlationId.length, 36);
    assert.equal(created.status, 201);
  });

  it('refuses missing, garbage, expired, wrong-audience, wrong-issuer and wrong-tenant tokens with 401 and a challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    unauthorized(await graph(s, '', 'GET', '/v1.0/users', undefined, { authorization: '' }), 'missing');
    unauthorized(await graph(s, 'x', 'GET', '/v1.0/users', undefined, { authorization: 'Basic abc' }), 'basic scheme');
    unauthorized(await graph(s, 'not-a-jwt', 'GET', '/v1.0/users'), 'garbage');
    const expired = await graph(s, mint({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }), 'GET', '/v1.0/users');
    unauthorized(expired, 'expired');
    assert.match(expired.body.error.message, /expired/);
    unauthorized(await graph(s, mint({ aud: 'api://orders' }), 'GET', '/v1.0/users'), 'another audience');
    unauthorized(await graph(s, mint({ iss: 'https://evil.example/v2.0' }), 'GET', '/v1.0/users'), 'another issuer');
    unauthorized(await graph(s, mint({ tid: randomUUID() }), 'GET', '/v1.0/users'), 'unknown tenant');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = `${mint().split('.').slice(0, 2).join('.')}.${Buffer.from(other.privateKey.export({ format: 'der', type: 'pkcs8' })).subarray(0, 64).toString('base64url')}`;
    unauthorized(await graph(s, forged, 'GET', '/v1.0/users'), 'bad signature');
    // A token whose roles do not allow the operation is a 403, not a 401.
    const r = await graph(s, mint({ wids: [] }), 'GET', '/v1.0/users');
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'Authorization_RequestDenied');
  });

  it('a DPoP-bound token needs the DPoP scheme and a proof by its key (RFC 9449 §7.1)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jkt = jwkThumbprint(exportPublicJwk(privateKey));
    const token = mint({ cnf: { jkt } });
    const url = `${s.url}/v1.0/users`;
    unauthorized(await graph(s, token, 'GET', '/v1.0/users'), 'bound token as Bearer', 'DPoP');
    unauthorized(await graph(s, token, 'GET', '/v1.0/users', undefined, { authorization: `DPoP ${token}` }), 'no proof', 'DPoP');
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    unauthorized(await graph(s, token, 'GET', '/v1.0/users', undefined, { authorization: `DPoP ${token}`, dpop: createDpopProofWithKey(wrongKey, { method: 'GET', url, accessToken: token }) }), 'proof by another key', 'DPoP');
    const ok = await graph(s, token, 'GET', '/v1.0/users', undefined, { authorization: `DPoP ${token}`, dpop: createDpopProofWithKey(privateKey, { method: 'GET', url, accessToken: token }) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    unauthorized(await graph(s, mint(), 'GET', '/v1.0/users', undefined, { authorization: `DPoP ${mint()}` }), 'unbound token with the DPoP scheme');
  });
});
