import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createHmacNonceService } from './nonce.ts';
import { MemoryReplayCache, ReplayCacheFullError } from './replay-cache.ts';
import { challenge } from './challenge.ts';

test('nonces live one to two periods, are label-separated and survive secret rotation', () => {
  const s1 = randomBytes(32);
  const s2 = randomBytes(32);
  const a = createHmacNonceService({ secrets: [s1], label: 'dpop', periodSec: 100 });
  const n = a.current(1000);
  assert.equal(a.current(1099), n);
  assert.equal(a.check(n, 1000), 'valid');
  assert.equal(a.check(n, 1199), 'valid');
  assert.equal(a.check(n, 1200), 'stale');
  assert.equal(a.check(n, 900), 'stale');
  assert.ok(a.isCurrent(n, 1050));
  assert.ok(!a.isCurrent(n, 1100));
  const otherLabel = createHmacNonceService({ secrets: [s1], label: 'session', periodSec: 100 });
  assert.equal(otherLabel.check(n, 1000), 'invalid');
  const rotated = createHmacNonceService({ secrets: [s2, s1], label: 'dpop', periodSec: 100 });
  assert.equal(rotated.check(n, 1000), 'valid');
  assert.notEqual(rotated.current(1000), n);
  assert.throws(() => createHmacNonceService({ secrets: [randomBytes(16)], label: 'x' }), TypeError);
  // a bit flip anywhere is caught
  const raw = Buffer.from(n, 'base64url');
  for (let i = 0; i < raw.length; i++) {
    const t = Buffer.from(raw);
    t[i]! ^= 1;
    assert.equal(a.check(t.toString('base64url'), 1000), 'invalid');
  }
  fc.assert(fc.property(fc.anything(), (x) => a.check(x, 1000) === 'invalid'));
});

test('memory replay cache: one winner per key, forgets after expiry, fails closed when full', () => {
  const c = new MemoryReplayCache({ maxEntries: 3 });
  assert.equal(c.use('a', 110, 100), true);
  assert.equal(c.use('a', 110, 105), false);
  assert.equal(c.use('a', 120, 110), true, 'expired entries may be reused');
  c.use('b', 200, 110);
  c.use('c', 200, 110);
  assert.throws(() => c.use('d', 200, 110), ReplayCacheFullError);
  assert.equal(c.use('d', 300, 121), true, 'sweep frees expired room');
});

test('challenges quote values and strip characters that could break the header', () => {
  assert.equal(challenge('Bearer'), 'Bearer');
  assert.equal(challenge('Bearer', { error: 'invalid_token', algs: 'ES256' }), 'Bearer error="invalid_token"');
  assert.equal(challenge('DPoP', { algs: 'ES256', error: 'x', error_description: 'a"b\\c\r\nd' }), 'DPoP algs="ES256", error="x", error_description="abcd"');
});
