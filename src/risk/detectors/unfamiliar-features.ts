/**
 * unfamiliarFeatures — a sign-in whose network and client are both new for the user (graph-shapes.md §6:
 * "properties (IP, ASN, location, device, browser, subnet) new for the user; learning period ≥5 days").
 *
 * A new user is in the learning period (RiskConfig.learningDays days and learningSignIns successful sign-ins)
 * and gets no unfamiliarFeatures detection at all: with no baseline everything is "unfamiliar".
 *
 * After learning: the network is unfamiliar when neither the ASN nor the /24 (/48) was seen. That alone is a user
 * on a hotel or café network and raises nothing, unless the client is also unfamiliar (device id, or browser/OS
 * family) — the shape of a stolen password used from an attacker's machine — or the network is a hosting/cloud
 * ASN the user never used (an AiTM proxy or a rented VPS). Level: medium when the client is new *and* the country
 * is new, otherwise low. Organisation networks (offices, corporate VPN: many users sign in there) are familiar.
 */
import { isLearning, seenCount } from '../baseline.ts';
import { defineDetector, detection } from './define.ts';

export const unfamiliarFeatures = defineDetector({
  id: 'unfamiliar-features',
  riskEventTypes: ['unfamiliarFeatures'],
  createState: () => null,
  assess({ event, profile, features: fv, net, config, orgNetwork }) {
    if (!profile || isLearning(profile, event.time, config)) return undefined;
    if (orgNetwork) return undefined; // an office / corporate VPN network is familiar to everyone
    const asnNew = fv.asn === undefined || seenCount(profile, 'asn', fv.asn) === 0;
    const subnetNew = seenCount(profile, 'subnet', fv.subnet) === 0;
    if (!(asnNew && subnetNew)) return undefined;
    const deviceNew = fv.device !== undefined && seenCount(profile, 'device', fv.device) === 0;
    // A known registered device vouches for the client even if a different browser runs on it.
    const knownDevice = fv.device !== undefined && !deviceNew;
    const browserNew = fv.browser !== undefined && seenCount(profile, 'browser', fv.browser) === 0;
    const osNew = fv.os !== undefined && seenCount(profile, 'os', fv.os) === 0;
    const clientNew = deviceNew || (!knownDevice && (browserNew || osNew));
    const hostingNew = net.isHosting;
    if (!clientNew && !hostingNew) return undefined;
    const countryNew = fv.country !== undefined && seenCount(profile, 'country', fv.country) === 0;
    const cityNew = fv.city !== undefined && seenCount(profile, 'city', fv.city) === 0;
    const level = clientNew && countryNew ? 'medium' : 'low';
    return [detection('unfamiliarFeatures', level, {
      unfamiliar: [
        'asn', 'subnet', ...(countryNew ? ['country'] : []), ...(cityNew ? ['city'] : []), ...(deviceNew ? ['device'] : []),
        ...(!knownDevice && browserNew ? ['browser'] : []), ...(!knownDevice && osNew ? ['os'] : []), ...(hostingNew ? ['hostingAsn'] : []),
      ],
    })];
  },
});
