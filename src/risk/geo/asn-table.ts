/**
 * IP → ASN from the @ip-location-db/asn CSV ranges (`start,end,asn,org`, inclusive, sorted by start). Loaded lazily
 * on the first lookup of each address family into typed arrays (binary search, no per-row objects); organisation
 * names are interned. `stats()` reports load time and the bytes held, for docs/identity-protection.md.
 */
import { readFileSync } from 'node:fs';
import type { ParsedIp } from './ip.ts';

export interface AsnHit { asn: number; org: string }
export interface AsnTableStats { family: 4 | 6; rows: number; loadMs: number; approxBytes: number }

/** Split one CSV line of 4 fields where only the last may be quoted (RFC 4180 `""` escapes). */
function splitRow(line: string): [string, string, string, string] | undefined {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  let org = line.slice(c + 1);
  if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), org];
}

interface Family4 { starts: Uint32Array; ends: Uint32Array; asns: Uint32Array; orgIdx: Uint32Array }
interface Family6 { sHi: BigUint64Array; sLo: BigUint64Array; eHi: BigUint64Array; eLo: BigUint64Array; asns: Uint32Array; orgIdx: Uint32Array }

const MASK64 = (1n << 64n) - 1n;

export class AsnTable {
  readonly #v4Path: string | undefined;
  readonly #v6Path: string | undefined;
  #v4: Family4 | undefined;
  #v6: Family6 | undefined;
  readonly #orgs: string[] = [];
  readonly #orgIds = new Map<string, number>();
  readonly #stats: AsnTableStats[] = [];

  /** Paths to the `-num` CSV files (numeric ranges); either may be omitted. */
  constructor(paths: { ipv4NumCsv?: string; ipv6NumCsv?: string }) {
    this.#v4Path = paths.ipv4NumCsv;
    this.#v6Path = paths.ipv6NumCsv;
  }

  stats(): readonly AsnTableStats[] {
    return this.#stats;
  }

  #intern(org: string): number {
    let id = this.#orgIds.get(org);
    if (id === undefined) {
      id = this.#orgs.length;
      this.#orgs.push(org);
      this.#orgIds.set(org, id);
    }
    return id;
  }

  #orgBytes(): number {
    let n = 0;
    for (const o of this.#orgs) n += 2 * o.length + 16;
    return n;
  }

  #loadV4(path: string): Family4 {
    const t0 = performance.now();
    const lines = readFileSync(path, 'utf8').split('\n');
    const n = lines.length;
    const f: Family4 = { starts: new Uint32Array(n), ends: new Uint32Array(n), asns: new Uint32Array(n), orgIdx: new Uint32Array(n) };
    let k = 0;
    for (const line of lines) {
      const row = line ? splitRow(line) : undefined;
      if (!row) continue;
      f.starts[k] = Number(row[0]);
      f.ends[k] = Number(row[1]);
      f.asns[k] = Number(row[2]);
      f.orgIdx[k] = this.#intern(row[3]);
      k++;
    }
    const out = { starts: f.starts.subarray(0, k), ends: f.ends.subarray(0, k), asns: f.asns.subarray(0, k), orgIdx: f.orgIdx.subarray(0, k) };
    this.#stats.push({ family: 4, rows: k, loadMs: performance.now() - t0, approxBytes: 16 * n + this.#orgBytes() });
    return out;
  }

  #loadV6(path: string): Family6 {
    const t0 = performance.now();
    const lines = readFileSync(path, 'utf8').split('\n');
    const n = lines.length;
    const f: Family6 = {
      sHi: new BigUint64Array(n), sLo: new BigUint64Array(n), eHi: new BigUint64Array(n), eLo: new BigUint64Array(n),
      asns: new Uint32Array(n), orgIdx: new Uint32Array(n),
    };
    let k = 0;
    for (const line of lines) {
      const row = line ? splitRow(line) : undefined;
      if (!row) continue;
      const s = BigInt(row[0]);
      const e = BigInt(row[1]);
      f.sHi[k] = s >> 64n; f.sLo[k] = s & MASK64; f.eHi[k] = e >> 64n; f.eLo[k] = e & MASK64;
      f.asns[k] = Number(row[2]);
      f.orgIdx[k] = this.#intern(row[3]);
      k++;
    }
    this.#stats.push({ family: 6, rows: k, loadMs: performance.now() - t0, approxBytes: 40 * n + this.#orgBytes() });
    return f;
  }

  lookup(ip: ParsedIp): AsnHit | undefined {
    if (ip.version === 4) {
      if (!this.#v4Path) return undefined;
      this.#v4 ??= this.#loadV4(this.#v4Path);
      const { starts, ends, asns, orgIdx } = this.#v4;
      // Greatest start ≤ ip, then check the end of that range.
      let lo = 0;
      let hi = starts.length - 1;
      let at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! <= ip.v4) { at = mid; lo = mid + 1; } else hi = mid - 1;
      }
      if (at < 0 || ends[at]! < ip.v4) return undefined;
      return { asn: asns[at]!, org: this.#orgs[orgIdx[at]!]! };
    }
    if (!this.#v6Path) return undefined;
    this.#v6 ??= this.#loadV6(this.#v6Path);
    const f = this.#v6;
    let lo = 0;
    let hi = f.sHi.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const sh = f.sHi[mid]!;
      if (sh < ip.hi || (sh === ip.hi && f.sLo[mid]! <= ip.lo)) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (at < 0) return undefined;
    const eh = f.eHi[at]!;
    if (eh < ip.hi || (eh === ip.hi && f.eLo[at]! < ip.lo)) return undefined;
    return { asn: f.asns[at]!, org: this.#orgs[f.orgIdx[at]!]! };
  }
}
