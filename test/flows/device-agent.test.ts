/**
 * The legitimate path end to end — register a device, sign in through it, get a DPoP-bound access
 * token through the device-bound session, call an API protected by `tessera/resource` — and seed
 * 003's deployment story for the token protection policy: report-only first, then enabled, with a
 * device filter that keeps unsupported registrations (Cloud PCs) out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addApp } from '../helpers/fixtures.ts';
import { adminToken } from '../helpers/server.ts';
import { policySchema } from '../../src/policy/index.ts';
import { API_SCOPE, PASSWORD, REDIRECT, agent, codeFlowTokens, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from '../attacks/harness.ts';

const OUTLOOK_UA = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

describe('device agent: register, login, token, call an API', () => {
  let w: World;
  before(async () => { w = await startWorld(); });
  after(async () => { await w.close(); });

  test('a bound token from the device session opens the API; the sign-in is recorded bound', async () => {
    const a = await enrolledAgent(w);
    const device = await w.s.app.store.devices.getByDeviceId(w.s.tenantId, a.deviceId);
    assert.deepEqual([device?.trustType, device?.operatingSystem, device?.registrationKind], ['Workplace', 'Windows', 'userCredentials']);
    assert.deepEqual(await w.s.app.store.devices.owners(w.s.tenantId, device!.id), [w.userId]);
    const at = await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE });
    assert.equal(at.token_type, 'DPoP');
    const claims = JSON.parse(Buffer.from(at.access_token.split('.')[1]!, 'base64url').toString()) as { cnf?: { jkt: string } };
    assert.equal(claims.cnf?.jkt, (await a.store.get('dpop'))!.jkt);
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '0');
    assert.deepEqual(rec.status, { signInSessionStatus: 'bound', signInSessionStatusCode: null });
    assert.equal(rec.device.deviceId, a.deviceId);
    const res = await a.client.fetchWithToken(w.api.url, at.access_token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: w.userId, bound: true });
    // The same token without its proof is useless, even on the same machine.
    const bearer = await fetch(w.api.url, { headers: { authorization: `Bearer ${at.access_token}` } });
    assert.equal(bearer.status, 401);
    // The device's approximateLastSignInDateTime follows its sign-ins (written off the response path).
    let seen: number | null = null;
    for (let i = 0; i < 50 && seen === null; i++) {
      seen = (await w.s.app.store.devices.get(w.s.tenantId, device!.id))?.lastSignInAt ?? null;
      if (seen === null) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(seen !== null && Date.now() - seen < 60_000);
  });

  test('renewal rotates the session token and rolls the key; the old token and key stop working', async () => {
    const a = await enrolledAgent(w);
    const renewed = await a.client.renew(a.session);
    assert.notEqual(renewed.sessionToken, a.session.sessionToken);
    assert.notEqual(renewed.sessionKeyId, a.session.sessionKeyId);
    assert.equal(await a.store.get(`sk-${a.session.sessionKeyId}`), undefined);
    const at = await a.client.acquireToken(renewed, { clientId: a.clientId, scope: API_SCOPE });
    assert.equal((await a.client.fetchWithToken(w.api.url, at.access_token)).status, 200);
    await assert.rejects(a.client.renew(a.session), /AADSTS70008/);
  });

  test('a device OS token protection does not support (Windows 8.1) signs in unbound 1006', async () => {
    const a = await enrolledAgent(w, { operatingSystem: 'Windows', operatingSystemVersion: '6.3.9600' });
    await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE });
    assert.deepEqual((await lastSignIn(w.s)).status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1006 });
  });
});

describe('seed 003: a token protection policy, report-only, then enabled, with a device filter', () => {
  let w: World;
  let desktopApp: string;
  before(async () => {
    w = await startWorld();
    desktopApp = (await addApp(w.s, { displayName: 'Desktop app', isPublic: true, redirectUris: [REDIRECT] })).appId;
  });
  after(async () => { await w.close(); });

  const policy = (state: string, deviceFilter?: string) => policySchema.parse({
    displayName: 'Token protection for sign-in sessions', state,
    conditions: {
      users: { includeUsers: ['All'] }, applications: { includeApplications: [w.orders.appId] },
      clientAppTypes: ['mobileAppsAndDesktopClients'], platforms: { includePlatforms: ['windows'] },
      ...(deviceFilter ? { devices: { deviceFilter: { mode: 'exclude', rule: deviceFilter } } } : {}),
    },
    sessionControls: { secureSignInSession: { isEnabled: true } },
  });
  async function withPolicy(body: ReturnType<typeof policy>, fn: (id: string) => Promise<void>): Promise<void> {
    const repo = w.s.app.store.policies(w.s.tenantId);
    const p = await repo.createPolicy(body);
    w.s.app.policies.invalidate(w.s.tenantId);
    try { await fn(p.id); } finally { await repo.deletePolicy(p.id); w.s.app.policies.invalidate(w.s.tenantId); }
  }
  async function unboundRefresh() {
    const { refresh_token } = await codeFlowTokens(w, desktopApp, 'openid offline_access User.Read');
    return tokenRequest(w.s, { grant_type: 'refresh_token', client_id: desktopApp, refresh_token, scope: API_SCOPE }, { 'user-agent': OUTLOOK_UA });
  }
  async function cloudPc() {
    const issued = await fetch(`${w.s.authority}/devices/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${await adminToken(w.s)}`, 'content-type': 'application/json' }, body: JSON.stringify({ system_labels: ['CloudPC'] }) });
    const { enrollment_token } = await issued.json() as { enrollment_token: string };
    const a = agent(w.s);
    const reg = await a.client.register({ enrollmentToken: enrollment_token, device: { trustType: 'AzureAD', operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631', displayName: 'CPC-ada-01' } });
    return { ...a, deviceId: reg.deviceId, session: await a.client.login(reg.deviceId, { username: w.upn, password: PASSWORD }) };
  }

  test('report-only: unbound sign-ins go through, recorded reportOnlyFailure; bound ones reportOnlySuccess', async () => {
    await withPolicy(policy('enabledForReportingButNotEnforced'), async (id) => {
      const r = await unboundRefresh();
      assert.equal(r.status, 200, JSON.stringify(r.body));
      let rec = await lastSignIn(w.s);
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
      assert.equal(rec.policies.find((p) => p.id === id)?.result, 'reportOnlyFailure');
      const a = await enrolledAgent(w);
      await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE });
      rec = await lastSignIn(w.s);
      assert.equal(rec.policies.find((p) => p.id === id)?.result, 'reportOnlySuccess');
    });
  });

  test('enabled: unbound sign-ins are blocked (530084), device-bound ones are allowed and reach the API', async () => {
    await withPolicy(policy('enabled'), async (id) => {
      const r = await unboundRefresh();
      assert.equal(r.status, 400);
      assert.match(r.body.error_description, /AADSTS530084/);
      const rec = await lastSignIn(w.s);
      assert.deepEqual(rec.policies.find((p) => p.id === id)?.sessionControlsNotSatisfied, ['SignInTokenProtection']);
      const a = await enrolledAgent(w);
      const at = await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE });
      assert.equal((await a.client.fetchWithToken(w.api.url, at.access_token)).status, 200);
      assert.equal((await lastSignIn(w.s)).policies.find((p) => p.id === id)?.result, 'success');
    });
  });

  test('a Cloud PC (unsupported registration, 1003) is blocked by the policy unless the device filter excludes it', async () => {
    const cpc = await cloudPc();
    await withPolicy(policy('enabled'), async () => {
      await assert.rejects(cpc.client.acquireToken(cpc.session, { clientId: cpc.clientId, scope: API_SCOPE }), /AADSTS530084/);
      assert.deepEqual((await lastSignIn(w.s)).status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1003 });
    });
    await withPolicy(policy('enabled', 'systemLabels -eq "CloudPC" -and trustType -eq "AzureAD"'), async (id) => {
      const at = await cpc.client.acquireToken(cpc.session, { clientId: cpc.clientId, scope: API_SCOPE });
      assert.equal((await cpc.client.fetchWithToken(w.api.url, at.access_token)).status, 200);
      const rec = await lastSignIn(w.s);
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1003 });
      assert.notEqual(rec.policies.find((p) => p.id === id)?.result, 'failure');
      // Windows PCs registered the usual way are still covered.
      assert.match(String((await unboundRefresh()).body.error_description), /AADSTS530084/);
    });
  });
});
