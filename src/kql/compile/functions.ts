// Scalar functions. Each follows the Kusto function reference
// (https://learn.microsoft.com/kusto/query/scalar-functions); where DuckDB differs, the SQL says why.
import { nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { kustoType, listItems, sqlString } from './context.ts';
import type { Env, KType } from './context.ts';
import { callUserFunction } from './user-functions.ts';
import { formatDatetimeSql } from './format-datetime.ts';
import { scalar } from './scalar.ts';
import { seriesOutliers, seriesSeasonal } from './series.ts';
import { asDynamic, asNumber, asString, convert, timestampLiteral, wrapDynamic } from './values.ts';
import type { Sql } from './values.ts';

type Fn = (args: KNode[], env: Env, type: KType, node: KNode) => string;

const str = (n: KNode, env: Env): string => asString(scalar(n, env));
const dyn = (n: KNode, env: Env): string => asDynamic(scalar(n, env));
const wrap = (n: KNode, env: Env): string => wrapDynamic(scalar(n, env));
const num = (n: KNode, env: Env): string => asNumber(scalar(n, env), 'DOUBLE');
const as = (n: KNode, env: Env, t: KType): string => convert(scalar(n, env), t);

function isEmpty(n: KNode, env: Env): string {
  const e = scalar(n, env);
  if (e.type === 'string') return `(${e.sql} = '')`;
  return `(${e.sql} IS NULL OR ${asString(e)} = '')`;
}

function caseSql(pairs: [string, string][], otherwise: string): string {
  return `CASE ${pairs.map(([c, v]) => `WHEN ${c} THEN ${v}`).join(' ')} ELSE ${otherwise} END`;
}

const functions: Record<string, Fn> = {
  tostring: ([a], env) => str(a, env),
  toguid: ([a], env) => str(a, env),
  toint: ([a], env) => asNumber(scalar(a, env), 'INTEGER'),
  tolong: ([a], env) => asNumber(scalar(a, env), 'BIGINT'),
  toreal: ([a], env) => num(a, env),
  todouble: ([a], env) => num(a, env),
  todecimal: ([a], env) => num(a, env),
  tobool: ([a], env) => as(a, env, 'bool'),
  toboolean: ([a], env) => as(a, env, 'bool'),
  todatetime: ([a], env) => as(a, env, 'datetime'),
  totimespan: ([a], env) => {
    const e = scalar(a, env);
    if (e.type === 'timespan') return e.sql;
    return env.ctx.fail('UnsupportedFunction', `totimespan() of a ${e.type} is not supported`, a);
  },
  todynamic: ([a], env) => dyn(a, env),
  toobject: ([a], env) => dyn(a, env),
  parse_json: ([a], env) => dyn(a, env),
  parsejson: ([a], env) => dyn(a, env),
  tolower: ([a], env) => `lower(${str(a, env)})`,
  toupper: ([a], env) => `upper(${str(a, env)})`,
  isempty: ([a], env) => isEmpty(a, env),
  isnotempty: ([a], env) => `(NOT ${isEmpty(a, env)})`,
  isnull: ([a], env) => {
    const e = scalar(a, env);
    return e.type === 'string' ? 'false' : e.type === 'dynamic' ? `(${e.sql} IS NULL OR json_type(${e.sql}) = 'NULL')` : `(${e.sql} IS NULL)`;
  },
  isnotnull: ([a], env) => {
    const e = scalar(a, env);
    return e.type === 'string' ? 'true' : e.type === 'dynamic' ? `(${e.sql} IS NOT NULL AND json_type(${e.sql}) <> 'NULL')` : `(${e.sql} IS NOT NULL)`;
  },
  iff: ([c, a, b], env, t) => caseSql([[`COALESCE(${as(c, env, 'bool')}, false)`, as(a, env, t)]], as(b, env, t)),
  iif: (args, env, t) => functions.iff!(args, env, t, undefined),
  case: (args, env, t) => {
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < args.length; i += 2) pairs.push([`COALESCE(${as(args[i], env, 'bool')}, false)`, as(args[i + 1], env, t)]);
    return caseSql(pairs, as(args[args.length - 1], env, t));
  },
  not: ([a], env) => `(NOT ${as(a, env, 'bool')})`,
  now: (args, env) => (args.length ? `(${timestampLiteral(env.ctx.now)} + ${scalar(args[0], env).sql})` : timestampLiteral(env.ctx.now)),
  ago: ([a], env) => `(${timestampLiteral(env.ctx.now)} - ${scalar(a, env).sql})`,
  bin: binFn,
  floor: binFn,
  startofday: ([a], env) => `date_trunc('day', ${as(a, env, 'datetime')})`,
  startofmonth: ([a], env) => `date_trunc('month', ${as(a, env, 'datetime')})`,
  startofweek: ([a], env) => `(date_trunc('week', ${as(a, env, 'datetime')} + INTERVAL 1 DAY) - INTERVAL 1 DAY)`, // Kusto weeks start on Sunday
  endofday: ([a], env) => `(date_trunc('day', ${as(a, env, 'datetime')}) + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND)`,
  datetime_diff: ([p, a, b], env) => `date_diff(${partOf(p, env)}, ${as(b, env, 'datetime')}, ${as(a, env, 'datetime')})`,
  datetime_part: ([p, a], env) => `date_part(${partOf(p, env)}, ${as(a, env, 'datetime')})`,
  format_datetime: ([a, f], env, _t, node) => formatDatetimeSql(as(a, env, 'datetime'), String(f.ConstantValue ?? env.ctx.fail('UnsupportedFunction', 'format_datetime needs a constant format', node))),
  strcat: (args, env) => (args.length ? `(${args.map((a) => str(a, env)).join(' || ')})` : "''"),
  strcat_delim: ([d, ...rest], env) => `concat_ws(${str(d, env)}, ${rest.map((a) => str(a, env)).join(', ')})`,
  strlen: ([a], env) => `CAST(length(${str(a, env)}) AS BIGINT)`,
  substring: ([s, start, len], env) => `substring(${str(s, env)}, CAST(${num(start, env)} AS BIGINT) + 1${len ? `, CAST(${num(len, env)} AS BIGINT)` : ''})`,
  indexof: ([s, l], env) => `CAST(strpos(${str(s, env)}, ${str(l, env)}) - 1 AS BIGINT)`,
  replace_string: ([s, a, b], env) => `replace(${str(s, env)}, ${str(a, env)}, ${str(b, env)})`,
  replace: ([re, rw, s], env) => `regexp_replace(${str(s, env)}, ${str(re, env)}, ${str(rw, env)}, 'g')`,
  replace_regex: ([s, re, rw], env) => `regexp_replace(${str(s, env)}, ${str(re, env)}, ${str(rw, env)}, 'g')`,
  trim: ([re, s], env) => `regexp_replace(${str(s, env)}, '^(' || ${str(re, env)} || ')+|(' || ${str(re, env)} || ')+$', '', 'g')`,
  trim_start: ([re, s], env) => `regexp_replace(${str(s, env)}, '^(' || ${str(re, env)} || ')+', '')`,
  trim_end: ([re, s], env) => `regexp_replace(${str(s, env)}, '(' || ${str(re, env)} || ')+$', '')`,
  countof: ([s, sub], env) => `CAST((length(${str(s, env)}) - length(replace(${str(s, env)}, ${str(sub, env)}, ''))) // greatest(length(${str(sub, env)}), 1) AS BIGINT)`,
  split: ([s, d, i], env) => {
    const arr = `to_json(string_split(${str(s, env)}, ${str(d, env)}))`;
    return i ? `to_json([json_extract(${arr}, '$[' || CAST(${num(i, env)} AS BIGINT) || ']')])` : arr;
  },
  extract: ([re, g, s, typ], env, t) => {
    const text = `NULLIF(regexp_extract(${str(s, env)}, ${str(re, env)}, CAST(${num(g, env)} AS INTEGER)), '')`;
    return typ ? convert({ sql: text, type: 'string' }, t) : `COALESCE(${text}, '')`;
  },
  extract_json: extractJson,
  extractjson: extractJson,
  array_length: ([a], env) => {
    const d = dyn(a, env);
    return `CASE WHEN json_type(${d}) = 'ARRAY' THEN CAST(json_array_length(${d}) AS BIGINT) END`;
  },
  bag_keys: ([a], env) => {
    const d = dyn(a, env);
    return `CASE WHEN json_type(${d}) = 'OBJECT' THEN to_json(json_keys(${d})) END`;
  },
  pack_array: (args, env) => `json_array(${args.map((a) => wrap(a, env)).join(', ')})`,
  pack: packFn,
  bag_pack: packFn,
  pack_dictionary: packFn,
  set_has_element: ([arr, v], env) => `list_contains(CAST(${dyn(arr, env)} AS JSON[]), ${wrap(v, env)})`,
  coalesce: (args, env, t) =>
    t === 'string'
      ? `COALESCE(${args.map((a) => `NULLIF(${str(a, env)}, '')`).join(', ')}, '')` // "first non-empty" for strings
      : `COALESCE(${args.map((a) => as(a, env, t)).join(', ')})`,
  round: ([a, p], env) => `round(${num(a, env)}, ${p ? `CAST(${num(p, env)} AS INTEGER)` : '0'})`,
  abs: ([a], env, t) => `abs(${as(a, env, t)})`,
  sqrt: ([a], env) => `sqrt(${num(a, env)})`,
  log: ([a], env) => `ln(${num(a, env)})`,
  log10: ([a], env) => `log10(${num(a, env)})`,
  exp: ([a], env) => `exp(${num(a, env)})`,
  pow: ([a, b], env) => `pow(${num(a, env)}, ${num(b, env)})`,
  ceiling: ([a], env) => `ceil(${num(a, env)})`,
  max_of: (args, env, t) => `greatest(${args.map((a) => as(a, env, t)).join(', ')})`,
  min_of: (args, env, t) => `least(${args.map((a) => as(a, env, t)).join(', ')})`,
  column_ifexists: ([name, dflt], env, t) => {
    const col = String(name.ConstantValue);
    const ref = env.col(col);
    return ref ? convert({ sql: ref, type: env.colType?.(col) ?? t }, t) : as(dflt, env, t);
  },
  columnifexists: (args, env, t, node) => functions.column_ifexists!(args, env, t, node),
  strrep: ([s, n], env) => `repeat(${str(s, env)}, CAST(${num(n, env)} AS BIGINT))`,
  reverse: ([s], env) => `reverse(${str(s, env)})`,
  hash_sha256: ([s], env) => `sha256(${str(s, env)})`,
  series_seasonal: (_args, env, _t, node) => seriesSeasonal(node, env),
  series_outliers: (_args, env, _t, node) => seriesOutliers(node, env),
  base64_decode_tostring: ([s], env) => `COALESCE(TRY(decode(from_base64(${str(s, env)}))), '')`,
};

function binFn([a, size]: KNode[], env: Env, t: KType): string {
  const v = scalar(a, env);
  const s = scalar(size, env);
  if (v.type === 'datetime') {
    // Kusto bins datetimes from 0001-01-01 (a Monday), so 7d bins start on Mondays.
    return `time_bucket(${s.sql}, ${v.sql}, TIMESTAMP '0001-01-01')`;
  }
  if (v.type === 'timespan') return `to_microseconds(CAST(floor(epoch_us(TIMESTAMP '1970-01-01' + ${v.sql}) / epoch_us(TIMESTAMP '1970-01-01' + ${s.sql})) * epoch_us(TIMESTAMP '1970-01-01' + ${s.sql}) AS BIGINT))`;
  const expr = `(floor(${asNumber(v, 'DOUBLE')} / ${asNumber(s, 'DOUBLE')}) * ${asNumber(s, 'DOUBLE')})`;
  return convert({ sql: expr, type: 'real' }, t);
}

function packFn(args: KNode[], env: Env): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) parts.push(`${str(args[i], env)}, ${wrap(args[i + 1], env)}`);
  return `json_object(${parts.join(', ')})`;
}

function extractJson([path, json]: KNode[], env: Env, t: KType): string {
  const v: Sql = { sql: `json_extract(${dyn(json, env)}, ${str(path, env)})`, type: 'dynamic' };
  return convert(v, t);
}

function partOf(p: KNode, env: Env): string {
  const part = String(p.ConstantValue ?? (p.SimpleName as string | undefined) ?? nodeText(p)).toLowerCase().replace(/['"]/g, '');
  const map: Record<string, string> = { year: 'year', quarter: 'quarter', month: 'month', week: 'week', weekofyear: 'week', day: 'day', dayofyear: 'doy', hour: 'hour', minute: 'minute', second: 'second', millisecond: 'millisecond', microsecond: 'microsecond' };
  const m = map[part];
  if (!m) return env.ctx.fail('UnsupportedFunction', `datetime part '${part}' is not supported`, p);
  return sqlString(m);
}

export function callFunction(node: KNode, env: Env): Sql {
  const name = String(node.Name.SimpleName);
  const type = kustoType(node, env.ctx);
  const b = env.ctx.lookup(name);
  if (b?.kind === 'function') return callUserFunction(node, env, b.decl);
  const args = listItems(node.ArgumentList.Expressions);
  const fn = functions[name];
  if (!fn) {
    if (node.IsConstant && node.ConstantValue !== null && node.ConstantValue !== undefined) {
      return { sql: typeof node.ConstantValue === 'string' ? sqlString(node.ConstantValue) : String(node.ConstantValue), type };
    }
    return env.ctx.fail('UnsupportedFunction', `the function ${name}() is not supported by Tessera's KQL engine`, node);
  }
  return { sql: fn(args, env, type, node), type };
}

