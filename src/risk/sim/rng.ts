/** Seeded randomness for the simulator (mulberry32): the same seed gives the same weeks of traffic. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Minutes jitter around a time, roughly normal (sum of uniforms). */
  jitter(spreadMinutes: number): number {
    return ((this.next() + this.next() + this.next()) / 3 - 0.5) * 2 * spreadMinutes * 60_000;
  }
  id(prefix: string): string {
    return `${prefix}-${Math.floor(this.next() * 2 ** 32).toString(16)}${Math.floor(this.next() * 2 ** 32).toString(16)}`;
  }
}
