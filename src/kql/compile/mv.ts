// mv-expand and mv-apply (https://learn.microsoft.com/kusto/query/mv-expand-operator): each array
// element (or each property of a bag, as a one-property bag) becomes a row; several expressions
// expand in parallel, the shorter padded with null; a null value gives one row with null; an empty
// array gives no row. DuckDB's select-list unnest has exactly that parallel, null-padded shape.
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { carry, envOf, listItems, q, resultCols, sqlString } from './context.ts';
import type { Col, Ctx, Env, KType, Rel } from './context.ts';
import { extractPaths, readOnlyThroughPaths, structShape, topLevelKeys } from './json-paths.ts';
import { scalar } from './scalar.ts';
import { asDynamic, convert } from './values.ts';

interface Expansion {
  name: string; value: string; list: string; type: KType;
  /** Read straight into a STRUCT of these top-level properties (json-paths.ts): no element text. */
  struct?: { col: string; keys: string[]; paths: string[] };
}

export function expansions(rel: Rel, items: KNode[], out: Col[], ctx: Ctx, limit: string | undefined, arrayBags = false, op?: KNode): Expansion[] {
  const env = envOf(ctx, rel);
  const inputNames = new Set(rel.cols.map((c) => c.name));
  const fresh = out.filter((c) => !inputNames.has(c.name));
  let freshIdx = 0;
  return items.map((it: KNode, idx: number) => {
    const inner = kindOf(it) === 'MvExpandExpression' || kindOf(it) === 'MvApplyExpression' ? it.Expression : it;
    let name: string;
    let expr: KNode = inner;
    if (kindOf(inner) === 'SimpleNamedExpression') {
      name = String(inner.Name.SimpleName);
      expr = inner.Expression;
      if (!inputNames.has(name)) freshIdx++;
    } else if (kindOf(inner) === 'NameReference') {
      name = String(inner.SimpleName);
    } else {
      // `mv-expand todynamic(Col)` keeps the column's name, as the binder reports.
      const firstArg = kindOf(inner) === 'FunctionCallExpression' ? listItems(inner.ArgumentList.Expressions)[0] : undefined;
      const argName = firstArg && kindOf(firstArg) === 'NameReference' ? String(firstArg.SimpleName) : undefined;
      if (argName && out.some((c) => c.name === argName)) name = argName;
      else name = fresh[freshIdx++]?.name ?? ctx.fail('SemanticError', 'cannot name the expanded column', inner);
    }
    const toType = it.ToTypeOf ? (String(it.ToTypeOf.TypeOf.ReferencedSymbol?.Name ?? 'dynamic') as KType) : 'dynamic';
    const paths = ctx.pathsRead.get(name)?.paths;
    const keys = paths && topLevelKeys(paths);
    const struct = op && !ctx.partition && toType === 'dynamic' && paths && keys && readOnlyThroughPaths(op, name, keys)
      ? { col: `__jp_${name}`, keys, paths }
      : undefined;
    const { value, list } = expansionList(expr, env, q(`__mv${idx}`), arrayBags, struct ? structShape(struct.keys) : undefined);
    return { name, value, list: limit ? `list_slice(${list}, 1, ${limit})` : list, type: toType, ...(struct ? { struct } : {}) };
  });
}

/**
 * The per-row list to unnest. JSON values are text in DuckDB and every JSON function re-parses
 * them, so the kind of value is told from its first character (the text is valid JSON by then) and
 * the text is parsed once by the cast to JSON[]. A string source (`mv-expand todynamic(Col)` on a
 * string column) is cast directly; text that is not JSON expands to itself, as parse_json gives it.
 */
function expansionList(expr: KNode, env: Env, v: string, arrayBags: boolean, shape?: string): { value: string; list: string } {
  let src = scalar(expr, env);
  if (kindOf(expr) === 'FunctionCallExpression' && ['todynamic', 'parse_json', 'parsejson'].includes(String(expr.Name.SimpleName))) {
    const arg = scalar(listItems(expr.ArgumentList.Expressions)[0], env);
    if (arg.type === 'string') src = arg;
  }
  const bag = (j: string) => `list_transform(json_keys(${j}), k -> ${arrayBags ? 'json_array' : 'json_object'}(k, json_extract(${j}, '$."' || replace(k, '"', '\\"') || '"')))`;
  if (shape) return { value: src.type === 'string' ? src.sql : asDynamic(src), list: structList(src.type === 'string', v, shape, bag) };
  if (src.type === 'string') {
    // Leading whitespace is rare: test the first character before paying for ltrim's copy.
    const starts = (c: string) => `(starts_with(${v}, '${c}') OR starts_with(ltrim(${v}), '${c}'))`;
    return {
      value: src.sql,
      list: `CASE WHEN ${v} = '' THEN [NULL::JSON] WHEN ${starts('[')} THEN COALESCE(TRY_CAST(${v} AS JSON[]), [to_json(${v})]) WHEN ${starts('{')} AND json_valid(${v}) THEN ${bag(`${v}::JSON`)} ELSE [COALESCE(TRY_CAST(${v} AS JSON), to_json(${v}))] END`,
    };
  }
  const text = `CAST(${v} AS VARCHAR)`;
  return {
    value: asDynamic(src),
    list: `CASE WHEN ${v} IS NULL THEN [NULL::JSON] WHEN starts_with(${text}, '[') THEN CAST(${v} AS JSON[]) WHEN starts_with(${text}, '{') THEN ${bag(v)} ELSE [${v}] END`,
  };
}

/**
 * The list to unnest when only top-level properties are read (json-paths.ts): the same elements as
 * the JSON list above, each given as a STRUCT of those properties; an array is read in one
 * json_transform call, without first splitting it into element texts.
 */
function structList(fromString: boolean, v: string, shape: string, bag: (j: string) => string): string {
  const one = (j: string) => `json_transform(${j}, ${sqlString(shape)})`;
  const each = (list: string) => `list_transform(${list}, e -> ${one('e')})`;
  const all = `json_transform(${v}, ${sqlString(`[${shape}]`)})`;
  const none = `[${one('NULL::JSON')}]`;
  if (fromString) {
    const starts = (c: string) => `(starts_with(${v}, '${c}') OR starts_with(ltrim(${v}), '${c}'))`;
    return `CASE WHEN ${v} = '' THEN ${none} WHEN ${starts('[')} THEN COALESCE(TRY(${all}), [${one(`to_json(${v})`)}]) WHEN ${starts('{')} AND json_valid(${v}) THEN ${each(bag(`${v}::JSON`))} ELSE [${one(`COALESCE(TRY_CAST(${v} AS JSON), to_json(${v}))`)}] END`;
  }
  const text = `CAST(${v} AS VARCHAR)`;
  return `CASE WHEN ${v} IS NULL THEN ${none} WHEN starts_with(${text}, '[') THEN ${all} WHEN starts_with(${text}, '{') THEN ${each(bag(v))} ELSE [${one(v)}] END`;
}

export function expandSql(rel: Rel, exps: Expansion[], indexName: string | undefined, ctx: Ctx, extra = carry(ctx)): { sql: string; cols: Col[] } {
  const pre = ctx.add(`SELECT *, ${exps.map((e, i) => `${e.value} AS ${q(`__mv${i}`)}`).join(', ')} FROM ${rel.from}`, rel.cols);
  const names = new Set(exps.map((e) => e.name));
  const keep = rel.cols.filter((c) => !names.has(c.name));
  const select = keep.map((c) => q(c.name));
  const cols: Col[] = [...keep];
  for (const e of exps) {
    if (e.struct) {
      // The element text is never read (json-paths.ts, readOnlyThroughPaths): the column is null.
      select.push(`NULL::JSON AS ${q(e.name)}`, `unnest(${e.list}) AS ${q(e.struct.col)}`);
    } else select.push(`unnest(${e.list}) AS ${q(e.name)}`);
    cols.push({ name: e.name, type: 'dynamic' });
  }
  if (indexName) {
    select.push(`unnest(range(0, greatest(${exps.map((e) => `len(${e.list})`).join(', ')}))) AS ${q(indexName)}`);
    cols.push({ name: indexName, type: 'long' });
  }
  return { sql: `SELECT ${select.join(', ')}${extra} FROM ${pre.from}`, cols };
}

/** Re-orders to the binder's columns and applies `to typeof(...)` conversions. */
export function finish(raw: Rel, out: Col[], ctx: Ctx, hidden: string[] = []): Rel {
  const have = new Map(raw.cols.map((c) => [c.name, c.type]));
  const select = out.map((c) => {
    const t = have.get(c.name);
    if (!t) return ctx.fail('SemanticError', `column '${c.name}' is missing after mv-expand`, undefined);
    return `${convert({ sql: q(c.name), type: t }, c.type)} AS ${q(c.name)}`;
  });
  return ctx.add(`SELECT ${[...select, ...hidden.map(q)].join(', ')}${carry(ctx)} FROM ${raw.from}`, out);
}

export function params(op: KNode, ctx: Ctx): { index?: string; arrayBags?: boolean } {
  const res: { index?: string; arrayBags?: boolean } = {};
  for (const p of listItems(op.Parameters)) {
    const name = nodeText(p.Name).toLowerCase();
    const value = nodeText(p.Expression);
    if (name === 'with_itemindex') res.index = value;
    else if (name === 'kind' || name === 'bagexpansion') res.arrayBags = value.toLowerCase() === 'array';
    else return ctx.fail('UnsupportedOperator', `mv-expand parameter ${name} is not supported`, p);
  }
  return res;
}

export function compileMvExpand(rel: Rel, op: KNode, ctx: Ctx): Rel {
  const out = resultCols(op, ctx);
  const { index, arrayBags } = params(op, ctx);
  const limit = op.RowLimitClause ? convert(scalar(op.RowLimitClause.RowLimit, envOf(ctx, rel)), 'long') : undefined;
  const exps = expansions(rel, listItems(op.Expressions), out, ctx, limit, arrayBags, op);
  const { sql, cols } = expandSql(rel, exps, index, ctx);
  const structs = exps.filter((e) => e.struct);
  const done = finish(ctx.add(sql, cols), out, ctx, structs.map((e) => e.struct!.col));
  const read: Rel = structs.length
    ? { ...done, jsonPaths: new Map(structs.map((e) => [e.name, { col: e.struct!.col, paths: e.struct!.paths, fields: e.struct!.keys, structOnly: true }])) }
    : done;
  return extractPaths(read, exps.filter((e) => !e.struct).map((e) => e.name), ctx);
}

