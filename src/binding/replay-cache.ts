/**
 * One-time-use store for proof identifiers (DPoP `jti`, RFC 9449 §11.1; device and session proof
 * `jti`s). The contract every implementation must meet:
 *
 * - `use(key, expiresAtSec, nowSec)` resolves `true` for exactly one caller per `key` while the key
 *   is unexpired, and `false` for every other caller (a replay). Concurrent calls with the same key
 *   must not both see `true` (Redis: `SET key 1 NX EXAT expiresAt`).
 * - Entries may be forgotten after `expiresAtSec`; callers set it to the moment the proof stops
 *   being acceptable anyway (end of its `iat` window), so forgetting it then is safe.
 * - When the store cannot record a key it must throw, never answer `true` (fail closed).
 */
export interface ReplayCache {
  use(key: string, expiresAtSec: number, nowSec: number): boolean | Promise<boolean>;
}

/** Thrown when a replay cache is full of unexpired entries: callers answer 503, not "accepted". */
export class ReplayCacheFullError extends Error {
  override readonly name = 'ReplayCacheFullError';
}

export interface MemoryReplayCacheOptions {
  /** Upper bound on live entries (default 1,000,000, roughly 100 MB worst case). */
  maxEntries?: number;
}

/**
 * In-process replay cache: a Map from key to expiry, swept of expired entries as it grows.
 * Right for one node; a cluster needs a shared store (Redis) behind the same interface.
 *
 * @example
 * const replay = new MemoryReplayCache();
 * if (!(await replay.use(`${jkt}:${jti}`, iat + 60, now))) throw new InvalidDpopProof('replayed');
 */
export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private nextSweepAt = 0;

  constructor(opts: MemoryReplayCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000_000;
  }

  get size(): number {
    return this.entries.size;
  }

  use(key: string, expiresAtSec: number, nowSec: number): boolean {
    const seen = this.entries.get(key);
    if (seen !== undefined && seen > nowSec) return false;
    if (seen === undefined && (this.entries.size >= this.maxEntries || nowSec >= this.nextSweepAt)) {
      this.sweep(nowSec);
      if (this.entries.size >= this.maxEntries) throw new ReplayCacheFullError('replay cache full');
    }
    // delete first so Map order stays roughly by insertion time, which keeps sweeps cheap
    this.entries.delete(key);
    this.entries.set(key, expiresAtSec);
    return true;
  }

  /** Drop expired entries. Runs at most once a second on the insert path. */
  sweep(nowSec: number): void {
    for (const [k, exp] of this.entries) if (exp <= nowSec) this.entries.delete(k);
    this.nextSweepAt = nowSec + 1;
  }
}
