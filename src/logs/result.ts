// Converts a DuckDB result into plain JSON-friendly rows: TIMESTAMP → ISO-8601 string with `Z`
// (Log Analytics datetimes are UTC), BIGINT → number when it fits, else decimal string.
import type { DuckDBResultReader } from '@duckdb/node-api';

export type SqlParam = string | number | bigint | boolean | Date | null;

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export function toQueryResult(reader: DuckDBResultReader): QueryResult {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = names.map((name, i) => ({ name, type: types[i]!.toString() }));
  const rows = reader.getRowsJS().map((r) => r.map(plain));
  return { columns, rows };
}

export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = plain(x);
    return o;
  }
  return v;
}
