// SQL fragments for Kusto's value conversions. Kusto strings are never null (a missing string is
// ""), dynamic values are JSON, datetimes are UTC TIMESTAMPs and timespans are INTERVALs.
import type { KType } from './context.ts';
import { sqlString } from './context.ts';

export interface Sql {
  sql: string;
  type: KType;
  /** Set when `sql` is `json_extract(base, path)`, so tostring() can read the text in one call. */
  json?: { base: string; path: string };
  /** Set when `sql` is a compact JSON fragment from json_extract (json-paths.ts): only strings need parsing. */
  fragment?: boolean;
}

/** tostring(): https://learn.microsoft.com/kusto/query/tostring-function — null becomes "". */
export function asString(e: Sql): string {
  switch (e.type) {
    case 'string': return e.sql;
    case 'guid': return `COALESCE(${e.sql}, '')`;
    case 'dynamic':
      // A JSON string converts to its text, anything else to its compact JSON serialisation, and
      // null to "" — which is what json_extract_string returns, in a single call.
      if (e.fragment) {
        // json_extract writes values compactly: the text of anything but a string is its tostring().
        // A string without escapes is its text between the quotes; only escapes need the JSON parser.
        const f = e.sql;
        return `CASE WHEN ${f} IS NULL OR ${f} = 'null' THEN '' WHEN starts_with(${f}, '"') THEN CASE WHEN contains(${f}, '\\') THEN json_extract_string(${f}, '$') ELSE substr(${f}, 2, length(${f}) - 2) END ELSE CAST(${f} AS VARCHAR) END`;
      }
      return e.json ? `COALESCE(json_extract_string(${e.json.base}, ${e.json.path}), '')` : `COALESCE(json_extract_string(${e.sql}, '$'), '')`;
    case 'datetime': return `COALESCE(strftime(${e.sql}, '%Y-%m-%dT%H:%M:%S.%f') || '0Z', '')`;
    case 'bool': return `COALESCE(CASE WHEN ${e.sql} THEN 'true' ELSE 'false' END, '')`;
    case 'timespan': return `COALESCE(${timespanText(e.sql)}, '')`;
    default: return `COALESCE(CAST(${e.sql} AS VARCHAR), '')`;
  }
}

/** Kusto's timespan text: [-][d.]hh:mm:ss[.fffffff] */
function timespanText(sql: string): string {
  const us = `CAST(epoch_us(TIMESTAMP '1970-01-01' + ${sql}) AS BIGINT)`;
  return `(SELECT CASE WHEN u < 0 THEN '-' ELSE '' END || CASE WHEN abs(u) >= 86400000000 THEN CAST(abs(u) // 86400000000 AS VARCHAR) || '.' ELSE '' END || lpad(CAST(abs(u) // 3600000000 % 24 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(u) // 60000000 % 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(u) // 1000000 % 60 AS VARCHAR), 2, '0') || CASE WHEN abs(u) % 1000000 <> 0 THEN '.' || lpad(CAST(abs(u) % 1000000 AS VARCHAR), 6, '0') || '0' ELSE '' END FROM (SELECT ${us} AS u))`;
}

/** todynamic(): any value as JSON. A string is parsed; text that is not JSON stays a JSON string. */
export function asDynamic(e: Sql): string {
  switch (e.type) {
    case 'dynamic': return e.sql;
    case 'string':
      // parse_json: text that is not JSON stays a JSON string; one parse per value.
      return `CASE WHEN ${e.sql} = '' THEN NULL ELSE COALESCE(TRY(json(${e.sql})), to_json(${e.sql})) END`;
    case 'datetime': return `to_json(${asString(e)})`;
    case 'timespan': return `to_json(${asString(e)})`;
    default: return `to_json(${e.sql})`;
  }
}

/** A value as a dynamic *without* parsing strings (pack_array("1") holds the string "1"). */
export function wrapDynamic(e: Sql): string {
  return e.type === 'string' || e.type === 'guid' ? `to_json(${e.sql})` : asDynamic(e);
}

export function asNumber(e: Sql, target: 'BIGINT' | 'INTEGER' | 'DOUBLE'): string {
  switch (e.type) {
    // A dynamic real converts like a real: toint/tolong truncate toward zero (DuckDB's cast rounds).
    case 'dynamic': return target === 'DOUBLE'
      ? `TRY_CAST(json_extract_string(${e.sql}, '$') AS DOUBLE)`
      : `CASE WHEN json_type(${e.sql}) = 'DOUBLE' THEN TRY_CAST(trunc(TRY_CAST(json_extract_string(${e.sql}, '$') AS DOUBLE)) AS ${target}) ELSE TRY_CAST(json_extract_string(${e.sql}, '$') AS ${target}) END`;
    case 'string': return `TRY_CAST(NULLIF(trim(${e.sql}), '') AS ${target})`;
    case 'bool': return `CAST(${e.sql} AS ${target})`;
    case 'datetime': return target === 'DOUBLE' ? `CAST(epoch_us(${e.sql}) * 10 + 621355968000000000 AS DOUBLE)` : `(epoch_us(${e.sql}) * 10 + 621355968000000000)`;
    case 'timespan': return `CAST(epoch_us(TIMESTAMP '1970-01-01' + ${e.sql}) * 10 AS ${target})`;
    default: return target === 'DOUBLE' ? `CAST(${e.sql} AS DOUBLE)` : `CAST(trunc(${e.sql}) AS ${target})`;
  }
}

export function asDatetime(e: Sql): string {
  switch (e.type) {
    case 'datetime': return e.sql;
    case 'dynamic': return `TRY_CAST(json_extract_string(${e.sql}, '$') AS TIMESTAMPTZ)::TIMESTAMP`;
    case 'string': return `TRY_CAST(NULLIF(${e.sql}, '') AS TIMESTAMPTZ)::TIMESTAMP`;
    default: return `NULL::TIMESTAMP`;
  }
}

export function asBool(e: Sql): string {
  switch (e.type) {
    case 'bool': return e.sql;
    case 'dynamic': return `TRY_CAST(json_extract_string(${e.sql}, '$') AS BOOLEAN)`;
    case 'string': return `TRY_CAST(NULLIF(${e.sql}, '') AS BOOLEAN)`;
    default: return `(${e.sql} <> 0)`;
  }
}

/** Converts `e` to `t` (the type the Kusto binder gave the result). */
export function convert(e: Sql, t: KType): string {
  if (e.type === t) return e.sql;
  switch (t) {
    case 'string': return asString(e);
    case 'dynamic': return asDynamic(e);
    case 'long': return asNumber(e, 'BIGINT');
    case 'int': return asNumber(e, 'INTEGER');
    case 'real': case 'decimal': return asNumber(e, 'DOUBLE');
    case 'datetime': return asDatetime(e);
    case 'bool': return asBool(e);
    case 'guid': return asString(e);
    case 'timespan': return e.sql;
  }
}

export function isNumeric(t: KType): boolean {
  return t === 'long' || t === 'int' || t === 'real' || t === 'decimal';
}

/** DuckDB column type used to materialise a Kusto type. */
export function sqlTypeOf(t: KType): string {
  switch (t) {
    case 'string': case 'guid': return 'VARCHAR';
    case 'long': return 'BIGINT';
    case 'int': return 'INTEGER';
    case 'real': case 'decimal': return 'DOUBLE';
    case 'bool': return 'BOOLEAN';
    case 'datetime': return 'TIMESTAMP';
    case 'timespan': return 'INTERVAL';
    case 'dynamic': return 'JSON';
  }
}

export function literalString(s: string): Sql {
  return { sql: sqlString(s), type: 'string' };
}

/** Microseconds as a DuckDB INTERVAL. */
export function intervalMicros(us: number): string {
  return `to_microseconds(CAST(${Math.round(us)} AS BIGINT))`;
}

export function timestampLiteral(d: Date): string {
  return `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

const unitMicros: Record<string, number> = {
  d: 86_400e6, day: 86_400e6, days: 86_400e6,
  h: 3_600e6, hr: 3_600e6, hrs: 3_600e6, hour: 3_600e6, hours: 3_600e6,
  m: 60e6, min: 60e6, minute: 60e6, minutes: 60e6,
  s: 1e6, sec: 1e6, second: 1e6, seconds: 1e6,
  ms: 1e3, milli: 1e3, millis: 1e3, millisecond: 1e3, milliseconds: 1e3,
  microsecond: 1, microseconds: 1, tick: 0.1, ticks: 0.1,
};

/** Parses a KQL timespan literal (`7d`, `1.5h`, `time(1.02:03:04)`) into microseconds. */
export function parseTimespanLiteral(text: string): number | undefined {
  let t = text.trim();
  const wrapped = /^(?:time|timespan)\((.*)\)$/i.exec(t);
  if (wrapped) t = wrapped[1]!.trim();
  const m = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(t);
  if (m) {
    const unit = unitMicros[m[2]!.toLowerCase()];
    return unit === undefined ? undefined : Number(m[1]) * unit;
  }
  const c = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(t);
  if (c) {
    const us = ((Number(c[2] ?? 0) * 24 + Number(c[3])) * 3600 + Number(c[4]) * 60 + Number(c[5] ?? 0) + Number(c[6] ?? 0)) * 1e6;
    return c[1] ? -us : us;
  }
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 86_400e6; // a bare number of days
  return undefined;
}
