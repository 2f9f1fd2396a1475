// make-series (https://learn.microsoft.com/kusto/query/make-series-operator): rows are grouped by the
// `by` expressions and by the axis bin `bin_at(axis, step, start)`; each aggregate becomes an array
// with one element per bin from start to end (exclusive), absent bins taking the `default` value
// (0 unless told), and the last column is the array of bin values. Without `from`, start is the
// first bin that has data; without `to`, end follows the last bin that has data — both over the
// whole input, so every series has the same axis. `in range(start, stop, step)` bins with bin()
// (aligned to 0, or to 0001-01-01 for datetimes) and includes stop. Output: the `by` columns, the
// aggregates, the axis — as the binder orders them. Arrays are limited to 2^20 elements, as in Kusto.
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { envOf, kustoType, listItems, q, resultCols } from './context.ts';
import type { Col, Ctx, Env, KType, Rel } from './context.ts';
import { scalar } from './scalar.ts';
import { aggregate } from './summarize.ts';
import { asString, convert, sqlTypeOf } from './values.ts';

/** Kusto bins datetimes from 0001-01-01: its offset from the Unix epoch in microseconds. */
const datetimeOrigin = -62135596800000000n;
const maxPoints = 1 << 20;

export function compileMakeSeries(rel: Rel, op: KNode, ctx: Ctx): Rel {
  const out = resultCols(op, ctx);
  const env = envOf(ctx, rel);
  let nonempty = false;
  for (const p of listItems(op.Parameters)) {
    const name = nodeText(p.Name).trim().toLowerCase();
    const value = nodeText(p.Expression).trim().toLowerCase();
    if (name === 'kind' && value === 'nonempty') nonempty = true;
    else if (!name.startsWith('hint.')) return ctx.fail('UnsupportedOperator', `make-series parameter ${name} is not supported`, p);
  }
  const byItems = op.ByClause ? listItems(op.ByClause.Expressions) : [];
  if (nonempty && byItems.length) return ctx.fail('UnsupportedOperator', 'make-series kind=nonempty with a by clause is not supported', op);
  const aggItems = listItems(op.Aggregates);
  const axisCol = out[out.length - 1]!;

  // The axis as a number: microseconds for datetimes, the value itself for numbers.
  const axisExpr = op.OnClause.Expression;
  const axis = scalar(axisExpr, env);
  const constant = (n: KNode): string => convert(scalar(n, { ctx, col: () => undefined }), axis.type);
  let kind: 'datetime' | 'number';

  let num: (sql: string) => string;
  if (axis.type === 'datetime') {
    kind = 'datetime';
    num = (sql) => `CAST(epoch_us(${sql}) AS BIGINT)`;
  } else if (axis.type === 'long' || axis.type === 'int' || axis.type === 'real') {
    kind = 'number';
    num = (sql) => `CAST(${sql} AS DOUBLE)`;
  } else return ctx.fail('UnsupportedOperator', `make-series on an axis of type ${axis.type} is not supported`, axisExpr);
  const a = num(axis.sql);
  const stepNum = (n: KNode): string => {
    const s = scalar(n, { ctx, col: () => undefined });
    if (kind === 'datetime') {
      if (s.type !== 'timespan') return ctx.fail('SemanticError', 'the step of a datetime axis must be a timespan', n);
      return `CAST(epoch_us(TIMESTAMP '1970-01-01' + ${s.sql}) AS BIGINT)`;
    }
    return `CAST(${s.sql} AS DOUBLE)`;
  };
  const origin = kind === 'datetime' ? `${datetimeOrigin}` : '0';
  const binOf = (v: string, step: string): string => `(${origin} + CAST(floor((${v} - ${origin}) / ${step}) AS BIGINT) * ${step})`;

  // Bounds as SQL over one row "b" with columns s (start), st (step), n (points).
  const range = op.RangeClause;
  let bounds: string;
  const lo = `min(${a})`;
  const hi = `max(${a})`;
  if (kindOf(range) === 'MakeSeriesInRangeClause') {
    const args = listItems(range.Arguments?.Expressions ?? range.Arguments);
    if (args.length !== 3) return ctx.fail('SemanticError', 'range() in make-series needs start, stop and step', range);
    const st = stepNum(args[2]);
    const s = binOf(num(constant(args[0])), st);
    bounds = `SELECT ${s} AS s, ${st} AS st, CAST(floor((${num(constant(args[1]))} - ${s}) / ${st}) AS BIGINT) + 1 AS n`;
  } else {
    const from = range.MakeSeriesFromClause?.Expression;
    const to = range.MakeSeriesToClause?.Expression;
    const st = stepNum(range.MakeSeriesStepClause.Expression);
    const s = from ? num(constant(from)) : binOf(lo, st);
    const n = to
      ? `CAST(ceil((${num(constant(to))} - (${s})) / ${st}) AS BIGINT)`
      : `CAST(floor((${hi} - (${s})) / ${st}) AS BIGINT) + 1`;
    const dataFree = from && to;
    bounds = `SELECT ${s} AS s, ${st} AS st, ${n} AS n${dataFree ? '' : ` FROM ${rel.from} WHERE ${a} IS NOT NULL`}`;
  }
  const b = ctx.add(`SELECT s, st, CASE WHEN n > ${maxPoints} THEN error('make-series: the series would have more than ${maxPoints} points (Kusto limits arrays to 2^20)') ELSE greatest(n, 0) END AS n FROM (${bounds})`, []);

  // 1. One row per group and bin, with each aggregate.
  const select: string[] = [];
  const groups: string[] = [];
  byItems.forEach((it: KNode, i: number) => {
    const c = out[i]!;
    const e = kindOf(it) === 'SimpleNamedExpression' ? it.Expression : it;
    select.push(`${convert(scalar(e, env), c.type)} AS ${q(`__g${i}`)}`);
    groups.push(String(i + 1));
  });
  const k = `CAST(floor((${a} - b.s) / b.st) AS BIGINT)`;
  select.push(`${k} AS "__k"`);
  groups.push(String(select.length));
  const aggs = aggItems.map((it: KNode, j: number) => {
    const e = it.Expression; // MakeSeriesExpression
    const call = kindOf(e) === 'SimpleNamedExpression' ? e.Expression : e;
    if (kindOf(call) !== 'FunctionCallExpression') return ctx.unsupported(call, 'a make-series aggregate that is not a single aggregation call');
    const elemType = kustoType(call, ctx);
    const slot: Col = { name: `__v${j}`, type: elemType };
    const fn = String(call.Name.SimpleName);
    select.push(...aggregate({ node: call, fn, args: listItems(call.ArgumentList.Expressions) }, [slot], rel, env, ctx));
    const dflt = it.DefaultExpression ? defaultValue(it.DefaultExpression, elemType, ctx) : `CAST(0 AS ${sqlTypeOf(elemType)})`;
    return { name: out[byItems.length + j]!.name, elemType, dflt };
  });
  const binned = ctx.add(
    `SELECT ${select.join(', ')} FROM ${rel.from}, ${b.from} AS b WHERE ${a} IS NOT NULL AND ${a} >= b.s AND ${k} < b.n GROUP BY ${groups.join(', ')}`,
    [],
  );

  // 2. One row per group: each aggregate's bins as a map from bin number to value.
  const gcols = byItems.map((_: KNode, i: number) => q(`__g${i}`));
  const maps = aggs.map((_, j) => `map(list("__k"), list(${q(`__v${j}`)})) AS ${q(`__m${j}`)}`);
  const grouped = ctx.add(
    `SELECT ${[...gcols, ...maps].join(', ')} FROM ${binned.from}${gcols.length ? ` GROUP BY ${gcols.map((_: string, i: number) => i + 1).join(', ')}` : nonempty ? '' : ' HAVING count(*) > 0'}`,
    [],
  );

  // 3. The arrays: absent bins take the default; the axis holds each bin's start.
  const cols: string[] = byItems.map((_: KNode, i: number) => `g.${q(`__g${i}`)} AS ${q(out[i]!.name)}`);
  aggs.forEach((ag, j) => {
    const m = `g.${q(`__m${j}`)}`;
    cols.push(`to_json(list_transform(range(0, b.n), x -> CASE WHEN map_contains(${m}, x) THEN ${m}[x] ELSE ${ag.dflt} END)) AS ${q(ag.name)}`);
  });
  const point = kind === 'datetime'
    ? asString({ sql: `make_timestamp(b.s + x * b.st)`, type: 'datetime' })
    : axis.type === 'real' ? '(b.s + x * b.st)' : 'CAST(b.s + x * b.st AS BIGINT)';
  cols.push(`to_json(list_transform(range(0, b.n), x -> ${point})) AS ${q(axisCol.name)}`);
  return ctx.add(`SELECT ${cols.join(', ')} FROM ${grouped.from} AS g, ${b.from} AS b`, out);
}

function defaultValue(clause: KNode, t: KType, ctx: Ctx): string {
  const e = clause.Value ?? clause.Expression ?? clause.GetChild(clause.ChildCount - 1);
  const env: Env = { ctx, col: () => undefined };
  return `CAST(${convert(scalar(e, env), t)} AS ${sqlTypeOf(t)})`;
}
