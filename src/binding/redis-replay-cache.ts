/**
 * `ReplayCache` on Redis for clusters: `SET key 1 NX EX ttl` is atomic, so exactly one node wins a
 * given key (replay-cache.ts contract). The TTL is relative (`EX`, not `EXAT`) so the Redis clock
 * and the nodes' clocks need not agree. Errors propagate: a node that cannot reach Redis refuses
 * proofs rather than accepting possible replays (fail closed).
 */
import type { Redis } from 'ioredis';
import type { ReplayCache } from './replay-cache.ts';

export interface RedisReplayCacheOptions {
  /** Key prefix (default `tessera:replay:`). */
  prefix?: string;
}

/**
 * @example
 * const replay = new RedisReplayCache(new Redis(process.env.REDIS_URL!));
 */
export class RedisReplayCache implements ReplayCache {
  private readonly prefix: string;

  constructor(
    private readonly redis: Pick<Redis, 'set'>,
    opts: RedisReplayCacheOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'tessera:replay:';
  }

  async use(key: string, expiresAtSec: number, nowSec: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAtSec - nowSec));
    const r = await this.redis.set(this.prefix + key, '1', 'EX', ttl, 'NX');
    return r === 'OK';
  }
}
