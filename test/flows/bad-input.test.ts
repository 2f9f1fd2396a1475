/**
 * Garbage on every protocol endpoint: a clear OAuth error (or an error page for browser endpoints),
 * never a 500, never a stack trace. A fast-check property fuzzes the token endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../helpers/server.ts';

describe('bad input on protocol endpoints', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ TESSERA_BODY_LIMIT: '8192' }); });
  after(async () => { await s.stop(); });

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers, body });

  async function expectOAuthError(res: Response, status: number, error: string, descPattern?: RegExp): Promise<void> {
    const text = await res.text();
    assert.equal(res.status, status, text);
    assert.ok(!/at .*\.ts:\d+|Error: /.test(text), `no stack trace: ${text}`);
    const body = JSON.parse(text);
    assert.equal(body.error, error, text);
    if (descPattern) assert.match(body.error_description, descPattern);
  }

  const token = (t = s.tenantId) => `/${t}/oauth2/v2.0/token`;

  test('token endpoint: missing, unknown and repeated parameters', async () => {
    await expectOAuthError(await post(token(), ''), 400, 'invalid_request', /grant_type/);
    await expectOAuthError(await post(token(), 'grant_type=password'), 400, 'unsupported_grant_type', /AADSTS70003/);
    await expectOAuthError(await post(token(), 'grant_type=client_credentials&grant_type=client_credentials'), 400, 'invalid_request', /more than once/);
    await expectOAuthError(await post(token(), `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`), 400, 'invalid_request', /scope/);
    await expectOAuthError(await post(token(), `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&scope=User.Read`), 400, 'invalid_scope', /AADSTS1002012/);
    await expectOAuthError(await post(token(), `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&scope=api://nope/.default`), 400, 'invalid_target', /AADSTS500011/);
    await expectOAuthError(await post(token(), `grant_type=authorization_code&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&code=abc&redirect_uri=http://x`), 400, 'invalid_grant', /AADSTS70000/);
    await expectOAuthError(await post(token(), `grant_type=refresh_token&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&refresh_token=${'x'.repeat(600)}`), 400, 'invalid_grant');
  });

  test('token endpoint: client authentication failures', async () => {
    await expectOAuthError(await post(token(), 'grant_type=client_credentials&scope=https://graph.microsoft.com/.default&client_id=00000000-0000-0000-0000-000000000000&client_secret=x'), 401, 'invalid_client', /AADSTS700016/);
    const basic = (v: string) => ({ 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${v}` });
    await expectOAuthError(await post(token(), 'grant_type=client_credentials&scope=https://graph.microsoft.com/.default', basic('!!!')), 401, 'invalid_client');
    await expectOAuthError(await post(token(), 'grant_type=client_credentials&scope=https://graph.microsoft.com/.default', basic(Buffer.from(`${CLIENT_ID}:wrong`).toString('base64'))), 401, 'invalid_client', /AADSTS7000215/);
    await expectOAuthError(await post(token(), `grant_type=client_credentials&scope=https://graph.microsoft.com/.default&client_secret=${CLIENT_SECRET}`, basic(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'))), 400, 'invalid_request', /one client authentication method/);
    await expectOAuthError(await post(token(), `grant_type=client_credentials&scope=https://graph.microsoft.com/.default&client_id=${CLIENT_ID}&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=not.a.jwt`), 401, 'invalid_client');
  });

  test('unknown tenant, wrong content type, oversized and non-UTF-8 bodies', async () => {
    await expectOAuthError(await post(token('nosuch.example'), 'grant_type=client_credentials'), 400, 'tenant_not_found', /AADSTS90002/);
    await expectOAuthError(await post(token(), '{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }), 415, 'invalid_request', /x-www-form-urlencoded/);
    await expectOAuthError(await post(token(), 'grant_type=client_credentials', { 'content-type': 'text/plain' }), 415, 'invalid_request');
    await expectOAuthError(await post(token(), `grant_type=client_credentials&pad=${'a'.repeat(10_000)}`), 413, 'request_too_large');
    const res = await post(token(), Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe, 0x00]));
    assert.ok(res.status >= 400 && res.status < 500);
    await expectOAuthError(await post(`/${'x'.repeat(300)}/oauth2/v2.0/token`, 'grant_type=client_credentials'), 400, 'tenant_not_found');
    const nf = await fetch(`${s.url}/nowhere`);
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: string }).error, 'not_found');
  });

  test('revoke, introspect, devicecode and userinfo with garbage', async () => {
    const p = `/${s.tenantId}/oauth2/v2.0`;
    await expectOAuthError(await post(`${p}/revoke`, `client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`), 400, 'invalid_request', /token/);
    assert.equal((await post(`${p}/revoke`, `client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&token=garbage`)).status, 200, 'RFC 7009 §2.2: unknown tokens are not an error');
    await expectOAuthError(await post(`${p}/revoke`, `client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&token=x&token_type_hint=weird`), 400, 'unsupported_token_type');
    const intro = await post(`${p}/introspect`, `client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&token=${encodeURIComponent('eyJ.garbage.\u{1F600}')}`);
    assert.deepEqual(await intro.json(), { active: false });
    await expectOAuthError(await post(`${p}/devicecode`, 'client_id=not-a-client'), 401, 'invalid_client');
    const ui = await fetch(`${s.url}/${s.tenantId}/openid/userinfo`, { headers: { authorization: 'Bearer a.b.c' } });
    assert.equal(ui.status, 401);
    assert.match(ui.headers.get('www-authenticate') ?? '', /invalid_token/);
    const ui2 = await fetch(`${s.url}/${s.tenantId}/openid/userinfo`);
    assert.equal(ui2.status, 401);
  });

  test('authorize: errors before the redirect URI is trusted are shown, not redirected', async () => {
    const a = `${s.authority}/oauth2/v2.0/authorize`;
    const r1 = await fetch(`${a}?response_type=code`, { redirect: 'manual' });
    assert.equal(r1.status, 400);
    assert.match(await r1.text(), /client_id/);
    const r2 = await fetch(`${a}?client_id=${CLIENT_ID}&redirect_uri=https://evil.example/cb&response_type=code`, { redirect: 'manual' });
    assert.equal(r2.status, 400);
    assert.match(await r2.text(), /AADSTS50011/);
    const r3 = await fetch(`${s.url}/nosuch.example/oauth2/v2.0/authorize?client_id=x`, { redirect: 'manual' });
    assert.equal(r3.status, 400);
    const r4 = await fetch(`${s.authority}/oauth2/v2.0/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'interaction=forged&username=a&password=b' });
    assert.equal(r4.status, 400);
    assert.match(await r4.text(), /expired or was altered/);
  });

  test('property: no random form body makes the token endpoint fail with a 5xx or a malformed error', async () => {
    const key = fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'code', 'refresh_token', 'redirect_uri', 'code_verifier', 'device_code', 'client_assertion', 'client_assertion_type', 'x');
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', CLIENT_ID, CLIENT_SECRET, 'https://graph.microsoft.com/.default', 'openid'), fc.string({ unit: 'grapheme', maxLength: 20 }));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 8 }), async (pairs) => {
      const body = new URLSearchParams(pairs).toString();
      const res = await post(token(), body);
      const text = await res.text();
      if (res.status === 200) return JSON.parse(text).access_token !== undefined;
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status} for ${body}: ${text}`);
      const j = JSON.parse(text);
      return typeof j.error === 'string' && typeof j.error_description === 'string';
    }), { numRuns: 150 });
  });
});

describe('malformed URLs', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.stop(); });
  test('a broken percent-encoding gets an OAuth or Graph error body, not the framework\'s', async () => {
    const g = await fetch(`${s.url}/v1.0/users/%E0%A4%A`);
    assert.equal(g.status, 400);
    assert.equal(((await g.json()) as { error: { code: string } }).error.code, 'BadRequest');
    const o = await fetch(`${s.url}/%E0%A4%A/oauth2/v2.0/token`, { method: 'POST' });
    assert.equal(o.status, 400);
    assert.equal(((await o.json()) as { error: string }).error, 'invalid_request');
  });
});
