import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRegisteredClaims, ClaimError } from './claims.ts';

function code(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof ClaimError) return e.code;
    throw e;
  }
}

test('exp, nbf and skew', () => {
  const now = 1_000_000;
  assert.equal(code(() => checkRegisteredClaims({ exp: now + 1 }, { now })), 'ok');
  assert.equal(code(() => checkRegisteredClaims({ exp: now }, { now })), 'expired');
  assert.equal(code(() => checkRegisteredClaims({ exp: now - 30 }, { now, clockSkewSec: 60 })), 'ok');
  assert.equal(code(() => checkRegisteredClaims({ exp: now + 100, nbf: now + 10 }, { now })), 'not_yet_valid');
  assert.equal(code(() => checkRegisteredClaims({ exp: now + 100, nbf: now + 10 }, { now, clockSkewSec: 10 })), 'ok');
  assert.equal(code(() => checkRegisteredClaims({}, { now })), 'missing_claim');
  assert.equal(code(() => checkRegisteredClaims({}, { now, requireExp: false })), 'ok');
  for (const exp of ['123', null, Infinity, -1, 1e20, {}]) {
    assert.equal(code(() => checkRegisteredClaims({ exp }, { now })), 'bad_claim', String(exp));
  }
});

test('iss and aud', () => {
  const base = { exp: 2e9, iss: 'http://h/t/v2.0', aud: ['api://a', 'api://b'] };
  const now = 1e9;
  assert.equal(code(() => checkRegisteredClaims(base, { now, issuer: 'http://h/t/v2.0', audience: 'api://b' })), 'ok');
  assert.equal(code(() => checkRegisteredClaims(base, { now, issuer: 'http://h/x/v2.0' })), 'bad_iss');
  assert.equal(code(() => checkRegisteredClaims({ ...base, iss: 5 }, { now, issuer: ['http://h/t/v2.0'] })), 'bad_iss');
  assert.equal(code(() => checkRegisteredClaims(base, { now, audience: ['api://c'] })), 'bad_aud');
  assert.equal(code(() => checkRegisteredClaims({ ...base, aud: 'api://c' }, { now, audience: 'api://c' })), 'ok');
  assert.equal(code(() => checkRegisteredClaims({ ...base, aud: [7] }, { now, audience: 'api://c' })), 'bad_aud');
});
