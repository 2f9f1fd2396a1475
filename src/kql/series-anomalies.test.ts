// series_outliers, series_periods_detect, seasonality autodetection and series_decompose_anomalies.
// Expectations are the Kusto reference's own examples where it gives them (each test names the page),
// values worked out by hand from the documented rules, or the plain JavaScript below, written
// from the same rules independently of the SQL — never values read back from our output.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openAnalyticsStore } from '../logs/analytics-store.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { KqlError } from './errors.ts';
import { runKql } from './run.ts';

let store: AnalyticsStore;
const now = new Date('2024-06-10T12:00:00Z');
before(async () => {
  store = await openAnalyticsStore({ path: ':memory:' });
});
after(() => store.close());

async function row(q: string): Promise<Record<string, unknown>> {
  const t = (await runKql(store, q, { now })).tables[0]!;
  assert.equal(t.rows.length, 1);
  return Object.fromEntries(t.columns.map((c, i) => [c.name, t.rows[0]![i]]));
}

function close(actual: unknown, expected: number[], what: string, digits = 9): void {
  assert.ok(Array.isArray(actual), what);
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] as number) - e) < 10 ** -digits, `${what}[${i}]: ${String(actual[i])} vs ${e}`));
}

// --- An independent reference of the documented rules ---------------------------------------

/** The p-th percentile, linear between the closest ranks: h = (n - 1)·p/100 over 0-based sorted values. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}

/** Tukey fence scores; with no spread, the mean distance from the fence stands in for it. */
function tukeyScores(v: (number | null)[], lo: number, hi: number, ignore?: number): number[] {
  const kept = v.filter((x): x is number => x !== null && x !== ignore);
  const qlo = percentile(kept, lo);
  const qhi = percentile(kept, hi);
  const spread = qhi - qlo || kept.reduce((a, x) => a + Math.abs(x - qlo), 0) / kept.length;
  return v.map((x) => (x === null || x === ignore || spread === 0 ? 0 : x > qhi ? (x - qhi) / spread : x < qlo ? (x - qlo) / spread : 0));
}

/** Pearson correlation of y[0..n-k) with y[k..n) after removing the least-squares line. */
function lagCorrelation(y: number[], k: number): number {
  const n = y.length;
  const mx = (n + 1) / 2;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  y.forEach((v, i) => {
    sxy += (i + 1 - mx) * (v - my);
    sxx += (i + 1 - mx) ** 2;
  });
  const z = y.map((v, i) => v - (my + (sxy / sxx) * (i + 1 - mx)));
  const a = z.slice(0, n - k);
  const b = z.slice(k);
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  let num = 0;
  let da = 0;
  let db = 0;
  a.forEach((x, i) => {
    num += (x - ma) * (b[i]! - mb);
    da += (x - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  });
  return num / Math.sqrt(da * db);
}

/** Deterministic noise in [-1, 1) (a linear congruential generator's high bits). */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(s / 65536) / 16384 - 1;
  };
}

const dyn = (v: unknown[]) => `dynamic(${JSON.stringify(v)})`;

// --- series_outliers --------------------------------------------------------------------------

test('series_outliers: ctukey (10th/90th), tukey (25th/75th) and ignore_val, against hand-worked numbers', async () => {
  const x = [1, 2, 3, 4, 100, 2, 3, 1, null, 7];
  const r = await row(`print x = ${dyn(x)} | extend c = series_outliers(x), t = series_outliers(x, 'tukey'), i = series_outliers(x, 'ctukey', 7), p = series_outliers(x, 'ctukey', 7, 20, 80)`);
  // Sorted non-null: 1 1 2 2 3 3 4 7 100. ctukey: h = 8·0.1 = 0.8 → Q10 = 1; h = 7.2 → Q90 = 7 + 0.2·93
  // = 25.6; 100 scores (100 - 25.6) / 24.6. tukey: Q25 = 2 (h = 2), Q75 = 4 (h = 6), spread 2, so
  // 1 → -0.5, 100 → 48, 7 → 1.5. Ignoring 7: 1 1 2 2 3 3 4 100, Q10 = 1, Q90 = 4 + 0.3·96 = 32.8.
  close(r.c, [0, 0, 0, 0, 74.4 / 24.6, 0, 0, 0, 0, 0], 'ctukey');
  close(r.t, [-0.5, 0, 0, 0, 48, 0, 0, -0.5, 0, 1.5], 'tukey');
  close(r.i, [0, 0, 0, 0, 67.2 / 31.8, 0, 0, 0, 0, 0], 'ignore 7');
  close(r.p, tukeyScores(x, 20, 80, 7), 'ignore 7, 20th/80th');
});

test('series_outliers: a series without spread scores its odd points by their mean distance; a constant one scores 0', async () => {
  // Nineteen 5s and a 20: Q10 = Q90 = 5 (h = 1.9 and 17.1 fall among the 5s); the mean distance
  // from 5 is 15 / 20, so 20 scores 20. (With ten points, h = 8.1 would reach the 20: Q90 = 6.5.)
  const x = [...Array(19).fill(5), 20];
  const r = await row(`print x = ${dyn(x)}, k = ${dyn([3, 3, 3])} | extend s = series_outliers(x), z = series_outliers(k)`);
  close(r.s, [...Array(19).fill(0), 20], 'spike');
  close(r.z, [0, 0, 0], 'constant');
});

test('series_outliers: a noisy series agrees with the reference implementation', async () => {
  const n = noise(7);
  const x = Array.from({ length: 50 }, (_, i) => (i === 17 ? 40 : i === 33 ? -25 : Math.round(n() * 1000) / 100));
  const r = await row(`print x = ${dyn(x)} | extend c = series_outliers(x), t = series_outliers(x, 'tukey'), p = series_outliers(x, 'ctukey', double(null), 5, 95)`);
  close(r.c, tukeyScores(x, 10, 90), 'ctukey');
  close(r.t, tukeyScores(x, 25, 75), 'tukey');
  close(r.p, tukeyScores(x, 5, 95), '5th/95th');
});

// --- series_periods_detect and autodetection --------------------------------------------------

test('series_periods_detect: period 24 in a noisy sine and a noisy sawtooth, its harmonics dropped', async () => {
  const n = noise(3);
  const sine = Array.from({ length: 240 }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / 24) + 2 * n());
  const saw = Array.from({ length: 240 }, (_, i) => (i % 24) + 4 * n());
  for (const [what, y] of [['sine', sine], ['sawtooth', saw]] as const) {
    const r = await row(`print y = ${dyn(y)} | extend (periods, scores) = series_periods_detect(y, 4.0, 110.0, 3) | project periods, scores`);
    const periods = r.periods as number[];
    const scores = r.scores as number[];
    assert.equal(periods.length, 3, what);
    assert.equal(periods[0], 24, what);
    close([scores[0]], [lagCorrelation(y, 24)], `${what} score`);
    assert.ok(periods.slice(1).every((p) => p === 0 || p % 24 !== 0), `${what}: ${periods.join(', ')} keeps a harmonic of 24`);
    assert.ok(scores.every((s) => s >= 0 && s <= 1), what);
  }
});

test('series_periods_detect: the reference example finds its 14-bin period; noise and short series find none', async () => {
  // series-periods-detect-function: traffic twice a day for a month; Azure reports 14 (score 0.84)
  // and 0. Tessera's score is its own (a lag correlation), so only the period is compared.
  const traffic = [80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170];
  const r = await row(`print y = ${dyn(traffic)} | extend series_periods_detect(y, 0.0, 50.0, 2) | project-away y`);
  assert.equal((r.series_periods_detect_y_periods as number[])[0], 14);
  // A line, a constant and a 7-point series have no period: zeros, padded to num_periods.
  const flat = await row(`print a = ${dyn([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])}, b = ${dyn(Array(20).fill(4))}, c = ${dyn([1, 5, 1, 5, 1, 5, 1])}
    | extend (pa, sa) = series_periods_detect(a, 0.0, 10.0, 2), (pb, sb) = series_periods_detect(b, 0.0, 10.0, 2), (pc, sc) = series_periods_detect(c, 0.0, 10.0, 1)
    | project pa, sa, pb, sb, pc, sc`);
  assert.deepEqual(Object.values(flat), [[0, 0], [0, 0], [0, 0], [0, 0], [0], [0]]);
});

test('series_seasonal: the reference examples of autodetection (periods 6 and 5 found, a 12-point series too short)', async () => {
  // series-seasonal-function, "Auto detect the period".
  const r = await row(`print s1 = ${dyn([2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1])}, s2 = ${dyn([8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10])}, s3 = ${dyn([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6])}
    | project a = series_seasonal(s1), b = series_seasonal(s2), c = series_seasonal(s3)`);
  assert.deepEqual(r.a, [1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1]);
  assert.deepEqual(r.b, [10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]);
  assert.deepEqual(r.c, Array(12).fill(0));
});

test('series_decompose: Seasonality -1 takes the detected period only if its score reaches Seasonality_threshold', async () => {
  const s = [8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]; // period 5, score 1
  const r = await row(`print s = ${dyn(s)} | extend (b1, s1, t1, r1) = series_decompose(s, -1, 'none'), (b2, s2, t2, r2) = series_decompose(s, -1, 'none', 0, 1.5) | project s1, s2`);
  // Phase medians: the first phase holds 8, 10, 10, 10 (median 10), the others repeat exactly.
  assert.deepEqual(r.s1, [10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]);
  assert.deepEqual(r.s2, Array(20).fill(0));
});

// --- series_decompose_anomalies ---------------------------------------------------------------

test('series_decompose_anomalies: a flat series with one spike flags that point alone', async () => {
  const x = Array.from({ length: 48 }, (_, i) => (i === 30 ? 25 : 5));
  const r = await row(`print x = ${dyn(x)} | extend (flag, score, baseline) = series_decompose_anomalies(x) | project flag, score, baseline`);
  // avg trend 5 + 20/48; residuals -20/48 (47 times) and 20 - 20/48: no spread, the mean distance
  // from the fence is 20/48, so the spike scores 48.
  assert.deepEqual(r.flag, x.map((_, i) => (i === 30 ? 1 : 0)));
  close(r.score, x.map((_, i) => (i === 30 ? 48 : 0)), 'score');
  close(r.baseline, Array(48).fill(5 + 20 / 48), 'baseline');
});

test('series_decompose_anomalies: on a daily-seasonal hourly series only the spike is flagged, not the daily peaks', async () => {
  // Two weeks of hours: 20 from 09:00 to 17:00, 2 otherwise, and 30 more at 08:00 on day 9 (index 200).
  const x = Array.from({ length: 336 }, (_, i) => (i % 24 >= 9 && i % 24 < 17 ? 20 : 2) + (i === 200 ? 30 : 0));
  const auto = await row(`print x = ${dyn(x)} | extend series_decompose_anomalies(x) | extend (periods, scores) = series_periods_detect(x, 4.0, 168.0, 1)`);
  assert.deepEqual(auto.periods, [24]);
  assert.deepEqual(auto.series_decompose_anomalies_x_ad_flag, x.map((_, i) => (i === 200 ? 1 : 0)));
  // The seasonal part (the median per hour of day) is the baseline: 2 or 20, the trend of the
  // deseasonalised series being 30/336.
  close(auto.series_decompose_anomalies_x_baseline, x.map((_, i) => (i % 24 >= 9 && i % 24 < 17 ? 20 : 2) + 30 / 336), 'baseline');
  // Without seasonality the spike (32) hides among the daily peaks: Q10 = 2, Q90 = 20, (32 - 20) / 18.
  const none = await row(`print x = ${dyn(x)} | extend (flag, score, baseline) = series_decompose_anomalies(x, 1.5, 0) | project flag, score`);
  assert.deepEqual(none.flag, Array(336).fill(0));
  close([(none.score as number[])[200]], [12 / 18], 'unseasoned spike score');
});

test('series_decompose_anomalies: Test_points keeps the last points out of the learning', async () => {
  const x = [...Array(18).fill(10), 40, 40];
  // Learning the first 18 points: trend 10, residuals 0 … 0, 30, 30; the learning residuals have no
  // spread, and the mean distance of all 20 from 0 is 3, so the two test points score 10.
  const t = await row(`print x = ${dyn(x)} | extend (flag, score, baseline) = series_decompose_anomalies(x, 1.5, -1, 'avg', 2) | project flag, score, baseline`);
  assert.deepEqual(t.flag, [...Array(18).fill(0), 1, 1]);
  close(t.score, [...Array(18).fill(0), 10, 10], 'score');
  close(t.baseline, Array(20).fill(10), 'baseline');
  // Learning all 20: trend 13, residuals -3 and 27; Q10 = -3, Q90 = -3 + 0.1·30 = 0, so 27 scores 9.
  const all = await row(`print x = ${dyn(x)} | extend (flag, score, baseline) = series_decompose_anomalies(x, 9.5) | project flag, score, baseline`);
  assert.deepEqual(all.flag, Array(20).fill(0));
  close(all.score, [...Array(18).fill(0), 9, 9], 'score');
  close(all.baseline, Array(20).fill(13), 'baseline');
});

test('series_decompose_anomalies: Threshold, tukey and a falling spike flagged -1; both call forms name their columns', async () => {
  const x = [10, 11, 9, 10, 12, 10, 9, 11, -20, 10, 11, 10];
  const r = await row(`print x = ${dyn(x)} | extend series_decompose_anomalies(x, 3.0, 0, 'none', 0, 'tukey') | extend (f, s, b) = series_decompose_anomalies(x, 3.0, 0, 'none', 0, 'tukey')`);
  assert.deepEqual(Object.keys(r), ['x', 'series_decompose_anomalies_x_ad_flag', 'series_decompose_anomalies_x_ad_score', 'series_decompose_anomalies_x_baseline', 'f', 's', 'b']);
  const scores = tukeyScores(x, 25, 75);
  close(r.s, scores, 'score');
  assert.deepEqual(r.f, scores.map((s) => (s > 3 ? 1 : s < -3 ? -1 : 0)));
  assert.equal((r.f as number[])[8], -1);
  assert.deepEqual(r.series_decompose_anomalies_x_ad_flag, r.f);
  assert.deepEqual(r.b, Array(12).fill(0));
});

test('series_decompose_anomalies, series_outliers, series_periods_detect: bad arguments fail with a KqlError naming the function', async () => {
  const x = 'dynamic([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])';
  const cases: [string, RegExp][] = [
    [`r = series_outliers(x, 'zscore')`, /series_outliers\(\): kind must be 'ctukey' or 'tukey', not 'zscore'/],
    [`r = series_outliers(x, 'ctukey', 0, 1, 90)`, /series_outliers\(\): min_percentile must be a number in \[2, 98\], not 1/],
    [`r = series_outliers(x, 'ctukey', 0, 50, 99)`, /series_outliers\(\): max_percentile must be a number in \[2, 98\], not 99/],
    [`r = series_outliers(x, 'ctukey', 0, 60, 40)`, /series_outliers\(\): min_percentile must be below max_percentile/],
    [`series_decompose_anomalies(x, 1.5, -1, 'avg', 0, 'zscore')`, /series_decompose_anomalies\(\): AD_method must be 'ctukey' or 'tukey', not 'zscore'/],
    [`series_decompose_anomalies(x, 1.5, -1, 'cubic')`, /series_decompose_anomalies\(\): Trend must be 'avg', 'linefit' or 'none', not 'cubic'/],
    [`series_periods_detect(x, 4.0, 10.0, 0)`, /series_periods_detect\(\): num_periods must be a positive whole number, not 0/],
  ];
  for (const [call, message] of cases) {
    await assert.rejects(runKql(store, `print x = ${x}\n| extend ${call}`, { now }), (e: unknown) => {
      assert.ok(e instanceof KqlError, call);
      assert.equal(e.code, 'InvalidArgument', call);
      assert.match(e.message, message, call);
      assert.equal(e.position?.line, 2, call);
      return true;
    });
  }
  // Arguments only known when the query runs fail then, naming the call and its position.
  const late: [string, RegExp][] = [
    [`print x = ${x}, m = 'zscore'\n| extend series_decompose_anomalies(x, 1.5, -1, 'avg', 0, m)`, /series_decompose_anomalies\(\): AD_method must be 'ctukey' or 'tukey' \(line 2, column 10\)/],
    [`print x = ${x}, p = 1\n| extend r = series_outliers(x, 'ctukey', 0, p)`, /series_outliers\(\): min_percentile must be a number in \[2, 98\] \(line 2, column 14\)/],
    [`print x = ${x}\n| extend series_decompose_anomalies(x, 1.5, -2)`, /series_decompose_anomalies\(\): Seasonality must be -1, 0 or a positive number of bins \(line 2, column 10\)/],
    [`print x = ${x}\n| extend series_decompose_anomalies(x, 1.5, -1, 'avg', 10)`, /series_decompose_anomalies\(\): Test_points must be at least 0 and less than the series length/],
    [`print x = todynamic('{"a": 1}')\n| extend r = series_outliers(x)`, /series_outliers\(\): the series is not an array \(line 2, column 14\)/],
    [`print x = dynamic([1, "a", 3])\n| extend r = series_outliers(x)`, /series_outliers\(\): the series holds a non-numeric value/],
    [`print x = dynamic([1, null, 3])\n| extend series_decompose_anomalies(x)`, /series_decompose_anomalies\(\): the series holds a null or non-numeric value/],
  ];
  for (const [q, message] of late) {
    await assert.rejects(runKql(store, q, { now }), (e: unknown) => {
      assert.ok(e instanceof KqlError, q);
      assert.equal(e.code, 'ExecutionError', q);
      assert.match(e.message, message, q);
      return true;
    });
  }
  // A Threshold that is not a number, a series that is not dynamic or a constant bag are the binder's to reject.
  for (const q of [`print x = ${x}\n| extend series_decompose_anomalies(x, 'high')`, `print x = 'abc'\n| extend series_decompose_anomalies(x)`, `print x = dynamic({"a": 1})\n| extend r = series_outliers(x)`]) {
    await assert.rejects(runKql(store, q, { now }), (e: unknown) => e instanceof KqlError && e.code === 'SemanticError' && e.position?.line === 2);
  }
  // A null series gives null results; nulls in series_outliers score 0.
  const n = await row(`print x = dynamic(null), y = dynamic([null, 1, 2, 3, 50]) | extend a = series_outliers(x), b = series_outliers(y) | project a, b`);
  assert.equal(n.a, null);
  close(n.b, tukeyScores([null, 1, 2, 3, 50], 10, 90), 'nulls');
});

test('series_decompose_forecast: the baseline learnt without the last Points, extended over them', async () => {
  // series-decompose-forecast-function: the Points are excluded from the learning. A line through
  // 1..8 extends to 9 and 10; a period of 4 with no trend repeats its phase medians.
  const r = await row(`print x = ${dyn([1, 2, 3, 4, 5, 6, 7, 8, 0, 0])}, s = ${dyn([1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0])}
    | extend f = series_decompose_forecast(x, 2, 0, 'linefit'), g = series_decompose_forecast(s, 4, 4, 'none')
    | project f, g`);
  close(r.f, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'line');
  assert.deepEqual(r.g, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  // Unnamed, the binder names the baseline and the other three components.
  const u = await row(`print x = ${dyn([1, 2, 3, 4, 5, 6, 7, 8, 0, 0])} | extend series_decompose_forecast(x, 2, 0, 'linefit') | project-away x`);
  assert.deepEqual(Object.keys(u), ['series_decompose_forecast_x_baseline', 'series_decompose_forecast_x_seasonal', 'series_decompose_forecast_x_trend', 'series_decompose_forecast_x_residual']);
  await assert.rejects(runKql(store, `print x = ${dyn([1, 2, 3])}\n| extend f = series_decompose_forecast(x, 3)`, { now }), /series_decompose_forecast\(\): Points must be at least 0 and less than the series length \(line 2, column 14\)/);
});
