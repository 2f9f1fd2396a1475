/**
 * newCountry — first sign-in from a country the user's baseline does not hold (graph-shapes.md §6: "first /
 * infrequent country"). Low: on its own it is travel more often than attack; it adds context to other detections
 * and says whether the country is also new to the organisation. Raised once per user and country per 30 days
 * (a traveller's every refresh abroad is one event, not fifty).
 * A new user's first sign-ins define their countries: no detection during the learning period.
 * Organisation networks (a corporate VPN exit abroad) are not a country the user is in.
 * Limits: geolocation of mobile carriers and VPN exits can put a user in a neighbouring country.
 */
import { isLearning, seenCount } from '../baseline.ts';
import { Lru } from '../lru.ts';
import { defineDetector, detection } from './define.ts';

const REPEAT_MS = 30 * 86_400_000;

export const newCountry = defineDetector<Lru<string, number>>({
  id: 'new-country',
  riskEventTypes: ['newCountry'],
  createState: (cfg) => new Lru(cfg.maxUsers),
  assess({ event, profile, features, tenantCountries, config, orgNetwork }, reported) {
    const c = features.country;
    if (!c || !profile || orgNetwork || isLearning(profile, event.time, config)) return undefined;
    if (seenCount(profile, 'country', c) > 0) return undefined;
    const last = reported.peek(`${event.userId}|${c}`);
    if (last !== undefined && event.time - last < REPEAT_MS) return undefined;
    return [detection('newCountry', 'low', { country: c, newToOrganisation: (tenantCountries.get(c) ?? 0) === 0 })];
  },
  learn({ event, features }, reported, outcome) {
    if (outcome.types.includes('newCountry') && features.country) reported.set(`${event.userId}|${features.country}`, event.time);
  },
});
