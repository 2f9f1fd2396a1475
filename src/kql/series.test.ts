// make-series and the series functions, checked against the Kusto reference's own examples (each
// test names the page) and, where the reference gives rules but no numbers, values worked out by
// hand from those rules — never values read back from our SQL.
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

async function run(q: string) {
  const t = (await runKql(store, q, { now })).tables[0]!;
  return { columns: t.columns.map((c) => `${c.name}:${c.type}`), rows: t.rows };
}

function close(actual: unknown, expected: number[], digits: number, what: string): void {
  assert.ok(Array.isArray(actual), what);
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] as number) - e) < 10 ** -digits, `${what}[${i}]: ${String(actual[i])} vs ${e}`));
}

// make-series-operator, "Examples": the data and the let statements of the reference.
const data = `let data=datatable(timestamp:datetime, metric: real)
[
  datetime(2016-12-31T06:00), 50,
  datetime(2017-01-01), 4,
  datetime(2017-01-02), 3,
  datetime(2017-01-03), 4,
  datetime(2017-01-03T03:00), 6,
  datetime(2017-01-05), 8,
  datetime(2017-01-05T13:40), 13,
  datetime(2017-01-06), 4,
  datetime(2017-01-07), 3,
  datetime(2017-01-08), 8,
  datetime(2017-01-08T21:00), 8,
  datetime(2017-01-09), 2,
  datetime(2017-01-09T12:00), 11,
  datetime(2017-01-10T05:00), 5,
];
let interval = 1d;
let stime = datetime(2017-01-01);
let etime = datetime(2017-01-10);
data`;
const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => `2017-01-${String(from + i).padStart(2, '0')}T00:00:00.0000000Z`);

test('make-series: the reference example (avg per day from stime to etime, absent days 0)', async () => {
  const r = await run(`${data}\n| make-series avg(metric) on timestamp from stime to etime step interval`);
  assert.deepEqual(r.columns, ['avg_metric:dynamic', 'timestamp:dynamic']);
  assert.deepEqual(r.rows, [[[4.0, 3.0, 5.0, 0.0, 10.5, 4.0, 3.0, 8.0, 6.5], days(1, 9)]]);
});

test('make-series: an empty input gives no rows, unless kind=nonempty (then the defaults)', async () => {
  const empty = await run(`${data}\n| take 0\n| make-series avg(metric) default=1.0 on timestamp from stime to etime step interval\n| count`);
  assert.deepEqual(empty.rows, [[0]]);
  const nonempty = await run(`${data}\n| take 0\n| make-series kind=nonempty avg(metric) default=1.0 on timestamp from stime to etime step interval`);
  assert.deepEqual(nonempty.rows, [[[1, 1, 1, 1, 1, 1, 1, 1, 1], days(1, 9)]]);
});

test('make-series: by groups, several aggregates with their own defaults, range from the data', async () => {
  // Without from/to the axis runs from the first to the last bin that has data, for every series
  // alike; 2d bins count from 0001-01-01, so 2016-12-31 starts a bin (736,328 days after it).
  const r = await run(`${data}\n| extend k = iff(metric > 5, "hi", "lo")\n| make-series c = count(), s = sum(metric) default = -1 on timestamp step 2d by k\n| order by k asc`);
  assert.deepEqual(r.columns, ['k:string', 'c:dynamic', 's:dynamic', 'timestamp:dynamic']);
  const axis = ['2016-12-31', '2017-01-02', '2017-01-04', '2017-01-06', '2017-01-08', '2017-01-10'].map((d) => `${d}T00:00:00.0000000Z`);
  // Bins [12-31, 01-02) [01-02, 01-04) [01-04, 01-06) [01-06, 01-08) [01-08, 01-10) [01-10, 01-12):
  // hi (metric > 5): 50 | 6 | 8, 13 | – | 8, 8, 11 | –      lo: 4 | 3, 4 | – | 4, 3 | 2 | 5
  assert.deepEqual(r.rows, [
    ['hi', [1, 1, 2, 0, 3, 0], [50, 6, 21, -1, 27, -1], axis],
    ['lo', [1, 2, 0, 2, 1, 1], [4, 7, -1, 7, 2, 5], axis],
  ]);
});

test('make-series: in range(start, stop, step) includes stop', async () => {
  const r = await run(`${data}\n| make-series c = count() on timestamp in range(datetime(2017-01-01), datetime(2017-01-03), 1d)`);
  // Bins 01, 02, 03 (stop inclusive): 1 row on the 1st, 1 on the 2nd, 2 on the 3rd.
  assert.deepEqual(r.rows, [[[1, 1, 2], days(1, 3)]]);
});

test('series_fit_line: the reference example', async () => {
  // series-fit-line-function: RSquare 0.982, Slope 2.730, Variance 98.628, RVariance 1.686,
  // Interception -1.666, LineFit 1.064, 3.7945, 6.526, … 31.102 (the page shows 3 decimals).
  const r = await run(`print id=' ', y=dynamic([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30])
    | extend (RSquare, Slope, Variance, RVariance, Interception, LineFit)=series_fit_line(y)`);
  assert.deepEqual(r.columns, ['id:string', 'y:dynamic', 'RSquare:real', 'Slope:real', 'Variance:real', 'RVariance:real', 'Interception:real', 'LineFit:dynamic']);
  const [, , rsq, slope, variance, rvariance, icpt, line] = r.rows[0]!;
  close([rsq, slope, variance, rvariance, icpt], [0.982, 2.730, 98.628, 1.686, -1.666], 2, 'fit');
  close(line, [1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102], 2, 'line_fit');
});

test('series_fit_line: unnamed columns take the binder names', async () => {
  const r = await run('print y=dynamic([1, 2, 3]) | extend (a, b) = series_fit_line(y)');
  assert.deepEqual(r.columns, ['y:dynamic', 'a:real', 'b:real', 'series_fit_line_y_variance:real', 'series_fit_line_y_rvariance:real', 'series_fit_line_y_interception:real', 'series_fit_line_y_line_fit:dynamic']);
  close(r.rows[0]!.slice(1, 6), [1, 1, 1, 0, 0], 9, 'perfect line');
});

test('series_seasonal: the reference example (median of the points in each phase)', async () => {
  const r = await run(`print s = dynamic([1, 3, 5, 1, 3, 5, 2, 4, 6]), t = dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6])
    | project a = series_seasonal(s, 3), b = series_seasonal(t, 3)`);
  assert.deepEqual(r.rows, [[[1, 3, 5, 1, 3, 5, 1, 3, 5], [1.5, 3.5, 5.5, 1.5, 3.5, 5.5, 1.5, 3.5, 5.5, 1.5, 3.5, 5.5]]]);
});

test('series_decompose: components follow the documented order (seasonal, trend of the rest, baseline, residual)', async () => {
  // x = [1, 2, 3, 10], no seasonality, trend avg: trend 4 everywhere, baseline 4, residual x - 4.
  const a = await run('print x = dynamic([1, 2, 3, 10]) | extend series_decompose(x, 0, "avg")');
  assert.deepEqual(a.columns.slice(1), ['series_decompose_x_baseline:dynamic', 'series_decompose_x_seasonal:dynamic', 'series_decompose_x_trend:dynamic', 'series_decompose_x_residual:dynamic']);
  assert.deepEqual(a.rows[0]!.slice(1), [[4, 4, 4, 4], [0, 0, 0, 0], [4, 4, 4, 4], [-3, -2, -1, 6]]);
  // Period 2, no trend: phase medians are median(1, 3) = 2 and median(2, 10) = 6.
  const b = await run('print x = dynamic([1, 2, 3, 10]) | extend (base, seas, tr, res) = series_decompose(x, 2, "none")');
  assert.deepEqual(b.rows[0]!.slice(1), [[2, 6, 2, 6], [2, 6, 2, 6], [0, 0, 0, 0], [-1, -4, 1, 4]]);
  // linefit on an exact line leaves no residual; Test_points 1 keeps the last point out of the fit,
  // so the line through 1, 2, 3 extends to 4 and the 10 is all residual.
  const c = await run('print x = dynamic([1, 2, 3, 10]) | extend (base, seas, tr, res) = series_decompose(x, 0, "linefit", 1)');
  close(c.rows[0]![1], [1, 2, 3, 4], 9, 'baseline');
  close(c.rows[0]![4], [0, 0, 0, 6], 9, 'residual');
  // Autodetection (-1, the default) cannot find a period in fewer than 8 points: no seasonal part.
  const d = await run('print x = dynamic([1, 2, 3, 10]) | extend series_decompose(x)');
  assert.deepEqual(d.rows[0]!.slice(1), [[4, 4, 4, 4], [0, 0, 0, 0], [4, 4, 4, 4], [-3, -2, -1, 6]]);
});

test('a null inside a series is not guessed at', async () => {
  await assert.rejects(runKql(store, 'print y = dynamic([1, null, 3]) | extend series_fit_line(y)', { now }), (e: unknown) => {
    assert.ok(e instanceof KqlError);
    assert.match(e.message, /series_fit_line\(\): the series holds a null or non-numeric value/);
    return true;
  });
});
