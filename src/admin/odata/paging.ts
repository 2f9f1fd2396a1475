/**
 * Server-driven paging as Graph does it: a page of `value`, and while more remain an
 * `@odata.nextLink` that repeats the request with an opaque `$skiptoken`.
 *
 * The token carries the offset of the next page and a fingerprint of the filter and sort order, and
 * is HMAC-signed: a client can neither forge an offset nor reuse a token with another query, and any
 * garbage is a 400, never a 500.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../../errors/graph.ts';
import { compareRows, matches, type Row } from './evaluate.ts';
import type { QueryOptions } from './query-options.ts';
import type { Catalogue } from './types.ts';

const MAX_TOKEN_LENGTH = 256;
const MAX_OFFSET = 1_000_000_000;

function invalidToken(): never {
  throw new BadRequest('Invalid $skiptoken: the value is malformed, was altered, or belongs to another query.');
}

/** Fingerprint of what a page position depends on: the filter and the sort order. */
export function queryFingerprint(q: Pick<QueryOptions, 'filter' | 'orderby'>, scope = ''): string {
  return createHash('sha256')
    .update(JSON.stringify([scope, q.filter ?? null, q.orderby ?? []]))
    .digest('base64url')
    .slice(0, 16);
}

export interface SkipTokenCodec {
  encode(offset: number, fingerprint: string): string;
  /** @throws GraphError 400 for anything that is not a token this codec issued for `fingerprint` */
  decode(token: string, fingerprint: string): number;
}

/**
 * @param secret a server-side key (≥ 32 random bytes); rotating it invalidates outstanding nextLinks.
 */
export function createSkipTokenCodec(secret: string | Uint8Array): SkipTokenCodec {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
  return {
    encode(offset, fingerprint) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new RangeError(`bad offset ${offset}`);
      const payload = Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    decode(token, fingerprint) {
      if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return invalidToken();
      const [payload, sig] = token.split('.') as [string, string];
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalidToken();
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return invalidToken();
      }
      const { o, q } = (body ?? {}) as { o?: unknown; q?: unknown };
      if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0 || o > MAX_OFFSET || q !== fingerprint) return invalidToken();
      return o;
    },
  };
}

/** Rows to fetch for one page: `limit` is one more than the page size, to learn whether another page follows. */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
  readonly pageSize: number;
  readonly fingerprint: string;
}

/**
 * Where the requested page starts and how many rows to read, from `$top` (or `defaultTop`) and `$skiptoken`.
 * @example const w = pageWindow(q, codec, 100); sql += ` LIMIT ${w.limit} OFFSET ${w.offset}`;
 */
export function pageWindow(q: QueryOptions, codec: SkipTokenCodec, defaultTop: number, scope = ''): PageWindow {
  const fingerprint = queryFingerprint(q, scope);
  const offset = q.skiptoken === undefined ? 0 : codec.decode(q.skiptoken, fingerprint);
  const pageSize = q.top ?? defaultTop;
  return { offset, limit: pageSize + 1, pageSize, fingerprint };
}

/**
 * Given the rows read with `window.limit`, the page to return and the token for the next one.
 */
export function takePage<T>(rows: readonly T[], window: PageWindow, codec: SkipTokenCodec): { page: T[]; nextSkipToken?: string } {
  const page = rows.slice(0, window.pageSize);
  if (rows.length <= window.pageSize) return { page };
  return { page, nextSkipToken: codec.encode(window.offset + window.pageSize, window.fingerprint) };
}

/** Filter, sort and page an in-memory collection in one go (small stores, tests). */
export function paginate<T extends Row>(
  rows: readonly T[],
  q: QueryOptions,
  codec: SkipTokenCodec,
  defaultTop: number,
  scope = '',
): { page: T[]; nextSkipToken?: string } {
  const w = pageWindow(q, codec, defaultTop, scope);
  const filtered = rows.filter((r) => matches(r, q.filter));
  if (q.orderby && q.orderby.length > 0) filtered.sort(compareRows(q.orderby));
  return takePage(filtered.slice(w.offset, w.offset + w.limit), w, codec);
}

export interface CollectionResponse<T> {
  '@odata.context': string;
  '@odata.count'?: number;
  value: T[];
  '@odata.nextLink'?: string;
}

/** The service root of a request URL: everything up to and including `/v1.0/` or `/beta/`. */
export function serviceRoot(url: URL): string {
  const m = /^(.*?\/(?:v1\.0|beta)\/)/.exec(url.pathname);
  return `${url.origin}${m ? m[1] : '/'}`;
}

/**
 * The nextLink: the request URL as sent, with any `$skiptoken` replaced. The original query text is kept
 * verbatim (no re-encoding of `$` or spaces) so clients see their own options echoed back.
 */
export function nextLink(requestUrl: string | URL, skipToken: string): string {
  const url = new URL(String(requestUrl));
  const kept = url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => {
      if (part === '') return false;
      const name = decodeURIComponentSafe(part.split('=')[0]!.replace(/\+/g, ' ')).toLowerCase();
      return name !== '$skiptoken' && name !== 'skiptoken';
    });
  kept.push(`$skiptoken=${encodeURIComponent(skipToken)}`);
  return `${url.origin}${url.pathname}?${kept.join('&')}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Builds `{ "@odata.context", ["@odata.count"], value, ["@odata.nextLink"] }`.
 * @example collectionResponse({ requestUrl: req.url, catalogue: catalogues.user, select: q.select, value: page, nextSkipToken })
 */
export function collectionResponse<T>(args: {
  requestUrl: string | URL;
  catalogue: Catalogue;
  value: T[];
  select?: readonly string[] | undefined;
  nextSkipToken?: string | undefined;
  count?: number | undefined;
}): CollectionResponse<T> {
  const url = new URL(String(args.requestUrl));
  const sel = args.select && args.select.length > 0 ? `(${args.select.join(',')})` : '';
  return {
    '@odata.context': `${serviceRoot(url)}$metadata#${args.catalogue.entitySet}${sel}`,
    ...(args.count !== undefined ? { '@odata.count': args.count } : {}),
    value: args.value,
    ...(args.nextSkipToken !== undefined ? { '@odata.nextLink': nextLink(url, args.nextSkipToken) } : {}),
  };
}
