/**
 * newCountry — first sign-in from a country the user's baseline does not hold (graph-shapes.md §6: "first /
 * infrequent country"). Low; medium when nobody in the organisation has signed in from that country either.
 * A new user's first sign-ins define their countries: no detection during the learning period.
 * Limits: geolocation of mobile carriers and VPN exits can put a user in a neighbouring country.
 */
import { isLearning, seenCount } from '../baseline.ts';
import { defineDetector, detection } from './define.ts';

export const newCountry = defineDetector({
  id: 'new-country',
  riskEventTypes: ['newCountry'],
  createState: () => null,
  assess({ event, profile, features, tenantCountries, config }) {
    const c = features.country;
    if (!c || !profile || isLearning(profile, event.time, config)) return undefined;
    if (seenCount(profile, 'country', c) > 0) return undefined;
    const tenantSeen = tenantCountries.get(c) ?? 0;
    return [detection('newCountry', tenantSeen > 0 ? 'low' : 'medium', { country: c, newToOrganisation: tenantSeen === 0 })];
  },
});
