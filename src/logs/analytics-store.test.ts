import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTimeoutError, openAnalyticsStore, type AnalyticsStoreOptions, type AnalyticsStore } from './analytics-store.ts';
import { openAnalyticsStoreInWorker } from './worker-store.ts';
import { blankSignIn } from '../signin/event.ts';

test('rows land by batch size without an explicit flush; missing columns are NULL', async () => {
  const store = await openAnalyticsStore({ path: ':memory:', batchSize: 3, flushIntervalMs: 60_000 });
  store.append('SigninLogs', [{ Id: '1' }, { Id: '2' }, { Id: '3', UserPrincipalName: 'a@x' }]);
  // The size trigger schedules a flush on the next tick; query() also waits for buffered rows.
  const res = await store.query('SELECT "Id", "UserPrincipalName", "DurationMs" FROM "SigninLogs" ORDER BY "Id"');
  assert.deepEqual(res.rows, [['1', null, null], ['2', null, null], ['3', 'a@x', null]]);
  await store.close();
});

test('rows land by timer', async () => {
  const store = await openAnalyticsStore({ path: ':memory:', batchSize: 1000, flushIntervalMs: 20 });
  store.append('AuditLogs', [{ Id: 'a' }]);
  for (let i = 0; i < 100; i++) {
    await sleep(20);
    // Reading through a second store would bypass the buffer; the timer is checked by a no-op flush().
    if ((store as unknown as { buffered: number }).buffered === 0) break;
  }
  assert.equal((store as unknown as { buffered: number }).buffered, 0);
  assert.deepEqual((await store.query('SELECT count(*) FROM "AuditLogs"')).rows, [[1]]);
  await store.close();
});

for (const [kind, open] of [['in-process', openAnalyticsStore], ['worker', openAnalyticsStoreInWorker]] as [string, (o: AnalyticsStoreOptions) => Promise<AnalyticsStore>][]) {
  test(`${kind}: types: datetime UTC, dynamic objects, JSON in string columns, bool and long from text`, async () => {
    const store = await open({ path: ':memory:' });
    store.append('AADNonInteractiveUserSignInLogs', [{
      TimeGenerated: '2024-01-02T03:04:05.678', ConditionalAccessPolicies: [{ result: 'success' }], IsRisky: 'true', DurationMs: '42',
    }]);
    store.append('SigninLogs', [{ TimeGenerated: new Date('2024-01-02T03:04:05Z'), ConditionalAccessPolicies: [{ result: 'success' }] }]);
    const ni = await store.query('SELECT "TimeGenerated", "ConditionalAccessPolicies", "IsRisky", "DurationMs" FROM "AADNonInteractiveUserSignInLogs"');
    assert.deepEqual(ni.rows, [['2024-01-02T03:04:05.678Z', '[{"result":"success"}]', true, 42]]);
    const si = await store.query(`SELECT json_extract_string("ConditionalAccessPolicies", '$[0].result') FROM "SigninLogs"`);
    assert.deepEqual(si.rows, [['success']]);
    await store.close();
  });

  test(`${kind}: a bad row is dropped and reported; the rest of its batch and later rows are written`, async () => {
    const errors: Error[] = [];
    const store = await open({ path: ':memory:', flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    store.append('SigninLogs', [{ Id: 'x', DurationMs: 'not a number' }, { Id: 'good' }]);
    await assert.rejects(store.flush(), /SigninLogs row 1, column DurationMs/);
    store.append('SigninLogs', [{ Id: 'ok' }, { Id: 'bad2', IsRisky: 'maybe' }]);
    // query() reads its own writes; the bad row goes to onError instead of failing the read.
    assert.deepEqual((await store.query('SELECT "Id" FROM "SigninLogs" ORDER BY "Id"')).rows, [['good'], ['ok']]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /column IsRisky/);
    await store.close();
  });

  test(`${kind}: query() is read-only and takes parameters`, async () => {
    const store = await open({ path: ':memory:' });
    store.append('SigninLogs', [{ Id: 'a', UserPrincipalName: "o'hara@x" }]);
    assert.deepEqual((await store.query('SELECT "Id" FROM "SigninLogs" WHERE "UserPrincipalName" = $1', ["o'hara@x"])).rows, [['a']]);
    await assert.rejects(store.query('DELETE FROM "SigninLogs"'), /read-only/);
    await assert.rejects(store.query('DROP TABLE "SigninLogs"'), /read-only/);
    await assert.rejects(store.query('SELECT 1; DELETE FROM "SigninLogs"'));
    assert.deepEqual((await store.query('SELECT count(*) FROM "SigninLogs"')).rows, [[1]]);
    await store.close();
  });

  test(`${kind}: prune removes rows older than the retention window`, async () => {
    const store = await open({ path: ':memory:', retentionDays: 30 });
    store.append('SigninLogs', [{ Id: 'old', TimeGenerated: '2024-01-01T00:00:00Z' }, { Id: 'new', TimeGenerated: '2024-02-20T00:00:00Z' }]);
    assert.equal(await store.prune(new Date('2024-03-01T00:00:00Z')), 1);
    assert.deepEqual((await store.query('SELECT "Id" FROM "SigninLogs"')).rows, [['new']]);
    await store.close();
  });

  test(`${kind}: a statement over its time limit is cancelled without disturbing other reads`, async () => {
    const store = await open({ path: ':memory:' });
    // Billions of rows: far longer than the limit on any machine.
    await assert.rejects(store.query('SELECT count(*) FROM range(100000000000) AS t(i) WHERE i % 7 = 3', [], { timeoutMs: 50 }), QueryTimeoutError);
    assert.deepEqual((await store.query('SELECT 42')).rows, [[42]]);
    await store.close();
  });

  test(`${kind}: a sign-in event lands in the table of its kind`, async () => {
    const store = await open({ path: ':memory:', flushIntervalMs: 60_000 });
    const e = blankSignIn({ id: 'si-1', correlationId: 'c-1', tenantId: 't', eventType: 'servicePrincipal', ipAddress: '203.0.113.9', userAgent: 'ua' });
    e.appId = 'app-1';
    store.appendSignIn(e);
    store.appendSignIn(blankSignIn({ id: 'si-2', correlationId: 'c-2', tenantId: 't', eventType: 'nonInteractiveUser', ipAddress: '203.0.113.9', userAgent: 'ua' }));
    assert.deepEqual((await store.query('SELECT "Id", "AppId", "IPAddress" FROM "AADServicePrincipalSignInLogs"')).rows, [['si-1', 'app-1', '203.0.113.9']]);
    assert.deepEqual((await store.query('SELECT "Id" FROM "AADNonInteractiveUserSignInLogs"')).rows, [['si-2']]);
    await store.close();
    assert.throws(() => store.appendSignIn(e), /closed/);
    await assert.rejects(store.query('SELECT 1'), /closed/);
  });
}
