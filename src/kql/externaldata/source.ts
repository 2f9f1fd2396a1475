// Where externaldata's files come from, and what keeps the operator from being an SSRF gadget.
//
// Anyone who may read logs (Security Reader and above) can send a query; if the server fetched any
// URL a query names, that role could make the identity provider issue requests to its own network
// (cloud metadata endpoints, admin ports on localhost, internal services) and read the answers back
// as rows. So the operator is off unless configured, and then reads only:
//   1. files of a local mirror directory (`index.json` maps each URL to a file in it; never fetched), or
//   2. URLs under an allowlisted prefix, fetched over https (http only on the loopback interface),
//      without following a redirect to anywhere the allowlist does not cover, with a time limit and a
//      size cap, and cached for a while so a scheduled rule does not refetch every run.
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface ExternalDataOptions {
  /**
   * URL prefixes that may be fetched live. An entry ending in `/` allows every URL under it; any
   * other entry allows exactly that URL. Compared with the normalised URL (`new URL(u).href`).
   */
  allow?: readonly string[];
  /** A directory holding `index.json` (`{"<url>": "<file name in the directory>"}`) and the files. */
  mirror?: string;
  /** Longest a fetch may take, body included (default 10 s). */
  timeoutMs?: number;
  /** Largest file read, in bytes (default 50 MB); a larger one fails the query. */
  maxBytes?: number;
  /** How long a fetched file is reused (default 15 minutes; 0 disables the cache). */
  cacheTtlMs?: number;
}

export const externalDataDefaults = { timeoutMs: 10_000, maxBytes: 50 * 1024 * 1024, cacheTtlMs: 15 * 60_000 };

/** Why a file could not be read; the message names the URL and never leaks more than the status. */
export class ExternalDataError extends Error {
  override readonly name = 'ExternalDataError';
  constructor(message: string, readonly kind: 'not-allowed' | 'failed' = 'failed') {
    super(message);
  }
}

/** The two settings, as configured (src/config/defaults.ts); undefined when both are empty. */
export function externalDataOptions(config: { kqlExternalDataAllow: readonly string[]; kqlExternalDataMirror: string | undefined }): ExternalDataOptions | undefined {
  if (!config.kqlExternalDataAllow.length && !config.kqlExternalDataMirror) return undefined;
  return { allow: config.kqlExternalDataAllow, ...(config.kqlExternalDataMirror ? { mirror: config.kqlExternalDataMirror } : {}) };
}

export function isEnabled(opts: ExternalDataOptions | undefined): opts is ExternalDataOptions {
  return !!opts && (!!opts.allow?.length || !!opts.mirror);
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The normalised URL, or an error for one Tessera never fetches (not http(s), credentials, plain http off loopback). */
export function checkedUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ExternalDataError(`'${raw.slice(0, 200)}' is not an absolute URL`, 'not-allowed');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback.has(u.hostname))) {
    throw new ExternalDataError(`${u.href}: only https URLs are fetched (http only on 127.0.0.1 or localhost)`, 'not-allowed');
  }
  if (u.username || u.password) throw new ExternalDataError(`${u.protocol}//${u.host}…: URLs carrying credentials are not fetched`, 'not-allowed');
  return u;
}

/** Whether the allowlist covers `href` (already normalised). */
export function allowed(href: string, allow: readonly string[] | undefined): boolean {
  for (const entry of allow ?? []) {
    let norm: string;
    try {
      norm = new URL(entry).href;
    } catch {
      continue;
    }
    if (entry.endsWith('/') ? href.startsWith(norm) : href === norm) return true;
  }
  return false;
}

/**
 * Reads one file for externaldata: from the mirror when it holds the URL, else fetched when the
 * allowlist covers it. Throws ExternalDataError otherwise.
 */
export async function readExternal(url: string, opts: ExternalDataOptions): Promise<string> {
  const maxBytes = opts.maxBytes ?? externalDataDefaults.maxBytes;
  if (opts.mirror) {
    const fromMirror = await readMirror(opts.mirror, url, maxBytes);
    if (fromMirror !== undefined) return fromMirror;
  }
  const u = checkedUrl(url);
  if (!allowed(u.href, opts.allow)) {
    throw new ExternalDataError(`${u.href} is not under an allowed prefix of TESSERA_KQL_EXTERNALDATA_ALLOW${opts.mirror ? ' and not in the mirror TESSERA_KQL_EXTERNALDATA_MIRROR' : ''}`, 'not-allowed');
  }
  const ttl = opts.cacheTtlMs ?? externalDataDefaults.cacheTtlMs;
  const now = Date.now();
  // Keyed with the allowlist too: redirects were checked against the list the file was fetched under.
  const key = `${u.href}\n${(opts.allow ?? []).join(',')}`;
  const hit = ttl > 0 ? cache.get(key) : undefined;
  if (hit && hit.expires > now && hit.maxBytes <= maxBytes) return hit.body;
  const body = fetchAllowed(u, opts, maxBytes);
  if (ttl > 0) {
    cache.delete(key);
    cache.set(key, { expires: now + ttl, body, maxBytes, size: 0 });
    body.then((text) => {
      const e = cache.get(key);
      if (e?.body === body) e.size = text.length * 2;
      evict();
    }, () => {
      if (cache.get(key)?.body === body) cache.delete(key);
    });
  }
  return body;
}

// Fetched files by URL (and allowlist); sizes in bytes of the decoded text (UTF-16). A pending fetch is shared, so rules scheduled together fetch once.
const cache = new Map<string, { expires: number; body: Promise<string>; maxBytes: number; size: number }>();
const cacheLimitBytes = 256 * 1024 * 1024;

function evict(): void {
  const now = Date.now();
  let total = 0;
  for (const [k, e] of cache) {
    if (e.expires <= now) cache.delete(k);
    else total += e.size;
  }
  // Oldest first (a Map iterates in insertion order, and a refetch re-inserts).
  for (const [k, e] of cache) {
    if (total <= cacheLimitBytes) break;
    cache.delete(k);
    total -= e.size;
  }
}

/** Forgets every cached file (tests; an operator changing the allowlist restarts the server anyway). */
export function clearExternalDataCache(): void {
  cache.clear();
}

const maxRedirects = 5;

async function fetchAllowed(first: URL, opts: ExternalDataOptions, maxBytes: number): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? externalDataDefaults.timeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  let u = first;
  try {
    for (let hop = 0; ; hop++) {
      // Redirects are followed by hand: each target must pass the same checks as the first URL.
      const res = await fetch(u, { redirect: 'manual', signal, headers: { accept: 'text/csv, text/plain, application/json, */*' } });
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        if (hop >= maxRedirects) throw new ExternalDataError(`${first.href}: more than ${maxRedirects} redirects`);
        let next: URL;
        try {
          next = checkedUrl(new URL(res.headers.get('location')!, u).href);
        } catch (err) {
          throw new ExternalDataError(`${u.href} redirects to a URL that is not fetched: ${(err as Error).message}`, 'not-allowed');
        }
        if (!allowed(next.href, opts.allow)) {
          throw new ExternalDataError(`${u.href} redirects to ${next.href}, which is not under an allowed prefix of TESSERA_KQL_EXTERNALDATA_ALLOW`, 'not-allowed');
        }
        u = next;
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new ExternalDataError(`${u.href} answered HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw new ExternalDataError(`${u.href} is larger than the ${maxBytes}-byte limit (${declared} bytes)`);
      }
      return await readCapped(res, u, maxBytes);
    }
  } catch (err) {
    if (err instanceof ExternalDataError) throw err;
    if (signal.aborted) throw new ExternalDataError(`${u.href} did not answer within ${timeoutMs} ms`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ExternalDataError(`${u.href} could not be fetched: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

/** The body as UTF-8, read in chunks; past `maxBytes` the download is aborted. */
async function readCapped(res: Response, u: URL, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ExternalDataError(`${u.href} is larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

/**
 * The mirrored file for `url`, or undefined when index.json does not list it. A file name that
 * leads outside the directory (`../`, an absolute path, a symbolic link pointing out) is refused.
 */
async function readMirror(dir: string, url: string, maxBytes: number): Promise<string | undefined> {
  let index: Record<string, unknown>;
  try {
    index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ExternalDataError(`the externaldata mirror ${join(dir, 'index.json')} cannot be read: ${(err as Error).message.split('\n')[0]}`);
  }
  let key: string;
  try {
    key = new URL(url).href;
  } catch {
    return undefined;
  }
  let name: unknown;
  for (const [k, v] of Object.entries(index)) {
    let norm: string;
    try {
      norm = new URL(k).href;
    } catch {
      continue;
    }
    if (norm === key) name = v;
  }
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || !name) throw new ExternalDataError(`the externaldata mirror's entry for ${key} is not a file name`);
  const root = await realpath(resolve(dir));
  const target = resolve(root, name);
  if (!inside(root, target)) throw new ExternalDataError(`the externaldata mirror's entry for ${key} leads outside the mirror directory`, 'not-allowed');
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new ExternalDataError(`the externaldata mirror has no file ${name} (for ${key})`);
  }
  if (!inside(root, real)) throw new ExternalDataError(`the externaldata mirror's entry for ${key} leads outside the mirror directory`, 'not-allowed');
  const st = await stat(real);
  if (!st.isFile()) throw new ExternalDataError(`the externaldata mirror's entry for ${key} is not a file`);
  if (st.size > maxBytes) throw new ExternalDataError(`the mirrored file for ${key} is larger than the ${maxBytes}-byte limit`);
  const fh = await open(real, 'r');
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
