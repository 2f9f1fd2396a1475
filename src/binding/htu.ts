/**
 * `htu` comparison for DPoP (RFC 9449 §4.3 check 9): the HTTP target URI of the request, without
 * query and fragment, compared after syntax-based normalisation (RFC 3986 §6.2.2: case of scheme and
 * host, default port, percent-encoding case, dot segments) and scheme-based normalisation (§6.2.3:
 * an empty path is `/`). The WHATWG URL parser performs exactly these steps.
 */

/** Cut `?query` and `#fragment` from a URI string. */
export function stripQueryAndFragment(uri: string): string {
  let end = uri.length;
  const q = uri.indexOf('?');
  if (q >= 0) end = q;
  const h = uri.indexOf('#');
  if (h >= 0 && h < end) end = h;
  return end === uri.length ? uri : uri.slice(0, end);
}

/**
 * Normalised `scheme://host[:port]/path` of an http(s) URI, or `undefined` if it is not one.
 * User info is not allowed in an `htu`.
 */
export function normalizeHtu(uri: string): string | undefined {
  if (typeof uri !== 'string' || uri.length > 4096) return undefined;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return undefined;
  // URL keeps percent-escapes as written; RFC 3986 §6.2.2.1 says hex digits compare case-insensitively.
  const path = u.pathname.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
  return `${u.protocol}//${u.host}${path}`;
}

const cache = new Map<string, string | undefined>();
const CACHE_MAX = 4096;

/** `normalizeHtu` behind a small bounded memo: a service sees few distinct URLs. */
function normalizeCached(uri: string): string | undefined {
  if (cache.has(uri)) return cache.get(uri);
  const n = normalizeHtu(uri);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(uri, n);
  return n;
}

/** True when a proof's `htu` names the same resource as the request URL (RFC 9449 §4.3). */
export function htuMatches(proofHtu: string, requestUrl: string): boolean {
  const a = normalizeCached(stripQueryAndFragment(proofHtu));
  return a !== undefined && a === normalizeCached(stripQueryAndFragment(requestUrl));
}
