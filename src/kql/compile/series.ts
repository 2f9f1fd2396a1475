// Series analysis functions over make-series arrays, from the Kusto reference:
// series_fit_line (https://learn.microsoft.com/kusto/query/series-fit-line-function), series_decompose
// (series-decompose-function), series_seasonal (series-seasonal-function), series_outliers
// (series-outliers-function), series_periods_detect (series-periods-detect-function),
// series_decompose_anomalies (series-decompose-anomalies-function) and series_decompose_forecast
// (series-decompose-forecast-function). Computed in SQL with list lambdas inside the one statement;
// a series is the dynamic array read as DOUBLE[], positions 1..n as the regression's x. Lambda
// parameters start with `__`: with a lambda parameter named s, DuckDB read the input's column s in
// `struct_pack(seasonal := s)` (seen with `print s = … | extend series_decompose(s)`).
//
// The fence scores and the period detection are built in series-detect.ts, which states the two
// choices the reference leaves open (percentile interpolation, period scoring): Tessera's scores
// follow the documented algorithms but their values may differ from Azure's. Seasonality -1
// (autodetect) takes the best period series_periods_detect finds between 4 bins and half the
// learning points if its score reaches Seasonality_threshold (0.6; series_seasonal uses 0.7, as its
// page says), else none. series_decompose_anomalies scores series_decompose's residual with those
// fences; series_decompose_forecast is series_decompose with its Points kept out of the learning.
// Bad arguments fail with a KqlError naming the call and its position: at compile time when the
// argument is a constant, else when the query runs (DuckDB error()).
import { kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { listItems, sqlString } from './context.ts';
import type { Env } from './context.ts';
import { positionAt } from '../errors.ts';
import { scalar } from './scalar.ts';
import { asDynamic, asNumber, asString } from './values.ts';
import { bind, outlierScoresSql, periodCandidatesSql } from './series-detect.ts';

/** A tuple-valued series function: a STRUCT expression and its fields in Kusto's order. */
export interface TupleSql { sql: string; fields: string[] }

export function isTupleCall(node: KNode): boolean {
  return kindOf(node) === 'FunctionCallExpression' && node.ResultType?.Kind === 6;
}

/** ` (line L, column C)` of a node, for errors raised while the query runs. */
function at(node: KNode, env: Env): string {
  const pos = positionAt(env.ctx.text, node.TextStart as number);
  return ` (line ${pos.line}, column ${pos.column})`;
}

/** A DuckDB error() raising `${fn}(): message` with the call's position. */
function runtimeError(fn: string, message: string, node: KNode, env: Env): string {
  return `error(${sqlString(`${fn}(): ${message}${at(node, env)}`)})`;
}

/**
 * The series as DOUBLE[]; a non-array fails the query, and so does a null or non-numeric element
 * unless `nulls` (series_outliers scores nulls 0) lets null through.
 */
function series(n: KNode, env: Env, fn: string, call: KNode, nulls = false): string {
  const d = asDynamic(scalar(n, env));
  const allowed = nulls ? `'BIGINT', 'UBIGINT', 'DOUBLE', 'NULL'` : `'BIGINT', 'UBIGINT', 'DOUBLE'`;
  const what = nulls ? 'a non-numeric value' : 'a null or non-numeric value';
  return `CASE WHEN ${d} IS NULL OR json_type(${d}) = 'NULL' THEN NULL WHEN json_type(${d}) <> 'ARRAY' THEN ${runtimeError(fn, 'the series is not an array', call, env)} WHEN list_bool_or(list_transform(CAST(${d} AS JSON[]), __e -> COALESCE(json_type(__e), 'NULL') NOT IN (${allowed}))) THEN ${runtimeError(fn, `the series holds ${what}`, call, env)} ELSE CAST(${d} AS DOUBLE[]) END`;
}

const intArg = (args: KNode[], i: number, env: Env, dflt: number): string => (args[i] ? asNumber(scalar(args[i], env), 'BIGINT') : String(dflt));
const realArg = (args: KNode[], i: number, env: Env, dflt: number): string => (args[i] ? asNumber(scalar(args[i], env), 'DOUBLE') : String(dflt));
const constantOf = (n: KNode | undefined): unknown => (n && n.IsConstant ? n.ConstantValue : undefined);
/** A constant numeric argument as a number (long literals are Int64 objects, hence Number()). */
function numberOf(n: KNode | undefined): number | undefined {
  const v = constantOf(n);
  if (v === undefined || v === null || !['int', 'long', 'real', 'decimal'].includes(String(n?.ResultType?.Name))) return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
}

/**
 * A numeric argument that must satisfy `ok`: checked at compile time when constant, else when the
 * query runs (`okSql` over the value `v`). A null argument takes the default.
 */
function checkedReal(args: KNode[], i: number, env: Env, dflt: number, fn: string, call: KNode, what: string, ok: (v: number) => boolean, okSql: (v: string) => string): string {
  const a = args[i];
  if (!a) return String(dflt);
  const c = numberOf(a);
  if (c !== undefined) {
    if (!ok(c)) env.ctx.fail('InvalidArgument', `${fn}(): ${what}, not ${c}`, a);
    return `CAST(${c} AS DOUBLE)`;
  }
  const v = realArg(args, i, env, dflt);
  return `(CASE WHEN ${v} IS NULL THEN ${dflt} WHEN ${okSql(v)} THEN ${v} ELSE ${runtimeError(fn, what, call, env)} END)`;
}

/** A string argument restricted to `allowed`, checked like checkedReal. */
function choiceArg(args: KNode[], i: number, env: Env, dflt: string, fn: string, call: KNode, param: string, allowed: string[]): string {
  const a = args[i];
  if (!a) return sqlString(dflt);
  const quoted = allowed.map((x) => `'${x}'`);
  const what = `${param} must be ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  const c = constantOf(a);
  if (typeof c === 'string') {
    if (!allowed.includes(c)) env.ctx.fail('InvalidArgument', `${fn}(): ${what}, not '${c}'`, a);
    return sqlString(c);
  }
  const v = asString(scalar(a, env));
  return `(CASE WHEN ${v} IN (${allowed.map(sqlString).join(', ')}) THEN ${v} ELSE ${runtimeError(fn, what, call, env)} END)`;
}

/**
 * Least squares over x = 1..n of `y` (a DOUBLE[] expression that is a lambda parameter or column):
 * a struct of slope and interception; `n` is the number of points to fit (a prefix of y).
 */
function fitSql(y: string, n: string): string {
  const sx = `(${n} * (${n} + 1) / CAST(2 AS DOUBLE))`;
  const sxx = `(${n} * (${n} + 1) * (2 * ${n} + 1) / CAST(6 AS DOUBLE))`;
  const sy = `list_sum(list_slice(${y}, 1, ${n}))`;
  const sxy = `list_sum(list_transform(list_slice(${y}, 1, ${n}), (__v, __i) -> __v * __i))`;
  const slope = `((${n} * ${sxy} - ${sx} * ${sy}) / NULLIF(${n} * ${sxx} - ${sx} * ${sx}, 0))`;
  return `list_transform([${slope}], __a -> struct_pack(slope := __a, interception := (${sy} - __a * ${sx}) / ${n}))[1]`;
}

export function tupleCall(node: KNode, env: Env): TupleSql {
  const name = String(node.Name.SimpleName);
  const args = listItems(node.ArgumentList.Expressions);
  if (name === 'series_fit_line') {
    // rsquare = 1 - SSres/SStot; variance and rvariance divide by n - 1 (the reference's example:
    // variance 98.628 and rvariance 1.686 for its 12 points).
    const y = series(args[0], env, name, node);
    const body = `list_transform([${fitSql('__y', 'len(__y)')}], __f -> list_transform([list_transform(__y, (__v, __i) -> __f.slope * __i + __f.interception)], __line -> struct_pack(
      rsquare := 1 - list_sum(list_transform(__y, (__v, __i) -> (__v - __line[__i]) ^ 2)) / NULLIF(list_sum(list_transform(__y, __v -> (__v - list_avg(__y)) ^ 2)), 0),
      slope := __f.slope,
      variance := list_sum(list_transform(__y, __v -> (__v - list_avg(__y)) ^ 2)) / NULLIF(len(__y) - 1, 0),
      rvariance := list_sum(list_transform(__y, (__v, __i) -> (__v - __line[__i]) ^ 2)) / NULLIF(len(__y) - 1, 0),
      interception := __f.interception,
      line_fit := to_json(__line)))[1])[1]`;
    return { sql: `list_transform([${y}], __y -> ${body})[1]`, fields: ['rsquare', 'slope', 'variance', 'rvariance', 'interception', 'line_fit'] };
  }
  if (name === 'series_decompose' || name === 'series_decompose_forecast') {
    // series_decompose_forecast(Series, Points [, Seasonality, Trend, Seasonality_threshold]) is
    // series_decompose with its Points kept out of the learning: over them the baseline is the
    // forecast (the phase medians plus the trend extended). The binder types it, like
    // series_decompose, as the four components, so `extend f = …` names the baseline.
    const at = name === 'series_decompose' ? { period: 1, trend: 2, test: 3, threshold: 4 } : { period: 2, trend: 3, test: 1, threshold: 4 };
    const d = decomposeArgs(args, at, env, name, node);
    const parts = decomposeSql(d, env, name, node);
    return { sql: bind(parts, '__parts', `struct_pack(baseline := to_json(__parts.baseline), seasonal := to_json(__parts.seasonal), trend := to_json(__parts.trend), residual := to_json(__parts.residual))`), fields: ['baseline', 'seasonal', 'trend', 'residual'] };
  }
  if (name === 'series_decompose_anomalies') return anomaliesSql(args, env, node);
  if (name === 'series_periods_detect') return periodsDetectSql(args, env, node);
  return env.ctx.fail('UnsupportedFunction', `the function ${name}() is not supported by Tessera's KQL engine`, node);
}

interface DecomposeArgs { y: string; period: string; trend: string; test: string; threshold: string }

/** Series (args[0]) and the positions of Seasonality, Trend, Test_points and Seasonality_threshold. */
function decomposeArgs(args: KNode[], at: { period: number; trend: number; test: number; threshold: number }, env: Env, fn: string, node: KNode): DecomposeArgs {
  return {
    y: series(args[0], env, fn, node),
    period: intArg(args, at.period, env, -1),
    trend: choiceArg(args, at.trend, env, 'avg', fn, node, 'Trend', ['avg', 'linefit', 'none']),
    test: intArg(args, at.test, env, 0),
    threshold: checkedReal(args, at.threshold, env, 0.6, fn, node, 'Seasonality_threshold must be a number', () => true, (v) => `${v} = ${v}`),
  };
}

/**
 * The period to use, for `y` a lambda parameter: explicit, none (0), or for -1 the best period
 * detected among the first `learn` points (4 bins up to half of them) if its score reaches `threshold`.
 */
function periodSql(period: string, y: string, learn: string, threshold: string, node: KNode, env: Env, fn: string): string {
  const best = `${periodCandidatesSql(`list_slice(${y}, 1, ${learn})`, '4', `(${learn}) // 2`)}[1]`;
  const detected = bind(best, '__best', `CASE WHEN __best.score >= ${threshold} THEN __best.period ELSE 0 END`);
  return `CASE WHEN ${period} > 0 THEN ${period} WHEN ${period} = 0 THEN 0 WHEN ${period} = -1 THEN COALESCE(${detected}, 0) ELSE ${runtimeError(fn, 'Seasonality must be -1, 0 or a positive number of bins', node, env)} END`;
}

/** Median of the learning points in each point's phase: the seasonal component for period p. */
function seasonalSql(y: string, p: string, learn: string): string {
  // One median per phase (p of them, each over the learning points of that phase), then each point
  // takes its phase's: O(p·n) rather than a median per point, O(n²).
  const medians = `list_transform(range(0, ${p}), __ph -> list_median(list_filter(list_slice(${y}, 1, ${learn}), (__w, __j) -> (__j - 1) % ${p} = __ph)))`;
  return `CASE WHEN ${p} = 0 THEN list_transform(${y}, __v -> CAST(0 AS DOUBLE)) ELSE list_transform([${medians}], __md -> list_transform(${y}, (__v, __i) -> __md[(__i - 1) % ${p} + 1]))[1] END`;
}

/** The components as a STRUCT of DOUBLE[] (baseline, seasonal, trend, residual). */
function decomposeSql(a: DecomposeArgs, env: Env, fn: string, node: KNode): string {
  const learn = `(len(__y) - ${a.test})`;
  const p = periodSql(a.period, '__y', learn, a.threshold, node, env, fn);
  // Component order (series_decompose, note): seasonal; deseasonal = x - seasonal; trend of the
  // deseasonal learning points (avg, linefit over x = 1..n, or none); baseline = seasonal + trend;
  // residual = x - baseline.
  const trendOf = `CASE ${a.trend}
      WHEN 'avg' THEN list_transform(__y, __v -> list_avg(list_slice(__d, 1, ${learn})))
      WHEN 'linefit' THEN list_transform([${fitSql('__d', learn)}], __f -> list_transform(__y, (__v, __i) -> __f.slope * __i + __f.interception))[1]
      ELSE list_transform(__y, __v -> CAST(0 AS DOUBLE)) END`;
  const body = `list_transform([${p}], __p -> list_transform([${seasonalSql('__y', '__p', learn)}], __s -> list_transform([list_transform(__y, (__v, __i) -> __v - __s[__i])], __d -> list_transform([${trendOf}], __t -> struct_pack(
      baseline := list_transform(__s, (__v, __i) -> __v + __t[__i]),
      seasonal := __s,
      trend := __t,
      residual := list_transform(__y, (__v, __i) -> __v - __s[__i] - __t[__i])))[1])[1])[1])[1]`;
  return `CASE WHEN ${a.test} < 0 OR (${a.test} > 0 AND ${a.test} >= len(${a.y})) THEN ${runtimeError(fn, `${fn === 'series_decompose_forecast' ? 'Points' : 'Test_points'} must be at least 0 and less than the series length`, node, env)} ELSE list_transform([${a.y}], __y -> ${body})[1] END`;
}

/**
 * series_decompose_anomalies(Series [, Threshold, Seasonality, Trend, Test_points, AD_method,
 * Seasonality_threshold]): series_decompose's baseline and residual, the residual scored by Tukey's
 * fences (ctukey 10th/90th or tukey 25th/75th percentiles of the learning residuals, so a burst among
 * the Test_points does not widen the fences it is judged by), ad_flag +1/-1/0 where the score is
 * above Threshold, below -Threshold, or neither.
 */
function anomaliesSql(args: KNode[], env: Env, node: KNode): TupleSql {
  const fn = 'series_decompose_anomalies';
  const threshold = checkedReal(args, 1, env, 1.5, fn, node, 'Threshold must be a number', () => true, (v) => `${v} = ${v}`);
  const d = decomposeArgs(args, { period: 2, trend: 3, test: 4, threshold: 6 }, env, fn, node);
  const method = choiceArg(args, 5, env, 'ctukey', fn, node, 'AD_method', ['ctukey', 'tukey']);
  const learn = `(len(__parts.residual) - ${d.test})`;
  const scores = bind(`CASE WHEN ${method} = 'tukey' THEN [25.0, 75.0] ELSE [10.0, 90.0] END`, '__pct', outlierScoresSql('__parts.residual', `list_slice(__parts.residual, 1, ${learn})`, 'NULL', '__pct[1]', '__pct[2]'));
  const body = bind(scores, '__score', `struct_pack(
      ad_flag := to_json(list_transform(__score, __v -> CASE WHEN __v > ${threshold} THEN 1 WHEN __v < -(${threshold}) THEN -1 ELSE 0 END)),
      ad_score := to_json(__score),
      baseline := to_json(__parts.baseline))`);
  return { sql: bind(decomposeSql(d, env, fn, node), '__parts', body), fields: ['ad_flag', 'ad_score', 'baseline'] };
}

/**
 * series_periods_detect(series, min_period, max_period, num_periods): (periods, scores), each
 * num_periods long, best first, padded with 0 where fewer periods are found (as the reference's
 * example returns [14, 0]).
 */
function periodsDetectSql(args: KNode[], env: Env, node: KNode): TupleSql {
  const fn = 'series_periods_detect';
  if (args.length < 4) return env.ctx.fail('InvalidArgument', `${fn}() takes series, min_period, max_period and num_periods`, node);
  const y = series(args[0], env, fn, node);
  const lo = checkedReal(args, 1, env, 0, fn, node, 'min_period must be a number', () => true, (v) => `${v} = ${v}`);
  const hi = checkedReal(args, 2, env, 0, fn, node, 'max_period must be a number', () => true, (v) => `${v} = ${v}`);
  const num = checkedReal(args, 3, env, 0, fn, node, 'num_periods must be a positive whole number', (v) => Number.isInteger(v) && v > 0, (v) => `${v} > 0 AND ${v} = floor(${v})`);
  const found = `list_slice(${periodCandidatesSql('__y', `CAST(ceil(${lo}) AS BIGINT)`, `CAST(floor(${hi}) AS BIGINT)`)}, 1, CAST(${num} AS BIGINT))`;
  const pad = `list_transform(range(CAST(${num} AS BIGINT) - len(__found)), __i -> CAST(0 AS DOUBLE))`;
  const body = bind(found, '__found', `struct_pack(
      periods := to_json(list_concat(list_transform(__found, __e -> CAST(__e.period AS DOUBLE)), ${pad})),
      scores := to_json(list_concat(list_transform(__found, __e -> __e.score), ${pad})))`);
  return { sql: bind(y, '__y', body), fields: ['periods', 'scores'] };
}

/** series_seasonal(series [, period]): the seasonal component alone; -1 detects with threshold 0.7 (series-seasonal-function). */
export function seriesSeasonal(node: KNode, env: Env): string {
  const fn = 'series_seasonal';
  const args = listItems(node.ArgumentList.Expressions);
  const y = series(args[0], env, fn, node);
  const p = periodSql(intArg(args, 1, env, -1), '__y', 'len(__y)', '0.7', node, env, fn);
  return `list_transform([${y}], __y -> list_transform([${p}], __p -> to_json(${seasonalSql('__y', '__p', 'len(__y)')}))[1])[1]`;
}

/** series_outliers(series [, kind, ignore_val, min_percentile, max_percentile]): Tukey fence scores. */
export function seriesOutliers(node: KNode, env: Env): string {
  const fn = 'series_outliers';
  const args = listItems(node.ArgumentList.Expressions);
  const y = series(args[0], env, fn, node, true);
  const kind = choiceArg(args, 1, env, 'ctukey', fn, node, 'kind', ['ctukey', 'tukey']);
  const ignore = args[2] ? asNumber(scalar(args[2], env), 'DOUBLE') : 'NULL';
  const range = 'must be a number in [2, 98]';
  const lo = checkedReal(args, 3, env, 10, fn, node, `min_percentile ${range}`, (v) => v >= 2 && v <= 98, (v) => `${v} BETWEEN 2 AND 98`);
  const hi = checkedReal(args, 4, env, 90, fn, node, `max_percentile ${range}`, (v) => v >= 2 && v <= 98, (v) => `${v} BETWEEN 2 AND 98`);
  const loC = numberOf(args[3]) ?? 10;
  const hiC = numberOf(args[4]) ?? 90;
  // The order matters only to ctukey, tukey fixing its own 25th and 75th percentiles.
  if (constantOf(args[1]) !== 'tukey' && (args[3] === undefined || numberOf(args[3]) !== undefined) && (args[4] === undefined || numberOf(args[4]) !== undefined) && loC >= hiC) env.ctx.fail('InvalidArgument', `${fn}(): min_percentile must be below max_percentile`, args[3]);
  // Percentiles, ignore value and kind are bound once, outside the lambdas over the elements.
  const pct = `CASE WHEN ${kind} = 'tukey' THEN [25.0, 75.0] WHEN ${lo} < ${hi} THEN [${lo}, ${hi}] ELSE [${runtimeError(fn, 'min_percentile must be below max_percentile', node, env)}, 0] END`;
  return bind(`struct_pack(pct := ${pct}, ign := CAST(${ignore} AS DOUBLE))`, '__o', bind(y, '__v', `to_json(${outlierScoresSql('__v', '__v', '__o.ign', '__o.pct[1]', '__o.pct[2]')})`));
}

