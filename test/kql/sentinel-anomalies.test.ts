// The four Sentinel rules of the corpus built on series_decompose_anomalies, run unchanged (but for
// SpikeInFailedSignInAttempts' `{{StartTimeISO}}` template placeholder, filled with the test's now)
// against two weeks of steady hourly sign-ins for two administrators, one of whom has a burst: each
// rule must return that one and not the other.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openAnalyticsStore } from '../../src/logs/analytics-store.ts';
import type { AnalyticsStore } from '../../src/logs/analytics-store.ts';
import { runKql } from '../../src/kql/run.ts';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus', 'kql', 'sentinel');
const rule = (file: string) => readFileSync(join(corpus, file), 'utf8');

const now = new Date('2024-06-10T12:00:00Z');
const hour = 3_600_000;
const burstUser = 'alice@contoso.com';
const steadyUser = 'bob@contoso.com';
/** The failure burst: 2024-06-09 14:00-15:00, yesterday (the rules look at the last day). */
const failureBurst = new Date('2024-06-09T14:00:00Z');
/**
 * The success burst, at 2024-06-09T00:00:00 exactly: UserAccountsMeasurableincreaseofsuccessfulsignins
 * learns from `between (startofday(ago(14d))..startofday(ago(1d)))`, whose inclusive end is that instant,
 * and reports bins after ago(2d).
 */
const successBurst = new Date('2024-06-09T00:00:00Z');
/**
 * That rule fits a line (linefit) to 14 daily points, so a lone burst B on the last day pulls the line
 * up to itself: the other 13 days' residuals fall on a line from 0.114B to -0.229B, the burst's is
 * 0.743B, the ctukey fences are Q10 = -0.191B and Q90 = 0.106B, and its score is 2.14 whatever B is,
 * under the rule's threshold 5. So Alice (72 successes a day: 3 an hour) also took the day before off
 * (2024-06-08, no sign-ins), which holds the line nearly level: with 150 successes on 2024-06-09 the
 * burst scores 14.2 over a baseline of 75.6 (worked out with the plain JavaScript of the unit tests).
 */
const dayOff = { from: Date.parse('2024-06-08T00:00:00Z'), to: Date.parse('2024-06-09T00:00:00Z') };

let store: AnalyticsStore;
before(async () => {
  store = await openAnalyticsStore({ path: ':memory:' });
  // A small linear congruential generator, so the steady traffic varies (a constant series would
  // test only the no-spread case) and the test stays deterministic.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(seed / 65536) % n; // the low bits of this generator cycle quickly
  };
  const rows: Record<string, unknown>[] = [];
  const signIn = (user: string, at: Date, failed: boolean) => rows.push({
    TimeGenerated: at, UserPrincipalName: user, UserDisplayName: user.split('@')[0], ResultType: failed ? '50126' : '0',
    ResultDescription: failed ? 'Invalid username or password' : '', OperationName: 'Sign-in activity', Category: 'SignInLogs',
    IPAddress: '203.0.113.7', Location: 'NO', AppDisplayName: 'Azure Portal', ClientAppUsed: 'Browser', ResourceDisplayName: 'Windows Azure Service Management API',
    UserAgent: 'Mozilla/5.0', AuthenticationRequirement: 'singleFactorAuthentication', ConditionalAccessStatus: 'notApplied',
  });
  const start = Date.parse('2024-05-27T00:00:00Z'); // before startofday(ago(14d)) = 2024-05-27
  for (let t = start; t < now.getTime(); t += hour) {
    for (const user of [burstUser, steadyUser]) {
      const failures = 7 + rand(3);
      const successes = 3;
      if (user === burstUser && t >= dayOff.from && t < dayOff.to) continue;
      for (let i = 0; i < failures; i++) signIn(user, new Date(t + (i * hour) / (failures + 1)), true);
      for (let i = 0; i < successes; i++) signIn(user, new Date(t + hour / 2 + i * 1000), false);
    }
  }
  for (let i = 0; i < 60; i++) signIn(burstUser, new Date(failureBurst.getTime() + i * 30_000), true);
  for (let i = 0; i < 150; i++) signIn(burstUser, successBurst, false);
  store.append('SigninLogs', rows);
  store.append('IdentityInfo', [burstUser, steadyUser].map((u) => ({
    TimeGenerated: new Date(now.getTime() - 2 * 86_400_000), AccountUPN: u, AssignedRoles: ['Global Administrator'],
  })));
});
after(() => store.close());

async function run(text: string): Promise<Record<string, unknown>[]> {
  const t = (await runKql(store, text, { now })).tables[0]!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}
const hourOf = (d: Date) => d.toISOString().replace('.000Z', '.0000000Z');

test('AnomolousSignInsBasedonTime: the admin with a burst of sign-ins in one hour', async () => {
  const rows = await run(rule('AnomolousSignInsBasedonTime.kql'));
  assert.deepEqual(rows.map((r) => r.UserPrincipalName), [burstUser]);
  // Both of Alice's bursts (60 failures at 14:00, 150 successes at midnight) are hours of over 15 sign-ins.
  assert.deepEqual(new Set(rows[0]!.AnomolyTimes as string[]), new Set([hourOf(failureBurst), hourOf(successBurst)]));
});

test('PrivilegedAccountsSigninFailureSpikes: the admin whose failures spike yesterday', async () => {
  const rows = await run(rule('PrivilegedAccountsSigninFailureSpikes.kql'));
  assert.deepEqual([...new Set(rows.map((r) => r.UserPrincipalName))], [burstUser]);
  // The spike hour holds the 60 burst failures plus that hour's steady 7 to 9.
  for (const r of rows) assert.ok((r.TotalFailedSignins as number) >= 67 && (r.TotalFailedSignins as number) <= 69, String(r.TotalFailedSignins));
});

test('UserAccountsMeasurableincreaseofsuccessfulsignins: the user whose daily successes jump', async () => {
  const rows = await run(rule('UserAccountsMeasurableincreaseofsuccessfulsignins.kql'));
  assert.deepEqual([...new Set(rows.map((r) => r.UserPrincipalName))], [burstUser]);
  for (const r of rows) assert.equal(r.HourlyCount, 150);
});

test('SpikeInFailedSignInAttempts: the user with a burst of failures', async () => {
  const rows = await run(rule('SpikeInFailedSignInAttempts.kql').replace('{{StartTimeISO}}', now.toISOString()));
  assert.deepEqual(rows.map((r) => r.UserPrincipalName), [burstUser]);
  assert.deepEqual(rows[0]!.AnomolyTimes, [hourOf(failureBurst)]);
});
