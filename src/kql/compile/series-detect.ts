// SQL builders for the two statistics under series_decompose_anomalies: Tukey's fence scores
// (series_outliers, https://learn.microsoft.com/kusto/query/series-outliers-function) and period
// detection (series_periods_detect, series-periods-detect-function). Each returns a DuckDB expression
// over a DOUBLE[] that is a lambda parameter or column; lambda parameters here start with `__` so an
// argument expression that reads a column of the same short name is never captured.
//
// The reference fixes what is computed but not every number, so two choices are Tessera's own, and
// docs/kql.md repeats them:
// - percentiles interpolate linearly between the closest ranks (h = (n - 1)·p/100 + 1 over the sorted
//   values, as numpy's and Excel's PERCENTILE.INC default), because the reference does not say which
//   of the usual estimators Kusto uses;
// - a period's score is the Pearson correlation between the (linearly detrended) series and itself
//   shifted by that many bins, because the reference documents only that scores lie in [0, 1].

/** Binds `expr` to the lambda parameter `name` inside `body` (DuckDB has no LET; a one-element list stands in). */
export const bind = (expr: string, name: string, body: string): string => `list_transform([${expr}], ${name} -> ${body})[1]`;

/** The p-th percentile (0..100) of `sorted`, a non-empty ascending DOUBLE[], interpolated between the closest ranks. */
function percentileSql(sorted: string, p: string): string {
  return bind(`(len(${sorted}) - 1) * ${p} / 100.0 + 1`, '__h', `${sorted}[CAST(floor(__h) AS BIGINT)] + (__h - floor(__h)) * (${sorted}[least(CAST(floor(__h) AS BIGINT) + 1, len(${sorted}))] - ${sorted}[CAST(floor(__h) AS BIGINT)])`);
}

/**
 * Tukey fence scores of every element of `v` (DOUBLE[], nulls allowed): above the upper percentile
 * Q_hi, (x - Q_hi) / (Q_hi - Q_lo); below Q_lo, (x - Q_lo) / (Q_hi - Q_lo); between them, null and
 * `ignore` 0. The percentiles come from the non-null, non-ignored elements of `learn` (a prefix of
 * `v`, or `v` itself). `lo` and `hi` are percentages; `ignore` may be NULL.
 *
 * Without spread (Q_hi = Q_lo: at least 80% of the ctukey points share one value, e.g. a flat count
 * series) the quotient has no denominator; the spread is then the mean distance of all the scored
 * points (learning or not) from that value, so k equal outliers among n points score ±n/k and a
 * constant series scores 0.
 */
export function outlierScoresSql(v: string, learn: string, ignore: string, lo: string, hi: string): string {
  const kept = `list_sort(list_filter(${learn}, __e -> __e IS NOT NULL AND (__e <> ${ignore}) IS NOT FALSE))`;
  const fences = `[${percentileSql('__w', lo)}, ${percentileSql('__w', hi)}]`;
  const spread = `COALESCE(NULLIF(__q[2] - __q[1], 0), NULLIF(list_avg(list_transform(list_filter(${v}, __e -> (__e <> ${ignore}) IS NOT FALSE), __e -> abs(__e - __q[1]))), 0))`;
  const score = `list_transform(${v}, __e -> COALESCE(CASE WHEN __e IS NULL OR __e = ${ignore} THEN 0 WHEN __e > __q[2] THEN (__e - __q[2]) / __s WHEN __e < __q[1] THEN (__e - __q[1]) / __s ELSE 0 END, 0))`;
  return bind(kept, '__w', bind(fences, '__q', bind(spread, '__s', score)));
}

/**
 * The periods of `y` (DOUBLE[]) between `lo` and `hi` bins (integers), best first, as a list of
 * STRUCT(neg DOUBLE, period BIGINT, score DOUBLE). After removing the least-squares line, each lag k
 * from 3 to half the series gets r(k), the Pearson correlation of y[1..n-k] with y[k+1..n]. A period
 * is a lag of at least 4 where r has a local peak (r(k) > r(k-1) and r(k) >= r(k+1), so both
 * neighbours must exist: the longest detectable period is one bin under half the series, which is
 * why the reference's 12-point series of period 6 finds none) with r > 0; its score is r. A peak within
 * 5% of a multiple of a shorter peak that scores at least 90% as well is that period's harmonic and
 * is dropped (the reference's example reports 14 alone, not 14 and 28). Ties go to the shorter period.
 */
export function periodCandidatesSql(y: string, lo: string, hi: string): string {
  // Least squares over x = 1..n: slope = (n·Σxy - Σx·Σy) / (n·Σx² - (Σx)²), intercept = (Σy - slope·Σx) / n.
  const sums = `[list_sum(list_transform(__y, (__v, __i) -> __v * __i)), list_sum(__y), len(__y), len(__y) * (len(__y) + 1) / 2.0, len(__y) * (len(__y) + 1) * (2 * len(__y) + 1) / 6.0]`;
  const slope = `COALESCE((__f[3] * __f[1] - __f[4] * __f[2]) / NULLIF(__f[3] * __f[5] - __f[4] * __f[4], 0), 0)`;
  const detrended = bind(sums, '__f', bind(slope, '__b', `list_transform(__y, (__v, __i) -> __v - (__b * __i + (__f[2] - __b * __f[4]) / __f[3]))`));
  // A detrended series that is flat to rounding (a constant, an exact line) has no period.
  const flat = bind(`list_sum(list_transform(__z, __v -> __v * __v))`, '__ss', `(__ss = 0 OR __ss <= 1e-12 * list_sum(list_transform(__y, __v -> (__v - list_avg(__y)) ^ 2)))`);
  // Pearson from sums: r = (Σac - Σa·Σc/m) / sqrt((Σa² - (Σa)²/m)(Σc² - (Σc)²/m)), with the dot
  // products native (list_dot_product) instead of per-element lambdas — about 10x faster per lag,
  // and the detrended series is centred near 0, so the subtractions do not cancel badly.
  const pearson = `(__t[3] - __t[1] * __t[2] / __t[6]) / NULLIF(sqrt(greatest(__t[4] - __t[1] * __t[1] / __t[6], 0) * greatest(__t[5] - __t[2] * __t[2] / __t[6], 0)), 0)`;
  const r = bind(`list_slice(__z, 1, len(__z) - __k)`, '__a', bind(`list_slice(__z, __k + 1, len(__z))`, '__c',
    bind('[list_sum(__a), list_sum(__c), list_dot_product(__a, __c), list_dot_product(__a, __a), list_dot_product(__c, __c), CAST(len(__a) AS DOUBLE)]', '__t', pearson)));
  const lags = `list_transform(range(greatest(3, ${lo} - 1), least(len(__z) // 2, ${hi} + 1) + 1), __k -> struct_pack(period := __k, score := least(COALESCE(${r}, 0), 1.0)))`;
  const peaks = `list_filter(__r, (__e, __i) -> NOT __flat AND __i > 1 AND __i < len(__r) AND __e.period >= greatest(4, ${lo}) AND __e.period <= ${hi} AND __e.score > 0 AND __e.score > __r[__i - 1].score AND __e.score >= __r[__i + 1].score)`;
  const harmonic = `COALESCE(list_bool_or(list_transform(__m, __g -> __g.period < __e.period AND round(__e.period / __g.period) >= 2 AND abs(__e.period - round(__e.period / __g.period) * __g.period) <= 0.05 * round(__e.period / __g.period) * __g.period AND __g.score >= 0.9 * __e.score)), false)`;
  const best = `list_sort(list_transform(list_filter(__m, __e -> NOT ${harmonic}), __e -> struct_pack(neg := -__e.score, period := __e.period, score := __e.score)))`;
  return bind(y, '__y', bind(detrended, '__z', bind(flat, '__flat', bind(lags, '__r', bind(peaks, '__m', best)))));
}
