// The shared sign-in samples (Log Analytics exports: JSON lines from msticpy/msticnb, CSV from the
// Sentinel training lab) imported as they are, then queried; expected answers are computed here
// from the raw files with plain JavaScript, independently of the engine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openAnalyticsStore } from '../../src/logs/analytics-store.ts';
import type { AnalyticsStore } from '../../src/logs/analytics-store.ts';
import { importFile } from '../../src/logs/import.ts';
import { runKql } from '../../src/kql/run.ts';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus', 'signin-samples');
const jsonl = ['msticpy/aad_logons.SigninLogs.jsonl', 'msticnb/aad_signin_user.SigninLogs.jsonl', 'msticnb/aad_signin_random.SigninLogs.jsonl'];
const raw = jsonl.flatMap((f) => readFileSync(join(samples, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>));

let store: AnalyticsStore;
before(async () => {
  store = await openAnalyticsStore({ path: ':memory:' });
  for (const f of jsonl) await importFile(store, 'SigninLogs', join(samples, f));
});
after(() => store.close());

test('every JSON-lines sample row is imported', async () => {
  const res = await runKql(store, 'SigninLogs | count');
  assert.deepEqual(res.tables[0]!.rows, [[raw.length]]);
  assert.equal(raw.length, 86 + 31 + 300);
});

test('failed sign-ins per result type match the raw rows', async () => {
  const expected = new Map<string, number>();
  for (const r of raw) if (r.ResultType !== '0') expected.set(String(r.ResultType), (expected.get(String(r.ResultType)) ?? 0) + 1);
  const res = await runKql(store, 'SigninLogs | where ResultType != "0" | summarize n = count() by ResultType');
  assert.deepEqual(new Map(res.tables[0]!.rows.map((r) => [String(r[0]), Number(r[1])])), expected);
});

test('dynamic LocationDetails: sign-ins per country match the raw rows', async () => {
  const expected = new Map<string, number>();
  for (const r of raw) {
    const loc = r.LocationDetails as Record<string, unknown> | string | undefined;
    const country = loc && typeof loc === 'object' ? String(loc.countryOrRegion ?? '') : '';
    expected.set(country, (expected.get(country) ?? 0) + 1);
  }
  const res = await runKql(store, 'SigninLogs | extend c = tostring(LocationDetails.countryOrRegion) | summarize n = count() by c');
  assert.deepEqual(new Map(res.tables[0]!.rows.map((r) => [String(r[0]), Number(r[1])])), expected);
});

test('CSV exports import: disabled-account sign-ins (ResultType 50057) per user', async () => {
  const csvStore = await openAnalyticsStore({ path: ':memory:' });
  const n = await importFile(csvStore, 'SigninLogs', join(samples, 'azure-sentinel-training-lab', 'disable_accounts.csv'));
  assert.equal(n, 4);
  assert.equal(await importFile(csvStore, 'SigninLogs', join(samples, 'azure-sentinel-training-lab', 'sign-in_adelete.csv')), 56);
  const res = await runKql(csvStore, 'SigninLogs | where ResultType == "50057" | summarize n = count() by UserPrincipalName | sort by UserPrincipalName asc');
  // Counted from the file with Python's csv module: 4 rows, all UserPrincipalName johns@m365x816222.onmicrosoft.com
  // with ResultType 50057 (the AlternateSignInName column says johns@contoso…, which must not be confused).
  assert.deepEqual(res.tables[0]!.rows, [['johns@m365x816222.onmicrosoft.com', 4]]);
  await csvStore.close();
});
