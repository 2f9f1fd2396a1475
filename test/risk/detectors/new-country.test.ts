import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCountry } from '../../../src/risk/detectors/new-country.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { DAY, T0, ev, train } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [newCountry] });

test('a country new to the user is low and says whether it is new to the organisation; raised once per trip', async () => {
  const e = engine();
  const t = await train(e);
  const first = ev('lagos', t);
  const a = e.assessSignIn(first);
  assert.equal(a.detections[0]?.riskEventType, 'newCountry');
  assert.equal(a.detections[0]?.level, 'low');
  assert.equal(a.detections[0]?.reasons['newToOrganisation'], true);
  await e.recordOutcome(first, a);
  assert.deepEqual(e.assessSignIn(ev('lagos', t + 3_600_000)).detections, [], 'not again for the same country within 30 days');
  assert.equal(e.assessSignIn(ev('sydney', t + 3_600_000)).detections[0]?.riskEventType, 'newCountry', 'another country is');
});

test('a country new to the user but known in the organisation says so', async () => {
  const e = engine();
  await train(e, { userId: 'u-bo', places: ['parisHotel'] });
  const t = await train(e);
  const [d] = e.assessSignIn(ev('parisHotel', t)).detections;
  assert.equal(d?.reasons['newToOrganisation'], false);
});

test('once learned the country is familiar; a user in the learning period is never flagged', async () => {
  const e = engine();
  const t = await train(e);
  const trip = ev('parisHotel', t, { mfaSatisfied: true });
  await e.recordOutcome(trip, e.assessSignIn(trip));
  assert.deepEqual(e.assessSignIn(ev('parisHotel', t + DAY)).detections, []);
  const fresh = engine();
  assert.deepEqual(fresh.assessSignIn(ev('lagos', T0)).detections, [], 'first sign-in ever');
});
