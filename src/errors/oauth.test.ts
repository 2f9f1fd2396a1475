import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidGrant, InvalidClient, OAuthError } from './oauth.ts';

test('an OAuth error serialises to RFC 6749 §5.2 with Entra error_codes', () => {
  const e = new InvalidGrant('The refresh token has expired.', { aadsts: 700082, detail: 'family f1' });
  assert.ok(e instanceof OAuthError);
  assert.equal(e.status, 400);
  assert.deepEqual(e.toJSON(), {
    error: 'invalid_grant',
    error_description: 'AADSTS700082: The refresh token has expired.',
    error_codes: [700082],
  });
  assert.ok(!JSON.stringify(e.toJSON()).includes('family f1'), 'private detail never leaves');
});

test('invalid_client answers 401', () => {
  assert.equal(new InvalidClient('bad secret').status, 401);
});
