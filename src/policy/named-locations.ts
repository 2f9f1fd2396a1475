/**
 * Named locations compiled for matching (graph-shapes §2): CIDR ranges become integer
 * (IPv4) or bigint (IPv6) network/mask pairs, countries a set. IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`, as Node reports dual-stack peers) are matched as IPv4.
 */
import { isIP } from 'node:net';
import type { NamedLocation } from './schema/named-location.ts';

export type ParsedIp = { v4: number } | { v6: bigint };

export interface CompiledNamedLocation {
  id: string;
  kind: 'ip' | 'country';
  isTrusted: boolean;
  v4: Array<{ net: number; mask: number }>;
  v6: Array<{ net: bigint; mask: bigint }>;
  countries: Set<string>;
  includeUnknown: boolean;
  useGps: boolean;
}

export function parseIp(text: string | null | undefined): ParsedIp | null {
  if (!text) return null;
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const fam = isIP(s);
  if (fam === 4) return { v4: v4ToInt(s) };
  if (fam !== 6) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) return { v4: v4ToInt(mapped[1]!) };
  return { v6: v6ToBigInt(s) };
}

function v4ToInt(s: string): number {
  const [a, b, c, d] = s.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function v6ToBigInt(s: string): bigint {
  let head = s, tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) { head = s.slice(0, dbl); tail = s.slice(dbl + 2); }
  const toGroups = (part: string): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) { const n = v4ToInt(g); out.push(n >>> 16, n & 0xffff); } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = toGroups(head), t = toGroups(tail);
  const groups = dbl >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

export function compileNamedLocation(loc: NamedLocation & { id: string }): CompiledNamedLocation {
  const out: CompiledNamedLocation = { id: loc.id.toLowerCase(), kind: 'ip', isTrusted: false, v4: [], v6: [], countries: new Set(), includeUnknown: false, useGps: false };
  if (loc['@odata.type'] === '#microsoft.graph.ipNamedLocation') {
    out.isTrusted = loc.isTrusted;
    for (const r of loc.ipRanges) {
      const [addr, p] = r.cidrAddress.split('/') as [string, string];
      const prefix = Number(p);
      const ip = parseIp(addr);
      if (!ip) continue;
      if ('v4' in ip) {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        out.v4.push({ net: (ip.v4 & mask) >>> 0, mask });
      } else {
        const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
        out.v6.push({ net: ip.v6 & mask, mask });
      }
    }
  } else {
    out.kind = 'country';
    out.countries = new Set(loc.countriesAndRegions);
    out.includeUnknown = loc.includeUnknownCountriesAndRegions;
    out.useGps = loc.countryLookupMethod === 'authenticatorAppGps';
  }
  return out;
}

/** Whether the sign-in is inside the location. An unknown IP is inside no IP range. */
export function locationContains(loc: CompiledNamedLocation, ip: ParsedIp | null, country: string | null, gpsCountry: string | null): boolean {
  if (loc.kind === 'country') {
    const c = loc.useGps ? gpsCountry : country;
    // graph-shapes §2: includeUnknownCountriesAndRegions covers IPs that map to no country.
    if (!c) return loc.includeUnknown;
    return loc.countries.has(c.toUpperCase());
  }
  if (!ip) return false;
  if ('v4' in ip) {
    for (const r of loc.v4) if (((ip.v4 & r.mask) >>> 0) === r.net) return true;
    return false;
  }
  for (const r of loc.v6) if ((ip.v6 & r.mask) === r.net) return true;
  return false;
}
