import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, startTestServer } from './helpers/server.ts';

test('a fresh Tessera serves discovery, JWKS and a client_credentials token', async () => {
  const s = await startTestServer();
  try {
    const meta = await (await fetch(`${s.url}/contoso.test/v2.0/.well-known/openid-configuration`)).json() as Record<string, string>;
    assert.equal(meta.issuer, `${s.authority}/v2.0`, 'the issuer names the tenant id even when addressed by domain');
    const jwks = await (await fetch(meta.jwks_uri!)).json() as { keys: { kty: string; crv: string }[] };
    assert.equal(jwks.keys[0]?.crv, 'P-256');
    const token = await adminToken(s);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.tid, s.tenantId);
    assert.equal(claims.idtyp, 'app');
    assert.ok(claims.wids.includes('62e90394-69f5-4237-9190-012177145e10'));
  } finally {
    await s.stop();
  }
});
