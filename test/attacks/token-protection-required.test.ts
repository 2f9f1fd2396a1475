/**
 * Bearer refresh tokens where token protection is required (seeds 000, 001): a refresh token that
 * works anywhere is refused, both by the per-resource setting and by a conditional access policy
 * with `sessionControls.secureSignInSession`; the device-bound session passes both.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addApp } from '../helpers/fixtures.ts';
import { policySchema } from '../../src/policy/index.ts';
import { API_SCOPE, REDIRECT, codeFlowTokens, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';

/** A desktop app on Windows (not a browser), so a Windows / mobileAppsAndDesktopClients policy applies. */
const OUTLOOK_UA = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

describe('attack: bearer refresh token where token protection is required', () => {
  let w: World;
  let appId: string;
  before(async () => {
    w = await startWorld();
    appId = (await addApp(w.s, { displayName: 'Outlook-like desktop app', isPublic: true, redirectUris: [REDIRECT] })).appId;
  });
  after(async () => { await w.close(); });

  async function bearerRefresh(): Promise<{ status: number; body: Record<string, any> }> {
    // Obtained the ordinary way (browser sign-in, for Graph), then used for the protected API.
    const { refresh_token } = await codeFlowTokens(w, appId, 'openid offline_access User.Read');
    return tokenRequest(w.s, { grant_type: 'refresh_token', client_id: appId, refresh_token, scope: API_SCOPE }, { 'user-agent': OUTLOOK_UA });
  }

  test('per-resource tokenProtectionRequired: invalid_grant 530084, recorded unbound 1002 with SignInTokenProtection not satisfied', async () => {
    await w.s.app.store.applications.update({ ...w.orders, tokenProtectionRequired: true });
    w.s.app.directory.invalidate();
    try {
      const r = await bearerRefresh();
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_grant');
      assert.match(r.body.error_description, /AADSTS530084/);
      const rec = await lastSignIn(w.s);
      assert.equal(rec.resultType, '530084');
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
      assert.deepEqual(rec.policies.find((p) => p.id === `resource:${w.orders.appId}`)?.sessionControlsNotSatisfied, ['SignInTokenProtection']);
      // The device-bound session satisfies it.
      const a = await enrolledAgent(w);
      assert.ok((await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE })).access_token);
      const ok = await lastSignIn(w.s);
      assert.equal(ok.resultType, '0');
      assert.equal(ok.policies.find((p) => p.id === `resource:${w.orders.appId}`)?.result, 'success');
    } finally {
      await w.s.app.store.applications.update({ ...w.orders, tokenProtectionRequired: false });
      w.s.app.directory.invalidate();
    }
  });

  test('conditional access secureSignInSession: interaction_required 530084, policy failure with SignInTokenProtection; bound sessions pass', async () => {
    const repo = w.s.app.store.policies(w.s.tenantId);
    const p = await repo.createPolicy(policySchema.parse({
      displayName: 'Require token protection for sign-in sessions', state: 'enabled',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: [w.orders.appId] }, clientAppTypes: ['mobileAppsAndDesktopClients'], platforms: { includePlatforms: ['windows'] } },
      sessionControls: { secureSignInSession: { isEnabled: true } },
    }));
    w.s.app.policies.invalidate(w.s.tenantId);
    try {
      const r = await bearerRefresh();
      assert.equal(r.status, 400);
      assert.match(r.body.error_description, /AADSTS530084/);
      const rec = await lastSignIn(w.s);
      assert.equal(rec.resultType, '530084');
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
      const applied = rec.policies.find((x) => x.id === p.id)!;
      assert.equal(applied.result, 'failure');
      assert.deepEqual(applied.sessionControlsNotSatisfied, ['SignInTokenProtection']);
      const a = await enrolledAgent(w);
      assert.ok((await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE })).access_token);
      const ok = await lastSignIn(w.s);
      assert.equal(ok.resultType, '0');
      assert.equal(ok.policies.find((x) => x.id === p.id)?.result, 'success');
    } finally {
      await repo.deletePolicy(p.id);
      w.s.app.policies.invalidate(w.s.tenantId);
    }
  });
});
