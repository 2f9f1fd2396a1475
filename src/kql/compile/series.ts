// Series analysis functions over make-series arrays, from the Kusto reference:
// series_fit_line (https://learn.microsoft.com/kusto/query/series-fit-line-function), series_decompose
// (series-decompose-function), series_seasonal (series-seasonal-function). Computed in SQL with list
// lambdas; a series is the dynamic array read as DOUBLE[], positions 1..n as the regression's x.
//
// Not supported, because the documentation does not define them precisely enough to reproduce:
// seasonality autodetection (Seasonality -1 uses series_periods_detect, whose scoring is not
// documented) — except where no period can exist (fewer than 8 learning points: a period needs at
// least 4 points and at most half the series) or none can pass (a score threshold above 1, scores
// being in [0, 1]); and series_outliers / series_decompose_anomalies, whose scores depend on an
// undocumented percentile interpolation. Those fail with an error naming the call and its position.
import { kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { listItems, sqlString } from './context.ts';
import type { Env } from './context.ts';
import { positionAt } from '../errors.ts';
import { scalar } from './scalar.ts';
import { asDynamic, asNumber, asString } from './values.ts';

/** A tuple-valued series function: a STRUCT expression and its fields in Kusto's order. */
export interface TupleSql { sql: string; fields: string[] }

const tupleFunctions = new Set(['series_fit_line', 'series_decompose']);
const refused: Record<string, string> = {
  series_decompose_anomalies: 'its anomaly scores come from series_outliers(), whose percentile interpolation and score formula the Kusto documentation does not specify',
  series_outliers: 'the Kusto documentation does not specify its percentile interpolation and score formula',
  series_periods_detect: 'the Kusto documentation does not specify its period scoring',
  series_decompose_forecast: 'it autodetects seasonality with series_periods_detect, whose scoring the Kusto documentation does not specify',
};

export function isTupleCall(node: KNode): boolean {
  return kindOf(node) === 'FunctionCallExpression' && node.ResultType?.Kind === 6;
}

/** Fails for the series functions Tessera refuses to approximate. */
export function refuseSeries(name: string, node: KNode, env: Env): void {
  const why = refused[name];
  if (why) env.ctx.fail('UnsupportedFunction', `${name}() is not supported by Tessera's KQL engine: ${why}`, node);
}

/** The series as DOUBLE[]; a null or non-numeric element fails the query rather than being guessed at. */
function series(n: KNode, env: Env, fn: string): string {
  const d = asDynamic(scalar(n, env));
  return `CASE WHEN json_type(${d}) = 'ARRAY' THEN CASE WHEN list_bool_or(list_transform(CAST(${d} AS JSON[]), e -> COALESCE(json_type(e), 'NULL') NOT IN ('BIGINT', 'UBIGINT', 'DOUBLE'))) THEN error(${sqlString(`${fn}(): the series holds a null or non-numeric value`)}) ELSE CAST(${d} AS DOUBLE[]) END END`;
}

const intArg = (args: KNode[], i: number, env: Env, dflt: number): string => (args[i] ? asNumber(scalar(args[i], env), 'BIGINT') : String(dflt));
const realArg = (args: KNode[], i: number, env: Env, dflt: number): string => (args[i] ? asNumber(scalar(args[i], env), 'DOUBLE') : String(dflt));

/**
 * Least squares over x = 1..n of `y` (a DOUBLE[] expression that is a lambda parameter or column):
 * a struct of slope and interception; `n` is the number of points to fit (a prefix of y).
 */
function fitSql(y: string, n: string): string {
  const sx = `(${n} * (${n} + 1) / CAST(2 AS DOUBLE))`;
  const sxx = `(${n} * (${n} + 1) * (2 * ${n} + 1) / CAST(6 AS DOUBLE))`;
  const sy = `list_sum(list_slice(${y}, 1, ${n}))`;
  const sxy = `list_sum(list_transform(list_slice(${y}, 1, ${n}), (v, i) -> v * i))`;
  const slope = `((${n} * ${sxy} - ${sx} * ${sy}) / NULLIF(${n} * ${sxx} - ${sx} * ${sx}, 0))`;
  return `list_transform([${slope}], a -> struct_pack(slope := a, interception := (${sy} - a * ${sx}) / ${n}))[1]`;
}

export function tupleCall(node: KNode, env: Env): TupleSql {
  const name = String(node.Name.SimpleName);
  refuseSeries(name, node, env);
  const args = listItems(node.ArgumentList.Expressions);
  if (name === 'series_fit_line') {
    // rsquare = 1 - SSres/SStot; variance and rvariance divide by n - 1 (the reference's example:
    // variance 98.628 and rvariance 1.686 for its 12 points).
    const y = series(args[0], env, name);
    const body = `list_transform([${fitSql('y', 'len(y)')}], f -> list_transform([list_transform(y, (v, i) -> f.slope * i + f.interception)], line -> struct_pack(
      rsquare := 1 - list_sum(list_transform(y, (v, i) -> (v - line[i]) ^ 2)) / NULLIF(list_sum(list_transform(y, v -> (v - list_avg(y)) ^ 2)), 0),
      slope := f.slope,
      variance := list_sum(list_transform(y, v -> (v - list_avg(y)) ^ 2)) / NULLIF(len(y) - 1, 0),
      rvariance := list_sum(list_transform(y, (v, i) -> (v - line[i]) ^ 2)) / NULLIF(len(y) - 1, 0),
      interception := f.interception,
      line_fit := to_json(line)))[1])[1]`;
    return { sql: `list_transform([${y}], y -> ${body})[1]`, fields: ['rsquare', 'slope', 'variance', 'rvariance', 'interception', 'line_fit'] };
  }
  if (name === 'series_decompose') {
    const y = series(args[0], env, name);
    const period = intArg(args, 1, env, -1);
    const trend = args[2] ? asString(scalar(args[2], env)) : `'avg'`;
    const test = intArg(args, 3, env, 0);
    const threshold = realArg(args, 4, env, 0.6);
    return { sql: decomposeSql(y, period, trend, test, threshold, node, env, name), fields: ['baseline', 'seasonal', 'trend', 'residual'] };
  }
  return env.ctx.fail('UnsupportedFunction', `the function ${name}() is not supported by Tessera's KQL engine`, node);
}

/** The period to use: explicit, none (0), or -1 resolved only where no period can be detected. */
function periodSql(period: string, learn: string, threshold: string, node: KNode, env: Env, fn: string): string {
  const pos = positionAt(env.ctx.text, node.TextStart as number);
  const msg = `${fn}(): seasonality autodetection (Seasonality -1) is not supported for a series of 8 or more points, because Kusto's series_periods_detect scoring is not documented; pass the period in bins, or 0 for none (line ${pos.line}, column ${pos.column})`;
  return `CASE WHEN ${period} > 0 THEN ${period} WHEN ${period} = 0 THEN 0 WHEN ${period} = -1 AND (${learn} < 8 OR ${threshold} > 1) THEN 0 WHEN ${period} = -1 THEN error(${sqlString(msg)}) ELSE error(${sqlString(`${fn}(): Seasonality must be -1, 0 or a positive number of bins`)}) END`;
}

/** Median of the learning points in each point's phase: the seasonal component for period p. */
function seasonalSql(y: string, p: string, learn: string): string {
  return `CASE WHEN ${p} = 0 THEN list_transform(${y}, v -> CAST(0 AS DOUBLE)) ELSE list_transform(${y}, (v, i) -> list_median(list_filter(list_slice(${y}, 1, ${learn}), (w, j) -> (j - 1) % ${p} = (i - 1) % ${p}))) END`;
}

function decomposeSql(ySql: string, period: string, trend: string, test: string, threshold: string, node: KNode, env: Env, fn: string): string {
  const learn = `(len(y) - ${test})`;
  const p = periodSql(period, learn, threshold, node, env, fn);
  // Component order (series_decompose, note): seasonal; deseasonal = x - seasonal; trend of the
  // deseasonal learning points (avg, linefit over x = 1..n, or none); baseline = seasonal + trend;
  // residual = x - baseline.
  const trendOf = `CASE ${trend}
      WHEN 'avg' THEN list_transform(y, v -> list_avg(list_slice(d, 1, ${learn})))
      WHEN 'linefit' THEN list_transform([${fitSql('d', learn)}], f -> list_transform(y, (v, i) -> f.slope * i + f.interception))[1]
      WHEN 'none' THEN list_transform(y, v -> CAST(0 AS DOUBLE))
      ELSE error(${sqlString(`${fn}(): Trend must be 'avg', 'linefit' or 'none'`)}) END`;
  const body = `list_transform([${p}], p -> list_transform([${seasonalSql('y', 'p', learn)}], s -> list_transform([list_transform(y, (v, i) -> v - s[i])], d -> list_transform([${trendOf}], t -> struct_pack(
      baseline := to_json(list_transform(s, (v, i) -> v + t[i])),
      seasonal := to_json(s),
      trend := to_json(t),
      residual := to_json(list_transform(y, (v, i) -> v - s[i] - t[i]))))[1])[1])[1])[1]`;
  return `CASE WHEN ${test} < 0 OR ${test} >= len(${ySql}) THEN error(${sqlString(`${fn}(): Test_points must be at least 0 and less than the series length`)}) ELSE list_transform([${ySql}], y -> ${body})[1] END`;
}

/** series_seasonal(series [, period]): the seasonal component alone, as a dynamic array. */
export function seriesSeasonal(node: KNode, env: Env): string {
  const args = listItems(node.ArgumentList.Expressions);
  const y = series(args[0], env, 'series_seasonal');
  const p = periodSql(intArg(args, 1, env, -1), 'len(y)', '0.6', node, env, 'series_seasonal');
  return `list_transform([${y}], y -> list_transform([${p}], p -> to_json(${seasonalSql('y', 'p', 'len(y)')}))[1])[1]`;
}
