/**
 * Smart lockout (Entra AADSTS50053): after `threshold` failed password checks an account is locked
 * for `seconds`, doubling on each further lockout; a source IP failing against many accounts is locked
 * the same way (password spray). Counters live in memory on this node.
 */
export interface LockoutOptions { threshold: number; seconds: number; ipThreshold: number }

interface Counter { failures: number; lockedUntil: number; lockouts: number; last: number }

const MAX_ENTRIES = 100_000;

export class Lockout {
  private accounts = new Map<string, Counter>();
  private ips = new Map<string, Counter>();
  constructor(private readonly opts: LockoutOptions) {}

  /** Milliseconds remaining on a lock for the account or the IP, or 0. */
  lockedFor(account: string, ip: string, now = Date.now()): number {
    const a = this.accounts.get(account);
    const i = this.ips.get(ip);
    return Math.max(0, (a?.lockedUntil ?? 0) - now, (i?.lockedUntil ?? 0) - now);
  }

  failure(account: string, ip: string, now = Date.now()): void {
    this.bump(this.accounts, account, this.opts.threshold, now);
    this.bump(this.ips, ip, this.opts.ipThreshold, now);
  }

  success(account: string): void {
    this.accounts.delete(account);
  }

  private bump(map: Map<string, Counter>, key: string, threshold: number, now: number): void {
    if (threshold <= 0) return;
    if (map.size >= MAX_ENTRIES) {
      for (const [k, v] of map) if (v.lockedUntil < now && now - v.last > 3_600_000) map.delete(k);
      if (map.size >= MAX_ENTRIES) map.clear();
    }
    const c = map.get(key) ?? { failures: 0, lockedUntil: 0, lockouts: 0, last: now };
    // Failures older than an hour are forgotten.
    if (now - c.last > 3_600_000) c.failures = 0;
    c.failures++;
    c.last = now;
    if (c.failures >= threshold) {
      c.lockedUntil = now + this.opts.seconds * 1000 * 2 ** Math.min(c.lockouts, 10);
      c.lockouts++;
      c.failures = 0;
    }
    map.set(key, c);
  }
}
