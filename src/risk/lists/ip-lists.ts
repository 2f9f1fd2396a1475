/**
 * Operator-loaded IP lists: anonymizers (Tor exit lists, anonymous VPN/proxy feeds), malicious IPs (threat-intel
 * feeds, blocklists) and nation-state infrastructure. Identity Protection's anonymizedIPAddress, maliciousIPAddress
 * and nationStateIP read these (graph-shapes.md §6). Lookups are a binary search over merged IPv4 ranges plus a
 * short scan of IPv6 prefixes, so a list of a million entries costs the sign-in path a few comparisons.
 *
 * Accepted formats (auto-detected per line):
 *  - one address or CIDR per line, with `#` or `;` comments and trailing text (Spamhaus DROP, FireHOL, Tor bulk list);
 *  - Tor exit-addresses documents (`ExitAddress 1.2.3.4 2024-01-01 00:00:00`);
 *  - JSON: an array of strings, or of objects with `ip`, `indicator`, `value` or `cidr` (MISP / STIX-ish exports).
 */
import { parseIpv4, parseIpv6, parseIp } from '../geo/ip.ts';

export type IpListCategory = 'anonymizer' | 'malicious' | 'nationState';

export interface IpListLoadResult { category: IpListCategory; source: string; added: number; rejected: number; firstRejected?: string }

interface V6Prefix { hi: bigint; lo: bigint; len: number }
interface CategoryData { v4: Array<[number, number]>; starts: Uint32Array; ends: Uint32Array; v6: V6Prefix[]; sources: Set<string> }

function parseEntry(raw: string): { v4?: [number, number]; v6?: V6Prefix } | undefined {
  const [addr, lenStr] = raw.split('/');
  if (!addr) return undefined;
  const len = lenStr === undefined ? undefined : Number(lenStr);
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) {
    const l = len ?? 32;
    if (!Number.isInteger(l) || l < 0 || l > 32) return undefined;
    const size = 2 ** (32 - l);
    const start = Math.floor(v4 / size) * size;
    return { v4: [start, start + size - 1] };
  }
  const v6 = parseIpv6(addr);
  if (!v6) return undefined;
  const l = len ?? 128;
  if (!Number.isInteger(l) || l < 0 || l > 128) return undefined;
  return { v6: { ...v6, len: l } };
}

function v6Matches(p: V6Prefix, hi: bigint, lo: bigint): boolean {
  if (p.len <= 64) {
    const shift = BigInt(64 - p.len);
    return p.len === 0 || hi >> shift === p.hi >> shift;
  }
  const shift = BigInt(128 - p.len);
  return hi === p.hi && lo >> shift === p.lo >> shift;
}

function extractTokens(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    const parsed: unknown = JSON.parse(t);
    const arr = Array.isArray(parsed) ? parsed : (parsed as { indicators?: unknown[]; data?: unknown[] }).indicators ?? (parsed as { data?: unknown[] }).data ?? [];
    return arr.map((x) => {
      if (typeof x === 'string') return x;
      const o = x as Record<string, unknown>;
      const v = o['ip'] ?? o['indicator'] ?? o['value'] ?? o['cidr'];
      return typeof v === 'string' ? v : '';
    });
  }
  const out: string[] = [];
  for (const line of t.split(/\r?\n/)) {
    const l = line.replace(/[#;].*$/, '').trim();
    if (!l) continue;
    const words = l.split(/[\s,]+/);
    // Tor exit-addresses: "ExitAddress <ip> <date> <time>"; other Tor descriptor lines carry no address.
    if (words[0] === 'ExitAddress') out.push(words[1] ?? '');
    else if (/^(ExitNode|Published|LastStatus)$/.test(words[0] ?? '')) continue;
    else out.push(words[0] ?? '');
  }
  return out;
}

export class IpLists {
  readonly #data = new Map<IpListCategory, CategoryData>();

  /** Load entries into a category. `replace` swaps the category's previous content (a refreshed feed). */
  load(category: IpListCategory, text: string, opts: { source?: string; replace?: boolean } = {}): IpListLoadResult {
    const source = opts.source ?? 'operator';
    let tokens: string[];
    try {
      tokens = extractTokens(text);
    } catch (e) {
      throw new TypeError(`IP list "${source}" is not valid JSON: ${(e as Error).message}`);
    }
    const prev = opts.replace ? undefined : this.#data.get(category);
    const v4 = prev ? [...prev.v4] : [];
    const v6 = prev ? [...prev.v6] : [];
    let added = 0;
    let rejected = 0;
    let firstRejected: string | undefined;
    for (const tok of tokens) {
      const e = parseEntry(tok);
      if (!e) { rejected++; firstRejected ??= tok; continue; }
      if (e.v4) v4.push(e.v4); else if (e.v6) v6.push(e.v6);
      added++;
    }
    // Sort and merge overlapping/adjacent ranges so lookup is one binary search.
    v4.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of v4) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    const sources = new Set(prev?.sources ?? []);
    sources.add(source);
    this.#data.set(category, {
      v4: merged,
      starts: Uint32Array.from(merged, (r) => r[0]),
      ends: Uint32Array.from(merged, (r) => r[1]),
      v6,
      sources,
    });
    const res: IpListLoadResult = { category, source, added, rejected };
    if (firstRejected !== undefined) res.firstRejected = firstRejected;
    return res;
  }

  clear(category: IpListCategory): void {
    this.#data.delete(category);
  }

  /** Categories whose lists contain `ip` (empty for unparseable input). */
  match(ip: string): IpListCategory[] {
    const p = parseIp(ip);
    if (!p) return [];
    const out: IpListCategory[] = [];
    for (const [cat, d] of this.#data) {
      if (p.version === 4) {
        let lo = 0;
        let hi = d.starts.length - 1;
        let at = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (d.starts[mid]! <= p.v4) { at = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (at >= 0 && d.ends[at]! >= p.v4) out.push(cat);
      } else if (d.v6.some((pre) => v6Matches(pre, p.hi, p.lo))) out.push(cat);
    }
    return out;
  }

  sources(category: IpListCategory): string[] {
    return [...(this.#data.get(category)?.sources ?? [])];
  }
}
