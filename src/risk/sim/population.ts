/**
 * The simulated organisation: offices, users with homes, phones, laptops and habits, and service principals
 * running in clouds. Everything is drawn from a seeded Rng over the real networks in world.ts.
 */
import type { Rng } from './rng.ts';
import { COUNTRIES, HOSTING, type Place, type World } from './world.ts';

export interface SimDevice {
  deviceId: string | undefined;
  os: string;
  browser: string;
  userAgent: string;
  /** Device-bound session (token protection): refreshes prove possession, replays are impossible. */
  bound: boolean;
}

export interface SimUser {
  id: string;
  upn: string;
  country: string;
  office: Place | undefined;
  home: Place;
  homeV6Site: bigint | undefined;
  homeAsn: number;
  mobileAsn: number;
  laptop: SimDevice;
  phone: SimDevice;
  usesCorpVpn: boolean;
  usesCommercialVpn: boolean;
  /** Probability per week of starting a trip. */
  travelRate: number;
  /** Day of the simulation on which the user's account starts (new hires join mid-way). */
  startDay: number;
  password: string;
}

export interface SimServicePrincipal {
  id: string;
  appId: string;
  name: string;
  cloudAsn: number;
  ips: string[];
  resources: string[];
  userAgent: string;
  credentialType: 'clientSecret' | 'certificate' | 'clientAssertion';
  keyId: string;
  secret: string;
  intervalMinutes: number;
  /** A benign migration to another region/cloud on this day (seed 004: "authorised configuration changes"). */
  migratesOnDay: number | undefined;
  migrateTo: { asn: number; ips: string[] } | undefined;
}

export interface Organisation {
  offices: Place[];
  corpVpn: Place[];
  users: SimUser[];
  servicePrincipals: SimServicePrincipal[];
}

const OFFICE_COUNTRIES = ['GB', 'US', 'DE', 'JP', 'FR'];
const USER_COUNTRIES = ['GB', 'GB', 'GB', 'US', 'US', 'US', 'DE', 'DE', 'JP', 'FR', 'NL', 'ES', 'IN', 'BR', 'CA', 'AU'];

const LAPTOPS = [
  { os: 'Windows 11', browser: 'Edge 124.0', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0' },
  { os: 'Windows 10', browser: 'Chrome 124.0', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' },
  { os: 'macOS 14', browser: 'Safari 17.4', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15' },
  { os: 'macOS 14', browser: 'Chrome 124.0', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' },
] as const;
const PHONES = [
  { os: 'iOS 17.4', browser: 'Mobile Safari 17.4', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148' },
  { os: 'Android 14', browser: 'Chrome Mobile 124.0', userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36' },
] as const;

export function newLaptop(rng: Rng, registered = rng.chance(0.75)): SimDevice {
  const l = rng.pick(LAPTOPS);
  return { deviceId: registered ? rng.id('dev') : undefined, ...l, bound: registered && l.os.startsWith('Windows') && rng.chance(0.5) };
}

export function newPhone(rng: Rng): SimDevice {
  const p = rng.pick(PHONES);
  return { deviceId: rng.id('dev'), ...p, bound: false };
}

export function buildOrganisation(world: World, rng: Rng, opts: { users: number; servicePrincipals: number; days: number }): Organisation {
  const offices = OFFICE_COUNTRIES.map((c) => world.ipv4(rng.pick(COUNTRIES[c]!.business), c));
  // Corporate VPN exits in Azure (one fixed pool, whoever connects appears there).
  const corpVpn = [world.ipv4(HOSTING.azure, 'NL'), world.ipv4(HOSTING.azure, 'NL')];
  const users: SimUser[] = [];
  for (let i = 0; i < opts.users; i++) {
    const country = rng.pick(USER_COUNTRIES);
    const nets = COUNTRIES[country]!;
    const homeAsn = rng.pick(nets.home);
    const officeIdx = OFFICE_COUNTRIES.indexOf(country);
    const remote = officeIdx < 0 || rng.chance(0.2);
    users.push({
      id: `user-${i.toString().padStart(4, '0')}`,
      upn: `user${i}@contoso.example`,
      country,
      office: remote ? undefined : offices[officeIdx],
      home: world.ipv4(homeAsn, country),
      homeV6Site: nets.v6?.includes(homeAsn) && rng.chance(0.6) ? world.ipv6Site(homeAsn) : undefined,
      homeAsn,
      mobileAsn: rng.pick(nets.mobile),
      laptop: newLaptop(rng),
      phone: newPhone(rng),
      usesCorpVpn: rng.chance(0.12),
      usesCommercialVpn: rng.chance(0.04),
      travelRate: rng.chance(0.15) ? 0.25 : 0.03,
      startDay: rng.chance(0.05) ? rng.int(7, Math.max(7, opts.days - 3)) : 0,
      password: `pw-${rng.id('p')}`,
    });
  }
  const clouds = [HOSTING.aws, HOSTING.azure, HOSTING.gcp, HOSTING.digitalOcean, HOSTING.hetzner];
  const servicePrincipals: SimServicePrincipal[] = [];
  for (let i = 0; i < opts.servicePrincipals; i++) {
    const cloudAsn = rng.pick(clouds);
    const region = cloudAsn === HOSTING.hetzner ? 'DE' : rng.pick(['US', 'NL', 'DE', 'GB', 'JP']);
    const ips = [world.ipv4(cloudAsn, region).ip, world.ipv4(cloudAsn, region).ip];
    const migrates = rng.chance(0.05);
    const toAsn = rng.pick(clouds.filter((c) => c !== cloudAsn));
    servicePrincipals.push({
      id: `sp-${i.toString().padStart(3, '0')}`,
      appId: rng.id('app'),
      name: `workload-${i}`,
      cloudAsn,
      ips,
      resources: rng.chance(0.5) ? ['https://graph.microsoft.com'] : ['https://graph.microsoft.com', 'https://vault.azure.net'],
      userAgent: rng.pick(['python-requests/2.31.0', 'Go-http-client/2.0', 'azsdk-net-Identity/1.11.0', 'node-fetch/1.0']),
      credentialType: rng.pick(['clientSecret', 'clientSecret', 'certificate', 'clientAssertion'] as const),
      keyId: rng.id('key'),
      secret: `sec-${rng.id('s')}${rng.id('t')}`,
      intervalMinutes: rng.pick([15, 30, 60, 120]),
      migratesOnDay: migrates ? rng.int(10, Math.max(10, opts.days - 1)) : undefined,
      migrateTo: migrates ? { asn: toAsn, ips: [world.ipv4(toAsn).ip] } : undefined,
    });
  }
  return { offices, corpVpn, users, servicePrincipals };
}
