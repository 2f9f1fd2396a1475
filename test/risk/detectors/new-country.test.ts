import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCountry } from '../../../src/risk/detectors/new-country.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { DAY, T0, ev, train } from '../helpers.ts';

const engine = () => createRiskEngine({ detectors: [newCountry] });

test('a country new to the user and to the organisation is medium', async () => {
  const e = engine();
  const t = await train(e);
  const [d] = e.assessSignIn(ev('lagos', t)).detections;
  assert.equal(d?.riskEventType, 'newCountry');
  assert.equal(d?.level, 'medium');
  assert.equal(d?.reasons['newToOrganisation'], true);
});

test('a country new to the user but known in the organisation is low', async () => {
  const e = engine();
  await train(e, { userId: 'u-bo', places: ['parisHotel'] });
  const t = await train(e);
  const [d] = e.assessSignIn(ev('parisHotel', t)).detections;
  assert.equal(d?.level, 'low');
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
