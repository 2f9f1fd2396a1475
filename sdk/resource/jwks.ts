/**
 * A JWKS cache for resource servers: keys fetched from the issuer's `jwks_uri`, held as imported
 * KeyObjects by `kid`, refreshed when their cache lifetime ends (served stale while the refresh runs)
 * and on an unknown `kid` (key rotation), at most once per `minRefreshIntervalMs` so a flood of
 * tokens with made-up `kid`s cannot turn into a flood of fetches.
 */
import type { KeyObject } from 'node:crypto';
import { hasPrivateMembers, importPublicJwk } from '../../src/crypto/jwk.ts';

export interface JwksCacheOptions {
  jwksUri: string;
  /** Lifetime of a fetched key set when the response has no usable `Cache-Control: max-age` (default 10 min). */
  defaultTtlMs?: number;
  /** Minimum time between two fetches triggered by unknown `kid`s (default 30 s). */
  minRefreshIntervalMs?: number;
  /** While no key set has ever loaded (issuer down at start), retry at most this often (default 5 s). */
  retryWhileDownMs?: number;
  /** Per-fetch timeout (default 5 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CachedKey {
  kid: string;
  key: KeyObject;
  /** The JWK's `alg`, when the issuer pinned one. */
  alg?: string;
}

const MAX_JWKS_BYTES = 512 * 1024;

/**
 * Parse a JWKS document: signing keys with a `kid`; anything malformed or private is skipped.
 *
 * @example
 * const keys = parseJwks(await (await fetch(jwksUri)).json());
 * const k1 = keys.get('k1')?.key;
 */
export function parseJwks(doc: unknown): Map<string, CachedKey> {
  const out = new Map<string, CachedKey>();
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('JWKS has no keys array');
  for (const k of keys.slice(0, 100)) {
    if (typeof k !== 'object' || k === null) continue;
    const jwk = k as Record<string, unknown>;
    if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig') || hasPrivateMembers(jwk)) continue;
    try {
      const entry: CachedKey = { kid: jwk.kid, key: importPublicJwk(jwk) };
      if (typeof jwk.alg === 'string') entry.alg = jwk.alg;
      out.set(jwk.kid, entry);
    } catch {
      // an unsupported key type next to ours is not our problem
    }
  }
  return out;
}

/**
 * @example
 * const jwks = new JwksCache({ jwksUri: 'http://localhost:8080/t1/discovery/v2.0/keys' });
 * const key = jwks.get(kid) ?? (await jwks.getAfterRefresh(kid));
 */
export class JwksCache {
  private keys = new Map<string, CachedKey>();
  private expiresAt = 0;
  private lastFetchAt = -Infinity;
  private inflight: Promise<void> | undefined;
  private readonly opts: Required<Omit<JwksCacheOptions, 'fetch'>> & { fetch: typeof fetch };

  constructor(opts: JwksCacheOptions) {
    this.opts = {
      jwksUri: opts.jwksUri,
      defaultTtlMs: opts.defaultTtlMs ?? 10 * 60_000,
      minRefreshIntervalMs: opts.minRefreshIntervalMs ?? 30_000,
      retryWhileDownMs: opts.retryWhileDownMs ?? 5_000,
      timeoutMs: opts.timeoutMs ?? 5_000,
      fetch: opts.fetch ?? fetch,
    };
  }

  /** Number of successful or failed fetches so far (for tests and metrics). */
  fetches = 0;

  /** The cached key for `kid`, synchronously; starts a background refresh when the set is old. */
  get(kid: string): CachedKey | undefined {
    if (Date.now() >= this.expiresAt && this.keys.size > 0) void this.refresh().catch(() => undefined);
    return this.keys.get(kid);
  }

  /** True once a key set has been fetched successfully. */
  get loaded(): boolean {
    return this.expiresAt > 0;
  }

  /**
   * Fetch the set (unless a fetch already ran within `minRefreshIntervalMs`, or `retryWhileDownMs`
   * while no set has ever loaded) and look `kid` up again. Rejects only when no key set could ever be loaded.
   */
  async getAfterRefresh(kid: string): Promise<CachedKey | undefined> {
    const interval = this.loaded ? this.opts.minRefreshIntervalMs : Math.min(this.opts.minRefreshIntervalMs, this.opts.retryWhileDownMs);
    if (this.fetches === 0 || Date.now() - this.lastFetchAt >= interval) {
      try {
        await this.refresh();
      } catch (e) {
        if (!this.loaded) throw e;
      }
    }
    if (!this.loaded) throw new Error('JWKS not available yet');
    return this.keys.get(kid);
  }

  /** Fetch now (concurrent callers share one request). Keeps the old keys if the fetch fails. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    this.lastFetchAt = Date.now();
    this.fetches++;
    const res = await this.opts.fetch(this.opts.jwksUri, { signal: AbortSignal.timeout(this.opts.timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`JWKS fetch failed: HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS too large');
    this.keys = parseJwks(JSON.parse(text));
    const maxAge = /max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1];
    const ttl = maxAge ? Math.min(Math.max(Number(maxAge) * 1000, 60_000), 86_400_000) : this.opts.defaultTtlMs;
    this.expiresAt = Date.now() + ttl;
  }
}

/**
 * Find `jwks_uri` through OpenID discovery (`{issuer}/.well-known/openid-configuration`, which for
 * Tessera is `{authority}/v2.0/.well-known/openid-configuration`), checking the document's `issuer`.
 *
 * @example
 * const jwksUri = await discoverJwksUri('http://localhost:8080/t1/v2.0');
 */
export async function discoverJwksUri(issuer: string, f: typeof fetch = fetch): Promise<string> {
  const res = await f(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`discovery failed: HTTP ${res.status}`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  // OIDC Discovery §4.3: the issuer in the document must be identical to the one used.
  if (doc.issuer !== issuer) throw new Error('discovery issuer mismatch');
  if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
  return doc.jwks_uri;
}
