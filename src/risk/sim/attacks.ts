/**
 * Labelled attacks mixed into the benign traffic, after the first week (the baseline needs time to learn):
 * token replay (another country or a hosting ASN, copied or own user agent, while the victim is active or not),
 * adversary-in-the-middle session replay, password spray (one source and distributed), impossible travel with a
 * stolen password, sign-ins through Tor, a leaked credential list, leaked service principal secrets, a service
 * principal secret used from a new ASN, and PRT access attempts reported by an endpoint agent.
 */
import { distanceKm } from '../geo/distance.ts';
import type { RiskSignInEvent } from '../event.ts';
import type { AttackKind, SessionRecord, SimItem, SimLabel } from './items.ts';
import type { Organisation, SimUser } from './population.ts';
import type { Rng } from './rng.ts';
import { COUNTRIES, HOSTING, type Place, type World } from './world.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const SPRAY_PASSWORDS = ['Spring2026!', 'Welcome1!'];

const ATTACKER_CLIENTS = [
  { os: 'Linux', browser: 'Firefox 126.0', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0' },
  { os: 'Windows 10', browser: 'Chrome 122.0', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36' },
  { os: 'Linux', browser: 'python-requests 2.31', userAgent: 'python-requests/2.31.0' },
];

export interface AttackPlan {
  items: SimItem[];
  /** Every attack instance with what should detect it. */
  instances: SimLabel[];
  /** Users that are victims at some point (excluded from the benign false-positive denominator). */
  victims: Set<string>;
  compromisedSps: Set<string>;
  torExits: string[];
}

/** Pick the users whose password a spray will guess, before benign traffic is generated with their passwords. */
export function plantWeakPasswords(org: Organisation, rng: Rng, count: number): SimUser[] {
  const weak: SimUser[] = [];
  while (weak.length < count) {
    const u = rng.pick(org.users);
    if (u.startDay === 0 && !weak.includes(u)) { u.password = SPRAY_PASSWORDS[weak.length % SPRAY_PASSWORDS.length]!; weak.push(u); }
  }
  return weak;
}

export function generateAttacks(world: World, rng: Rng, org: Organisation, ctx: {
  start: number; days: number; scale: number; fingerprint: (pw: string) => string;
  sessions: Map<string, SessionRecord[]>; activity: Map<string, number[]>; weak: SimUser[];
  /** Users who travel during the simulation (an impossible-travel label needs to know where the victim is). */
  travellers: Set<string>;
}): AttackPlan {
  const items: SimItem[] = [];
  const instances: SimLabel[] = [];
  const victims = new Set<string>();
  const compromisedSps = new Set<string>();
  const firstDay = Math.min(8, ctx.days - 1);
  const randomTime = () => ctx.start + rng.int(firstDay, ctx.days - 1) * DAY + rng.int(0, 23 * 60) * MIN;
  const label = (kind: AttackKind, expected: string[]): SimLabel => {
    const l = { attackId: rng.id(kind), kind, expected };
    instances.push(l);
    return l;
  };
  const elsewhere = (u: SimUser, minKm = 0): Place => {
    for (let i = 0; i < 20; i++) {
      const c = rng.pick(Object.keys(COUNTRIES).filter((x) => x !== u.country));
      const p = world.ipv4(rng.pick(COUNTRIES[c]!.home), c);
      if (distanceKm(u.home.lat, u.home.lon, p.lat, p.lon) >= minKm) return p;
    }
    return world.ipv4(rng.pick(COUNTRIES['AU']!.home), 'AU');
  };
  const rented = (): Place => world.ipv4(rng.pick([HOSTING.aws, HOSTING.digitalOcean, HOSTING.vultr, HOSTING.hetzner, HOSTING.ovh]));
  const userEvent = (u: SimUser, time: number, ip: string, client: { os: string; browser: string; userAgent: string }, over: Partial<RiskSignInEvent>): RiskSignInEvent => ({
    requestId: rng.id('req'), time, userId: u.id, userPrincipalName: u.upn, ip, userAgent: client.userAgent,
    device: { operatingSystem: client.os, browser: client.browser }, isInteractive: true, status: 'success', ...over,
  });
  const activeUsers = org.users.filter((u) => u.startDay === 0);
  const activeAround = (u: SimUser, from: number): number | undefined => ctx.activity.get(u.id)?.find((t) => t >= from);

  // Token replay: a stolen refresh token or session cookie (not device-bound) replayed elsewhere.
  for (let i = 0; i < Math.round(40 * ctx.scale); i++) {
    const u = rng.pick(activeUsers);
    const theft = randomTime();
    const s = [...(ctx.sessions.get(u.id) ?? [])].reverse().find((x) => x.time <= theft && x.kind === 'laptop' && !x.device.bound);
    if (!s) continue;
    const whileActive = rng.chance(0.4);
    const at = whileActive ? (activeAround(u, theft) ?? theft) + rng.int(5, 30) * MIN : theft + rng.int(1, 48) * HOUR;
    const place = rng.chance(0.5) ? rented() : elsewhere(u);
    const client = rng.chance(0.5) ? { os: s.device.os, browser: s.device.browser, userAgent: s.device.userAgent } : rng.pick(ATTACKER_CLIENTS);
    const l = label('tokenReplay', ['anomalousToken']);
    victims.add(u.id);
    for (let k = 0, t = at; k < rng.int(1, 4); k++, t += rng.int(10, 90) * MIN) {
      items.push({ type: 'user', time: t, label: l, event: userEvent(u, t, place.ip, client, {
        isInteractive: false, presentedToken: { kind: s.device.deviceId ? 'refreshToken' : 'sessionCookie', tokenId: s.tokenId, issuedTo: s.issuedTo },
      }) });
    }
  }

  // AiTM: the victim signs in (with MFA) through a reverse proxy on rented infrastructure; the operator replays the cookie.
  for (let i = 0; i < Math.round(15 * ctx.scale); i++) {
    const u = rng.pick(activeUsers);
    const t0 = activeAround(u, randomTime());
    if (t0 === undefined) continue;
    const proxy = rented();
    const client = { os: u.laptop.os, browser: u.laptop.browser, userAgent: u.laptop.userAgent };
    const l = label('aitmSessionReplay', ['attackerinTheMiddle']);
    victims.add(u.id);
    const phish = userEvent(u, t0 + 10 * MIN, proxy.ip, client, { passwordFingerprint: ctx.fingerprint(u.password), mfaSatisfied: true });
    items.push({ type: 'user', time: phish.time, label: l, event: phish });
    // Replay from abroad, from rented servers, or through a residential proxy in the victim's own country (on
    // another ISP than the victim's home line when the country has one).
    const otherIsps = COUNTRIES[u.country]!.home.filter((a) => a !== u.homeAsn);
    const replayFrom = rng.chance(0.5) ? elsewhere(u) : rng.chance(0.6) ? rented() : world.ipv4(rng.pick(otherIsps.length ? otherIsps : COUNTRIES[u.country]!.home), u.country);
    const replayClient = rng.chance(0.7) ? client : rng.pick(ATTACKER_CLIENTS);
    const tokenId = rng.id('tok');
    for (let k = 0, t = phish.time + rng.int(5, 60) * MIN; k < rng.int(1, 3); k++, t += rng.int(10, 60) * MIN) {
      items.push({ type: 'user', time: t, label: l, event: userEvent(u, t, replayFrom.ip, replayClient, {
        isInteractive: false,
        presentedToken: { kind: 'sessionCookie', tokenId, issuedTo: { issuedAt: phish.time, ip: proxy.ip, userAgent: client.userAgent, device: { operatingSystem: client.os, browser: client.browser } } },
      }) });
    }
  }

  // Password spray campaigns: one source (or a few rented addresses), or distributed over residential proxies.
  const campaigns = Math.max(2, Math.round(4 * ctx.scale));
  for (let c = 0; c < campaigns; c++) {
    const distributed = c % 3 === 2;
    const sources = [rented(), rented()];
    const t0 = ctx.start + rng.int(firstDay, ctx.days - 1) * DAY + rng.int(0, 5) * HOUR;
    const weakHere = ctx.weak.filter((_, i) => i % campaigns === c);
    const targets = new Set<SimUser>(weakHere);
    while (targets.size < rng.int(60, 150)) targets.add(rng.pick(org.users));
    let t = t0;
    for (const pw of SPRAY_PASSWORDS) {
      const fp = ctx.fingerprint(pw);
      for (const u of targets) {
        t += rng.int(5, 40) * 1000;
        const ip = distributed ? world.ipv4(rng.pick(COUNTRIES[rng.pick(Object.keys(COUNTRIES))]!.home)).ip : rng.pick(sources).ip;
        const hit = u.password === pw;
        const l = hit ? label('passwordSpray', ['passwordSpray']) : undefined;
        if (hit) victims.add(u.id);
        const e = userEvent(u, t, ip, ATTACKER_CLIENTS[2]!, { passwordFingerprint: fp, ...(hit ? {} : { status: 'failure' as const, failureKind: 'invalidPassword' as const }) });
        items.push(l ? { type: 'user', time: t, event: e, label: l } : { type: 'user', time: t, event: e });
      }
    }
  }

  // Impossible travel: the stolen password used far (≥ 3000 km) away shortly after the victim's own sign-in.
  const homebodies = activeUsers.filter((u) => !ctx.travellers.has(u.id));
  for (let i = 0; i < Math.round(15 * ctx.scale); i++) {
    const u = rng.pick(homebodies);
    const t = activeAround(u, randomTime());
    if (t === undefined) continue;
    let place = elsewhere(u, 3000);
    if (rng.chance(0.3)) {
      for (let k = 0; k < 20; k++) {
        const r = rented();
        if (distanceKm(u.home.lat, u.home.lon, r.lat, r.lon) >= 3000) { place = r; break; }
      }
    }
    const l = label('impossibleTravel', ['unlikelyTravel']);
    victims.add(u.id);
    const at = t + rng.int(20, 90) * MIN;
    items.push({ type: 'user', time: at, label: l, event: userEvent(u, at, place.ip, rng.pick(ATTACKER_CLIENTS), { passwordFingerprint: ctx.fingerprint(u.password) }) });
  }

  // Tor: the operator loads a Tor exit list; stolen passwords are tried through exits on it.
  const torExits = Array.from({ length: 40 }, () => world.ipv4(rng.pick([HOSTING.hetzner, HOSTING.ovh, HOSTING.m247])).ip);
  for (let i = 0; i < Math.round(6 * ctx.scale); i++) {
    const u = rng.pick(activeUsers);
    const at = randomTime();
    const l = label('torSignIn', ['anonymizedIPAddress']);
    victims.add(u.id);
    items.push({ type: 'user', time: at, label: l, event: userEvent(u, at, rng.pick(torExits), ATTACKER_CLIENTS[0]!, { passwordFingerprint: ctx.fingerprint(u.password) }) });
  }

  // A combolist with some valid current passwords, some stale ones and unknown accounts.
  const leakAt = ctx.start + Math.min(ctx.days - 1, 15) * DAY;
  const leakLabels = new Map<string, SimLabel>();
  const lines: string[] = [];
  for (let i = 0; i < Math.round(6 * ctx.scale); i++) {
    const u = rng.pick(activeUsers);
    if (leakLabels.has(u.upn)) continue;
    leakLabels.set(u.upn, label('leakedCredentials', ['leakedCredentials']));
    victims.add(u.id);
    lines.push(`${u.upn}:${u.password}`);
  }
  for (let i = 0; i < 8; i++) lines.push(`${rng.pick(org.users).upn}:OldPassword${i}!`);
  for (let i = 0; i < 10; i++) lines.push(`someone${i}@fabrikam.example:hunter${i}`);
  items.push({ type: 'leak', time: leakAt, report: lines.join('\n'), labels: leakLabels });

  // Service principal secrets committed to a repository (gitleaks report), and a stolen secret used from a new ASN.
  const sps = org.servicePrincipals.filter((s) => s.migratesOnDay === undefined);
  const spLeakLabels = new Map<string, SimLabel>();
  const findings: Record<string, unknown>[] = [];
  for (let i = 0; i < 2; i++) {
    const sp = rng.pick(sps);
    if (spLeakLabels.has(sp.id)) continue;
    spLeakLabels.set(sp.id, label('spLeakedSecret', ['leakedCredentials']));
    compromisedSps.add(sp.id);
    findings.push({ Description: 'Generic API Key', File: `deploy/${sp.name}.env`, StartLine: 3, Commit: rng.id('c'), RuleID: 'generic-api-key', Secret: sp.secret });
  }
  findings.push({ Description: 'Generic API Key', File: 'old/config.env', StartLine: 9, Commit: 'deadbeef', RuleID: 'generic-api-key', Secret: 'sec-revoked-long-ago' });
  items.push({ type: 'leak', time: leakAt + HOUR, report: JSON.stringify(findings), labels: spLeakLabels });
  for (let i = 0; i < Math.max(2, Math.round(4 * ctx.scale)); i++) {
    const sp = rng.pick(sps);
    if (compromisedSps.has(sp.id)) continue;
    compromisedSps.add(sp.id);
    const l = label('spSecretNewAsn', ['suspiciousSignins']);
    const place = rng.chance(0.5) ? world.ipv4(rng.pick(COUNTRIES[rng.pick(['NG', 'BR', 'IN', 'CN'])]!.home)) : world.ipv4(rng.pick([HOSTING.vultr, HOSTING.ovh, HOSTING.m247].filter((a) => a !== sp.cloudAsn)));
    for (let k = 0, t = randomTime(); k < rng.int(3, 10); k++, t += rng.int(5, 20) * MIN) {
      items.push({ type: 'sp', time: t, label: l, event: {
        requestId: rng.id('req'), time: t, servicePrincipalId: sp.id, appId: sp.appId, servicePrincipalDisplayName: sp.name, ip: place.ip,
        resourceId: sp.resources[0]!, userAgent: rng.chance(0.5) ? sp.userAgent : 'curl/8.5.0', credentialType: sp.credentialType, keyId: sp.keyId, status: 'success',
      } });
    }
  }

  // An endpoint agent reports processes reading the PRT.
  for (let i = 0; i < Math.max(1, Math.round(3 * ctx.scale)); i++) {
    const u = rng.pick(activeUsers);
    const at = randomTime();
    const l = label('attemptedPrtAccess', ['attemptedPrtAccess']);
    victims.add(u.id);
    items.push({ type: 'device', time: at, label: l, signal: {
      type: 'attemptedPrtAccess', deviceId: u.laptop.deviceId ?? rng.id('dev'), userId: u.id, userPrincipalName: u.upn,
      observedDateTime: new Date(at).toISOString(), processName: 'rundll32.exe', reportedBy: 'tessera-agent',
    } });
  }
  return { items, instances, victims, compromisedSps, torExits };
}
