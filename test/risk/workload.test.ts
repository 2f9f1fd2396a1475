import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRiskEngine } from '../../src/risk/engine.ts';
import type { ServicePrincipalSignInEvent } from '../../src/risk/event.ts';
import { ServicePrincipalActivityBaseline } from '../../src/risk/workload/anomalous-activity.ts';
import { DAY, HOUR, NETS, T0, type Place } from './helpers.ts';

let n = 0;
const spEv = (place: Place, time: number, over: Partial<ServicePrincipalSignInEvent> = {}): ServicePrincipalSignInEvent => ({
  requestId: `sp-req-${++n}`, time, servicePrincipalId: 'sp-1', appId: 'app-1', servicePrincipalDisplayName: 'Nightly export',
  ip: NETS[place].ip, network: NETS[place].net, resourceId: 'graph', userAgent: 'python-requests/2.31', credentialType: 'clientSecret',
  keyId: 'key-1', status: 'success', ...over,
});

async function baseline(engine: ReturnType<typeof createRiskEngine>, days: number) {
  for (let d = 0; d < days; d++) for (let h = 0; h < 24; h += 6) await engine.observeServicePrincipalSignIn(spEv('awsVirginia', T0 + d * DAY + h * HOUR));
  return T0 + days * DAY;
}

test('learning: no suspicious sign-ins in the first two days whatever happens', async () => {
  const engine = createRiskEngine({ now: () => T0 + DAY });
  await baseline(engine, 1);
  const r = await engine.observeServicePrincipalSignIn(spEv('lagos', T0 + DAY + HOUR, { userAgent: 'curl/8', credentialType: 'certificate' }));
  assert.equal(r.suspicious, false);
});

test('a secret used from a new ASN, country and non-hosting network: one suspiciousSignins detection covering the time range', async () => {
  let clock = T0;
  const engine = createRiskEngine({ now: () => clock });
  const t = await baseline(engine, 5);
  const a = await engine.observeServicePrincipalSignIn(spEv('lagos', t + HOUR));
  assert.deepEqual(a.unfamiliar.sort(), ['asn', 'country', 'hosting']);
  await engine.observeServicePrincipalSignIn(spEv('lagos', t + HOUR + 20 * 60_000, { resourceId: 'keyvault' }));
  clock = t + 3 * HOUR;
  assert.deepEqual(await engine.flushWorkloadDetections(), [], 'the window is still open');
  clock = t + 8 * HOUR;
  const [d] = await engine.flushWorkloadDetections();
  assert.equal(d?.riskEventType, 'suspiciousSignins');
  assert.equal(d?.riskLevel, 'high');
  assert.equal(d?.requestId, null, 'workload detections give a time range, not one sign-in');
  assert.equal(d?.activityDateTime, new Date(t + HOUR).toISOString());
  const info = Object.fromEntries((JSON.parse(d!.additionalInfo!) as { Key: string; Value: unknown }[]).map((x) => [x.Key, x.Value]));
  assert.equal(info['signInCount'], 2);
  assert.equal(info['windowEnd'], new Date(t + HOUR + 20 * 60_000).toISOString());
  assert.ok((info['unfamiliarProperties'] as string[]).includes('resource'));
  assert.deepEqual(d?.keyIds, ['key-1']);
  assert.equal(engine.servicePrincipalRiskLevel('sp-1'), 'high');
});

test('routine sign-ins from the baseline stay quiet; one unfamiliar property alone is not enough', async () => {
  const engine = createRiskEngine();
  const t = await baseline(engine, 5);
  assert.equal((await engine.observeServicePrincipalSignIn(spEv('awsVirginia', t))).suspicious, false);
  assert.equal((await engine.observeServicePrincipalSignIn(spEv('awsVirginia', t + 1, { userAgent: 'Go-http-client/2.0' }))).suspicious, false);
  assert.deepEqual(await engine.flushWorkloadDetections({ force: true }), []);
});

test('threat-intel listed address: investigationsThreatIntelligence at once', async () => {
  const engine = createRiskEngine();
  engine.lists.load('malicious', NETS.lagos.ip);
  const r = await engine.observeServicePrincipalSignIn(spEv('lagos', T0));
  assert.equal(r.detections[0]?.riskEventType, 'investigationsThreatIntelligence');
  assert.match(r.detections[0]?.requestId ?? '', /^sp-req-/, 'linked to the sign-in that matched');
});

test('anomalous service principal activity: credentials planted on other apps, new role assignments', async () => {
  const b = new ServicePrincipalActivityBaseline();
  const audit = (activity: Parameters<ServicePrincipalActivityBaseline['observe']>[0]['activity'], time: number, extra = {}) =>
    b.observe({ id: `a-${time}`, time, initiatedByServicePrincipalId: 'sp-ops', activity, targetId: 'app-x', ...extra });
  assert.equal(audit('updateApplication', T0), undefined, 'not established yet');
  assert.equal(audit('addCredentialToApplication', T0 + DAY, { targetIsSelf: true }), undefined, 'rotating its own secret is normal');
  assert.deepEqual(audit('addCredentialToApplication', T0 + 2 * DAY), { level: 'high', reason: 'credentialAddedToAnotherApplication' });
  assert.deepEqual(audit('addCredentialToApplication', T0 + 3 * DAY), { level: 'medium', reason: 'credentialAddedToAnotherApplication' });
  assert.deepEqual(audit('addDirectoryRoleMember', T0 + 4 * DAY, { roleName: 'Global Administrator' }), { level: 'high', reason: 'newRoleAssignmentActivity' });
  assert.equal(audit('addDirectoryRoleMember', T0 + 5 * DAY, { roleName: 'Reports Reader' }), undefined, 'no longer novel');
  assert.deepEqual(audit('consentToApplication', T0 + 8 * DAY), { level: 'low', reason: 'activityNeverSeenForThisPrincipal' });
  assert.equal(b.observe({ id: 'x', time: T0, activity: 'addCredentialToApplication', targetId: 'y' }), undefined, 'user-initiated changes are not this detection');

  const engine = createRiskEngine();
  const d = await engine.ingestDirectoryAudit({ id: 'aud-1', time: T0, initiatedByServicePrincipalId: 'sp-ops', activity: 'addCredentialToServicePrincipal', targetId: 'sp-victim' });
  assert.equal(d?.riskEventType, 'anomalousServicePrincipalActivity');
  assert.equal(d?.servicePrincipalId, 'sp-ops');
  assert.equal(d?.appId, null, 'an actor the directory does not know has no appId');
});

test('malicious / suspicious application flags', async () => {
  const engine = createRiskEngine();
  const m = await engine.flagApplication({ id: 'sp-2', appId: 'app-2' }, 'malicious', 'DisabledDueToViolationOfServicesAgreement');
  assert.deepEqual([m.riskEventType, m.riskLevel], ['maliciousApplication', 'high']);
  const s = await engine.flagApplication({ id: 'sp-3', appId: 'app-3' }, 'suspicious', 'possible ToS violation');
  assert.deepEqual([s.riskEventType, s.riskLevel], ['suspiciousApplication', 'medium']);
});

test('an authorised migration is alerted on its first days, then becomes the baseline', async () => {
  let clock = T0;
  const engine = createRiskEngine({ now: () => clock });
  const t = await baseline(engine, 5);
  const suspiciousOn = async (day: number) => (await engine.observeServicePrincipalSignIn(spEv('lagos', t + day * DAY))).suspicious;
  assert.deepEqual([await suspiciousOn(0), await suspiciousOn(1), await suspiciousOn(2)], [true, true, true]);
  assert.equal(await suspiciousOn(3), false, 'seen on three distinct days: adopted');
  clock = t + 10 * DAY;
  assert.equal((await engine.flushWorkloadDetections()).length, 3, 'one window per day it was suspicious');
});
