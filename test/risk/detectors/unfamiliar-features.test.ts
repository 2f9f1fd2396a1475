import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unfamiliarFeatures } from '../../../src/risk/detectors/unfamiliar-features.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { ATTACKER_PC, DAY, HOUR, LAPTOP, T0, ev, train } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [unfamiliarFeatures] });

test('first sign-in ever: no baseline, no detection', () => {
  const e = engine();
  const a = e.assessSignIn(ev('lagos', T0, { device: ATTACKER_PC }));
  assert.deepEqual(a.detections, []);
  assert.equal(a.riskLevelDuringSignIn, 'none');
});

test('learning period: a new user is not judged before 5 days and 10 sign-ins', async () => {
  const e = engine();
  const t = await train(e, { days: 3 }); // 12 sign-ins over 3 days
  assert.deepEqual(e.assessSignIn(ev('lagos', t, { device: ATTACKER_PC })).detections, []);
});

test('after learning: new network, new client and new country is medium and says which properties', async () => {
  const e = engine();
  const t = await train(e);
  const [d] = e.assessSignIn(ev('lagos', t, { device: ATTACKER_PC })).detections;
  assert.equal(d?.riskEventType, 'unfamiliarFeatures');
  assert.equal(d?.level, 'medium');
  assert.deepEqual(d?.reasons['unfamiliar'], ['asn', 'subnet', 'country', 'city', 'browser', 'os']);
});

test('new network with a new client in a familiar country is low', async () => {
  const e = engine();
  const t = await train(e);
  const [d] = e.assessSignIn(ev('edinburghCafe', t, { device: { deviceId: 'dev-unknown', operatingSystem: 'Windows 11', browser: 'Edge 124' } })).detections;
  assert.equal(d?.level, 'low');
  assert.ok((d?.reasons['unfamiliar'] as string[]).includes('device'));
});

test('traveller on a hotel network with their own laptop raises nothing', async () => {
  const e = engine();
  const t = await train(e);
  assert.deepEqual(e.assessSignIn(ev('parisHotel', t, { device: LAPTOP })).detections, []);
});

test('a hosting ASN the user never used is low even with a familiar browser (VPN exit, AiTM proxy)', async () => {
  const e = engine();
  const t = await train(e);
  const [d] = e.assessSignIn(ev('awsVirginia', t, { device: { operatingSystem: 'Windows 11', browser: 'Edge 124' } })).detections;
  assert.equal(d?.level, 'low');
  assert.ok((d?.reasons['unfamiliar'] as string[]).includes('hostingAsn'));
});

test('mobile carrier NAT: a new address and city on the familiar carrier is not unfamiliar', async () => {
  const e = engine();
  const t = await train(e);
  assert.deepEqual(e.assessSignIn(ev('mobileGlasgow', t, { device: ATTACKER_PC })).detections, [], 'ASN is familiar, so the network is');
});

test('IPv6 privacy addresses: a new /64 inside a known /48 is the same network', async () => {
  const e = engine();
  const t = await train(e, { places: ['homeV6a', 'officeLondon'] });
  // Same /48, and the ASN is known too; even a new browser is not enough without a new network.
  assert.deepEqual(e.assessSignIn(ev('homeV6b', t, { device: ATTACKER_PC })).detections, []);
});

test('attacker sign-ins are not learned: the second attempt from the same place is still flagged', async () => {
  const e = engine();
  const t = await train(e);
  const first = ev('lagos', t, { device: ATTACKER_PC });
  await e.recordOutcome(first, e.assessSignIn(first));
  const again = e.assessSignIn(ev('lagos', t + HOUR, { device: ATTACKER_PC }));
  // medium sign-ins are not learned; the same attacker network stays unfamiliar.
  assert.equal(again.riskLevelDuringSignIn, 'medium');
});

test('a new place is learned after a clean sign-in with MFA', async () => {
  const e = engine();
  const t = await train(e);
  const first = ev('lagos', t, { device: ATTACKER_PC, mfaSatisfied: true });
  await e.recordOutcome(first, e.assessSignIn(first));
  assert.deepEqual(e.assessSignIn(ev('lagos', t + DAY, { device: ATTACKER_PC })).detections, []);
});
