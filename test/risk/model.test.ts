import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRiskEngine } from '../../src/risk/engine.ts';
import { UnknownIdentityError } from '../../src/risk/engine-actions.ts';
import { userRiskLevel } from '../../src/risk/model/aggregate.ts';
import { createMemoryRiskRepository } from '../../src/risk/repository.ts';
import { signInRiskColumns, signInRiskFields } from '../../src/risk/signin-fields.ts';
import { ATTACKER_PC, DAY, T0, ev, token, train } from './helpers.ts';

function setup() {
  let clock = T0;
  const repo = createMemoryRiskRepository();
  const changed: string[] = [];
  const engine = createRiskEngine({ repo, now: () => clock, onRiskyUserChanged: (u) => changed.push(`${u.riskState}:${u.riskLevel}`) });
  return { engine, repo, changed, at: (t: number) => { clock = t; } };
}

async function attack(engine: ReturnType<typeof createRiskEngine>, t: number) {
  const e = ev('lagos', t, { isInteractive: false, presentedToken: token('homeLondon', t - 3_600_000), device: ATTACKER_PC });
  return engine.recordOutcome(e, engine.assessSignIn(e));
}

test('a risky sign-in is stored as riskDetection (Graph shape) and makes the user atRisk', async () => {
  const { engine, repo, at } = setup();
  const t = await train(engine);
  at(t);
  const out = await attack(engine, t);
  const d = out.detections.find((x) => x.riskEventType === 'anomalousToken')!;
  assert.deepEqual(out.detections.map((x) => x.riskEventType).sort(), ['anomalousToken', 'newCountry', 'unfamiliarFeatures']);
  assert.equal(d.riskEventType, 'anomalousToken');
  assert.equal(d.riskType, 'generic', 'anomalousToken is not in the legacy riskType enum');
  assert.equal(d.riskState, 'atRisk');
  assert.equal(d.detectionTimingType, 'realtime');
  assert.equal(d.activity, 'signin');
  assert.ok(d.requestId?.startsWith('req-'));
  assert.equal(d.location?.countryOrRegion, 'NG');
  const info = JSON.parse(d.additionalInfo!) as { Key: string; Value: unknown }[];
  assert.deepEqual(info[0], { Key: 'reasons', Value: ['presentedByAnotherDevice', 'clientChanged', 'unfamiliarNetworkAndCountry'] });
  const u = (await repo.getRiskyUser('u-ana'))!;
  assert.deepEqual([u.riskState, u.riskLevel, u.riskDetail], ['atRisk', 'high', 'none']);
  assert.equal(engine.userRiskLevel('u-ana'), 'high');
  const [h] = await repo.listRiskyUserHistory('u-ana');
  assert.deepEqual(h?.activity.riskEventTypes.sort(), ['anomalousToken', 'newCountry', 'unfamiliarFeatures']);
  assert.equal(h?.initiatedBy, null);
});

test('confirmCompromised → high + adminConfirmedUserCompromised detection; dismiss → none; new detection → atRisk again', async () => {
  const { engine, repo, at, changed } = setup();
  const t = await train(engine);
  at(t);
  await attack(engine, t);
  at(t + 1000);
  await engine.actions.confirmUsersCompromised(['u-ana'], 'admin-1');
  let u = (await repo.getRiskyUser('u-ana'))!;
  assert.deepEqual([u.riskState, u.riskLevel, u.riskDetail], ['confirmedCompromised', 'high', 'adminConfirmedUserCompromised']);
  const states = new Set((await repo.listDetections({ userId: 'u-ana' })).map((d) => d.riskState));
  assert.deepEqual([...states], ['confirmedCompromised'], 'every open detection is confirmed with the user');
  assert.equal((await repo.listDetections({ riskEventType: 'adminConfirmedUserCompromised' }))[0]?.riskDetail, 'adminConfirmedUserCompromised');
  await attack(engine, t + 2000);
  assert.equal((await repo.getRiskyUser('u-ana'))!.riskState, 'confirmedCompromised', 'new detections do not undo a confirmation');
  at(t + 3000);
  await engine.actions.dismissUsers(['u-ana'], 'admin-2');
  u = (await repo.getRiskyUser('u-ana'))!;
  assert.deepEqual([u.riskState, u.riskLevel, u.riskDetail], ['dismissed', 'none', 'adminDismissedAllRiskForUser']);
  assert.equal(engine.userRiskLevel('u-ana'), 'none');
  assert.deepEqual(await repo.listDetections({ userId: 'u-ana', riskState: 'atRisk' }), []);
  await attack(engine, t + 4000);
  assert.equal((await repo.getRiskyUser('u-ana'))!.riskState, 'atRisk');
  const history = await repo.listRiskyUserHistory('u-ana');
  assert.equal(history.find((x) => x.riskState === 'dismissed')?.initiatedBy, 'admin-2');
  assert.deepEqual(changed.slice(0, 2), ['atRisk:high', 'confirmedCompromised:high']);
});

test('confirmSafe clears risk with adminConfirmedAccountSafe', async () => {
  const { engine, repo, at } = setup();
  const t = await train(engine);
  at(t);
  await attack(engine, t);
  await engine.actions.confirmUsersSafe(['u-ana'], 'admin-1');
  const u = (await repo.getRiskyUser('u-ana'))!;
  assert.deepEqual([u.riskState, u.riskLevel, u.riskDetail], ['confirmedSafe', 'none', 'adminConfirmedAccountSafe']);
});

test('self-remediation needs MFA; then remediated with userPerformedSecuredPasswordChange', async () => {
  const { engine, repo, at } = setup();
  const t = await train(engine);
  at(t);
  assert.equal(await engine.actions.remediateUserBySecurePasswordChange('u-ana', { mfaSatisfied: true }), 'notRisky');
  await attack(engine, t);
  assert.equal(await engine.actions.remediateUserBySecurePasswordChange('u-ana', { mfaSatisfied: false }), 'mfaRequired');
  assert.equal((await repo.getRiskyUser('u-ana'))!.riskState, 'atRisk');
  await engine.actions.remediateUserBySecurePasswordChange('u-ana', { mfaSatisfied: true });
  const u = (await repo.getRiskyUser('u-ana'))!;
  assert.deepEqual([u.riskState, u.riskLevel, u.riskDetail], ['remediated', 'none', 'userPerformedSecuredPasswordChange']);
  assert.equal((await repo.listRiskyUserHistory('u-ana'))[0]?.initiatedBy, 'u-ana');
  assert.equal((await repo.listDetections({ userId: 'u-ana' }))[0]?.riskState, 'remediated');
});

test('actions with an unknown id change nothing and name the id', async () => {
  const { engine, repo, at } = setup();
  const t = await train(engine);
  at(t);
  await attack(engine, t);
  await assert.rejects(engine.actions.confirmUsersCompromised(['u-ana', 'ghost'], 'admin'), (e: unknown) => e instanceof UnknownIdentityError && e.ids.join() === 'ghost');
  assert.equal((await repo.getRiskyUser('u-ana'))!.riskState, 'atRisk');
});

test('user risk aggregation: max level; two distinct medium types make high; lows age out after 180 days', () => {
  const at = (days: number) => new Date(T0 - days * DAY).toISOString();
  assert.equal(userRiskLevel([], T0), 'none');
  assert.equal(userRiskLevel([{ riskLevel: 'low', riskEventType: 'newCountry', detectedDateTime: at(1) }, { riskLevel: 'medium', riskEventType: 'unfamiliarFeatures', detectedDateTime: at(1) }], T0), 'medium');
  assert.equal(userRiskLevel([{ riskLevel: 'medium', riskEventType: 'newCountry', detectedDateTime: at(1) }, { riskLevel: 'medium', riskEventType: 'unfamiliarFeatures', detectedDateTime: at(2) }], T0), 'high');
  assert.equal(userRiskLevel([{ riskLevel: 'medium', riskEventType: 'x', detectedDateTime: at(1) }, { riskLevel: 'medium', riskEventType: 'x', detectedDateTime: at(2) }], T0), 'medium');
  assert.equal(userRiskLevel([{ riskLevel: 'low', riskEventType: 'newCountry', detectedDateTime: at(181) }], T0), 'none');
  assert.equal(userRiskLevel([{ riskLevel: 'low', riskEventType: 'newCountry', detectedDateTime: at(179) }], T0), 'low');
});

test('sign-in record fields: atRisk, or remediated when the user passed MFA a risk policy required', () => {
  const a = { riskLevelDuringSignIn: 'medium' as const, riskLevelAggregated: 'medium' as const, riskEventTypes_v2: ['unfamiliarFeatures'] };
  assert.deepEqual(signInRiskFields(a), { ...a, riskState: 'atRisk', riskDetail: 'none' });
  assert.deepEqual(signInRiskFields(a, { passedMfaForRisk: true }), { ...a, riskState: 'remediated', riskDetail: 'userPassedMFADrivenByRiskBasedPolicy' });
  const none = signInRiskFields({ riskLevelDuringSignIn: 'none', riskLevelAggregated: 'none', riskEventTypes_v2: [] }, { passedMfaForRisk: true });
  assert.equal(none.riskState, 'none');
  const cols = signInRiskColumns(signInRiskFields(a));
  assert.equal(cols['RiskEventTypes_V2'], '["unfamiliarFeatures"]');
  assert.equal(cols['IsRisky'], true);
});

test('warmUserRisk fills the cache from the repository (restart)', async () => {
  const { engine, repo, at } = setup();
  const t = await train(engine);
  at(t);
  await attack(engine, t);
  const restarted = createRiskEngine({ repo });
  assert.equal(restarted.userRiskLevel('u-ana'), 'none');
  await restarted.warmUserRisk();
  assert.equal(restarted.userRiskLevel('u-ana'), 'high');
});
