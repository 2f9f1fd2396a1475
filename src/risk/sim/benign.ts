/**
 * Benign traffic: weeks of ordinary working life for every user (office and home networks, IPv6 at home, phones
 * on carrier NAT, corporate and commercial VPNs, DHCP address changes, trips abroad with real flight times, new
 * laptops and phones, password typos, weekends, new hires) and service principals calling their resources on a
 * schedule (including a few authorised migrations to another cloud).
 */
import { distanceKm } from '../geo/distance.ts';
import type { RiskSignInEvent } from '../event.ts';
import type { SimItem, SessionRecord } from './items.ts';
import { newLaptop, newPhone, type Organisation, type SimDevice, type SimUser } from './population.ts';
import type { Rng } from './rng.ts';
import { COUNTRIES, HOSTING, type Place, type World } from './world.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface BenignOutput {
  items: SimItem[];
  sessions: Map<string, SessionRecord[]>;
  /** Interactive or refresh activity times per user, sorted. */
  activity: Map<string, number[]>;
  /** Users who travelled, per week index (for the report). */
  travellers: Set<string>[];
}

interface Trip { dest: string; hotel: Place; departs: number; arrives: number; returnDeparts: number; returns: number }

export function generateBenign(world: World, rng: Rng, org: Organisation, opts: { start: number; days: number; fingerprint: (pw: string) => string }): BenignOutput {
  const items: SimItem[] = [];
  const sessions = new Map<string, SessionRecord[]>();
  const activity = new Map<string, number[]>();
  const travellers = Array.from({ length: Math.ceil(opts.days / 7) }, () => new Set<string>());
  const commercialVpnCountries = ['NL', 'DE', 'US', 'GB'];

  for (const u of org.users) {
    const current: { laptop?: SessionRecord; phone?: SessionRecord } = {};
    const acts: number[] = [];
    let trip: Trip | undefined;
    let home = u.home;
    let laptop = u.laptop;
    let phone = u.phone;
    const pwFp = opts.fingerprint(u.password);

    const emit = (time: number, place: Place | string, dev: SimDevice, kind: 'laptop' | 'phone', interactive: boolean) => {
      const ip = typeof place === 'string' ? place : place.ip;
      const base: RiskSignInEvent = {
        requestId: rng.id('req'), time, userId: u.id, userPrincipalName: u.upn, ip, userAgent: dev.userAgent,
        device: { ...(dev.deviceId ? { deviceId: dev.deviceId } : {}), operatingSystem: dev.os, browser: dev.browser },
        isInteractive: interactive, status: 'success',
      };
      const cur = current[kind];
      if (interactive || !cur) {
        if (rng.chance(0.03)) {
          items.push({ type: 'user', time: time - rng.int(10, 60) * 1000, event: { ...base, requestId: rng.id('req'), time: time - 20_000, status: 'failure', failureKind: 'invalidPassword', passwordFingerprint: opts.fingerprint(`${u.password}-typo-${rng.int(0, 9)}`) } });
        }
        const ev: RiskSignInEvent = { ...base, isInteractive: true, passwordFingerprint: pwFp, mfaSatisfied: rng.chance(0.4) };
        items.push({ type: 'user', time, event: ev });
        const s: SessionRecord = { userId: u.id, time, tokenId: rng.id('tok'), kind, device: dev, issuedTo: { issuedAt: time, ip, userAgent: dev.userAgent, device: ev.device! } };
        current[kind] = s;
        const list = sessions.get(u.id) ?? [];
        list.push(s);
        sessions.set(u.id, list);
      } else {
        items.push({ type: 'user', time, event: { ...base, presentedToken: { kind: kind === 'laptop' && !dev.deviceId ? 'sessionCookie' : 'refreshToken', tokenId: cur.tokenId, issuedTo: cur.issuedTo, ...(dev.bound ? { devicePossessionProven: true } : {}) } } });
      }
      acts.push(time);
    };

    const homeNet = (): Place | string => {
      if (u.homeV6Site !== undefined && rng.chance(0.7)) return world.ipv6In(u.homeV6Site);
      return home;
    };

    for (let d = u.startDay; d < opts.days; d++) {
      const day = opts.start + d * DAY;
      const weekday = d % 7 < 5;
      // Habit changes that happen to everyone now and then.
      if (rng.chance(0.02)) home = world.ipv4(u.homeAsn, u.country);
      if (rng.chance(0.002)) { laptop = newLaptop(rng); delete current.laptop; }
      if (rng.chance(0.002)) { phone = newPhone(rng); delete current.phone; }
      const mobile = (): Place => world.ipv4(u.mobileAsn, u.country);

      if (!trip && d > u.startDay + 2 && rng.chance(u.travelRate / 7)) {
        const officeCountries = org.offices.map((o) => o.country).filter((c): c is string => !!c && c !== u.country);
        const dest = rng.chance(0.6) && officeCountries.length ? rng.pick(officeCountries) : rng.pick(Object.keys(COUNTRIES).filter((c) => c !== u.country && c !== 'CN' && c !== 'NG'));
        const hotel = world.ipv4(rng.pick(COUNTRIES[dest]!.home), dest);
        const flightH = distanceKm(home.lat, home.lon, hotel.lat, hotel.lon) / 800 + 2.5;
        const departs = day + rng.int(9, 14) * HOUR;
        const arrives = departs + flightH * HOUR;
        const returnDeparts = day + rng.int(2, 6) * DAY + rng.int(9, 16) * HOUR;
        trip = { dest, hotel, departs, arrives, returnDeparts, returns: returnDeparts + flightH * HOUR };
        travellers[Math.floor(d / 7)]?.add(u.id);
      }
      if (!weekday && !trip && rng.chance(0.5)) continue;

      const inFlight = (t: number) => trip !== undefined && ((t >= trip.departs && t < trip.arrives) || (t >= trip.returnDeparts && t < trip.returns));
      const abroad = (t: number) => trip !== undefined && t >= trip.arrives && t < trip.returnDeparts;
      const atOffice = weekday && u.office !== undefined && rng.chance(0.6);
      const vpnToday = u.usesCorpVpn && rng.chance(0.5) ? rng.pick(org.corpVpn) : u.usesCommercialVpn && rng.chance(0.15) ? world.ipv4(HOSTING.m247, rng.pick(commercialVpnCountries)) : undefined;

      const laptopPlace = (t: number): Place | string => {
        if (abroad(t)) return vpnToday && u.usesCorpVpn ? vpnToday : trip!.hotel;
        if (atOffice && (t - day) < 18 * HOUR) return u.office!;
        return vpnToday ?? homeNet();
      };
      const phonePlace = (t: number): Place | string => {
        if (abroad(t)) return rng.chance(0.5) ? trip!.hotel : rng.chance(0.5) ? mobile() : world.ipv4(rng.pick(COUNTRIES[trip!.dest]!.mobile), trip!.dest);
        if (atOffice && (t - day) < 18 * HOUR && rng.chance(0.5)) return u.office!;
        if (!atOffice && rng.chance(0.6)) return homeNet();
        return mobile();
      };

      // Laptop: a morning start, refreshes through the day, sometimes an evening session.
      let t = day + 8.5 * HOUR + rng.jitter(60);
      const laptopEvents = weekday ? rng.int(3, 6) : rng.int(1, 2);
      for (let i = 0; i < laptopEvents; i++) {
        if (!inFlight(t)) emit(t, laptopPlace(t), laptop, 'laptop', i === 0 && rng.chance(0.3));
        t += rng.int(60, 150) * MIN;
      }
      // Phone: a few refreshes spread over the day, an interactive sign-in now and then.
      const phoneEvents = rng.int(1, 4);
      for (let i = 0; i < phoneEvents; i++) {
        const pt = day + rng.int(7 * 60, 22 * 60) * MIN;
        if (!inFlight(pt)) emit(pt, phonePlace(pt), phone, 'phone', rng.chance(0.05));
      }
      if (trip && day + DAY > trip.returns) trip = undefined;
    }
    acts.sort((a, b) => a - b);
    activity.set(u.id, acts);
  }

  for (const sp of org.servicePrincipals) {
    for (let t = opts.start + rng.int(0, sp.intervalMinutes) * MIN; t < opts.start + opts.days * DAY; t += sp.intervalMinutes * MIN + rng.jitter(3)) {
      const migrated = sp.migratesOnDay !== undefined && t >= opts.start + sp.migratesOnDay * DAY;
      const ip = migrated ? rng.pick(sp.migrateTo!.ips) : rng.pick(sp.ips);
      items.push({ type: 'sp', time: t, event: {
        requestId: rng.id('req'), time: t, servicePrincipalId: sp.id, appId: sp.appId, servicePrincipalDisplayName: sp.name, ip,
        resourceId: rng.pick(sp.resources), userAgent: sp.userAgent, credentialType: sp.credentialType, keyId: sp.keyId, status: 'success',
      } });
    }
  }
  return { items, sessions, activity, travellers };
}
