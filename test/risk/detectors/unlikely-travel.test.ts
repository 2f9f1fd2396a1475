import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unlikelyTravel } from '../../../src/risk/detectors/unlikely-travel.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { ATTACKER_PC, HOUR, T0, ev, train } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [unlikelyTravel] });

async function lastSeenAt(e: ReturnType<typeof engine>, t: number, place: Parameters<typeof ev>[0]) {
  const x = ev(place, t);
  await e.recordOutcome(x, e.assessSignIn(x));
}

test('first sign-in ever has nothing to compare with', () => {
  assert.deepEqual(engine().assessSignIn(ev('sydney', T0)).detections, []);
});

test('London then Sydney two hours later is unlikely travel, medium, with the arithmetic', async () => {
  const e = engine();
  const t = await train(e);
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('sydney', t + 2 * HOUR, { device: ATTACKER_PC })).detections;
  assert.equal(d?.riskEventType, 'unlikelyTravel');
  assert.equal(d?.level, 'medium');
  assert.equal(d?.reasons['elapsedMinutes'], 120);
  assert.ok((d?.reasons['distanceKm'] as number) > 16_000);
  assert.ok((d?.reasons['requiredMinutes'] as number) > 1000);
});

test('London then Sydney 30 hours later is a flight, not a detection', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  assert.deepEqual(e.assessSignIn(ev('sydney', t + 30 * HOUR)).detections, []);
});

test('nearby cities are geolocation noise (London → Paris, 340 km, 5 minutes)', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  assert.deepEqual(e.assessSignIn(ev('parisHotel', t + 5 * 60_000)).detections, []);
});

test('VPN egress: an exit ASN the user has used in that country before is tolerated', async () => {
  const e = engine();
  const t = await train(e, { days: 6, places: ['homeLondon', 'vpnFrankfurt'] });
  await lastSeenAt(e, t, 'homeLondon');
  assert.deepEqual(e.assessSignIn(ev('vpnFrankfurt', t + 10 * 60_000)).detections, []);
});

test('mobile carrier NAT: same carrier, same country, 550 km in five minutes is tolerated', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'mobileLondon');
  assert.deepEqual(e.assessSignIn(ev('mobileGlasgow', t + 5 * 60_000)).detections, []);
});

test('a different network far away in a familiar country is only low', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('edinburghCafe', t + 10 * 60_000)).detections;
  assert.equal(d?.level, 'low');
});

test('in the learning period it is at most low', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('awsVirginia', t + HOUR, { device: ATTACKER_PC })).detections;
  assert.equal(d?.level, 'low');
});

test('arriving on a hosting network is high', async () => {
  const e = engine();
  const t = await train(e);
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('awsVirginia', t + HOUR, { device: ATTACKER_PC })).detections;
  assert.equal(d?.level, 'high');
  const own = e.assessSignIn(ev('awsVirginia', t + HOUR, { device: { operatingSystem: 'Windows 11', browser: 'Edge 124' } })).detections;
  assert.equal(own[0]?.level, 'medium', 'usual browser and OS through a VPN: medium');
});

test('the user\'s own authenticated device far away is only low (it is the user, behind a VPN)', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('sydney', t + HOUR)).detections;
  assert.equal(d?.level, 'low');
});

test('organisation networks (used by several colleagues) are not a position', async () => {
  const e = engine();
  for (const colleague of ['u-1', 'u-2', 'u-3']) await train(e, { days: 1, userId: colleague, places: ['sydney'] });
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  assert.deepEqual(e.assessSignIn(ev('sydney', t + HOUR, { device: ATTACKER_PC })).detections, []);
});

test('roaming phone: a carrier seen in several cities is an imprecise position; the last reliable one is used', async () => {
  const e = engine();
  const t = await train(e, { days: 2, places: ['homeLondon', 'mobileLondon', 'mobileGlasgow'] });
  await lastSeenAt(e, t, 'sydney'); // abroad: a hotel in Sydney, learned (own device)
  await lastSeenAt(e, t + HOUR, 'mobileLondon'); // the phone roams: its traffic leaves in the UK
  const client = { operatingSystem: 'Windows 11', browser: 'Edge 124' };
  assert.deepEqual(e.assessSignIn(ev('sydneyCafe', t + 2 * HOUR, { device: client })).detections, [], 'a café in Sydney an hour later is not travel');
  const stranger = e.assessSignIn(ev('sydneyCafe', t + 2 * HOUR, { device: ATTACKER_PC })).detections;
  assert.equal(stranger[0]?.riskEventType, 'unlikelyTravel', 'with a stranger\'s client the roaming position is not discounted');
});
