/**
 * unlikelyTravel — two successful sign-ins further apart than the user could have travelled in between
 * (graph-shapes.md §6 "atypical travel between distant sign-ins"). Real-time here: the previous location is the
 * baseline's last positioned sign-in.
 *
 * Required time = distance / maxTravelSpeedKmh + travelOverheadHours. Tolerances, each a known source of
 * false "impossible travel":
 *  - distances under travelMinDistanceKm are city-level geolocation error;
 *  - VPN egress: the user has signed in before through this ASN *in this country* (their corporate VPN or a
 *    multi-country carrier) — the position is the exit's, not the user's;
 *  - mobile carrier NAT: same ASN and same country as the previous sign-in — carriers egress from a few regional
 *    gateways hundreds of km apart;
 *  - the first sign-in ever has nothing to compare with.
 * Level: high when the destination is a hosting network, low when the destination country is familiar, else medium.
 */
import { distanceKm } from '../geo/distance.ts';
import { seenCount } from '../baseline.ts';
import { defineDetector, detection } from './define.ts';

export const unlikelyTravel = defineDetector({
  id: 'unlikely-travel',
  riskEventTypes: ['unlikelyTravel'],
  createState: () => null,
  assess({ event, profile, net, config }) {
    const last = profile?.lastLocation;
    if (!last || net.latitude === undefined || net.longitude === undefined) return undefined;
    const km = distanceKm(last.lat, last.lon, net.latitude, net.longitude);
    if (km < config.travelMinDistanceKm) return undefined;
    const hours = Math.max(0, event.time - last.time) / 3_600_000;
    const requiredHours = km / config.maxTravelSpeedKmh + config.travelOverheadHours;
    if (hours >= requiredHours) return undefined;
    if (net.asn !== undefined && net.countryOrRegion && profile.asnCountries.has(`${net.asn}|${net.countryOrRegion}`)) return undefined;
    if (net.asn !== undefined && net.asn === last.asn && net.countryOrRegion === last.country) return undefined;
    const countryFamiliar = net.countryOrRegion !== undefined && seenCount(profile, 'country', net.countryOrRegion) > 0;
    const level = net.isHosting ? 'high' : countryFamiliar ? 'low' : 'medium';
    return [detection('unlikelyTravel', level, {
      fromCountry: last.country, toCountry: net.countryOrRegion, distanceKm: Math.round(km),
      elapsedMinutes: Math.round(hours * 60), requiredMinutes: Math.round(requiredHours * 60),
    })];
  },
});
