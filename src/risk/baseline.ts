/**
 * Per-user sign-in baseline, learned continuously from successful sign-ins and read by the real-time detectors
 * (unfamiliarFeatures, newCountry, unlikelyTravel, anomalousToken). Each property keeps a small bounded table of
 * values with a count and last-seen time; the least useful value is evicted, so one profile stays under a few KB.
 *
 * What is learned: only successful sign-ins that were not risky (below medium) or where the user proved themselves
 * with MFA. Otherwise one successful attacker sign-in would make the attacker's network "familiar".
 */
import type { GeoInfo } from './geo/lookup.ts';
import { addressKey, parseIp, subnetKey } from './geo/ip.ts';
import type { RiskSignInEvent } from './event.ts';
import { family, userAgentFamily } from './ua.ts';

export const featureNames = ['ip', 'subnet', 'asn', 'country', 'city', 'device', 'browser', 'os'] as const;
export type FeatureName = (typeof featureNames)[number];

export interface Seen { n: number; first: number; last: number }
export type FeatureTable = Map<string, Seen>;

export interface LastLocation { time: number; lat: number; lon: number; country: string | undefined; asn: number | undefined }

export interface UserProfile {
  firstSeen: number;
  lastSeen: number;
  successCount: number;
  features: Record<FeatureName, FeatureTable>;
  /** Last successful sign-in with a known position from a non-hosting network (unlikelyTravel). */
  lastLocation: LastLocation | undefined;
  /**
   * Last such sign-in from a network whose position is reliable: not an ASN the user has been seen on in several
   * cities (mobile carriers geolocate to gateways, and a roaming phone egresses in its home country).
   */
  lastReliable: LastLocation | undefined;
  /** Cities seen per ASN (to tell precise networks from imprecise ones). */
  asnCities: Map<number, Set<string>>;
  /** Countries seen together with an ASN: "asn|country" (a VPN/carrier that egresses in several countries). */
  asnCountries: Set<string>;
}

/** The feature values of one sign-in; computed once per event and shared by detectors and learning. */
export type FeatureValues = Partial<Record<FeatureName, string>>;

export function featureValues(e: RiskSignInEvent, net: GeoInfo): FeatureValues {
  const out: FeatureValues = {};
  const ip = parseIp(e.ip);
  if (ip) { out.ip = addressKey(ip); out.subnet = subnetKey(ip); }
  if (net.asn !== undefined) out.asn = String(net.asn);
  if (net.countryOrRegion) out.country = net.countryOrRegion;
  if (net.city) out.city = `${net.countryOrRegion ?? ''}/${net.city}`;
  if (e.device?.deviceId) out.device = e.device.deviceId;
  const br = family(e.device?.browser) ?? userAgentFamily(e.userAgent)?.split('/')[0];
  const os = family(e.device?.operatingSystem) ?? userAgentFamily(e.userAgent)?.split('/')[1];
  if (br) out.browser = br;
  if (os) out.os = os;
  return out;
}

export function newProfile(time: number): UserProfile {
  const features = {} as Record<FeatureName, FeatureTable>;
  for (const f of featureNames) features[f] = new Map();
  return { firstSeen: time, lastSeen: time, successCount: 0, features, lastLocation: undefined, lastReliable: undefined, asnCities: new Map(), asnCountries: new Set() };
}

const MAX_VALUES_PER_FEATURE = 24;
const MAX_ASN_COUNTRIES = 48;

function bump(table: FeatureTable, value: string, time: number): void {
  const s = table.get(value);
  if (s) { s.n++; s.last = time; return; }
  if (table.size >= MAX_VALUES_PER_FEATURE) {
    // Evict the value with the lowest count, oldest first among equals: keeps the habitual values.
    let victim: string | undefined;
    let best: Seen | undefined;
    for (const [k, v] of table) if (!best || v.n < best.n || (v.n === best.n && v.last < best.last)) { victim = k; best = v; }
    if (victim !== undefined) table.delete(victim);
  }
  table.set(value, { n: 1, first: time, last: time });
}

/** Fold a successful sign-in into the profile. */
export function learn(p: UserProfile, fv: FeatureValues, net: GeoInfo, time: number): void {
  p.lastSeen = Math.max(p.lastSeen, time);
  p.successCount++;
  for (const f of featureNames) {
    const v = fv[f];
    if (v !== undefined) bump(p.features[f], v, time);
  }
  if (net.asn !== undefined && net.city) {
    let cities = p.asnCities.get(net.asn);
    if (!cities && p.asnCities.size < MAX_ASN_COUNTRIES) { cities = new Set(); p.asnCities.set(net.asn, cities); }
    if (cities && cities.size < 8) cities.add(net.city);
  }
  // A VPN or cloud exit says nothing about where the user is: positions come from access networks only.
  if (net.latitude !== undefined && net.longitude !== undefined && !net.isHosting) {
    const loc = { time, lat: net.latitude, lon: net.longitude, country: net.countryOrRegion, asn: net.asn };
    p.lastLocation = loc;
    if (!isImpreciseAsn(p, net.asn)) p.lastReliable = loc;
  }
  if (net.asn !== undefined && net.countryOrRegion && p.asnCountries.size < MAX_ASN_COUNTRIES) {
    p.asnCountries.add(`${net.asn}|${net.countryOrRegion}`);
  }
}

/** An ASN the user has been located on in two or more cities: a carrier / roaming network, positions are rough. */
export function isImpreciseAsn(p: UserProfile, asn: number | undefined): boolean {
  return asn !== undefined && (p.asnCities.get(asn)?.size ?? 0) >= 2;
}

/**
 * Where the user last was, for travel checks: the last positioned sign-in, or — when that came from an imprecise
 * network (a carrier, a roaming phone egressing at home) and the current client is the user's own — the last
 * reliable one.
 */
export function referencePosition(p: UserProfile, clientFamiliar: boolean): LastLocation | undefined {
  const last = p.lastLocation;
  if (last && clientFamiliar && p.lastReliable && isImpreciseAsn(p, last.asn)) return p.lastReliable;
  return last;
}

/** The client is the user's own: a known device id, or browser and OS families both seen before. */
export function isFamiliarClient(p: UserProfile, fv: FeatureValues): boolean {
  if (fv.device !== undefined && seenCount(p, 'device', fv.device) > 0) return true;
  return seenCount(p, 'browser', fv.browser) > 0 && seenCount(p, 'os', fv.os) > 0;
}

/** How many times a value was seen (0 = unfamiliar). */
export function seenCount(p: UserProfile, f: FeatureName, v: string | undefined): number {
  return v === undefined ? 0 : (p.features[f].get(v)?.n ?? 0);
}

/** True when the user is still in the learning period (Entra documents at least 5 days; we also want 10 sign-ins). */
export function isLearning(p: UserProfile | undefined, time: number, cfg: { learningDays: number; learningSignIns: number }): boolean {
  return !p || time - p.firstSeen < cfg.learningDays * 86_400_000 || p.successCount < cfg.learningSignIns;
}
