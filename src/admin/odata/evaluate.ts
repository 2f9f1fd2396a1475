/**
 * In-memory evaluation of a bound `$filter`, with the semantics the SQL compiler reproduces:
 * - comparisons are two-valued (OData 4.01 §5.1.1.1): `null eq null` is true, `x eq null` false for a
 *   non-null x, `ne` the negation of `eq`, and `gt/ge/lt/le` with a null operand false;
 * - string, guid and enum values compare case-insensitively (Entra ID's behaviour for directory
 *   properties, e.g. `userPrincipalName eq 'ADELE@CONTOSO.COM'` matches), ordered by code point;
 * - DateTimeOffset compares as an instant, whatever offset either side was written with.
 */
import type { CompareOp, FilterExpr, LiteralValue, OrderByItem, ScalarType, Target } from './types.ts';
import { isTextual } from './types.ts';

export type Row = Readonly<Record<string, unknown>>;

/** Case folding used for every textual comparison. SQL backends use `lower()`; see `installSqliteFunctions`. */
export function foldCase(s: string): string {
  return s.toLowerCase();
}

/** Code-point order (what SQLite's BINARY collation and PostgreSQL's "C" collation give on UTF-8). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

/** Reads `a/b/c` from a nested object; missing steps are null. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur ?? null;
}

type Comparable = string | number | boolean | null;

/** Normalises a stored or literal value to something `compare` can order; values of the wrong type count as null. */
function normalize(v: unknown, type: ScalarType): Comparable {
  if (v === null || v === undefined) return null;
  if (isTextual(type)) return typeof v === 'string' ? foldCase(v) : null;
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'int':
    case 'double':
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    case 'dateTime': {
      // Graph objects carry ISO strings; Date objects and epoch milliseconds are accepted too.
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
      return Number.isFinite(ms) ? ms : null;
    }
    default:
      return null;
  }
}

function order(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return NaN;
}

function compare(op: CompareOp, actual: Comparable, literal: Comparable): boolean {
  if (actual === null || literal === null) {
    if (op === 'eq') return actual === literal;
    if (op === 'ne') return actual !== literal;
    return false;
  }
  const c = order(actual, literal);
  if (Number.isNaN(c)) return op === 'ne';
  switch (op) {
    case 'eq': return c === 0;
    case 'ne': return c !== 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
    case 'lt': return c < 0;
    case 'le': return c <= 0;
  }
}

function read(target: Target, row: unknown, element: unknown): Comparable {
  const raw =
    target.kind === 'property' ? getPath(row, target.path)
    : target.field === undefined ? element
    : getPath(element, target.field);
  return normalize(raw, target.type);
}

function literal(v: LiteralValue, type: ScalarType): Comparable {
  return normalize(v, type);
}

function evalExpr(e: FilterExpr, row: unknown, element: unknown): boolean {
  switch (e.kind) {
    case 'and': return evalExpr(e.left, row, element) && evalExpr(e.right, row, element);
    case 'or': return evalExpr(e.left, row, element) || evalExpr(e.right, row, element);
    case 'not': return !evalExpr(e.operand, row, element);
    case 'compare': return compare(e.op, read(e.target, row, element), literal(e.value, e.target.type));
    case 'in': {
      const v = read(e.target, row, element);
      return e.values.some((x) => compare('eq', v, literal(x, e.target.type)));
    }
    case 'function': {
      const v = read(e.target, row, element);
      if (typeof v !== 'string') return false;
      const needle = foldCase(e.value);
      if (e.name === 'startswith') return v.startsWith(needle);
      if (e.name === 'endswith') return v.endsWith(needle);
      return v.includes(needle);
    }
    case 'lambda': {
      const coll = getPath(row, e.collection);
      const items = Array.isArray(coll) ? coll : [];
      const pred = e.predicate;
      if (pred === null) return items.length > 0;
      return e.op === 'any' ? items.some((x) => evalExpr(pred, row, x)) : items.every((x) => evalExpr(pred, row, x));
    }
  }
}

/** True when `row` satisfies `filter` (an absent filter matches everything). */
export function matches(row: Row, filter: FilterExpr | undefined): boolean {
  return filter === undefined || evalExpr(filter, row, undefined);
}

/**
 * Comparator for `$orderby`: nulls first ascending / last descending (OData 4.01 §5.1.1.1 orders null
 * below every value), textual values case-insensitively, ties broken by `id` so pages are stable.
 */
export function compareRows(orderby: readonly OrderByItem[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const o of orderby) {
      const x = normalize(getPath(a, o.path), o.type);
      const y = normalize(getPath(b, o.path), o.type);
      let c: number;
      if (x === null || y === null) c = x === y ? 0 : x === null ? -1 : 1;
      else c = order(x, y) || 0;
      if (c !== 0) return o.direction === 'asc' ? c : -c;
    }
    const ia = typeof a['id'] === 'string' ? a['id'] : '';
    const ib = typeof b['id'] === 'string' ? b['id'] : '';
    return compareCodePoints(ia, ib);
  };
}

/** A sorted copy of `rows`. */
export function sortBy<T extends Row>(rows: readonly T[], orderby: readonly OrderByItem[]): T[] {
  return [...rows].sort(compareRows(orderby));
}

/**
 * Keeps the `$select`ed top-level properties (an absent or empty select keeps the object whole).
 * Selected properties the object lacks come back as null, as Graph returns them.
 */
export function applySelect<T extends Row>(row: T, select: readonly string[] | undefined): Record<string, unknown> {
  if (!select || select.length === 0) return { ...row };
  const out: Record<string, unknown> = {};
  for (const p of select) out[p] = row[p] ?? null;
  return out;
}
