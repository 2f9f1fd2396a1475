import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unlikelyTravel } from '../../../src/risk/detectors/unlikely-travel.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { HOUR, T0, ev, train } from '../helpers.ts';

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
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('sydney', t + 2 * HOUR)).detections;
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

test('arriving on a hosting network is high', async () => {
  const e = engine();
  const t = await train(e, { days: 2 });
  await lastSeenAt(e, t, 'homeLondon');
  const [d] = e.assessSignIn(ev('awsVirginia', t + HOUR)).detections;
  assert.equal(d?.level, 'high');
});
