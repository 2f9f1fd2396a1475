/** Hand-built networks and sign-in events for the identity protection tests (no GeoIP database needed). */
import type { GeoInfo } from '../../src/risk/geo/lookup.ts';
import type { PresentedToken, RiskSignInEvent } from '../../src/risk/event.ts';
import type { RiskEngine } from '../../src/risk/engine.ts';

export const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const net = (countryOrRegion: string, city: string, latitude: number, longitude: number, asn: number, isHosting = false): GeoInfo =>
  ({ known: true, countryOrRegion, city, latitude, longitude, asn, asOrg: `AS${asn}`, isHosting });

/** ip → network; each entry is one place the tests sign in from. */
export const NETS = {
  homeLondon: { ip: '81.2.69.10', net: net('GB', 'London', 51.51, -0.12, 2856) },
  officeLondon: { ip: '62.252.1.5', net: net('GB', 'London', 51.52, -0.1, 5089) },
  mobileLondon: { ip: '31.94.0.7', net: net('GB', 'London', 51.5, -0.13, 12576) },
  mobileGlasgow: { ip: '31.94.77.1', net: net('GB', 'Glasgow', 55.86, -4.25, 12576) },
  edinburghCafe: { ip: '5.64.1.1', net: net('GB', 'Edinburgh', 55.95, -3.19, 13285) },
  parisHotel: { ip: '90.84.10.1', net: net('FR', 'Paris', 48.85, 2.35, 3215) },
  sydney: { ip: '1.120.5.5', net: net('AU', 'Sydney', -33.87, 151.2, 1221) },
  sydneyCafe: { ip: '49.176.1.1', net: net('AU', 'Sydney', -33.86, 151.21, 4804) },
  lagos: { ip: '105.112.3.3', net: net('NG', 'Lagos', 6.45, 3.39, 36873) },
  awsVirginia: { ip: '3.80.1.1', net: net('US', 'Ashburn', 39.04, -77.49, 16509, true) },
  vpnFrankfurt: { ip: '185.220.10.10', net: net('DE', 'Frankfurt', 50.11, 8.68, 9009, true) },
  homeV6a: { ip: '2a00:23c5:1234:5601::1a', net: net('GB', 'London', 51.51, -0.12, 2856) },
  homeV6b: { ip: '2a00:23c5:1234:5602:abcd::99', net: net('GB', 'London', 51.51, -0.12, 2856) },
} as const;
export type Place = keyof typeof NETS;

export const LAPTOP = { deviceId: 'dev-laptop', operatingSystem: 'Windows 11', browser: 'Edge 124.0' };
export const PHONE = { deviceId: 'dev-phone', operatingSystem: 'iOS 17.4', browser: 'Safari 17' };
export const ATTACKER_PC = { operatingSystem: 'Linux', browser: 'Firefox 126.0' };

let seq = 0;
export function ev(place: Place, time: number, over: Partial<RiskSignInEvent> = {}): RiskSignInEvent {
  const p = NETS[place];
  return {
    requestId: `req-${++seq}`, time, userId: 'u-ana', userPrincipalName: 'ana@contoso.example', userDisplayName: 'Ana',
    ip: p.ip, network: p.net, device: LAPTOP, isInteractive: true, status: 'success', ...over,
  };
}

export function token(place: Place, issuedAt: number, over: Partial<PresentedToken> = {}, device: RiskSignInEvent['device'] = LAPTOP): PresentedToken {
  const p = NETS[place];
  return { kind: 'refreshToken', tokenId: 'tok-1', issuedTo: { issuedAt, ip: p.ip, network: p.net, ...(device ? { device } : {}) }, ...over };
}

/**
 * Teach the engine a normal user: `days` days of sign-ins, four a day, rotating through `places`
 * (home, office, phone). Returns the time after the last sign-in.
 */
export async function train(engine: RiskEngine, opts: { days?: number; places?: Place[]; userId?: string; start?: number } = {}): Promise<number> {
  const places = opts.places ?? ['homeLondon', 'officeLondon', 'mobileLondon'];
  const days = opts.days ?? 10;
  let t = opts.start ?? T0;
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < 4; i++) {
      const place = places[(d + i) % places.length]!;
      const e = ev(place, t + i * 2 * HOUR, {
        ...(opts.userId ? { userId: opts.userId, userPrincipalName: `${opts.userId}@contoso.example` } : {}),
        device: place.startsWith('mobile') ? PHONE : LAPTOP,
      });
      await engine.recordOutcome(e, engine.assessSignIn(e));
    }
    t += DAY;
  }
  return t;
}

export function types(a: { detections: { riskEventType: string }[] }): string[] {
  return a.detections.map((d) => d.riskEventType).sort();
}
