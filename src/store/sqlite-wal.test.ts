import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './open.ts';
import { newId, newSecret, sha256 } from '../util/ids.ts';
import type { RefreshToken } from './types.ts';

test('sqlite: the WAL stays bounded under continuous rotation (checkpoints complete and the log restarts)', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tessera-wal-')), 'tessera.db');
  const store = await openSqliteStore(path);
  const now = Date.now();
  const rt = (): RefreshToken => ({
    tokenHash: sha256(newSecret(32)), familyId: newId(), tenantId: 't', clientId: 'c', userId: 'u', scope: 'openid offline_access', resource: null,
    sid: 's', authTime: now, amr: ['pwd'], jkt: null, deviceId: null, issuedAt: now, expiresAt: now + 86_400_000, status: 'active', usedAt: null, context: { ipAddress: '203.0.113.7' },
  });
  const chains = Array.from({ length: 16 }, rt);
  for (const t of chains) await store.refreshTokens.save(t);
  // ≈ 11 KiB of WAL per rotation: 12,800 rotations would leave a WAL of ≈ 140 MiB if it never restarted.
  await Promise.all(chains.map(async (first, i) => {
    let cur = first;
    for (let k = 0; k < 800; k++) {
      const next = rt();
      assert.equal(await store.refreshTokens.rotate(cur.tokenHash, next, Date.now()), 'rotated');
      cur = next;
      chains[i] = cur;
    }
  }));
  const wal = statSync(`${path}-wal`).size;
  assert.ok(wal < 40 * 1048576, `WAL is ${(wal / 1048576).toFixed(1)} MiB`);
  assert.equal(await store.refreshTokens.countActive(), 16);
  await store.close();
});
