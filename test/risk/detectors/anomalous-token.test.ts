import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anomalousToken } from '../../../src/risk/detectors/anomalous-token.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { ATTACKER_PC, HOUR, LAPTOP, T0, ev, token, train, types } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [anomalousToken] });

test('a device-bound token presented with proof of possession is never anomalous', async () => {
  const e = engine();
  const t = await train(e);
  const a = e.assessSignIn(ev('lagos', t, { isInteractive: false, presentedToken: token('homeLondon', t - HOUR, { devicePossessionProven: true }), device: ATTACKER_PC }));
  assert.deepEqual(a.detections, []);
});

test('token issued to a device, presented by another device: high', async () => {
  const e = engine();
  const t = await train(e);
  const [d] = e.assessSignIn(ev('homeLondon', t, { isInteractive: false, presentedToken: token('homeLondon', t - HOUR), device: { deviceId: 'other', operatingSystem: 'Windows 11' } })).detections;
  assert.equal(d?.level, 'high');
  assert.deepEqual(d?.reasons['reasons'], ['presentedByAnotherDevice']);
});

test('client changed and network changed: high (stolen refresh token used from the attacker\'s machine)', async () => {
  const e = engine();
  const t = await train(e);
  const tok = token('homeLondon', t - HOUR, {}, { operatingSystem: 'Windows 11', browser: 'Edge 124' });
  const [d] = e.assessSignIn(ev('parisHotel', t, { isInteractive: false, presentedToken: tok, device: ATTACKER_PC })).detections;
  assert.equal(d?.level, 'high');
  assert.ok((d?.reasons['reasons'] as string[]).includes('clientChanged'));
});

test('a refresh token shared by two apps on the same OS (different browser string) is not a client change', async () => {
  const e = engine();
  const t = await train(e);
  const tok = token('homeLondon', t - HOUR, {}, { operatingSystem: 'Windows 11', browser: 'Outlook 16' });
  assert.deepEqual(e.assessSignIn(ev('officeLondon', t, { isInteractive: false, presentedToken: tok, device: { operatingSystem: 'Windows 11', browser: 'Teams 2' } })).detections, []);
});

test('replay from a hosting network the user never used: high', async () => {
  const e = engine();
  const t = await train(e);
  const tok = token('homeLondon', t - HOUR, {}, { operatingSystem: 'Windows 11', browser: 'Edge 124' });
  const a = e.assessSignIn(ev('awsVirginia', t, { isInteractive: false, presentedToken: tok, device: { operatingSystem: 'Windows 11', browser: 'Edge 124' } }));
  assert.equal(a.riskLevelDuringSignIn, 'high');
  assert.ok((a.detections[0]?.reasons['reasons'] as string[]).includes('presentedFromHostingNetwork'));
});

test('home → office → phone network changes in one country: nothing', async () => {
  const e = engine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  assert.deepEqual(e.assessSignIn(ev('officeLondon', t, { isInteractive: false, presentedToken: token('homeLondon', t - 2 * HOUR, {}, client), device: client })).detections, []);
});

test('traveller: token from London used in Paris next morning with the same client is only low', async () => {
  const e = engine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const [d] = e.assessSignIn(ev('parisHotel', t + 10 * HOUR, { isInteractive: false, presentedToken: token('homeLondon', t - HOUR, {}, client), device: client })).detections;
  assert.equal(d?.level, 'low');
});

test('replay abroad while the victim is active at home: medium', async () => {
  const e = engine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const home = ev('homeLondon', t, { device: client });
  await e.recordOutcome(home, e.assessSignIn(home));
  const [d] = e.assessSignIn(ev('lagos', t + 20 * 60_000, { isInteractive: false, presentedToken: token('homeLondon', t - HOUR, {}, client), device: client })).detections;
  assert.equal(d?.level, 'medium');
});

test('the same token used from two distant places within minutes: high', async () => {
  const e = engine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const tok = token('homeLondon', t - HOUR, {}, client);
  const first = ev('parisHotel', t, { isInteractive: false, presentedToken: tok, device: client, mfaSatisfied: true });
  await e.recordOutcome(first, e.assessSignIn(first));
  const [d] = e.assessSignIn(ev('sydney', t + 30 * 60_000, { isInteractive: false, presentedToken: tok, device: client })).detections;
  assert.equal(d?.level, 'high');
  assert.ok((d?.reasons['reasons'] as string[]).includes('usedFromTwoPlacesAtOnce'));
});

test('AiTM: a session minted on a hosting network and replayed elsewhere raises attackerinTheMiddle', async () => {
  const e = engine();
  const t = await train(e);
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const tok = token('awsVirginia', t - 10 * 60_000, { kind: 'sessionCookie' }, client);
  const a = e.assessSignIn(ev('lagos', t, { isInteractive: false, presentedToken: tok, device: client }));
  assert.deepEqual(types(a), ['anomalousToken', 'attackerinTheMiddle']);
  const aitm = a.detections.find((d) => d.riskEventType === 'attackerinTheMiddle');
  assert.equal(aitm?.activity, 'user');
  assert.equal(a.userRiskLevel, 'high', 'user-level detections raise user risk at once');
});

test('VPN habit: a session minted on the user\'s usual VPN and used at home is not AiTM', async () => {
  const e = engine();
  const t = await train(e, { places: ['homeLondon', 'vpnFrankfurt'] });
  const tok = token('vpnFrankfurt', t - HOUR, { kind: 'sessionCookie' }, LAPTOP);
  assert.deepEqual(e.assessSignIn(ev('homeLondon', t, { isInteractive: false, presentedToken: tok })).detections, []);
});

test('first sign-in ever with a presented token: judged on the token alone', () => {
  const e = engine();
  const a = e.assessSignIn(ev('lagos', T0, { isInteractive: false, presentedToken: token('homeLondon', T0 - HOUR), device: ATTACKER_PC }));
  assert.equal(a.riskLevelDuringSignIn, 'high', 'device mismatch needs no baseline');
});

test('roaming phone: a laptop token used abroad just after the phone egressed at home is still only low', async () => {
  const e = engine();
  const t = await train(e, { places: ['homeLondon', 'mobileLondon', 'mobileGlasgow'] });
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  const home = ev('homeLondon', t, { device: client });
  await e.recordOutcome(home, e.assessSignIn(home)); // leaves home; 8 h later in Lagos
  const roaming = ev('mobileLondon', t + 8 * HOUR, { device: client });
  await e.recordOutcome(roaming, e.assessSignIn(roaming)); // the phone's traffic still leaves in the UK
  const [d] = e.assessSignIn(ev('lagos', t + 8 * HOUR + 10 * 60_000, { isInteractive: false, presentedToken: token('homeLondon', t - HOUR, {}, client), device: client })).detections;
  assert.equal(d?.level, 'low', 'the carrier position is discounted for the last reliable one (home, 8 h ago)');
});
