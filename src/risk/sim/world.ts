/**
 * The simulated internet: real address ranges of real networks, taken from the packaged ASN data and located with
 * the packaged city data, so the engine sees the same kind of addresses it sees in production (real ISP / carrier /
 * cloud ASNs, real geolocation quirks, IPv6 from ISPs that hand it out).
 */
import { readFileSync } from 'node:fs';
import { defaultGeoPaths, type GeoLookup } from '../geo/lookup.ts';
import { formatIpv4 } from '../geo/ip.ts';
import type { Rng } from './rng.ts';

export interface CountryNets { home: number[]; mobile: number[]; business: number[]; v6?: number[] }

/** Residential ISPs, mobile carriers and business lines per country (ASNs checked against @ip-location-db/asn). */
export const COUNTRIES: Record<string, CountryNets> = {
  GB: { home: [2856, 5089, 5607, 13285], mobile: [25135, 35228], business: [2856, 5089], v6: [2856] },
  US: { home: [7922, 7018, 20115, 22773], mobile: [21928, 22394, 20057], business: [7018, 701], v6: [7922] },
  DE: { home: [3320, 3209], mobile: [6805, 3209], business: [3320], v6: [3320] },
  FR: { home: [3215, 12322, 15557], mobile: [5410, 15557], business: [3215], v6: [3215] },
  JP: { home: [4713, 2516, 17676], mobile: [9605], business: [4713] },
  NL: { home: [1136, 33915], mobile: [33915], business: [1136] },
  ES: { home: [3352], mobile: [3352], business: [3352] },
  IN: { home: [55836, 24560], mobile: [55836], business: [24560] },
  BR: { home: [28573, 26599], mobile: [26599], business: [28573] },
  AU: { home: [1221, 4804], mobile: [1221], business: [1221] },
  CA: { home: [812, 577], mobile: [812], business: [577] },
  SG: { home: [9506], mobile: [9506], business: [9506] },
  NG: { home: [29465, 36873], mobile: [29465], business: [36873] },
  CN: { home: [4134, 4837], mobile: [4837], business: [4134] },
};

/** Cloud / VPN networks: where workloads run, where corporate and commercial VPNs exit, what attackers rent. */
export const HOSTING = { aws: 16509, azure: 8075, gcp: 396982, digitalOcean: 14061, hetzner: 24940, vultr: 20473, m247: 9009, ovh: 16276 } as const;

export interface Place { ip: string; country: string | undefined; city: string | undefined; asn: number; lat: number; lon: number }

export class World {
  readonly #v4 = new Map<number, Array<[number, number]>>();
  readonly #v6 = new Map<number, Array<[bigint, bigint]>>();
  readonly #geo: GeoLookup;
  readonly #rng: Rng;

  constructor(geo: GeoLookup, rng: Rng) {
    this.#geo = geo;
    this.#rng = rng;
    const wanted = new Set<number>([...Object.values(HOSTING), ...Object.values(COUNTRIES).flatMap((c) => [...c.home, ...c.mobile, ...c.business])]);
    const v6wanted = new Set(Object.values(COUNTRIES).flatMap((c) => c.v6 ?? []));
    const paths = defaultGeoPaths().asnCsv;
    for (const line of readFileSync(paths.ipv4NumCsv, 'utf8').split('\n')) {
      const [s, e, a] = line.split(',', 3);
      const asn = Number(a);
      if (!wanted.has(asn)) continue;
      const rows = this.#v4.get(asn) ?? [];
      rows.push([Number(s), Number(e)]);
      this.#v4.set(asn, rows);
    }
    for (const line of readFileSync(paths.ipv6NumCsv, 'utf8').split('\n')) {
      const [s, e, a] = line.split(',', 3);
      const asn = Number(a);
      if (!v6wanted.has(asn)) continue;
      const rows = this.#v6.get(asn) ?? [];
      rows.push([BigInt(s!), BigInt(e!)]);
      this.#v6.set(asn, rows);
    }
  }

  /**
   * A public IPv4 address of `asn`, geolocated in `country` when asked (networks span borders; a few tries).
   * Ranges are weighted by size so big access networks dominate as they do in reality.
   */
  ipv4(asn: number, country?: string): Place {
    const rows = this.#v4.get(asn);
    if (!rows?.length) throw new Error(`no IPv4 ranges for AS${asn}`);
    let fallback: Place | undefined;
    for (let i = 0; i < 25; i++) {
      const [s, e] = this.#rng.pick(rows);
      const ip = formatIpv4(s + Math.floor(this.#rng.next() * (e - s + 1)));
      const g = this.#geo.lookup(ip);
      const place = { ip, country: g.countryOrRegion, city: g.city, asn, lat: g.latitude ?? 0, lon: g.longitude ?? 0 };
      if (!g.known || g.asn !== asn) continue;
      if (!country || g.countryOrRegion === country) return place;
      fallback ??= place;
    }
    if (fallback) return fallback;
    throw new Error(`could not place an address of AS${asn}`);
  }

  /** A /48 of `asn` (an IPv6 home site); hosts inside it use random /64s and interface ids. */
  ipv6Site(asn: number): bigint | undefined {
    const rows = this.#v6.get(asn);
    if (!rows?.length) return undefined;
    for (let i = 0; i < 10; i++) {
      const [s, e] = this.#rng.pick(rows);
      if (e - s < (1n << 80n) - 1n) continue;
      const span = (e - s) >> 80n;
      const site = (s >> 80n) + BigInt(Math.floor(this.#rng.next() * Number(span > 1000000n ? 1000000n : span + 1n)));
      return site << 80n;
    }
    return undefined;
  }

  ipv6In(site: bigint): string {
    const low = (BigInt(Math.floor(this.#rng.next() * 65536)) << 64n) | BigInt(Math.floor(this.#rng.next() * 2 ** 32)) << 16n | BigInt(this.#rng.int(1, 65535));
    const v = site | low;
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
    return groups.join(':');
  }
}
