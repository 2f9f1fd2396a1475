/**
 * Identity protection on real sign-ins: location and ASN on records, a password spray across many
 * accounts from one source raising detections, risky users through the Graph API with confirm/dismiss,
 * a user-risk conditional access policy acting on it, and the risk tables filled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, addUser } from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/directory/passwords.ts';

const REDIRECT = 'http://127.0.0.1:5555/callback';

describe('identity protection end to end', () => {
  let s: TestServer;
  let token: string;
  let appId: string;
  const users: string[] = [];
  before(async () => {
    s = await startTestServer({ TESSERA_TRUSTED_PROXIES: '127.0.0.1/32,::1', TESSERA_LOCKOUT_THRESHOLD: '1000', TESSERA_IP_LOCKOUT_THRESHOLD: '100000' });
    token = await adminToken(s);
    appId = (await addApp(s, { displayName: 'Mail', isPublic: true, redirectUris: [REDIRECT] })).appId;
    for (let i = 0; i < 25; i++) users.push(await addUser(s, `user${i}@contoso.test`, `Pa55word-${i}-unique!`));
  });
  after(async () => { await s.stop(); });

  async function login(user: string, password: string, ip: string): Promise<Response> {
    const authorize = `${s.authority}/oauth2/v2.0/authorize?client_id=${appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
    const page = await (await fetch(authorize, { headers: { 'x-forwarded-for': ip } })).text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(page)![1]!;
    return fetch(`${s.authority}/oauth2/v2.0/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip }, body: new URLSearchParams({ interaction: interaction.replace(/&amp;/g, '&'), username: user, password }) });
  }

  test('sign-in records carry the location and ASN of the address the user signed in from', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = (await import('node:crypto')).createHash('sha256').update(verifier).digest('base64url');
    const authorize = `${s.authority}/oauth2/v2.0/authorize?client_id=${appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&code_challenge=${challenge}&code_challenge_method=S256`;
    const page = await (await fetch(authorize, { headers: { 'x-forwarded-for': '8.8.8.8' } })).text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(page)![1]!;
    const res = await fetch(`${s.authority}/oauth2/v2.0/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '8.8.8.8' }, body: new URLSearchParams({ interaction: interaction.replace(/&amp;/g, '&'), username: 'user0@contoso.test', password: 'Pa55word-0-unique!' }) });
    assert.equal(res.status, 302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    // The code is redeemed from elsewhere (as a web app's server would); the record keeps the user's address.
    const tok = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: appId, code, redirect_uri: REDIRECT, code_verifier: verifier }) });
    assert.equal(tok.status, 200, await tok.clone().text());
    await s.app.logs.flush();
    const row = (await s.app.logs.query(`SELECT IPAddress, Location, AutonomousSystemNumber FROM SigninLogs WHERE ResultType = '0' ORDER BY TimeGenerated DESC LIMIT 1`)).rows[0]!;
    assert.deepEqual([row[0], row[1], row[2]], ['8.8.8.8', 'US', '15169']);
  });

  test('a password spray from one address is detected; risky users appear in Graph and can be dismissed', async () => {
    for (let i = 1; i < users.length; i++) {
      const r = await login(`user${i}@contoso.test`, 'Spring2026!', '185.220.101.7');
      assert.equal(r.status, 400);
    }
    // The spray finds one account whose password it guessed (the attacker's success).
    await s.app.store.users.update({ ...(await s.app.store.users.get(s.tenantId, users[7]!))!, passwordHash: await hashPassword('Spring2026!') });
    const hit = await login('user7@contoso.test', 'Spring2026!', '185.220.101.7');
    assert.equal(hit.status, 302);
    // Learning and offline detections run off the request path.
    let detections: { riskEventType: string; userId: string }[] = [];
    for (let i = 0; i < 50 && !detections.some((d) => d.riskEventType === 'passwordSpray'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      detections = (await graph(s, token, 'GET', '/v1.0/identityProtection/riskDetections')).body.value;
    }
    assert.ok(detections.some((d) => d.riskEventType === 'passwordSpray'), JSON.stringify(detections.map((d) => d.riskEventType)));
    const risky = await graph(s, token, 'GET', '/v1.0/identityProtection/riskyUsers');
    assert.equal(risky.status, 200);
    const flagged = (risky.body.value as { id: string; riskState: string }[]).find((u) => u.id === users[7]);
    assert.ok(flagged, 'the user whose password was guessed is at risk');
    const dismissed = await graph(s, token, 'POST', '/v1.0/identityProtection/riskyUsers/dismiss', { userIds: [users[7]] });
    assert.equal(dismissed.status, 204);
    const after1 = await graph(s, token, 'GET', `/v1.0/identityProtection/riskyUsers/${users[7]}`);
    assert.equal(after1.body.riskState, 'dismissed');
    const csv = await fetch(`${s.url}/v1.0/identityProtection/reports/riskDetections/csv`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /text\/csv/);
    assert.match(await csv.text(), /passwordSpray/);
    await s.app.logs.flush();
    const events = (await s.app.logs.query(`SELECT count(*) FROM AADUserRiskEvents WHERE RiskEventType = 'passwordSpray'`)).rows[0]![0];
    assert.ok(Number(events) >= 1);
  });

  test('garbage on the risk endpoints gets Graph errors', async () => {
    assert.equal((await graph(s, token, 'POST', '/v1.0/identityProtection/riskyUsers/dismiss', { userIds: 'nope' })).status, 400);
    assert.equal((await graph(s, token, 'POST', '/v1.0/identityProtection/riskyUsers/confirmCompromised', '{')).status, 400);
    assert.equal((await graph(s, token, 'GET', '/v1.0/identityProtection/riskyUsers?$filter=nosuch eq 1')).status, 400);
    assert.equal((await graph(s, token, 'GET', '/v1.0/identityProtection/reports/bogus/csv')).status, 400);
    assert.equal((await graph(s, token, 'POST', '/v1.0/identityProtection/leakedCredentialReports', { report: 42 })).status, 400);
  });
});

describe('self-remediation by a secure password change', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.stop(); });

  test('a user confirmed compromised changes the password after MFA and is remediated; garbage is refused', async () => {
    const OTPAuth = await import('otpauth');
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
    const userId = await addUser(s, 'dan@contoso.test', 'Old-Password-123', { totpSecret: secret });
    const app = await addApp(s, { displayName: 'Portal', isPublic: true, redirectUris: [REDIRECT] });
    const token = await adminToken(s);
    assert.equal((await graph(s, token, 'POST', '/v1.0/identityProtection/riskyUsers/confirmCompromised', { userIds: [userId] })).status, 204);
    assert.equal((await graph(s, token, 'GET', `/v1.0/identityProtection/riskyUsers/${userId}`)).body.riskLevel, 'high');
    // Dan signs in with password + TOTP and asks for a Graph token.
    const { createHash } = await import('node:crypto');
    const verifier = 'w'.repeat(50);
    const { browserSignIn } = await import('../helpers/fixtures.ts');
    const { location } = await browserSignIn(`${s.authority}/oauth2/v2.0/authorize?client_id=${app.appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=${encodeURIComponent('openid User.Read')}&code_challenge=${createHash('sha256').update(verifier).digest('base64url')}&code_challenge_method=S256`, 'dan@contoso.test', 'Old-Password-123', () => totp.generate());
    const tok = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: app.appId, code: new URL(location).searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier }) });
    const userToken = ((await tok.json()) as { access_token: string }).access_token;
    assert.equal((await graph(s, userToken, 'POST', '/v1.0/me/changePassword', { currentPassword: 'wrong', newPassword: 'New-Password-456' })).status, 400);
    assert.equal((await graph(s, userToken, 'POST', '/v1.0/me/changePassword', { currentPassword: 'Old-Password-123', newPassword: 'short' })).status, 400);
    assert.equal((await graph(s, userToken, 'POST', '/v1.0/me/changePassword', { currentPassword: 'Old-Password-123' })).status, 400);
    assert.equal((await graph(s, userToken, 'POST', '/v1.0/me/changePassword', { currentPassword: 'Old-Password-123', newPassword: 'New-Password-456' })).status, 204);
    const after1 = (await graph(s, token, 'GET', `/v1.0/identityProtection/riskyUsers/${userId}`)).body;
    assert.equal(after1.riskState, 'remediated');
    assert.equal(after1.riskDetail, 'userPerformedSecuredPasswordChange');
  });
});
