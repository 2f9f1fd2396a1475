/**
 * anomalousToken (token replay) and attackerinTheMiddle — a session or refresh token presented with properties
 * unlike those it was issued to: the signal of a stolen token (seed 000 "anomalous token", seed 002 trigger list).
 * The event carries the issuance properties (`presentedToken.issuedTo`); the detector compares them with the
 * presentation and with the user's baseline:
 *  - proven possession of the bound device key → nothing: a device-bound token cannot be replayed (seed 001);
 *  - issued to a device and presented by that same authenticated device → nothing (`device.deviceId` is only set
 *    by the core when the device authenticated, never from a client claim);
 *  - issued to a device, presented by another device or without one → high;
 *  - client family changed (browser+OS for cookies, OS for refresh tokens — several apps share one refresh token)
 *    and the network changed → high;
 *  - presented from a hosting/cloud ASN the user never used, the token was not issued there → high;
 *  - the same token used from two countries faster than travel allows, the second on a network the user does
 *    not know → high;
 *  - network and country changed, ASN unfamiliar to the user → medium if the country is unfamiliar too and the
 *    user could not have travelled there since their last activity; otherwise low (a traveller's laptop).
 *  The two baseline rules (hosting network, unfamiliar network and country) give at most low while the user is in
 *  the learning period; the token-intrinsic ones (device, client, two places at once) do not need a baseline.
 * Networks many users of the organisation sign in from (offices, corporate VPN) count as familiar.
 * attackerinTheMiddle (user activity, high): the token was issued, without a device, on a hosting network that was
 * new to the user at that moment and is not an organisation network, and is now presented from another network the
 * user does not know, of another ASN — an AiTM reverse proxy minted the session and its operator replays it
 * elsewhere. (A user who signs in through a commercial VPN and carries on at home presents the session from a
 * network they know; a VPN rotating exit addresses stays in its ASN.) An operator replaying from the proxy's own
 * provider is missed.
 * Limits: a replay from the victim's own network with a copied user agent is indistinguishable here; that is what
 * token protection (device binding) is for.
 */
import { isFamiliarClient, isLearning, referencePosition, seenCount } from '../baseline.ts';
import { distanceKm } from '../geo/distance.ts';
import { Lru } from '../lru.ts';
import { family, userAgentFamily } from '../ua.ts';
import type { RiskDevice } from '../event.ts';
import type { DetectionLevel } from '../types.ts';
import type { RawDetection } from './define.ts';
import { defineDetector, detection } from './define.ts';

interface LastUse { t: number; lat: number | undefined; lon: number | undefined; asn: number | undefined; country: string | undefined }

function clientFamilies(device: RiskDevice | undefined, ua: string | undefined): { browser?: string; os?: string } {
  const fromUa = userAgentFamily(ua)?.split('/');
  const browser = family(device?.browser) ?? fromUa?.[0];
  const os = family(device?.operatingSystem) ?? fromUa?.[1];
  return { ...(browser ? { browser } : {}), ...(os ? { os } : {}) };
}

const rank: Record<DetectionLevel, number> = { low: 1, medium: 2, high: 3 };

export const anomalousToken = defineDetector<Lru<string, LastUse>>({
  id: 'anomalous-token',
  riskEventTypes: ['anomalousToken', 'attackerinTheMiddle'],
  createState: (cfg) => new Lru(cfg.maxTokens),
  assess({ event, net, issuedNet, profile, features, config, orgNetwork, issuedOrgNetwork }, lastUses) {
    const tok = event.presentedToken;
    if (!tok || tok.devicePossessionProven) return undefined;
    const iss = tok.issuedTo;
    const inet = issuedNet ?? { known: false, isHosting: false };
    const reasons: string[] = [];
    let level: DetectionLevel | undefined;
    const raise = (l: DetectionLevel, why: string) => {
      reasons.push(why);
      if (!level || rank[l] > rank[level]) level = l;
    };

    const issuedDevice = iss.device?.deviceId;
    if (issuedDevice && event.device?.deviceId === issuedDevice) return undefined;
    if (issuedDevice) raise('high', 'presentedByAnotherDevice');

    const asnChanged = inet.asn !== undefined && net.asn !== undefined ? inet.asn !== net.asn : iss.ip !== event.ip;
    const countryChanged = !!inet.countryOrRegion && !!net.countryOrRegion && inet.countryOrRegion !== net.countryOrRegion;
    const a = clientFamilies(iss.device, iss.userAgent);
    const b = clientFamilies(event.device, event.userAgent);
    const osChanged = !!a.os && !!b.os && a.os !== b.os;
    const browserChanged = tok.kind === 'sessionCookie' && !!a.browser && !!b.browser && a.browser !== b.browser;
    if ((osChanged || browserChanged) && asnChanged) raise('high', 'clientChanged');

    const asnFamiliar = orgNetwork || (profile !== undefined && net.asn !== undefined && seenCount(profile, 'asn', String(net.asn)) > 0);
    // Rules that judge the network against the baseline are capped at low while the baseline is still learning.
    const learning = isLearning(profile, event.time, config);
    if (net.isHosting && !inet.isHosting && asnChanged && !asnFamiliar) raise(learning ? 'low' : 'high', 'presentedFromHostingNetwork');

    const last = lastUses.peek(tok.tokenId);
    if (last && last.lat !== undefined && last.lon !== undefined && net.latitude !== undefined && net.longitude !== undefined
      && !asnFamiliar && last.country !== net.countryOrRegion) {
      const km = distanceKm(last.lat, last.lon, net.latitude, net.longitude);
      const hours = Math.max(0, event.time - last.t) / 3_600_000;
      if (km >= config.travelMinDistanceKm && hours < km / config.maxTravelSpeedKmh + config.travelOverheadHours) raise('high', 'usedFromTwoPlacesAtOnce');
    }

    if (asnChanged && countryChanged && !asnFamiliar) {
      const countryFamiliar = profile !== undefined && seenCount(profile, 'country', net.countryOrRegion) > 0;
      // Could the user have travelled here since their last activity? A traveller's laptop could; a replay while
      // the victim is still active at home could not.
      const loc = profile && referencePosition(profile, isFamiliarClient(profile, features));
      let travelPlausible = true;
      if (loc && net.latitude !== undefined && net.longitude !== undefined) {
        const km = distanceKm(loc.lat, loc.lon, net.latitude, net.longitude);
        travelPlausible = Math.max(0, event.time - loc.time) / 3_600_000 >= km / config.maxTravelSpeedKmh + config.travelOverheadHours;
      }
      raise(!countryFamiliar && !travelPlausible && !learning ? 'medium' : 'low', 'unfamiliarNetworkAndCountry');
    }

    const out: RawDetection[] = [];
    if (level) {
      out.push(detection('anomalousToken', level, {
        reasons, tokenKind: tok.kind, issuedAtIp: iss.ip, issuedCountry: inet.countryOrRegion, issuedAsn: inet.asn,
        tokenAgeMinutes: Math.round((event.time - iss.issuedAt) / 60_000),
      }));
    }
    // New to the user when the token was issued: unseen, or first seen by the issuing sign-in itself.
    const issuedSeen = profile !== undefined && inet.asn !== undefined ? profile.features.asn.get(String(inet.asn)) : undefined;
    const issuanceNetworkNew = !issuedSeen || issuedSeen.first >= iss.issuedAt - 10 * 60_000;
    // Same provider on both sides is left out: commercial VPNs rotate exit addresses within their ASN.
    if (inet.isHosting && !issuedDevice && !issuedOrgNetwork && issuanceNetworkNew && !asnFamiliar && asnChanged) {
      out.push(detection('attackerinTheMiddle', 'high', { issuedAtIp: iss.ip, issuedAsn: inet.asn, presentedAsn: net.asn }, { activity: 'user' }));
    }
    return out.length ? out : undefined;
  },
  learn({ event, net }, lastUses) {
    const tok = event.presentedToken;
    if (!tok || event.status !== 'success') return;
    lastUses.set(tok.tokenId, { t: event.time, lat: net.latitude, lon: net.longitude, asn: net.asn, country: net.countryOrRegion });
  },
});
