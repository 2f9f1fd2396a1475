/**
 * Issue 5 / seed 003, end to end: a scripted token protection rollout on a real Tessera (report-only
 * policy on Exchange and SharePoint, some device-bound sign-ins through the device agent, some
 * bearer refreshes, one Cloud PC), then the seed's KQL queries, read verbatim from the corpus, run
 * over Tessera's own AADNonInteractiveUserSignInLogs and give exactly the counts the script produced.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { addApp, addUser } from '../helpers/fixtures.ts';
import { adminToken } from '../helpers/server.ts';
import { policySchema } from '../../src/policy/index.ts';
import { runKql } from '../../src/kql/run.ts';
import { PASSWORD, REDIRECT, agent, codeFlowTokens, startWorld, tokenRequest, type World } from '../attacks/harness.ts';

const seed = (name: string) => readFileSync(new URL(`../../../shared/corpus/kql/seeds/${name}`, import.meta.url), 'utf8');
const OUTLOOK_UA = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

describe('seed queries over a scripted token protection rollout', () => {
  let w: World;
  let desktop: { appId: string; displayName: string };
  const scopeOf: Record<string, string> = { exo: 'https://outlook.office365.com/Mail.Read', spo: 'https://contoso.sharepoint.com/Sites.Read' };

  before(async () => {
    w = await startWorld();
    const exo = await addApp(w.s, { displayName: 'Office 365 Exchange Online', identifierUris: ['https://outlook.office365.com'], scopes: [{ id: 'a4a8f1f5-0000-4000-8000-000000000001', value: 'Mail.Read', adminConsentDisplayName: 'Read mail', adminConsentDescription: 'Read mail', type: 'User', isEnabled: true }] });
    const spo = await addApp(w.s, { displayName: 'Office 365 SharePoint Online', identifierUris: ['https://contoso.sharepoint.com'], scopes: [{ id: 'a4a8f1f5-0000-4000-8000-000000000002', value: 'Sites.Read', adminConsentDisplayName: 'Read sites', adminConsentDescription: 'Read sites', type: 'User', isEnabled: true }] });
    desktop = await addApp(w.s, { displayName: 'Legacy desktop client', isPublic: true, redirectUris: [REDIRECT] });
    await addUser(w.s, 'bob@contoso.test', PASSWORD);
    await addUser(w.s, 'carol@contoso.test', PASSWORD);
    await w.s.app.store.policies(w.s.tenantId).createPolicy(policySchema.parse({
      displayName: 'Require token protection (report-only)', state: 'enabledForReportingButNotEnforced',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: [exo.appId, spo.appId] }, clientAppTypes: ['mobileAppsAndDesktopClients'], platforms: { includePlatforms: ['windows'] } },
      sessionControls: { secureSignInSession: { isEnabled: true } },
    }));
    w.s.app.policies.invalidate(w.s.tenantId);

    // Bearer refreshes (unbound) by the legacy client: ada ×2 to Exchange, bob ×1 to SharePoint.
    for (const [upn, target] of [['ada@contoso.test', 'exo'], ['ada@contoso.test', 'exo'], ['bob@contoso.test', 'spo']] as const) {
      const { refresh_token } = await codeFlowTokens({ ...w, upn }, desktop.appId, 'openid offline_access User.Read');
      const r = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: desktop.appId, refresh_token, scope: scopeOf[target]! }, { 'user-agent': OUTLOOK_UA });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    // Device-bound sign-ins through the agent: ada ×1 to Exchange, bob ×2 to SharePoint.
    for (const [upn, target, n] of [['ada@contoso.test', 'exo', 1], ['bob@contoso.test', 'spo', 2]] as const) {
      const a = agent(w.s);
      const reg = await a.client.register({ username: upn, password: PASSWORD, device: { operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631' } });
      const session = await a.client.login(reg.deviceId, { username: upn, password: PASSWORD });
      for (let i = 0; i < n; i++) await a.client.acquireToken(session, { clientId: a.clientId, scope: scopeOf[target]! });
    }
    // carol signs in from a Cloud PC: an unsupported registration (1003).
    const issued = await fetch(`${w.s.authority}/devices/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${await adminToken(w.s)}`, 'content-type': 'application/json' }, body: JSON.stringify({ system_labels: ['CloudPC'] }) });
    const { enrollment_token } = await issued.json() as { enrollment_token: string };
    const c = agent(w.s);
    const reg = await c.client.register({ enrollmentToken: enrollment_token, device: { trustType: 'AzureAD', operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631', displayName: 'CPC-carol' } });
    const session = await c.client.login(reg.deviceId, { username: 'carol@contoso.test', password: PASSWORD });
    await c.client.acquireToken(session, { clientId: c.clientId, scope: scopeOf.exo! });
    await w.s.app.logs.flush();
  });
  after(async () => { await w.close(); });

  const rows = async (file: string) => {
    const r = await runKql(w.s.app.logs, seed(file));
    const t = r.tables[0]!;
    return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i]])));
  };

  test('06 per app: exact Requests / Users / Block / Allow / PctAllowed', async () => {
    const byApp = Object.fromEntries((await rows('06-token-protection-per-app.kql')).map((r) => [r.AppDisplayName, r]));
    assert.deepEqual(Object.keys(byApp).sort(), ['Legacy desktop client', 'Tessera device agent']);
    const legacy = byApp['Legacy desktop client']!;
    assert.deepEqual([legacy.Requests, legacy.Users, legacy.Block, legacy.Allow, legacy.BlockedUsers, legacy.PctAllowed], [3, 2, 3, 0, 2, 0]);
    const agentRow = byApp['Tessera device agent']!;
    // ada 1 + bob 2 bound (Allow); carol's Cloud PC is unbound 1003 (Block).
    assert.deepEqual([agentRow.Requests, agentRow.Users, agentRow.Block, agentRow.Allow, agentRow.BlockedUsers, agentRow.PctAllowed], [4, 3, 1, 3, 1, 75]);
  });

  test('07 per user: exact rows', async () => {
    const got = (await rows('07-token-protection-per-user.kql')).map((r) => [r.UserPrincipalName, r.AppDisplayName, r.ResourceDisplayName, r.Requests, r.Block, r.Allow, r.PctAllowed]);
    // The query sorts by user only; rows of one user come in any order.
    const order = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]));
    assert.deepEqual(got.map((r) => r[0]), [...got.map((r) => r[0])].sort());
    assert.deepEqual(got.sort(order), [
      ['ada@contoso.test', 'Legacy desktop client', 'Office 365 Exchange Online', 2, 2, 0, 0],
      ['ada@contoso.test', 'Tessera device agent', 'Office 365 Exchange Online', 1, 0, 1, 100],
      ['bob@contoso.test', 'Legacy desktop client', 'Office 365 SharePoint Online', 1, 1, 0, 0],
      ['bob@contoso.test', 'Tessera device agent', 'Office 365 SharePoint Online', 2, 0, 2, 100],
      ['carol@contoso.test', 'Tessera device agent', 'Office 365 Exchange Online', 1, 1, 0, 0],
    ].sort(order));
  });

  test('08 names exactly the users on unsupported registrations', async () => {
    const got = (await rows('08-unsupported-device-registration.kql')).map((r) => [r.UserPrincipalName, r.count_]);
    assert.deepEqual(got, [['carol@contoso.test', 1]]);
  });
});
