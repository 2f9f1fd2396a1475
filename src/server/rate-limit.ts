/** A fixed-window request limit per client address (TESSERA_RATE_LIMIT per minute; 0 = off). */
export class RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();
  constructor(private readonly perMinute: number) {}

  allow(ip: string, now = Date.now()): boolean {
    if (this.perMinute <= 0) return true;
    const w = Math.floor(now / 60_000);
    if (w !== this.window) { this.window = w; this.counts.clear(); }
    const n = (this.counts.get(ip) ?? 0) + 1;
    this.counts.set(ip, n);
    return n <= this.perMinute;
  }
}
