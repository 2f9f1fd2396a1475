// summarize: by-columns first, then aggregates, named as the Kusto binder names them.
// dcount is exact here (Kusto's is an HLL estimate; for the small cardinalities of sign-in logs
// the two agree, and an exact count is never "wrong" in the direction an analyst would mind).
import { kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { envOf, listItems, q, resultCols } from './context.ts';
import type { Col, Ctx, Env, KType, Rel } from './context.ts';
import { scalar } from './scalar.ts';
import { asString, convert, wrapDynamic } from './values.ts';

export interface Agg { node: KNode; fn: string; args: KNode[] }

export function compileSummarize(rel: Rel, op: KNode, ctx: Ctx): Rel {
  const out = resultCols(op, ctx);
  const byCount = op.ByClause ? listItems(op.ByClause.Expressions).length : 0;
  const env = envOf(ctx, rel, ctx.partition && !byCount ? 'i' : undefined);
  const byItems = op.ByClause ? listItems(op.ByClause.Expressions) : [];
  const aggItems = listItems(op.Aggregates);
  const select: string[] = [];
  const groupBy: string[] = [];
  byItems.forEach((it: KNode, i: number) => {
    const c = out[i]!;
    const e = kindOf(it) === 'SimpleNamedExpression' ? it.Expression : it;
    const sql = convert(scalar(e, env), c.type);
    select.push(`${sql} AS ${q(c.name)}`);
    groupBy.push(sql);
  });
  const aggs: Agg[] = aggItems.map((it: KNode) => {
    const call = kindOf(it) === 'SimpleNamedExpression' ? it.Expression : it;
    if (kindOf(call) !== 'FunctionCallExpression') return ctx.unsupported(call, 'an aggregate that is not a single aggregation call');
    return { node: call, fn: String(call.Name.SimpleName), args: listItems(call.ArgumentList.Expressions) };
  });
  // Every aggregate yields one column except arg_max/arg_min, which yield 1 + returned columns.
  const fixed = aggs.filter((a) => !isArg(a.fn)).length + aggs.filter((a) => isArg(a.fn) && !isStar(a)).reduce((n, a) => n + a.args.length, 0);
  const stars = aggs.filter((a) => isArg(a.fn) && isStar(a)).length;
  const starWidth = stars ? (out.length - byItems.length - fixed) / stars : 0;
  let pos = byItems.length;
  for (const a of aggs) {
    const width = isArg(a.fn) ? (isStar(a) ? starWidth : a.args.length) : 1;
    const slots = out.slice(pos, pos + width);
    pos += width;
    select.push(...aggregate(a, slots, rel, env, ctx));
  }
  if (ctx.partition && !byItems.length) {
    // Inside mv-apply, a summarize without `by` yields one row per source row, also for a source
    // row whose expansion is empty (count() is then 0): aggregate over base LEFT JOIN rows.
    const sql = `SELECT ${select.join(', ').replaceAll('count(*)', 'count(i."__present")')}, b."__rid", 1 AS "__present" FROM ${ctx.partition.base} AS b LEFT JOIN ${rel.from} AS i ON i."__rid" = b."__rid" GROUP BY b."__rid"`;
    return ctx.add(sql, out);
  }
  const positions = groupBy.map((_, i) => String(i + 1));
  if (ctx.partition) {
    positions.push(String(select.length + 1));
    select.push('"__rid"', '1 AS "__present"');
  }
  const sql = `SELECT ${select.join(', ')} FROM ${rel.from}${positions.length ? ` GROUP BY ${positions.join(', ')}` : ''}`;
  return ctx.add(sql, out);
}

function isArg(fn: string): boolean {
  return fn === 'arg_max' || fn === 'arg_min' || fn === 'argmax' || fn === 'argmin';
}

function isStar(a: Agg): boolean {
  return a.args.slice(1).some((x) => kindOf(x) === 'StarExpression');
}

export function aggregate(a: Agg, slots: Col[], rel: Rel, env: Env, ctx: Ctx): string[] {
  const [c] = slots;
  if (!c) return ctx.fail('SemanticError', `${a.fn}() has no result column`, a.node);
  const arg = (i: number): string => convert(scalar(a.args[i], env), c.type);
  const raw = (i: number) => scalar(a.args[i], env);
  const cond = (i: number): string => convert(scalar(a.args[i], env), 'bool');
  const as = (sql: string): string[] => [`${sql} AS ${q(c.name)}`];
  switch (a.fn) {
    case 'count':
      return as('count(*)');
    case 'countif':
      return as(`count(*) FILTER (WHERE ${cond(0)})`);
    case 'dcount':
      return as(`count(DISTINCT ${distinctKey(raw(0))})`);
    case 'dcountif':
      return as(`count(DISTINCT ${distinctKey(raw(0))}) FILTER (WHERE ${cond(1)})`);
    case 'sum':
      return as(`COALESCE(sum(${arg(0)}), 0)`);
    case 'sumif':
      return as(`COALESCE(sum(${arg(0)}) FILTER (WHERE ${cond(1)}), 0)`);
    case 'avg':
      return as(`avg(${convert(raw(0), 'real')})`);
    case 'avgif':
      return as(`avg(${convert(raw(0), 'real')}) FILTER (WHERE ${cond(1)})`);
    case 'min':
    case 'max':
      return as(`${a.fn}(${nullIfEmpty(raw(0), c.type)})`);
    case 'minif':
    case 'maxif':
      return as(`${a.fn.slice(0, 3)}(${nullIfEmpty(raw(0), c.type)}) FILTER (WHERE ${cond(1)})`);
    case 'any':
    case 'take_any':
      return as(`any_value(${arg(0)})`);
    case 'take_anyif':
      return as(`any_value(${arg(0)}) FILTER (WHERE ${cond(1)})`);
    case 'make_set': case 'makeset': case 'make_set_if':
    case 'make_list': case 'makelist': case 'make_list_if':
      return as(makeList(a, env));
    case 'make_bag':
    case 'make_bag_if': {
      // Property bags merged key by key (a key seen in several rows keeps one of its values).
      const v = convert(raw(0), 'dynamic');
      const keep = a.fn === 'make_bag_if' ? ` AND ${cond(1)}` : '';
      return as(`COALESCE(list_reduce(list(${v}) FILTER (WHERE json_type(${v}) = 'OBJECT'${keep}), (x, y) -> json_merge_patch(x, y)), '[]')::JSON`);
    }
    case 'arg_max': case 'arg_min': case 'argmax': case 'argmin':
      return argExtreme(a, slots, rel, env, ctx);
    // Defaults for an empty input (summarize operator, "Aggregation default values"): count, sum,
    // stdev, variance → 0; make_list/make_set/make_bag → []; everything else → null.
    case 'stdev':
      return as(`COALESCE(stddev_samp(${convert(raw(0), 'real')}), 0)`);
    case 'variance':
      return as(`COALESCE(var_samp(${convert(raw(0), 'real')}), 0)`);
    default:
      return ctx.fail('UnsupportedFunction', `the aggregate ${a.fn}() is not supported by Tessera's KQL engine`, a.node);
  }
}

/** Kusto's min/max skip nulls; for strings that means empty strings. */
function nullIfEmpty(v: { sql: string; type: KType }, t: KType): string {
  return t === 'string' ? `NULLIF(${asString(v)}, '')` : convert(v, t);
}

function distinctKey(v: { sql: string; type: KType }): string {
  return v.type === 'dynamic' ? `json(${v.sql})::VARCHAR` : v.sql;
}

/** make_set/make_list: null values are skipped; the result is a JSON array, `[]` for no values. */
function makeList(a: Agg, env: Env): string {
  const v = scalar(a.args[0], env);
  const item = wrapDynamic(v);
  const isIf = a.fn.endsWith('_if');
  const condSql = isIf ? ` AND COALESCE(${convert(scalar(a.args[1], env), 'bool')}, false)` : '';
  const maxArg = a.args[isIf ? 2 : 1];
  const set = a.fn.includes('set');
  // DuckDB has no DISTINCT on JSON by value; distinct on the JSON text, then re-read as JSON.
  const list = set
    ? `list(DISTINCT json(${item})::VARCHAR) FILTER (WHERE ${item} IS NOT NULL AND json_type(${item}) <> 'NULL'${condSql})`
    : `list(json(${item})::VARCHAR) FILTER (WHERE ${item} IS NOT NULL AND json_type(${item}) <> 'NULL'${condSql})`;
  const limited = maxArg ? `list_slice(${list}, 1, CAST(${convert(scalar(maxArg, env), 'long')} AS BIGINT))` : list;
  return `COALESCE(('[' || array_to_string(${limited}, ',') || ']')::JSON, '[]'::JSON)`;
}

/** arg_max(by, cols...|*): the columns of the row with the greatest `by`, taken from one row. */
function argExtreme(a: Agg, slots: Col[], rel: Rel, env: Env, ctx: Ctx): string[] {
  const by = scalar(a.args[0], env);
  const fn = a.fn.includes('max') ? 'arg_max' : 'arg_min';
  const sources: { slot: Col; sql: string }[] = [];
  const relNames = new Set(rel.cols.map((c) => c.name));
  if (isStar(a)) {
    slots.forEach((slot, i) => {
      if (i === 0) sources.push({ slot, sql: convert(by, slot.type) });
      else {
        const base = relNames.has(slot.name) ? slot.name : slot.name.replace(/\d+$/, '');
        if (!relNames.has(base)) return ctx.fail('SemanticError', `cannot find column ${slot.name} for ${a.fn}(..., *)`, a.node);
        sources.push({ slot, sql: env.col(base) ?? q(base) });
      }
    });
  } else {
    slots.forEach((slot, i) => {
      const e = a.args[i]!;
      const expr = kindOf(e) === 'SimpleNamedExpression' ? e.Expression : e;
      sources.push({ slot, sql: convert(scalar(expr, env), slot.type) });
    });
  }
  const packed = `struct_pack(${sources.map((s, i) => `c${i} := ${s.sql}`).join(', ')})`;
  const pick = `${fn}(${packed}, ${by.type === 'dynamic' ? `json(${by.sql})::VARCHAR` : by.sql})`;
  return sources.map((s, i) => `struct_extract(${pick}, 'c${i}') AS ${q(s.slot.name)}`);
}
