import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordSpray } from '../../../src/risk/detectors/password-spray.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { createPasswordFingerprinter } from '../../../src/risk/password-fingerprint.ts';
import { T0, ev } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [passwordSpray] });
const fail = (i: number, place: Parameters<typeof ev>[0], pw: string, t = T0 + i * 10_000) =>
  ev(place, t, { userId: `victim-${i}`, userPrincipalName: `victim-${i}@contoso.example`, status: 'failure', failureKind: 'invalidPassword', passwordFingerprint: pw });

test('fingerprints: equal passwords compare equal, the password is not in the fingerprint, keys separate', () => {
  const fp = createPasswordFingerprinter(Buffer.alloc(32, 7));
  assert.equal(fp('Spring2026!'), fp('Spring2026!'));
  assert.notEqual(fp('Spring2026!'), fp('Spring2026?'));
  assert.ok(!fp('Spring2026!').includes('Spring'));
  assert.notEqual(createPasswordFingerprinter(Buffer.alloc(32, 8))('Spring2026!'), fp('Spring2026!'));
  assert.throws(() => createPasswordFingerprinter(Buffer.alloc(8)), /at least 16 bytes/);
});

test('one source, 12 accounts, one password, then a success with that password: high', async () => {
  const e = engine();
  const pw = e.fingerprintPassword('Spring2026!');
  for (let i = 0; i < 12; i++) await e.recordOutcome(fail(i, 'awsVirginia', pw));
  const hit = ev('awsVirginia', T0 + 200_000, { userId: 'victim-13', passwordFingerprint: pw });
  const [d] = e.assessSignIn(hit).detections;
  assert.equal(d?.riskEventType, 'passwordSpray');
  assert.equal(d?.level, 'high');
  assert.equal(d?.reasons['sprayedPasswordValidated'], true);
  const other = e.assessSignIn(ev('awsVirginia', T0 + 200_000, { passwordFingerprint: e.fingerprintPassword('mine') })).detections;
  assert.equal(other[0]?.level, 'medium', 'a success with another password from a spraying source');
});

test('below the thresholds nothing fires: 9 accounts, or 10 accounts with 4+ passwords', async () => {
  const e = engine();
  for (let i = 0; i < 9; i++) await e.recordOutcome(fail(i, 'awsVirginia', 'p1'));
  assert.deepEqual(e.assessSignIn(ev('awsVirginia', T0 + 100_000, { passwordFingerprint: 'p1' })).detections, []);
  const f = engine();
  for (let i = 0; i < 12; i++) await f.recordOutcome(fail(i, 'awsVirginia', `p${i % 4}`));
  assert.deepEqual(f.assessSignIn(ev('awsVirginia', T0 + 200_000, { passwordFingerprint: 'p1' })).detections, []);
});

test('office NAT: many users each mistyping their own password is not a spray', async () => {
  const e = engine();
  for (let i = 0; i < 30; i++) await e.recordOutcome(fail(i, 'officeLondon', `own-${i}`));
  assert.deepEqual(e.assessSignIn(ev('officeLondon', T0 + 400_000, { passwordFingerprint: 'own-3' })).detections, []);
});

test('distributed spray from rotating addresses is caught per password, tenant-wide', async () => {
  const e = engine();
  for (let i = 0; i < 20; i++) {
    await e.recordOutcome({ ...fail(i, 'lagos', 'Winter2026'), ip: `45.1.${i}.9` });
  }
  const [d] = e.assessSignIn({ ...ev('lagos', T0 + 300_000, { passwordFingerprint: 'Winter2026' }), ip: '45.9.9.9' }).detections;
  assert.equal(d?.level, 'high');
  assert.equal(d?.reasons['scope'], 'tenant');
});

test('a spray outside the window (1 h) no longer counts', async () => {
  const e = engine();
  for (let i = 0; i < 12; i++) await e.recordOutcome(fail(i, 'awsVirginia', 'p'));
  assert.deepEqual(e.assessSignIn(ev('awsVirginia', T0 + 3 * 3_600_000, { passwordFingerprint: 'p' })).detections, []);
});

test('IPv6 sources are grouped by /48', async () => {
  const e = engine();
  for (let i = 0; i < 12; i++) await e.recordOutcome({ ...fail(i, 'homeV6a', 'p'), ip: `2a0f:1234:5678:${i.toString(16)}::1` });
  const [d] = e.assessSignIn({ ...ev('homeV6a', T0 + 200_000, { passwordFingerprint: 'p' }), ip: '2a0f:1234:5678:ffff::2' }).detections;
  assert.equal(d?.reasons['scope'], 'subnet');
});
