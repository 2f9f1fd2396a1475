import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createAesGcmSealer } from './seal.ts';

test('sealed values open only with the same master key and the same AAD', () => {
  const a = createAesGcmSealer(randomBytes(32));
  const b = createAesGcmSealer(randomBytes(32));
  const secret = randomBytes(32);
  const s = a.seal(secret, 'tessera-session-key:k1');
  assert.ok(!s.includes(secret.toString('base64url')));
  assert.deepEqual(a.unseal(s, 'tessera-session-key:k1'), secret);
  assert.notEqual(a.seal(secret, 'x'), a.seal(secret, 'x'), 'random IV');
  assert.equal(a.unseal(s, 'tessera-session-key:k2'), undefined);
  assert.equal(b.unseal(s, 'tessera-session-key:k1'), undefined);
  const raw = Buffer.from(s.slice(3), 'base64url');
  raw[raw.length - 1]! ^= 1;
  assert.equal(a.unseal(`v1.${raw.toString('base64url')}`, 'tessera-session-key:k1'), undefined);
  assert.throws(() => createAesGcmSealer(randomBytes(16)), TypeError);
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (g) => a.unseal(g, 'x') === undefined));
});
