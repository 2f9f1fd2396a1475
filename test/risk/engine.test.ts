import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRiskEngine } from '../../src/risk/engine.ts';
import { ATTACKER_PC, HOUR, T0, ev, token, train, types } from './helpers.ts';

test('assessSignIn does not change state: the same sign-in assessed twice gives the same answer', async () => {
  const e = createRiskEngine();
  const t = await train(e);
  const x = ev('lagos', t, { device: ATTACKER_PC });
  assert.deepEqual(e.assessSignIn(x), e.assessSignIn(x));
});

test('a spray recognised after one guess succeeded reports that earlier sign-in (offline, same request id)', async () => {
  const e = createRiskEngine();
  const pw = e.fingerprintPassword('Spring2026!');
  const early = ev('awsVirginia', T0, { userId: 'victim', userPrincipalName: 'victim@contoso.example', passwordFingerprint: pw, device: ATTACKER_PC });
  const a = e.assessSignIn(early);
  assert.equal(a.riskEventTypes_v2.includes('passwordSpray'), false, 'nothing to see yet');
  await e.recordOutcome(early, a);
  let retro: Awaited<ReturnType<typeof e.recordOutcome>>['retroactive'] = [];
  for (let i = 0; i < 12; i++) {
    const out = await e.recordOutcome(ev('awsVirginia', T0 + (i + 1) * 20_000, { userId: `u${i}`, userPrincipalName: `u${i}@contoso.example`, status: 'failure', failureKind: 'invalidPassword', passwordFingerprint: pw }));
    retro = retro.concat(out.retroactive);
  }
  assert.equal(retro.length, 1, 'reported once');
  assert.deepEqual([retro[0]!.riskEventType, retro[0]!.riskLevel, retro[0]!.detectionTimingType, retro[0]!.requestId, retro[0]!.userId],
    ['passwordSpray', 'high', 'offline', early.requestId, 'victim']);
  assert.equal(e.userRiskLevel('victim'), 'high');
});

test('MFA from a hosting network does not teach the baseline (an AiTM proxy relays MFA)', async () => {
  const e = createRiskEngine();
  const t = await train(e);
  const phish = ev('awsVirginia', t, { device: ATTACKER_PC, mfaSatisfied: true });
  const a = e.assessSignIn(phish);
  assert.notEqual(a.riskLevelDuringSignIn, 'none');
  await e.recordOutcome(phish, a);
  assert.ok(types(e.assessSignIn(ev('awsVirginia', t + HOUR, { device: ATTACKER_PC }))).includes('unfamiliarFeatures'), 'still unfamiliar');
});

test('first commercial-VPN session carried on at home is not AiTM; replayed from an unknown network it is', async () => {
  const e = createRiskEngine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const tok = token('vpnFrankfurt', t, { kind: 'sessionCookie' }, client);
  assert.ok(!types(e.assessSignIn(ev('homeLondon', t + HOUR, { isInteractive: false, presentedToken: tok, device: client }))).includes('attackerinTheMiddle'));
  assert.ok(types(e.assessSignIn(ev('lagos', t + HOUR, { isInteractive: false, presentedToken: tok, device: client }))).includes('attackerinTheMiddle'));
});

test('events without a network and no GeoLookup are judged as unknown networks, without crashing', async () => {
  const e = createRiskEngine();
  const x = { ...ev('homeLondon', T0), network: undefined, ip: '10.0.0.8' } as const;
  const out = await e.recordOutcome(x, e.assessSignIn(x));
  assert.deepEqual(out.detections, []);
  assert.deepEqual(e.resolve('8.8.8.8'), { known: false, isHosting: false });
});
