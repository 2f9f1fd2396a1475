import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../store/open.ts';
import { createSealer } from './master-key.ts';
import { openKeyRing } from './key-ring.ts';
import { verifyCompactJws } from '../crypto/jwt.ts';

test('key ring: signs, rotates with overlap, drops keys after the overlap, keeps private keys sealed', async () => {
  const store = await openSqliteStore(':memory:');
  const sealer = createSealer(randomBytes(32));
  const ring = await openKeyRing(store.signingKeys, sealer, { rotationDays: 30, overlapDays: 7 });
  const first = ring.signer().kid;
  const token = ring.signer().sign({ sub: 'x' }, { typ: 'at+jwt' });
  const stored = await store.signingKeys.list();
  assert.equal(stored.length, 1);
  assert.ok(!stored[0]!.privateSealed.includes('PRIVATE KEY'), 'private key is sealed at rest');

  const day = 86_400_000;
  assert.equal(await ring.maintain(Date.now() + 31 * day), true);
  assert.notEqual(ring.signer().kid, first);
  assert.deepEqual(ring.jwks().keys.map((k) => k.kid).sort(), [first, ring.signer().kid].sort(), 'old key still published during overlap');
  const verified = verifyCompactJws(token, (h) => ring.publicKey(String(h.kid)), { algorithms: ['ES256'], typ: 'at+jwt' });
  assert.equal(verified.payload.sub, 'x');

  await ring.maintain(Date.now() + 39 * day);
  assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [ring.signer().kid], 'retired key removed after overlap');
  assert.throws(() => createSealer(randomBytes(32)).unseal(stored[0]!.privateSealed, first), /does not open/);
  await store.close();
});
