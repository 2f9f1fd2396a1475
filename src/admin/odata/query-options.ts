/**
 * Parses the system query options of a Graph list request (`$filter`, `$select`, `$top`, `$orderby`,
 * `$skiptoken`, `$count`) against a resource catalogue. Options Tessera does not implement (`$search`,
 * `$expand`, `$skip`, …) are refused with `Request_UnsupportedQuery` instead of being ignored, so a
 * script never silently receives unfiltered data.
 */
import { BadRequest, UnsupportedQuery } from '../../errors/graph.ts';
import { parseFilter } from './filter-parser.ts';
import { isSelectable, isSortable, resolveProperty, unknownProperty } from './properties.ts';
import { defaultLimits, type Catalogue, type FilterExpr, type Limits, type OrderByItem } from './types.ts';

/** Graph's page-size bounds for directory collections. */
export const MIN_TOP = 1;
export const MAX_TOP = 999;

export interface QueryOptions {
  readonly filter?: FilterExpr;
  /** The `$filter` text as received, for the skip-token fingerprint. */
  readonly filterText?: string;
  readonly select?: readonly string[];
  readonly top?: number;
  readonly orderby?: readonly OrderByItem[];
  readonly skiptoken?: string;
  readonly count?: boolean;
}

export interface ParseQueryOptionsConfig {
  readonly limits?: Limits;
  /** Highest `$top` accepted (default 999, Graph's limit). */
  readonly maxTop?: number;
  /** Enable `$search` handling in the caller; when false (default) `$search` is refused. */
  readonly allowSearch?: boolean;
}

const SUPPORTED = new Set(['$filter', '$select', '$top', '$orderby', '$skiptoken', '$count']);
const UNSUPPORTED = new Set(['$search', '$expand', '$skip', '$apply', '$compute', '$format', '$levels', '$index', '$deltatoken', '$schemaversion']);

/** Graph's beta endpoint lets clients drop the `$`; names are matched case-insensitively. */
function canonicalName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const withDollar = lower.startsWith('$') ? lower : `$${lower}`;
  if (SUPPORTED.has(withDollar) || UNSUPPORTED.has(withDollar)) return withDollar;
  return lower.startsWith('$') ? lower : undefined;
}

function parseSelect(text: string, catalogue: Catalogue): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') throw new BadRequest(`Invalid $select: empty property name in '${text}'.`);
    if (name === '*') return [];
    const resolved = resolveProperty(catalogue, name);
    if (!resolved || !isSelectable(resolved.path, resolved.def)) return unknownProperty(catalogue, name);
    if (!out.includes(resolved.path)) out.push(resolved.path);
  }
  return out;
}

function parseTop(text: string, maxTop: number): number {
  if (!/^\s*\d{1,9}\s*$/.test(text)) {
    throw new BadRequest(`Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`);
  }
  const n = Number(text);
  if (n < MIN_TOP || n > maxTop) {
    throw new BadRequest(`Invalid page size specified: '${n}'. Must be between ${MIN_TOP} and ${maxTop} inclusive.`);
  }
  return n;
}

function parseOrderBy(text: string, catalogue: Catalogue): OrderByItem[] {
  const out: OrderByItem[] = [];
  for (const raw of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?\s*$/i.exec(raw);
    if (!m) throw new BadRequest(`Invalid $orderby clause: syntax error in '${text}'.`);
    const resolved = resolveProperty(catalogue, m[1]!);
    if (!resolved) return unknownProperty(catalogue, m[1]!);
    const { path, def } = resolved;
    if (def.type === 'complex' || !isSortable(catalogue, path, def)) {
      throw new UnsupportedQuery(`Sorting not supported for property '${path}' of resource '${catalogue.type}'.`);
    }
    if (out.some((o) => o.path === path)) throw new BadRequest(`Invalid $orderby clause: '${path}' appears more than once.`);
    out.push({ path, type: def.type, direction: (m[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc' });
  }
  return out;
}

/**
 * Reads the query options of a list request.
 * @param query the raw query string (`?a=b&…` or `a=b&…`) or already-split parameters; `+` decodes to a space
 * @example parseQueryOptions("$filter=accountEnabled eq true&$top=5", catalogues.user)
 */
export function parseQueryOptions(
  query: string | URLSearchParams,
  catalogue: Catalogue,
  config: ParseQueryOptionsConfig = {},
): QueryOptions {
  const params = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  const seen = new Map<string, string>();
  for (const [name, value] of params) {
    const canon = canonicalName(name);
    if (canon === undefined) continue; // non-system parameters are the endpoint's business
    if (seen.has(canon)) {
      throw new BadRequest(`Query option '${canon}' was specified more than once, but it must be specified at most once.`);
    }
    seen.set(canon, value);
  }
  const result: { -readonly [K in keyof QueryOptions]: QueryOptions[K] } = {};
  for (const [name, value] of seen) {
    if (name === '$search' && config.allowSearch) continue;
    if (UNSUPPORTED.has(name)) throw new UnsupportedQuery(`The query option '${name}' is not supported by this resource.`);
    if (!SUPPORTED.has(name)) throw new BadRequest(`The query parameter '${name}' is not supported.`);
    switch (name) {
      case '$filter':
        result.filter = parseFilter(value, catalogue, config.limits ?? defaultLimits);
        result.filterText = value;
        break;
      case '$select':
        result.select = parseSelect(value, catalogue);
        break;
      case '$top':
        result.top = parseTop(value, config.maxTop ?? MAX_TOP);
        break;
      case '$orderby':
        result.orderby = parseOrderBy(value, catalogue);
        break;
      case '$skiptoken':
        if (value === '') throw new BadRequest(`Invalid $skiptoken: the value is empty.`);
        result.skiptoken = value;
        break;
      case '$count':
        if (value !== 'true' && value !== 'false') {
          throw new BadRequest(`Invalid value '${value}' for $count query option found. Valid values are 'true' and 'false'.`);
        }
        result.count = value === 'true';
        break;
    }
  }
  return result;
}
