/** Smart lockout (AADSTS50053) and the client address that logs see (TESSERA_TRUSTED_PROXIES). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, addUser } from '../helpers/fixtures.ts';

describe('lockout and client address', () => {
  let s: TestServer;
  let appId: string;
  before(async () => {
    s = await startTestServer({ TESSERA_TRUSTED_PROXIES: '127.0.0.1/32,::1', TESSERA_LOCKOUT_THRESHOLD: '3', TESSERA_IP_LOCKOUT_THRESHOLD: '1000' });
    await addUser(s, 'carol@contoso.test', 'Right-Password-42');
    appId = (await addApp(s, { displayName: 'Portal', isPublic: true, redirectUris: ['http://127.0.0.1:9/cb'] })).appId;
  });
  after(async () => { await s.stop(); });

  async function attempt(password: string, from: string): Promise<string> {
    const authorize = `${s.authority}/oauth2/v2.0/authorize?client_id=${appId}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
    const page = await (await fetch(authorize, { headers: { 'x-forwarded-for': from } })).text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(page)![1]!;
    const res = await fetch(`${s.authority}/oauth2/v2.0/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from }, body: new URLSearchParams({ interaction: interaction.replace(/&amp;/g, '&'), username: 'carol@contoso.test', password }) });
    return res.status === 302 ? 'ok' : (await res.text()).includes('temporarily locked') ? 'locked' : 'bad';
  }

  test('the forwarded address of a trusted proxy is what the sign-in record shows', async () => {
    assert.equal(await attempt('Right-Password-42', '198.51.100.23'), 'ok');
    assert.equal(await attempt('wrong-1', '198.51.100.23'), 'bad');
    await s.app.logs.flush();
    const ip = (await s.app.logs.query(`SELECT IPAddress FROM SigninLogs WHERE ResultType = '50126' LIMIT 1`)).rows[0]![0];
    assert.equal(ip, '198.51.100.23');
  });

  test('after the threshold the account is locked (50053), even with the right password', async () => {
    assert.equal(await attempt('wrong-2', '198.51.100.24'), 'bad');
    assert.equal(await attempt('wrong-3', '198.51.100.25'), 'bad');
    assert.equal(await attempt('Right-Password-42', '198.51.100.26'), 'locked');
    await s.app.logs.flush();
    const codes = (await s.app.logs.query(`SELECT ResultType FROM SigninLogs WHERE UserPrincipalName = 'carol@contoso.test' ORDER BY TimeGenerated`)).rows.map((r) => r[0]);
    assert.equal(codes.at(-1), '50053');
  });
});
