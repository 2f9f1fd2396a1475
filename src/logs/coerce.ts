// Turns one incoming value (from the sign-in pipeline or an import file) into the text DuckDB's
// appender casts into the column type. Appending VARCHAR and letting DuckDB cast keeps one code
// path for every type; values that cannot be coerced raise a CoerceError naming the reason.
import type { LogColumnType } from './tables.generated.ts';

export class CoerceError extends Error {
  override readonly name = 'CoerceError';
}

/** `null` means SQL NULL. */
export function coerceValue(type: LogColumnType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
    case 'guid':
      // The documented quirk: some JSON columns are `string` in one table (e.g.
      // AADNonInteractiveUserSignInLogs.ConditionalAccessPolicies) and `dynamic` in another, so a
      // producer may hand us an object for a string column. Store its JSON text, as Log Analytics does.
      if (typeof value === 'string') return value;
      if (typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
      if (value instanceof Date) return value.toISOString();
      return String(value);
    case 'datetime':
      return coerceDatetime(value);
    case 'bool':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      if (value === 1 || value === 0) return value === 1 ? 'true' : 'false';
      if (typeof value === 'string') {
        const v = value.trim().toLowerCase();
        if (v === '') return null;
        if (v === 'true' || v === '1') return 'true';
        if (v === 'false' || v === '0') return 'false';
      }
      throw new CoerceError(`expected a bool, got ${preview(value)}`);
    case 'int':
    case 'long':
      return coerceInteger(type, value);
    case 'real': {
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
      if (typeof value === 'string') {
        if (value.trim() === '') return null;
        const n = Number(value);
        if (!Number.isNaN(n)) return String(n);
      }
      throw new CoerceError(`expected a real number, got ${preview(value)}`);
    }
    case 'dynamic':
      return coerceDynamic(value);
  }
}

function coerceInteger(type: 'int' | 'long', value: unknown): string | null {
  let text: string;
  if (typeof value === 'number' && Number.isInteger(value)) text = String(value);
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) text = value.trim();
  else if (typeof value === 'string' && value.trim() === '') return null;
  else throw new CoerceError(`expected an integer, got ${preview(value)}`);
  const big = BigInt(text);
  const limit = type === 'int' ? 2n ** 31n : 2n ** 63n;
  if (big >= limit || big < -limit) throw new CoerceError(`${text} is out of range for ${type}`);
  return text;
}

function coerceDynamic(value: unknown): string | null {
  if (typeof value === 'string') {
    // A dynamic value delivered as JSON text (CSV exports, JSON-lines files that stringify objects).
    const t = value.trim();
    if (t === '') return null;
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return JSON.stringify(JSON.parse(t));
      } catch {
        throw new CoerceError(`invalid JSON in a dynamic column: ${preview(value)}`);
      }
    }
    return JSON.stringify(value);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

const isoNoZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
// Log Analytics portal CSV export: "4/19/2021, 12:13:19.483 PM" (UTC, as the "[UTC]" header says).
const portalCsv = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(\.\d+)? ?(AM|PM)$/i;

export function coerceDatetime(value: unknown): string | null {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const v = value.trim();
    if (v === '') return null;
    const m = portalCsv.exec(v);
    if (m) {
      let hour = Number(m[4]) % 12;
      if (m[8]!.toUpperCase() === 'PM') hour += 12;
      const frac = m[7] ? Number(m[7]) * 1000 : 0;
      ms = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6])) + frac;
    } else {
      // Log Analytics datetimes are UTC; an ISO string without a zone is UTC, not local time.
      ms = Date.parse(isoNoZone.test(v) ? `${v.replace(' ', 'T')}Z` : v);
    }
  } else throw new CoerceError(`expected a datetime, got ${preview(value)}`);
  if (Number.isNaN(ms)) throw new CoerceError(`expected a datetime, got ${preview(value)}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function preview(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
