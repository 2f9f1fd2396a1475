import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../app/app.ts';
import { openAnalyticsStore } from '../logs/analytics-store.ts';
import { parseFilter } from './odata/index.ts';
import { catalogues } from './odata/index.ts';
import { readTable } from './sign-ins.ts';

test('sign-in scan: keyset chunks find old matches, never repeat or skip a row (ties on time included), and stop early when they may', async () => {
  const logs = await openAnalyticsStore({ path: ':memory:' });
  const app = { logs } as unknown as App;
  const base = Date.now() - 3_600_000;
  const rows = Array.from({ length: 23 }, (_, i) => ({
    TenantId: 't1', Id: `id-${String(i).padStart(2, '0')}`, AppId: 'app-1',
    // Groups of three rows share one instant, so the cursor's tie-break on Id is exercised.
    TimeGenerated: new Date(base + Math.floor(i / 3) * 1000).toISOString(),
    ResultType: i % 5 === 0 ? '7000215' : '0',
  }));
  logs.append('AADServicePrincipalSignInLogs', rows);
  logs.append('AADServicePrincipalSignInLogs', [{ ...rows[0], TenantId: 't2', Id: 'other-tenant' }]);
  const failures = parseFilter('status/errorCode eq 7000215', catalogues.signIn);

  const all = await readTable(app, 't1', 'servicePrincipal', { filter: failures, chunk: 4 });
  assert.deepEqual(all.map((r) => r.id), ['id-20', 'id-15', 'id-10', 'id-05', 'id-00'], 'every match, newest first, the oldest included');

  const everything = await readTable(app, 't1', 'servicePrincipal', { chunk: 4 });
  assert.equal(everything.length, 23);
  assert.equal(new Set(everything.map((r) => r.id)).size, 23, 'no row twice');

  const firstTwo = await readTable(app, 't1', 'servicePrincipal', { filter: failures, chunk: 4, need: 2 });
  assert.ok(firstTwo.length >= 2 && firstTwo.length < 5, `stopped early: ${firstTwo.length}`);
  assert.deepEqual(firstTwo.slice(0, 2).map((r) => r.id), ['id-20', 'id-15']);

  await assert.rejects(readTable(app, 't1', 'servicePrincipal', { filter: failures, chunk: 4, limit: 8 }), /narrow it/);
  await logs.close();
});
