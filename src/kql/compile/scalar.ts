// Scalar expressions: literals, names, dynamic access and KQL's operators with KQL semantics
// (https://learn.microsoft.com/kusto/query/datatypes-string-operators): `==` is case-sensitive,
// `=~`/`contains`/`has`/`startswith` ignore case, `has` matches whole terms (maximal runs of ASCII
// alphanumerics), and a dynamic operand is compared through its string (or numeric) value.
import { coerceDatetime } from '../../logs/coerce.ts';
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { kustoType, listItems, q, sqlString } from './context.ts';
import type { Env, KType } from './context.ts';
import { callFunction } from './functions.ts';
import { compileInList } from './in-list.ts';
import { constantPath } from './json-paths.ts';
import { hasTerm } from './terms.ts';
import { tabular } from './tabular.ts';
import { asDynamic, asNumber, asString, convert, intervalMicros, isNumeric, parseTimespanLiteral } from './values.ts';
import type { Sql } from './values.ts';

export function scalar(node: KNode, env: Env): Sql {
  const k = kindOf(node);
  const ctx = env.ctx;
  switch (k) {
    case 'ParenthesizedExpression': {
      const inner = scalar(node.Expression, env);
      return { sql: `(${inner.sql})`, type: inner.type };
    }
    case 'StringLiteralExpression':
    case 'CompoundStringLiteralExpression':
      return { sql: sqlString(String(node.LiteralValue ?? node.ConstantValue ?? '')), type: 'string' };
    case 'LongLiteralExpression':
    case 'IntLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
    case 'BooleanLiteralExpression':
    case 'DateTimeLiteralExpression':
    case 'TimespanLiteralExpression':
    case 'GuidLiteralExpression':
    case 'NullLiteralExpression':
      return literal(node, env);
    case 'DynamicExpression':
      return { sql: `json(${sqlString(dynamicLiteralText(node, env))})`, type: 'dynamic' };
    case 'NameReference':
      return nameRef(node, env);
    case 'PathExpression':
    case 'ElementExpression':
      return access(node, env);
    case 'FunctionCallExpression':
      if (String(node.Name?.SimpleName) === 'toscalar') return toScalar(listItems(node.ArgumentList.Expressions)[0], env);
      return callFunction(node, env);
    case 'ToScalarExpression':
      return toScalar(node.Expression, env);
    case 'UnaryMinusExpression': {
      const e = scalar(node.Expression, env);
      return { sql: `(-${e.sql})`, type: e.type };
    }
    case 'UnaryPlusExpression':
      return scalar(node.Expression, env);
    case 'AndExpression':
    case 'OrExpression': {
      const l = scalar(node.Left, env);
      const r = scalar(node.Right, env);
      return { sql: `(${convert(l, 'bool')} ${k === 'AndExpression' ? 'AND' : 'OR'} ${convert(r, 'bool')})`, type: 'bool' };
    }
    case 'AddExpression': case 'SubtractExpression': case 'MultiplyExpression':
    case 'DivideExpression': case 'ModuloExpression':
      return arithmetic(node, env, k);
    case 'EqualExpression': case 'NotEqualExpression': case 'LessThanExpression':
    case 'LessThanOrEqualExpression': case 'GreaterThanExpression': case 'GreaterThanOrEqualExpression':
      return comparison(node, env, k);
    case 'EqualTildeExpression':
    case 'BangTildeExpression': {
      const l = asString(scalar(node.Left, env));
      const r = asString(scalar(node.Right, env));
      return { sql: `(lower(${l}) ${k === 'EqualTildeExpression' ? '=' : '<>'} lower(${r}))`, type: 'bool' };
    }
    case 'HasExpression': case 'NotHasExpression': case 'HasCsExpression': case 'NotHasCsExpression': {
      const neg = k.startsWith('Not');
      const test = hasTerm(asString(scalar(node.Left, env)), scalar(node.Right, env), !k.includes('Cs'));
      return { sql: neg ? `(NOT ${test})` : test, type: 'bool' };
    }
    case 'HasAnyExpression':
      return compileInList(node, env, 'has_any');
    case 'HasAllExpression':
      return compileInList(node, env, 'has_all');
    case 'InExpression': case 'NotInExpression': case 'InCsExpression': case 'NotInCsExpression':
      return compileInList(node, env, k);
    case 'ContainsExpression': case 'NotContainsExpression': case 'ContainsCsExpression': case 'NotContainsCsExpression':
    case 'StartsWithExpression': case 'NotStartsWithExpression': case 'StartsWithCsExpression': case 'NotStartsWithCsExpression':
    case 'EndsWithExpression': case 'NotEndsWithExpression': case 'EndsWithCsExpression': case 'NotEndsWithCsExpression':
    case 'HasPrefixExpression': case 'NotHasPrefixExpression': case 'HasSuffixExpression': case 'NotHasSuffixExpression':
      return substringOp(node, env, k);
    case 'MatchesRegexExpression': {
      const l = asString(scalar(node.Left, env));
      const r = asString(scalar(node.Right, env));
      return { sql: `regexp_matches(${l}, ${r})`, type: 'bool' };
    }
    case 'BetweenExpression':
    case 'NotBetweenExpression':
      return between(node, env, k === 'NotBetweenExpression');
    default:
      return ctx.unsupported(node, `the expression ${k}`);
  }
}

function literal(node: KNode, env: Env): Sql {
  const k = kindOf(node);
  const text = nodeText(node).trim();
  const type = kustoType(node, env.ctx);
  if (/\(\s*null\s*\)$/i.test(text) || k === 'NullLiteralExpression') return { sql: `NULL::${nullType(type)}`, type };
  switch (k) {
    case 'BooleanLiteralExpression':
      return { sql: /true/i.test(text) ? 'true' : 'false', type: 'bool' };
    case 'DateTimeLiteralExpression': {
      const inner = /^datetime\((.*)\)$/is.exec(text)?.[1] ?? text;
      let iso: string | null;
      try {
        iso = coerceDatetime(inner.trim());
      } catch {
        return env.ctx.fail('SyntaxError', `cannot read the datetime literal ${text}`, node);
      }
      return { sql: iso === null ? 'NULL::TIMESTAMP' : `TIMESTAMP '${iso}'`, type: 'datetime' };
    }
    case 'TimespanLiteralExpression': {
      const us = parseTimespanLiteral(text);
      if (us === undefined) return env.ctx.fail('UnsupportedExpression', `the timespan literal ${text} is not supported`, node);
      return { sql: intervalMicros(us), type: 'timespan' };
    }
    case 'GuidLiteralExpression': {
      const inner = /^guid\((.*)\)$/is.exec(text)?.[1] ?? text;
      return { sql: sqlString(inner.trim()), type: 'guid' };
    }
    default: {
      const v = String(node.ConstantValue ?? node.LiteralValue);
      const num = Number(v.replace(/^(int|long|real|double|decimal)\((.*)\)$/i, '$2'));
      if (Number.isNaN(num)) return env.ctx.fail('UnsupportedExpression', `cannot read the number ${text}`, node);
      if (type === 'real' || type === 'decimal') return { sql: `CAST(${num} AS DOUBLE)`, type };
      return { sql: type === 'int' ? `CAST(${num} AS INTEGER)` : `CAST(${num} AS BIGINT)`, type };
    }
  }
}

function nullType(t: KType): string {
  switch (t) {
    case 'long': return 'BIGINT';
    case 'int': return 'INTEGER';
    case 'real': case 'decimal': return 'DOUBLE';
    case 'bool': return 'BOOLEAN';
    case 'datetime': return 'TIMESTAMP';
    case 'timespan': return 'INTERVAL';
    case 'dynamic': return 'JSON';
    default: return 'VARCHAR';
  }
}

/** The text of a `dynamic(...)` literal as JSON: KQL allows JSON plus datetime()/timespan literals. */
function dynamicLiteralText(node: KNode, env: Env): string {
  const text = nodeText(node).trim();
  const inner = /^dynamic\s*\(([\s\S]*)\)$/i.exec(text)?.[1]?.trim() ?? '';
  if (inner === '' || /^null$/i.test(inner)) return 'null';
  try {
    return JSON.stringify(JSON.parse(inner));
  } catch {
    // KQL accepts single-quoted strings in dynamic literals; normalise them.
    const fixed = inner.replace(/'((?:[^'\\]|\\.)*)'/g, (_m, s: string) => JSON.stringify(s.replace(/\\'/g, "'")));
    try {
      return JSON.stringify(JSON.parse(fixed));
    } catch {
      return env.ctx.fail('UnsupportedExpression', `cannot read the dynamic literal ${text.slice(0, 40)}`, node);
    }
  }
}

function nameRef(node: KNode, env: Env): Sql {
  const name = String(node.SimpleName ?? node.Name?.SimpleName);
  const sym = node.ReferencedSymbol;
  const type = kustoType(node, env.ctx);
  if (sym?.Kind === 9) {
    const ref = env.col(name);
    if (ref) return { sql: ref, type };
  }
  const b = env.ctx.lookup(name);
  if (b?.kind === 'scalar') return { sql: b.sql, type: b.type };
  if (sym?.Kind !== 9) {
    const ref = env.col(name);
    if (ref) return { sql: ref, type };
  }
  if (node.IsConstant && node.ConstantValue !== null && node.ConstantValue !== undefined) {
    const v = node.ConstantValue;
    return typeof v === 'string' ? { sql: sqlString(v), type } : { sql: String(v), type };
  }
  return env.ctx.fail('SemanticError', `'${name}' is not available here`, node);
}

/** `x.a`, `x["a"]`, `x[0]` on dynamic values: JSON paths; a missing property is null. */
function access(node: KNode, env: Env): Sql {
  const k = kindOf(node);
  if (kindOf(node.Expression) === 'NameReference' && node.Expression.ReferencedSymbol?.Kind === 6) {
    // $left.X / $right.X inside join conditions are handled by the join compiler.
    return env.ctx.unsupported(node, '$left/$right outside a join condition');
  }
  // A constant path of a column whose hidden column already holds it (json-paths.ts): no second
  // parse of the text — and, for a column read only through its properties, no text at all.
  const name = kindOf(node.Expression) === 'NameReference' && node.Expression.ReferencedSymbol?.Kind === 9 ? String(node.Expression.SimpleName) : undefined;
  const path = constantPath(node);
  const frag = name !== undefined && path !== undefined ? env.jsonPath?.(name, path) : undefined;
  if (frag) return { sql: frag, type: 'dynamic', fragment: true };
  const base = scalar(node.Expression, env);
  const obj = asDynamic(base);
  if (path !== undefined) return { sql: `json_extract(${obj}, ${path})`, type: 'dynamic', json: { base: obj, path } };
  const selExpr = node.Selector.Expression;
  const idx = scalar(selExpr, env);
  if (isNumeric(idx.type)) {
    const n = asNumber(idx, 'BIGINT');
    return { sql: `json_extract(${obj}, CASE WHEN ${n} < 0 THEN '$[#' || ${n} || ']' ELSE '$[' || ${n} || ']' END)`, type: 'dynamic' };
  }
  return { sql: `json_extract(${obj}, '$."' || replace(${asString(idx)}, '"', '\\"') || '"')`, type: 'dynamic' };
}


function arithmetic(node: KNode, env: Env, k: string): Sql {
  const l = scalar(node.Left, env);
  const r = scalar(node.Right, env);
  const type = kustoType(node, env.ctx);
  const op = { AddExpression: '+', SubtractExpression: '-', MultiplyExpression: '*', DivideExpression: '/', ModuloExpression: '%' }[k]!;
  if (type === 'timespan' && (k === 'MultiplyExpression' || k === 'DivideExpression')) {
    const [ts, n] = l.type === 'timespan' ? [l, r] : [r, l];
    const us = `epoch_us(TIMESTAMP '1970-01-01' + ${ts.sql})`;
    return { sql: `to_microseconds(CAST(${us} ${op} ${asNumber(n, 'DOUBLE')} AS BIGINT))`, type };
  }
  if (l.type === 'timespan' && r.type === 'timespan' && k === 'DivideExpression') {
    return { sql: `(epoch_us(TIMESTAMP '1970-01-01' + ${l.sql}) / epoch_us(TIMESTAMP '1970-01-01' + ${r.sql}))`, type: 'real' };
  }
  if (type === 'long' || type === 'int') {
    const ls = convert(l, type);
    const rs = convert(r, type);
    // KQL integer division truncates toward zero.
    if (k === 'DivideExpression') return { sql: `CAST(trunc(${ls} / NULLIF(${rs}, 0)) AS ${type === 'int' ? 'INTEGER' : 'BIGINT'})`, type };
    return { sql: `(${ls} ${op} ${rs})`, type };
  }
  if (type === 'real' || type === 'decimal') {
    return { sql: `(${convert(l, 'real')} ${op} ${k === 'DivideExpression' ? `NULLIF(${convert(r, 'real')}, 0)` : convert(r, 'real')})`, type };
  }
  return { sql: `(${l.sql} ${op} ${r.sql})`, type };
}

function comparison(node: KNode, env: Env, k: string): Sql {
  const op = {
    EqualExpression: '=', NotEqualExpression: '<>', LessThanExpression: '<',
    LessThanOrEqualExpression: '<=', GreaterThanExpression: '>', GreaterThanOrEqualExpression: '>=',
  }[k]!;
  const ls = scalar(node.Left, env);
  const rs = scalar(node.Right, env);
  const [l, r] = unify(ls, rs);
  if (op !== '=' && op !== '<>') return { sql: `(${l} ${op} ${r})`, type: 'bool' };
  // https://learn.microsoft.com/kusto/query/scalar-data-types/null-values: null == x is false and
  // null != x is true for a non-null x; two nulls compare to null. Strings are never null.
  const lNull = mayBeNull(ls, rs, node.Left);
  const rNull = mayBeNull(rs, ls, node.Right);
  if (!lNull && !rNull) return { sql: `(${l} ${op} ${r})`, type: 'bool' };
  if (!lNull || !rNull) return { sql: `COALESCE(${l} ${op} ${r}, ${op === '=' ? 'false' : 'true'})`, type: 'bool' };
  return { sql: `CASE WHEN ${l} IS NULL AND ${r} IS NULL THEN NULL ELSE ${l} IS ${op === '=' ? 'NOT ' : ''}DISTINCT FROM ${r} END`, type: 'bool' };
}

/** Whether an operand can be null once unified with `other` (strings and non-null literals cannot). */
function mayBeNull(e: Sql, other: Sql, node: KNode): boolean {
  if (e.type === 'string') return false;
  if (e.type === 'dynamic' && other.type === 'string') return false; // compared through tostring(), never null
  if (node.IsLiteral && node.ConstantValue !== null && node.ConstantValue !== undefined) return false;
  return true;
}

/** Brings two operands to one comparable SQL type, as Kusto converts a dynamic operand to the other's type. */
export function unify(l: Sql, r: Sql): [string, string] {
  if (l.type === r.type) return [l.sql, r.sql];
  if (isNumeric(l.type) && isNumeric(r.type)) return [l.sql, r.sql];
  const other = l.type === 'dynamic' ? r.type : r.type === 'dynamic' ? l.type : undefined;
  if (other !== undefined && other !== 'dynamic') {
    const t: KType = other === 'guid' ? 'string' : other;
    return [convert(l, t), convert(r, t)];
  }
  if (l.type === 'datetime' || r.type === 'datetime') return [convert(l, 'datetime'), convert(r, 'datetime')];
  if (isNumeric(l.type) && r.type === 'string') return [asNumber(l, 'DOUBLE'), asNumber(r, 'DOUBLE')];
  if (isNumeric(r.type) && l.type === 'string') return [asNumber(l, 'DOUBLE'), asNumber(r, 'DOUBLE')];
  return [asString(l), asString(r)];
}

function substringOp(node: KNode, env: Env, k: string): Sql {
  const neg = k.startsWith('Not');
  const cs = k.includes('Cs');
  let l = asString(scalar(node.Left, env));
  let r = asString(scalar(node.Right, env));
  if (!cs) {
    l = `lower(${l})`;
    r = `lower(${r})`;
  }
  let test: string;
  if (k.includes('Contains')) test = `contains(${l}, ${r})`;
  else if (k.includes('StartsWith')) test = `starts_with(${l}, ${r})`;
  else if (k.includes('EndsWith')) test = `ends_with(${l}, ${r})`;
  else if (k.includes('HasPrefix')) test = `regexp_matches(${l}, '(^|[^0-9a-z])' || regexp_escape(${r}))`;
  else test = `regexp_matches(${l}, regexp_escape(${r}) || '([^0-9a-z]|$)')`;
  return { sql: neg ? `(NOT ${test})` : test, type: 'bool' };
}

function between(node: KNode, env: Env, negate: boolean): Sql {
  const v = scalar(node.Left, env);
  const range = node.Right;
  const lo = scalar(range.First, env);
  let hi = scalar(range.Second, env);
  if (v.type === 'datetime' && hi.type === 'timespan') hi = { sql: `(${convert(lo, 'datetime')} + ${hi.sql})`, type: 'datetime' };
  const [a, b] = unify(v, lo);
  const [, c] = unify(v, hi);
  return { sql: `(${a} ${negate ? 'NOT ' : ''}BETWEEN ${b} AND ${c})`, type: 'bool' };
}

/** toscalar(): the first column of the first row of a tabular expression. */
function toScalar(node: KNode, env: Env): Sql {
  const rel = tabular(node, env.ctx);
  const first = rel.cols[0];
  if (!first) return env.ctx.fail('SemanticError', 'toscalar() of a table without columns', node);
  return { sql: `(SELECT ${q(first.name)} FROM ${rel.from}${rel.order ? ` ORDER BY ${rel.order}` : ''} LIMIT 1)`, type: first.type };
}

