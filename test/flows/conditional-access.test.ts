/**
 * Conditional access enforced on real sign-ins: MFA step-up on the sign-in page, interaction_required
 * for non-interactive requests, blocks for workload identities, report-only recorded but not enforced.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as OTPAuth from 'otpauth';
import { startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../helpers/server.ts';
import { addApp, addUser, browserSignIn } from '../helpers/fixtures.ts';
import { policySchema } from '../../src/policy/index.ts';

const PASSWORD = 'Tr0ub4dor&3-horse';
const REDIRECT = 'http://127.0.0.1:5555/callback';

describe('conditional access on sign-ins', () => {
  let s: TestServer;
  let appId: string;
  let cfg: client.Configuration;
  const totpSecret = new OTPAuth.Secret({ size: 20 }).base32;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret), digits: 6, period: 30 });

  before(async () => {
    s = await startTestServer();
    await addUser(s, 'plain@contoso.test', PASSWORD);
    await addUser(s, 'secure@contoso.test', PASSWORD, { totpSecret });
    appId = (await addApp(s, { displayName: 'Payroll', isPublic: true, redirectUris: [REDIRECT] })).appId;
    cfg = await client.discovery(new URL(`${s.authority}/v2.0`), appId, { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
  });
  after(async () => { await s.stop(); });

  async function addPolicy(body: unknown): Promise<string> {
    const p = await s.app.store.policies(s.tenantId).createPolicy(policySchema.parse(body));
    s.app.policies.invalidate(s.tenantId);
    return p.id;
  }
  async function signIn(user: string, otp?: () => string) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope: 'openid offline_access User.Read', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const { location } = await browserSignIn(url.href, user, PASSWORD, otp);
    return { location: new URL(location), verifier };
  }

  test('report-only block is evaluated and logged but never enforced', async () => {
    const id = await addPolicy({ displayName: 'Report-only block', state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] }, grantControls: { operator: 'OR', builtInControls: ['block'] } });
    const { location, verifier } = await signIn('plain@contoso.test');
    const tokens = await client.authorizationCodeGrant(cfg, location, { pkceCodeVerifier: verifier, idTokenExpected: true });
    assert.ok(tokens.access_token);
    await s.app.logs.flush();
    const rows = (await s.app.logs.query(`SELECT ConditionalAccessPolicies FROM SigninLogs WHERE ResultType = '0' AND AppId = $1`, [appId])).rows;
    const policies = JSON.parse(String(rows.at(-1)![0])) as { id: string; result: string }[];
    assert.equal(policies.find((p) => p.id === id)?.result, 'reportOnlyFailure');
    await s.app.store.policies(s.tenantId).deletePolicy(id);
    s.app.policies.invalidate(s.tenantId);
  });

  test('a policy requiring MFA prompts on the sign-in page, and refuses users with nothing to prompt for', async () => {
    const id = await addPolicy({ displayName: 'MFA for Payroll', state: 'enabled', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['00000003-0000-0000-c000-000000000000'] }, clientAppTypes: ['all'] }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } });
    const denied = await signIn('plain@contoso.test');
    assert.equal(denied.location.searchParams.get('error'), 'access_denied');
    assert.match(denied.location.searchParams.get('error_description')!, /AADSTS50079/);
    const ok = await signIn('secure@contoso.test', () => totp.generate());
    const tokens = await client.authorizationCodeGrant(cfg, ok.location, { pkceCodeVerifier: ok.verifier, idTokenExpected: true });
    assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
    // The refresh carries the MFA claim, so the non-interactive request passes too.
    const refreshed = await client.refreshTokenGrant(cfg, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    await s.app.store.policies(s.tenantId).deletePolicy(id);
    s.app.policies.invalidate(s.tenantId);
  });

  test('non-interactive requests get interaction_required with AADSTS50076 when MFA becomes required', async () => {
    const { location, verifier } = await signIn('plain@contoso.test');
    const tokens = await client.authorizationCodeGrant(cfg, location, { pkceCodeVerifier: verifier, idTokenExpected: true });
    const id = await addPolicy({ displayName: 'MFA everywhere', state: 'enabled', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } });
    await assert.rejects(client.refreshTokenGrant(cfg, tokens.refresh_token!), (e: any) => e.error === 'interaction_required' && /AADSTS50076/.test(e.error_description));
    await s.app.store.policies(s.tenantId).deletePolicy(id);
    s.app.policies.invalidate(s.tenantId);
  });

  test('a workload identity policy blocks client credentials with AADSTS53003 and records the failure', async () => {
    const sp = await s.app.store.servicePrincipals.getByAppId(s.tenantId, CLIENT_ID);
    const id = await addPolicy({ displayName: 'Block automation', state: 'enabled', conditions: { clientApplications: { includeServicePrincipals: [sp!.id] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] }, grantControls: { operator: 'OR', builtInControls: ['block'] } });
    const res = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' }) });
    const body = await res.json() as { error: string; error_description: string };
    assert.equal(res.status, 400);
    assert.equal(body.error, 'interaction_required');
    assert.match(body.error_description, /AADSTS53003/);
    await s.app.logs.flush();
    const row = (await s.app.logs.query(`SELECT ResultType, ConditionalAccessStatus FROM AADServicePrincipalSignInLogs ORDER BY TimeGenerated DESC LIMIT 1`)).rows[0]!;
    assert.deepEqual([row[0], row[1]], ['53003', 'failure']);
    await s.app.store.policies(s.tenantId).deletePolicy(id);
    s.app.policies.invalidate(s.tenantId);
  });
});
