// Every seed query on identity tables (shared/corpus/kql/seeds 01–08), run as written over
// hand-built rows; the expected answers are worked out by hand in the comments. 09–11 query
// OfficeActivity/CloudAppEvents, tables Tessera does not have: they must fail with a clear error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openAnalyticsStore } from '../../src/logs/analytics-store.ts';
import type { AnalyticsStore } from '../../src/logs/analytics-store.ts';
import { KqlError } from '../../src/kql/errors.ts';
import { runKql } from '../../src/kql/run.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const seed = (f: string) => readFileSync(join(root, '..', 'shared', 'corpus', 'kql', 'seeds', f), 'utf8');
const now = new Date('2024-06-10T00:00:00Z');
const ago = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

const tpOk = { id: 'p1', displayName: 'Token protection', result: 'success', enforcedSessionControls: ['SignInTokenProtection'], sessionControlsNotSatisfied: [] };
const tpFail = { ...tpOk, result: 'failure', sessionControlsNotSatisfied: ['SignInTokenProtection'] };
const tpFail2 = { ...tpFail, id: 'p2' };
const bindingOk = { ...tpOk, id: 'p3', enforcedSessionControls: ['Binding'] };
const tpReportOnly = { ...tpOk, result: 'reportOnlyNotApplied' };
const mfa = { id: 'p9', displayName: 'MFA', result: 'success', enforcedSessionControls: [], enforcedGrantControls: ['Mfa'] };
const EXO = 'Office 365 Exchange Online';
const SPO = 'Office 365 SharePoint Online';

// AADNonInteractiveUserSignInLogs.ConditionalAccessPolicies is a *string* column holding JSON.
const ni = (Id: string, UserPrincipalName: string, AppDisplayName: string, ResourceDisplayName: string, cap: unknown[], hoursAgo = 1) => ({
  Id, UserPrincipalName, AppDisplayName, ResourceDisplayName, TimeGenerated: ago(hoursAgo),
  ConditionalAccessPolicies: JSON.stringify(cap), Status: JSON.stringify({ errorCode: 0 }),
});

let store: AnalyticsStore;
before(async () => {
  store = await openAnalyticsStore({ path: ':memory:' });
  store.append('AADNonInteractiveUserSignInLogs', [
    ni('r1', 'alice@contoso.com', 'Outlook', EXO, [tpOk, mfa]), // Allow
    ni('r2', 'alice@contoso.com', 'Outlook', EXO, [tpFail]), // Block
    ni('r3', 'bob@contoso.com', 'Outlook', EXO, [tpOk]), // Allow
    ni('r4', 'bob@contoso.com', 'Teams', SPO, [bindingOk]), // Allow (legacy "Binding" name)
    ni('r5', 'carol@contoso.com', 'Teams', SPO, [tpFail]), // Block
    ni('r6', 'carol@contoso.com', 'Teams', SPO, [tpFail, tpFail2]), // Block (two policies, one request)
    ni('r7', 'dave@contoso.com', 'Outlook', EXO, [tpReportOnly]), // excluded: reportOnlyNotApplied
    ni('r8', 'dave@contoso.com', 'Outlook', 'Azure Virtual Desktop', [tpFail]), // excluded: resource
    ni('r9', 'erin@contoso.com', 'Outlook', EXO, []), // excluded: "[]"
    ni('r10', 'alice@contoso.com', 'Outlook', EXO, [tpFail], 24 * 10), // excluded: older than 7d
    ni('r11', 'frank@contoso.com', 'Outlook', EXO, [tpOk, tpFail2]), // one Allow row and one Block row
  ]);
  const tp = (code: number | null, upn: string, hoursAgo = 1) => ({
    UserPrincipalName: upn, TimeGenerated: ago(hoursAgo), Id: `tp-${upn}-${hoursAgo}-${code}`,
    TokenProtectionStatusDetails: code === null ? '' : JSON.stringify({ signInSessionStatus: 'unbound', signInSessionStatusCode: code }),
  });
  store.append('AADNonInteractiveUserSignInLogs', [
    tp(1003, 'alice@contoso.com'), tp(1003, 'alice@contoso.com', 2), tp(1002, 'bob@contoso.com'),
    tp(1003, 'carol@contoso.com'), tp(null, 'dave@contoso.com'), tp(1003, 'erin@contoso.com', 24 * 8),
  ]);
  store.append('AADUserRiskEvents', [
    { RiskEventType: 'unfamiliarFeatures', IpAddress: 'x', Id: 'e1', TimeGenerated: ago(1) },
    { RiskEventType: 'UnfamiliarFeatures', IpAddress: 'x', Id: 'e2', TimeGenerated: ago(1) }, // contains ignores case
    { RiskEventType: 'anomalousToken', IpAddress: 'y', Id: 'e3', TimeGenerated: ago(1) },
    { RiskEventType: 'leakedCredentials', IpAddress: 'x', Id: 'e4', TimeGenerated: ago(1) },
  ]);
  store.append('SigninLogs', [
    { Id: 's1', IPAddress: 'x', UserId: 'x', TimeGenerated: '2024-06-01T10:00:00Z', ResultDescription: '', AppDisplayName: 'Portal', DeviceDetail: { deviceId: 'd1', displayName: 'PC1' }, LocationDetails: { city: 'Oslo', countryOrRegion: 'NO' } },
    { Id: 's2', IPAddress: 'x', UserId: 'x', TimeGenerated: '2024-06-03T10:00:00Z', ResultDescription: '', AppDisplayName: 'Portal', DeviceDetail: { deviceId: 'd1', displayName: 'PC1' }, LocationDetails: { city: 'Oslo', countryOrRegion: 'NO' } },
    { Id: 's3', IPAddress: 'X', UserId: 'x', TimeGenerated: '2024-06-02T10:00:00Z', ResultDescription: 'Invalid password', AppDisplayName: 'Portal', DeviceDetail: {}, LocationDetails: { city: 'Lagos', countryOrRegion: 'NG' } },
    { Id: 's4', IPAddress: 'z', UserId: 'y', TimeGenerated: '2024-06-02T10:00:00Z', AppDisplayName: 'Portal' },
  ]);
  store.append('AuditLogs', [
    { Id: 'a1', TimeGenerated: '2023-03-05T00:00:00Z', InitiatedBy: { user: { userPrincipalName: 'x@contoso.com' } } },
    { Id: 'a2', TimeGenerated: '2023-03-06T00:00:00Z', InitiatedBy: { user: { userPrincipalName: 'xavier@contoso.com' } } }, // "x" is not a whole term
    { Id: 'a3', TimeGenerated: '2023-03-20T00:00:00Z', InitiatedBy: { user: { userPrincipalName: 'x@contoso.com' } } }, // out of range
    audit('a4', 'Boss@Contoso.com', 1, 'User registered security info'), // VIP, 1h ago: reported
    audit('a5', 'pleb@contoso.com', 1, 'User registered security info'), // not a VIP
    audit('a6', 'boss@contoso.com', 3, 'User changed default security info'), // older than queryfrequency (2h)
    audit('a7', 'boss@contoso.com', 1, 'User started security info registration'), // not in the list
  ]);
  store.append('IdentityInfo', [
    { AccountUPN: 'BOSS@contoso.com', AssignedRoles: ['Global Administrator', 'Reader'], TimeGenerated: ago(24) },
    { AccountUPN: 'pleb@contoso.com', AssignedRoles: ['Reader'], TimeGenerated: ago(24) },
  ]);
});
after(() => store.close());

function audit(Id: string, target: string, hoursAgo: number, ActivityDisplayName: string) {
  return {
    Id, ActivityDisplayName, Category: 'UserManagement', TimeGenerated: ago(hoursAgo),
    InitiatedBy: { user: { userPrincipalName: 'helpdesk@contoso.com', ipAddress: '203.0.113.9' } },
    TargetResources: [{ userPrincipalName: target }],
  };
}

async function rowsOf(file: string): Promise<Record<string, unknown>[]> {
  const res = await runKql(store, seed(file), { now });
  const t = res.tables[0]!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}

test('06 per-app token protection: exact Requests/Users/Block/Allow/BlockedUsers/PctAllowed', async () => {
  assert.deepEqual(await rowsOf('06-token-protection-per-app.kql'), [
    { AppDisplayName: 'Outlook', Requests: 5, Users: 3, Block: 2, Allow: 3, BlockedUsers: 2, PctAllowed: 60 },
    { AppDisplayName: 'Teams', Requests: 3, Users: 2, Block: 2, Allow: 1, BlockedUsers: 1, PctAllowed: 33.33 },
  ]);
});

test('06 gives the same answer on SigninLogs, where ConditionalAccessPolicies is dynamic, not string', async () => {
  // The seed says to pick either table; the column is `dynamic` in SigninLogs and `string` in
  // AADNonInteractiveUserSignInLogs (the documented quirk). Same sign-ins, same answer.
  const other = await openAnalyticsStore({ path: ':memory:' });
  const src = await store.query(`SELECT "Id", "UserPrincipalName", "AppDisplayName", "ResourceDisplayName", "TimeGenerated", "ConditionalAccessPolicies" FROM "AADNonInteractiveUserSignInLogs" WHERE "Id" LIKE 'r%'`);
  other.append('SigninLogs', src.rows.map((r) => ({
    Id: r[0], UserPrincipalName: r[1], AppDisplayName: r[2], ResourceDisplayName: r[3], TimeGenerated: r[4], ConditionalAccessPolicies: JSON.parse(String(r[5])),
  })));
  const query = seed('06-token-protection-per-app.kql').replace(/^AADNonInteractiveUserSignInLogs$/m, 'SigninLogs');
  const res = await runKql(other, query, { now });
  assert.deepEqual(res.tables[0]!.rows, [['Outlook', 5, 3, 2, 3, 2, 60], ['Teams', 3, 2, 2, 1, 1, 33.33]]);
  await other.close();
});

test('07 per-user token protection', async () => {
  const rows = await rowsOf('07-token-protection-per-user.kql');
  assert.deepEqual(rows.map((r) => r.UserPrincipalName), [...rows.map((r) => r.UserPrincipalName)].sort(), 'sorted by user');
  const key = (r: Record<string, unknown>) => `${String(r.UserPrincipalName)}|${String(r.AppDisplayName)}`;
  assert.deepEqual([...rows].sort((a, b) => key(a).localeCompare(key(b))), [
    { UserPrincipalName: 'alice@contoso.com', AppDisplayName: 'Outlook', ResourceDisplayName: EXO, Requests: 2, Block: 1, Allow: 1, PctAllowed: 50 },
    { UserPrincipalName: 'bob@contoso.com', AppDisplayName: 'Outlook', ResourceDisplayName: EXO, Requests: 1, Block: 0, Allow: 1, PctAllowed: 100 },
    { UserPrincipalName: 'bob@contoso.com', AppDisplayName: 'Teams', ResourceDisplayName: SPO, Requests: 1, Block: 0, Allow: 1, PctAllowed: 100 },
    { UserPrincipalName: 'carol@contoso.com', AppDisplayName: 'Teams', ResourceDisplayName: SPO, Requests: 2, Block: 2, Allow: 0, PctAllowed: 0 },
    { UserPrincipalName: 'frank@contoso.com', AppDisplayName: 'Outlook', ResourceDisplayName: EXO, Requests: 2, Block: 1, Allow: 1, PctAllowed: 50 },
  ]);
});

test('08 names exactly the users on unsupported registrations (1003) in the last 7 days', async () => {
  const rows = await rowsOf('08-unsupported-device-registration.kql');
  assert.deepEqual(rows.sort((a, b) => String(a.UserPrincipalName).localeCompare(String(b.UserPrincipalName))), [
    { UserPrincipalName: 'alice@contoso.com', count_: 2 },
    { UserPrincipalName: 'carol@contoso.com', count_: 1 },
  ]);
});

test('01 risk events by IP: contains ignores case, == does not', async () => {
  assert.deepEqual((await rowsOf('01-risk-events-by-ip.kql')).map((r) => r.Id).sort(), ['e1', 'e2']);
});

test('02 sign-ins by IP: == on strings is case-sensitive', async () => {
  assert.deepEqual((await rowsOf('02-signins-by-ip.kql')).map((r) => r.Id).sort(), ['s1', 's2']);
});

test('03 audit by initiator: between dates, has matches whole terms of the dynamic value', async () => {
  assert.deepEqual((await rowsOf('03-audit-by-initiator.kql')).map((r) => r.Id), ['a1']);
});

test('04 security-info changes of privileged users', async () => {
  const rows = await rowsOf('04-privileged-security-info-changes.kql');
  assert.deepEqual(rows.map((r) => [r.Id, r.Initiator, r.IP, r.Target]), [['a4', 'helpdesk@contoso.com', '203.0.113.9', 'boss@contoso.com']]);
});

test('05 one user footprint: min/max time per IP, device, city and app', async () => {
  const rows = await rowsOf('05-user-signin-footprint.kql');
  const byIp = Object.fromEntries(rows.map((r) => [String(r.IPAddress), r]));
  assert.equal(rows.length, 2);
  assert.deepEqual(byIp.x, {
    IPAddress: 'x', ResultDescription: '', deviceId_: 'd1', displayName_: 'PC1', city_: 'Oslo', countryOrRegion_: 'NO', AppDisplayName: 'Portal',
    min_TimeGenerated: '2024-06-01T10:00:00.000Z', max_TimeGenerated: '2024-06-03T10:00:00.000Z',
  });
  assert.equal(byIp.X?.deviceId_, '');
  assert.equal(byIp.X?.city_, 'Lagos');
});

test('09–11 query tables Tessera does not have and fail with a clear, positioned error', async () => {
  for (const f of ['09-office-activity-by-user.kql', '10-cloudapp-events-by-account.kql', '11-sharepoint-by-bad-ip.kql']) {
    await assert.rejects(runKql(store, seed(f), { now }), (e: unknown) => e instanceof KqlError && e.code === 'SemanticError' && e.position?.line === 1 && /does not refer to any known table/.test(e.message));
  }
});
