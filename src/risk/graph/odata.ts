/**
 * The small OData subset the identity protection endpoints accept: `$filter` as clauses joined by `and`, each
 * `<property> <eq|ne|ge|gt|le|lt> <literal>` (string literals in single quotes with '' escapes, enum values quoted,
 * DateTimeOffset unquoted), `$top`, `$skiptoken` (opaque, ours) and `$select`. Anything else is refused with
 * Request_UnsupportedQuery (a clear "not supported", never a silently ignored option); malformed values with
 * BadRequest.
 */
import { BadRequest, UnsupportedQuery } from '../../errors/graph.ts';

export type Op = 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';
export interface Clause { property: string; op: Op; value: string }

export interface FieldSpec {
  kind: 'string' | 'datetime' | 'enum';
  values?: readonly string[];
  /** Operators allowed (default: eq for string/enum, all comparisons for datetime). */
  ops?: readonly Op[];
}

export interface ListOptions {
  filter: Clause[];
  top: number;
  skip: number;
  select: string[] | undefined;
}

const SUPPORTED = new Set(['$filter', '$top', '$skiptoken', '$select', '$count', '$format']);
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

function splitAnd(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'") {
      if (inStr && s[i + 1] === "'") { cur += "''"; i++; continue; } // '' is an escaped quote inside a literal
      inStr = !inStr;
      cur += ch;
      continue;
    }
    if (!inStr && s.slice(i, i + 5).toLowerCase() === ' and ') {
      parts.push(cur);
      cur = '';
      i += 4;
      continue;
    }
    cur += ch;
  }
  if (inStr) throw new BadRequest(`Invalid filter clause: unterminated string literal in '${s}'.`);
  parts.push(cur);
  return parts.map((p) => p.trim());
}

export function parseFilter(expr: string, fields: Readonly<Record<string, FieldSpec>>): Clause[] {
  if (expr.length > 2000) throw new BadRequest('Invalid filter clause: the $filter expression is too long.');
  const out: Clause[] = [];
  for (const part of splitAnd(expr.trim())) {
    const outsideLiterals = part.replace(/'(?:[^']|'')*'/g, "''");
    if (/[()]|\s(or|not)\s|^not\s|\b(any|all|startswith|contains|endswith)\b/i.test(outsideLiterals)) {
      throw new UnsupportedQuery(`Unsupported filter: only 'and' of simple comparisons is supported (got '${part}').`);
    }
    const m = /^([A-Za-z_][\w/]*)\s+(eq|ne|ge|gt|le|lt)\s+(.+)$/i.exec(part);
    if (!m) throw new BadRequest(`Invalid filter clause: '${part}'.`);
    const property = m[1]!;
    const op = m[2]!.toLowerCase() as Op;
    const spec = fields[property];
    if (!spec) throw new UnsupportedQuery(`Filtering on '${property}' is not supported. Supported properties: ${Object.keys(fields).join(', ')}.`);
    const ops = spec.ops ?? (spec.kind === 'datetime' ? ['eq', 'ne', 'ge', 'gt', 'le', 'lt'] : ['eq', 'ne']);
    if (!ops.includes(op)) throw new UnsupportedQuery(`Operator '${op}' is not supported on '${property}'.`);
    let raw = m[3]!.trim();
    let value: string;
    if (spec.kind === 'datetime') {
      if (!DATETIME_RE.test(raw) || Number.isNaN(Date.parse(raw))) throw new BadRequest(`Invalid DateTimeOffset literal for '${property}': ${raw}.`);
      value = new Date(raw).toISOString();
    } else {
      if (!/^'.*'$/s.test(raw)) throw new BadRequest(`Invalid filter value for '${property}': string values must be in single quotes.`);
      raw = raw.slice(1, -1);
      if (/(^|[^'])'([^']|$)/.test(raw)) throw new BadRequest(`Invalid filter value for '${property}': unescaped quote.`);
      value = raw.replace(/''/g, "'");
      if (spec.kind === 'enum' && spec.values && !spec.values.includes(value)) {
        throw new BadRequest(`Invalid filter value '${value}' for '${property}'. Allowed: ${spec.values.join(', ')}.`);
      }
    }
    out.push({ property, op, value });
  }
  return out;
}

export function parseListOptions(query: Readonly<Record<string, string | undefined>>, fields: Readonly<Record<string, FieldSpec>>,
  selectable: readonly string[], limits: { defaultTop: number; maxTop: number }): ListOptions {
  for (const k of Object.keys(query)) {
    if (k.startsWith('$') && !SUPPORTED.has(k.toLowerCase())) throw new UnsupportedQuery(`Query option '${k}' is not supported on this resource.`);
  }
  const filter = query['$filter'] !== undefined ? parseFilter(query['$filter'], fields) : [];
  let top = limits.defaultTop;
  if (query['$top'] !== undefined) {
    if (!/^\d{1,6}$/.test(query['$top'])) throw new BadRequest(`Invalid value for $top: '${query['$top']}'. Expected an integer between 1 and ${limits.maxTop}.`);
    top = Number(query['$top']);
    if (top < 1 || top > limits.maxTop) throw new BadRequest(`Invalid value for $top: ${top}. Expected an integer between 1 and ${limits.maxTop}.`);
  }
  let skip = 0;
  if (query['$skiptoken'] !== undefined) {
    const decoded = Buffer.from(query['$skiptoken'], 'base64url').toString('utf8');
    const m = /^skip:(\d{1,9})$/.exec(decoded);
    if (!m) throw new BadRequest('Invalid $skiptoken.');
    skip = Number(m[1]);
  }
  let select: string[] | undefined;
  if (query['$select'] !== undefined) {
    select = query['$select'].split(',').map((s) => s.trim()).filter(Boolean);
    const bad = select.filter((s) => !selectable.includes(s));
    if (!select.length || bad.length) throw new BadRequest(`Invalid $select: unknown propert${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ') || '(empty)'}.`);
  }
  return { filter, top, skip, select };
}

export function skipToken(skip: number): string {
  return Buffer.from(`skip:${skip}`, 'utf8').toString('base64url');
}

export function matches(record: Record<string, unknown>, clauses: readonly Clause[]): boolean {
  for (const c of clauses) {
    const v = record[c.property];
    const s = v === null || v === undefined ? '' : String(v);
    const cmp = s < c.value ? -1 : s > c.value ? 1 : 0;
    const ok = c.op === 'eq' ? cmp === 0 : c.op === 'ne' ? cmp !== 0 : c.op === 'ge' ? cmp >= 0 : c.op === 'gt' ? cmp > 0 : c.op === 'le' ? cmp <= 0 : cmp < 0;
    if (!ok) return false;
  }
  return true;
}

export function project<T extends object>(r: T, select: readonly string[] | undefined): Partial<T> | T {
  if (!select) return r;
  const out: Record<string, unknown> = {};
  for (const k of select) out[k] = (r as Record<string, unknown>)[k];
  return out as Partial<T>;
}
