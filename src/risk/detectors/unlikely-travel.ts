/**
 * unlikelyTravel — two successful sign-ins further apart than the user could have travelled in between
 * (graph-shapes.md §6 "atypical travel between distant sign-ins"). Real-time here: the previous position is the
 * baseline's last positioned sign-in from an access network (VPN and cloud exits carry no position).
 *
 * Required time = distance / maxTravelSpeedKmh + travelOverheadHours. Tolerances, each a known source of
 * false "impossible travel":
 *  - distances under travelMinDistanceKm are city-level geolocation error;
 *  - organisation networks (office, corporate VPN — many users sign in there) are not a position;
 *  - VPN egress: the user has signed in before through this ASN *in this country* (their corporate VPN or a
 *    multi-country carrier) — the position is the exit's, not the user's;
 *  - mobile carrier NAT: same ASN and same country as the previous sign-in — carriers egress from a few regional
 *    gateways hundreds of km apart; and when the previous position came from an ASN seen in several cities (a
 *    carrier, or a roaming phone that egresses at home) and the client is the user's own, the last *reliable*
 *    position is used instead;
 *  - the first sign-in ever has nothing to compare with.
 * Level: in the learning period (baseline.ts isLearning) → low; the user's own authenticated device → low (it cannot be elsewhere: a VPN); arriving on a hosting network →
 * high, medium if browser and OS are the user's usual ones; otherwise low in a familiar country, medium elsewhere.
 */
import { distanceKm } from '../geo/distance.ts';
import { isFamiliarClient, isLearning, referencePosition, seenCount } from '../baseline.ts';
import { defineDetector, detection } from './define.ts';

export const unlikelyTravel = defineDetector({
  id: 'unlikely-travel',
  riskEventTypes: ['unlikelyTravel'],
  createState: () => null,
  assess({ event, profile, net, features: fv, config, orgNetwork }) {
    if (!profile || orgNetwork || net.latitude === undefined || net.longitude === undefined) return undefined;
    const deviceKnown = fv.device !== undefined && seenCount(profile, 'device', fv.device) > 0;
    const clientFamiliar = isFamiliarClient(profile, fv);
    const last = referencePosition(profile, clientFamiliar);
    if (!last) return undefined;
    const km = distanceKm(last.lat, last.lon, net.latitude, net.longitude);
    if (km < config.travelMinDistanceKm) return undefined;
    const hours = Math.max(0, event.time - last.time) / 3_600_000;
    const requiredHours = km / config.maxTravelSpeedKmh + config.travelOverheadHours;
    if (hours >= requiredHours) return undefined;
    if (net.asn !== undefined && net.countryOrRegion && profile.asnCountries.has(`${net.asn}|${net.countryOrRegion}`)) return undefined;
    if (net.asn !== undefined && net.asn === last.asn && net.countryOrRegion === last.country) return undefined;
    const countryFamiliar = net.countryOrRegion !== undefined && seenCount(profile, 'country', net.countryOrRegion) > 0;
    // In the learning period the client and country tables are still filling: never more than low.
    const learning = isLearning(profile, event.time, config);
    const level = deviceKnown || learning ? 'low' : net.isHosting ? (clientFamiliar ? 'medium' : 'high') : countryFamiliar ? 'low' : 'medium';
    return [detection('unlikelyTravel', level, {
      fromCountry: last.country, toCountry: net.countryOrRegion, distanceKm: Math.round(km),
      elapsedMinutes: Math.round(hours * 60), requiredMinutes: Math.round(requiredHours * 60),
    })];
  },
});
